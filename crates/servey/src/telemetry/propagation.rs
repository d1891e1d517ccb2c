//! The W3C trace context (`traceparent`, `tracestate`) across services. In: [`RemoteParentLayer`] makes
//! the span of a request that carries one a child of the caller's span. Out: [`trace_propagation`] is the
//! hook adapters write it into their outgoing calls with (a webhook's POST).

use std::future::Future;
use std::pin::Pin;
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
/// service opens first: servey's `request` span.
///
/// The caller's context is current while the request's future runs (axum calls a route's service only
/// when its future is first polled); a span with no tracing parent takes the current context as its
/// parent. Requests without `traceparent` pass untouched.
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
    type Future = RemoteParentFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let parent = request
            .headers()
            .contains_key(TRACEPARENT)
            .then(|| TraceContextPropagator::new().extract(&HeaderExtractor(request.headers())));
        RemoteParentFuture {
            inner: self.0.call(request),
            parent,
        }
    }
}

pin_project_lite::pin_project! {
    /// The wrapped service's future, run with the caller's context current.
    pub struct RemoteParentFuture<F> {
        #[pin]
        inner: F,
        parent: Option<opentelemetry::Context>,
    }
}

impl<F: Future> Future for RemoteParentFuture<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let _attached = this.parent.as_ref().map(|parent| parent.clone().attach());
        this.inner.poll(cx)
    }
}
