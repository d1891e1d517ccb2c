//! The W3C trace context (`traceparent`, `tracestate`) across services. In: [`RemoteParentLayer`] makes
//! the span of a request that carries one a child of the caller's span. Out: [`trace_propagation`] is the
//! hook adapters write it into their outgoing calls with (a webhook's POST).

use std::task::{Context, Poll};

use http::{HeaderMap, Request};
use opentelemetry::propagation::TextMapPropagator;
use opentelemetry_http::{HeaderExtractor, HeaderInjector};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use servey_core::TracePropagation;
use tower::{Layer, Service};
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// The header naming the caller's trace and span.
const TRACEPARENT: &str = "traceparent";

/// The hook writing the current span's W3C trace context into an outgoing call's headers; writes
/// nothing when spans are not traced with OpenTelemetry.
pub fn trace_propagation() -> TracePropagation {
    TracePropagation::new(inject_current)
}

fn inject_current(headers: &mut HeaderMap) {
    let context = tracing::Span::current().context();
    TraceContextPropagator::new().inject_context(&context, &mut HeaderInjector(headers));
}

/// Makes the caller's span (from `traceparent`) the OpenTelemetry parent of whatever span the wrapped
/// service opens while it is called: servey's `request` span.
///
/// The caller's context is attached only for the synchronous `call`, where the envelope opens the
/// request span; a span with no tracing parent takes the attached context as its parent.
#[derive(Debug, Clone, Copy, Default)]
pub struct RemoteParentLayer;

impl<S> Layer<S> for RemoteParentLayer {
    type Service = RemoteParent<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RemoteParent(inner)
    }
}

/// A service whose requests' spans continue the caller's trace; see [`RemoteParentLayer`].
#[derive(Debug, Clone)]
pub struct RemoteParent<S>(S);

impl<S, B> Service<Request<B>> for RemoteParent<S>
where
    S: Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        if !request.headers().contains_key(TRACEPARENT) {
            return self.0.call(request);
        }
        let parent = TraceContextPropagator::new().extract(&HeaderExtractor(request.headers()));
        let _attached = parent.attach();
        self.0.call(request)
    }
}
