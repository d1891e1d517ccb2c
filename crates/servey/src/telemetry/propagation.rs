//! The W3C trace context (`traceparent`, `tracestate`) across services, over OpenTelemetry: the
//! [`TracePropagator`] the facade puts in every app's shared values. servey-web's envelope asks it to make
//! each request's span a child of the caller's span; a webhook delivery asks it for the headers of its
//! POST.

use http::{HeaderMap, HeaderName, HeaderValue};
use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use servey_core::{TracePropagation, TracePropagator};
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// The header naming the caller's trace and span (parsed once: a `&str` name is parsed on every lookup).
const TRACEPARENT: HeaderName = HeaderName::from_static("traceparent");

/// The app hook propagating W3C trace context with OpenTelemetry; a no-op for spans that no
/// OpenTelemetry layer records.
pub fn trace_propagation() -> TracePropagation {
    TracePropagation::new(W3cTraceContext)
}

/// W3C trace context through the spans' OpenTelemetry contexts.
#[derive(Debug, Clone, Copy, Default)]
pub struct W3cTraceContext;

impl TracePropagator for W3cTraceContext {
    fn continue_trace(&self, span: &tracing::Span, headers: &HeaderMap) {
        if !headers.contains_key(TRACEPARENT) {
            return;
        }
        let parent = TraceContextPropagator::new().extract(&HeaderExtractor(headers));
        // Refused only when no OpenTelemetry layer records the span: then there is no trace to continue.
        let _ = span.set_parent(parent);
    }

    fn inject(&self, headers: &mut HeaderMap) {
        let context = tracing::Span::current().context();
        TraceContextPropagator::new().inject_context(&context, &mut HeaderInjector(headers));
    }
}

/// The headers of a request read as OpenTelemetry's text map (a value that is not visible ASCII is
/// absent). opentelemetry-http has the same two adapters, but it is the `otlp` feature's crate: a
/// dependency of every app for twenty lines.
struct HeaderExtractor<'a>(&'a HeaderMap);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|value| value.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(HeaderName::as_str).collect()
    }
}

/// The headers of a request written as OpenTelemetry's text map (a name or value that is not a valid
/// header is left out).
struct HeaderInjector<'a>(&'a mut HeaderMap);

impl Injector for HeaderInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(key.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            self.0.insert(name, value);
        }
    }
}
