//! servey's background adapter: fixed-rate and cron jobs, event channels (background, webhook,
//! websocket), the websocket route and `/asyncapi.json`.

use axum::Router;
use servey_core::App;

/// The websocket and AsyncAPI routes of `app`.
pub fn router(app: &App) -> Router {
    let _ = app;
    Router::new()
}
