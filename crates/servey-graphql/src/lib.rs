//! servey's GraphQL adapter: `/graphql` over a dynamic async-graphql schema built once from the
//! registry, and GraphiQL at `/graphiql` served from the binary.
//!
//! [`router`] serves it; [`sdl`] prints the same schema (`--run=graphql-schema`).
#![doc = include_str!("../docs/mapping.md")]

mod answer;
mod batch;
mod cost;
mod description;
mod document;
mod documents;
mod doorkeeper;
mod error;
mod extension;
mod graphiql;
mod http;
mod limits;
mod media;
mod model;
mod naming;
mod persisted;
mod prefetch;
mod prepare;
mod property;
mod reader;
mod resolve;
mod sample;
mod schema;
mod socket;
mod subscription;
mod trace;

use axum::Router;
use servey_core::App;
use servey_core::route::ReservedRoute;

use crate::documents::Documents;

pub use documents::DocumentStats;
pub use error::GraphqlError;
pub use limits::GraphqlLimits;

/// The routes the GraphQL adapter serves itself, for every method: no action may take them.
pub const RESERVED_ROUTES: &[ReservedRoute] = &[
    ReservedRoute::exact("/graphql", "the GraphQL endpoint").answering("GET, POST"),
    ReservedRoute::prefix("/graphiql", "GraphiQL"),
];

/// The GraphQL routes of `app`: `/graphql` (POST, and GET for queries), `/graphiql` and its assets.
///
/// The schema is built here, once; an error names the action or type that cannot be expressed.
pub fn router(app: &App) -> Result<Router, GraphqlError> {
    Ok(router_with_stats(app)?.0)
}

/// [`router`], with the counters of its document cache (how many documents it parsed and validated).
pub fn router_with_stats(app: &App) -> Result<(Router, DocumentStats), GraphqlError> {
    let limits = GraphqlLimits::from_settings(&app.config().settings);
    let documents = Documents::new(limits.document_cache);
    let stats = documents.stats();
    let built = schema::build_schema(app, &documents, limits)?;
    tracing::debug!("GraphQL schema built");
    let mut router = Router::new();
    if app.serves("/graphiql") {
        router = router.merge(graphiql::routes(&sample::sample_document(&built.model)));
    }
    if app.serves("/graphql") {
        router = router.merge(http::routes(built, app.clone(), documents, limits));
    }
    Ok((router, stats))
}

/// The SDL of `app`'s GraphQL schema: exactly what the server built by [`router`] serves.
pub fn sdl(app: &App) -> Result<String, GraphqlError> {
    let limits = GraphqlLimits::from_settings(&app.config().settings);
    Ok(schema::build_schema(app, &Documents::new(0), limits)?
        .schema
        .sdl())
}
