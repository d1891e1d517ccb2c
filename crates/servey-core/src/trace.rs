//! Traces across services: the `action` span every invocation runs in, and [`TracePropagation`], the hook
//! through which an adapter writes the current span's W3C trace context (`traceparent`, `tracestate`) into
//! a call it makes. Core knows no tracing backend: the facade puts the OpenTelemetry hook in the app's
//! shared values, and without one nothing is written.

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

/// Writes the trace context of the current span into the headers of an outgoing call.
#[derive(Clone)]
pub struct TracePropagation(Arc<dyn Fn(&mut HeaderMap) + Send + Sync>);

impl TracePropagation {
    /// A hook that writes the headers with `inject`.
    pub fn new(inject: impl Fn(&mut HeaderMap) + Send + Sync + 'static) -> Self {
        Self(Arc::new(inject))
    }

    /// Writes the current span's trace context into `headers`.
    pub fn inject(&self, headers: &mut HeaderMap) {
        (self.0)(headers);
    }

    /// The hook of the app `context` belongs to, if it has one.
    pub fn of(context: &Context) -> Option<&Self> {
        context.state::<Self>()
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
        let hook = TracePropagation::new(|headers| {
            headers.insert("traceparent", http::HeaderValue::from_static("00-x"));
        });
        let context = Context::new().extensions(Extensions::new().with(hook));
        let mut headers = HeaderMap::new();
        TracePropagation::of(&context)
            .expect("the app has one")
            .inject(&mut headers);
        assert_eq!(headers["traceparent"], "00-x");
        assert!(TracePropagation::of(&Context::new()).is_none());
    }
}
