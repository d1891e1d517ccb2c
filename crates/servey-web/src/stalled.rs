//! What servey's listener answers by itself while no worker is free (every one held by an action that
//! does not yield): `/health` and its probes say so with `503`, `/metrics` is scraped as usual, anything else is a
//! `503` problem with `Retry-After`. Nothing here needs a worker.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use servey_core::App;
use servey_core::metrics::Stall;

use crate::problem::status_response;

/// The answer to a request for `path` while every worker is held by the polls in `stalls`.
pub fn stalled_answer(app: &App, path: &str, stalls: &[Stall]) -> Response {
    let actions: Vec<&str> = stalls.iter().map(|stall| &*stall.action).collect();
    match path {
        "/health" | "/health/live" | "/health/ready" if app.serves(path) => {
            let body = serde_json::json!({
                "status": "stalled",
                "detail": "No worker is free: each is held by an action that does not yield.",
                "stalled_actions": actions,
            });
            (StatusCode::SERVICE_UNAVAILABLE, axum::Json(body)).into_response()
        }
        "/metrics" if crate::metrics::serves_metrics_here(app) => {
            crate::metrics::scrape(app.metrics().expect("checked just above"))
        }
        _ => {
            let mut response = status_response(
                app.errors(),
                StatusCode::SERVICE_UNAVAILABLE,
                "No worker is free to answer: each is held by an action that does not yield; try again \
                 shortly.",
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            response
        }
    }
}
