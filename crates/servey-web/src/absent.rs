//! What answers on the routes of a part the app was built without (a cargo feature left off): a `501`
//! problem that names what to turn on, so a route never silently turns into a `404`.

use axum::Router;
use axum::http::StatusCode;
use axum::routing::any;
use servey_core::App;

use crate::problem::status_response;

/// Routes at `paths` (axum syntax: `/graphql`, `/subscription/{*rest}`) that answer every method with
/// a `501 Not Implemented` problem whose detail is `detail`, in the app's error body.
pub fn absent_routes(app: &App, paths: &[&str], detail: &str) -> Router {
    let errors = app.errors().clone();
    let detail = detail.to_owned();
    paths.iter().fold(Router::new(), |router, path| {
        let (errors, detail) = (errors.clone(), detail.clone());
        router.route(
            path,
            any(move || async move {
                status_response(&errors, StatusCode::NOT_IMPLEMENTED, detail)
            }),
        )
    })
}
