//! servey's GraphQL adapter: `/graphql` over a schema built once from the registry, and GraphiQL at
//! `/graphiql` served from the binary.

use axum::Router;
use servey_core::App;

/// Why the GraphQL schema could not be built.
#[derive(Debug)]
pub struct GraphqlError(pub String);

impl std::fmt::Display for GraphqlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GraphqlError {}

/// The GraphQL routes of `app`.
pub fn router(app: &App) -> Result<Router, GraphqlError> {
    let _ = app;
    Ok(Router::new())
}
