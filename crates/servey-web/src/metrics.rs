//! `/metrics`: the app's metrics in the Prometheus text format (version 0.0.4), encoded per scrape from
//! the registry the app owns. Served unless switched off (`without_route("/metrics")`), and then
//! nothing is recorded.

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use servey_core::{App, Metrics};

/// `GET /metrics` on the main port, unless switched off or served on its own listener.
pub(crate) fn router(app: &App) -> Router {
    if !serves_metrics_here(app) {
        return Router::new();
    }
    metrics_router(app)
}

/// Whether the main port answers `/metrics`: it is on, and `SERVEY_METRICS_ADDR` does not move it.
pub(crate) fn serves_metrics_here(app: &App) -> bool {
    app.serves("/metrics") && app.metrics().is_some() && app.config().metrics_addr.is_none()
}

/// `GET /metrics` alone, whatever the listener: what `SERVEY_METRICS_ADDR`'s own listener serves
/// (nothing when `/metrics` is switched off).
pub fn metrics_router(app: &App) -> Router {
    let Some(metrics) = app.metrics().filter(|_| app.serves("/metrics")).cloned() else {
        return Router::new();
    };
    Router::new().route(
        "/metrics",
        get(move || {
            let metrics = metrics.clone();
            async move { scrape(&metrics) }
        }),
    )
}

pub(crate) fn scrape(metrics: &Metrics) -> Response {
    match metrics.encode() {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static(Metrics::CONTENT_TYPE),
            )],
            text,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "the metrics could not be encoded");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
