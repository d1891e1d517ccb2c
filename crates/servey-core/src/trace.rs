//! Traces across services: the `action` span every invocation runs in, and [`TracePropagation`], the hook
//! through which adapters continue a caller's trace (the W3C `traceparent` of a request) and pass theirs
//! on (into a webhook's POST). Core knows no tracing backend: the facade puts its OpenTelemetry
//! [`TracePropagator`] in the app's shared values, and without one traces stop at the process.

use std::sync::Arc;

use http::HeaderMap;

use crate::action::Action;
use crate::context::Context;

/// The span one call of `action` runs in: `action` with the action's name and the request id, a child
/// of the current span (the request, the GraphQL field, the tick or the calling action).
pub fn action_span(action: &Action, context: &Context) -> tracing::Span {
    tracing::info_span!(
        "action",
        action = %action.name,
        request_id = context.request_id(),
    )
}

/// Whether a subscriber records [`action_span`]s, so that an adapter can skip finding the action to
/// name one when none does.
pub fn action_spans_enabled() -> bool {
    tracing::enabled!(tracing::Level::INFO)
}

/// How spans continue a trace across services (W3C `traceparent` and `tracestate`, for instance).
pub trait TracePropagator: Send + Sync + 'static {
    /// Makes `span`, just opened for an incoming call, a child of the caller's span that `headers` name,
    /// when they name one.
    fn continue_trace(&self, span: &tracing::Span, headers: &HeaderMap);

    /// Writes the current span's trace context into the headers of an outgoing call.
    fn inject(&self, headers: &mut HeaderMap);
}

/// An app's [`TracePropagator`], kept in its shared values where adapters find it. Cheap to clone.
#[derive(Clone)]
pub struct TracePropagation(Arc<dyn TracePropagator>);

impl TracePropagation {
    /// The hook over `propagator`.
    pub fn new(propagator: impl TracePropagator) -> Self {
        Self(Arc::new(propagator))
    }

    /// The hook of the app `context` belongs to, if it has one.
    pub fn of(context: &Context) -> Option<&Self> {
        context.state::<Self>()
    }

    /// Makes `span` a child of the caller's span that `headers` name, when they name one.
    pub fn continue_trace(&self, span: &tracing::Span, headers: &HeaderMap) {
        self.0.continue_trace(span, headers);
    }

    /// Writes the current span's trace context into `headers`.
    pub fn inject(&self, headers: &mut HeaderMap) {
        self.0.inject(headers);
    }
}

impl std::fmt::Debug for TracePropagation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TracePropagation")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Extensions;

    #[test]
    fn the_hook_travels_in_the_apps_shared_values() {
        struct Fixed;
        impl TracePropagator for Fixed {
            fn continue_trace(&self, _: &tracing::Span, _: &HeaderMap) {}
            fn inject(&self, headers: &mut HeaderMap) {
                headers.insert("traceparent", http::HeaderValue::from_static("00-x"));
            }
        }
        let hook = TracePropagation::new(Fixed);
        let context = Context::new().extensions(Extensions::new().with(hook));
        let mut headers = HeaderMap::new();
        TracePropagation::of(&context)
            .expect("the app has one")
            .inject(&mut headers);
        assert_eq!(headers["traceparent"], "00-x");
        assert!(TracePropagation::of(&Context::new()).is_none());
    }
}
