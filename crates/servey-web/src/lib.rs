//! servey's REST adapter: every web action as an axum route, `/openapi.json`, the docs page, `/login`,
//! web pages, static files, `/health`, `/actions` and `/metrics`. Built once at start from the registry;
//! every call goes through [`servey_core::invoke()`], and every error leaves in the app's error body (RFC 9457
//! problem details by default).
//!
//! [`router`] gives the routes as a plain axum `Router` (merge, nest or layer it as you like);
//! [`envelop`] wraps the merged router of every adapter with the shared fallbacks and layers.

mod absent;
mod catalog;
mod deadline;
mod direct;
mod docs;
mod endpoints;
mod envelope;
mod error;
mod files;
mod jobs;
mod layers;
mod login;
mod media;
mod metrics;
mod openapi;
mod operation;
mod parameters;
mod problem;
mod query;
mod references;
mod refusal;
mod routes;
mod shape;
mod stalled;
#[cfg(feature = "pages")]
mod templates;

#[cfg(test)]
mod router_tests;

pub use absent::absent_routes;
pub use axum;
pub use direct::DirectRoutes;
pub use envelope::{Answer, ForClient};
pub use error::WebError;
pub use layers::envelop;
pub use metrics::metrics_router;
pub use openapi::{openapi, openapi_json};
pub use refusal::refusal_answer;
pub use routes::{RESERVED_ROUTES, router};
pub use stalled::stalled_answer;
