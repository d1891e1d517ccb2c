//! servey's REST adapter: every web action as an axum route, `/openapi.json`, the docs page, `/login`,
//! web pages, static files, `/health` and `/actions`. Built once at start from the registry.

pub use axum;
use axum::Router;
use servey_core::App;

/// Why the REST routes could not be built.
#[derive(Debug)]
pub struct WebError(pub String);

impl std::fmt::Display for WebError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for WebError {}

/// The REST routes of `app` (to be merged with the other adapters' and then passed to [`finish`]).
pub fn router(app: &App) -> Result<Router, WebError> {
    let _ = app;
    Ok(Router::new())
}

/// Applies what wraps every route: the 404/405 problem fallback, body limit, CORS and tracing layers.
pub fn finish(router: Router, app: &App) -> Router {
    let _ = app;
    router
}
