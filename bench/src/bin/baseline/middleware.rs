//! The second baseline: the same bare axum routes inside the middleware servey gives every request,
//! assembled from the crates an axum user reaches for (tower-http, tower, axum-prometheus): request id
//! (set and echoed), a trace span per request with a subscriber at `RUST_LOG`, catch-panic, a timeout,
//! a concurrency limit shared by all connections, CORS, and Prometheus metrics on `/metrics`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, Request, StatusCode};
use axum::routing::get;
use axum_prometheus::PrometheusMetricLayer;
use tower::ServiceBuilder;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::CorsLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Request ids from a counter, as servey makes them (a UUID would cost a random draw per request).
#[derive(Clone, Default)]
struct CountedIds(Arc<AtomicU64>);

impl MakeRequestId for CountedIds {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        let n = self.0.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("baseline-{n:x}"))
            .ok()
            .map(RequestId::new)
    }
}

/// `router` with the middleware stack and a `/metrics` route.
pub(crate) fn wrap(router: Router) -> Router {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let (metrics, handle) = PrometheusMetricLayer::pair();
    router
        .route("/metrics", get(move || async move { handle.render() }))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(CountedIds::default()))
                .layer(PropagateRequestIdLayer::x_request_id())
                // CORS and the timeout answer with bodies of their own: outside the layers whose
                // bodies have no default (the trace and the metrics).
                .layer(CorsLayer::permissive())
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::GATEWAY_TIMEOUT,
                    Duration::from_secs(30),
                ))
                .layer(CatchPanicLayer::new())
                .layer(TraceLayer::new_for_http())
                .layer(GlobalConcurrencyLimitLayer::new(1024))
                .layer(metrics),
        )
}
