//! The core of servey: the action model, the registry, schemas, errors, auth, caching, context and the one
//! invoke path that every adapter (REST, GraphQL, CLI, schedule, tests) calls actions through.
//!
//! Nothing here knows axum, async-graphql or the scheduler: adapters translate their transport into
//! [`invoke`](invoke::invoke) and back.

#[doc(hidden)]
pub mod __private;
pub mod action;
pub mod app;
pub mod auth;
pub mod backend;
pub mod cache;
pub mod check;
pub mod config;
pub mod context;
pub mod embed;
pub mod error;
pub mod event;
pub mod example;
pub mod features;
pub mod format;
pub mod input;
pub mod invoke;
pub mod job;
pub mod limits;
pub mod metrics;
pub mod naming;
mod numbers;
pub mod output;
pub mod rate;
pub mod registry;
pub mod render;
pub mod route;
pub mod schema;
pub mod settings;
pub mod slots;
pub mod state;
pub mod trace;
pub mod trigger;

pub use action::{Action, ActionBuilder, ActionSpec, Example};
pub use app::{App, AppBuilder, AppError};
pub use auth::{AccessControl, Authenticator, Authorization, Credentials, Scope, SecurityScheme};
#[cfg(feature = "jwt")]
pub use auth::{JwtAuthorizer, JwtBearer};
pub use backend::Backends;
pub use cache::{CacheControl, CacheHeaders, Ttl};
pub use config::{LogFormat, ServeyConfig};
pub use context::{Context, Origin};
pub use embed::EmbeddedDir;
pub use error::{ActionError, ErrorCode, FieldError, Problem, Violation};
pub use event::{EventSource, EventSubscriptions};
pub use format::BodyFormat;
pub use input::Input;
pub use invoke::invoke;
pub use job::{JobAction, JobOutcome, JobRequest, JobResponse};
pub use limits::Limits;
pub use metrics::Metrics;
pub use output::{ActionOutput, Reply};
pub use rate::RateLimit;
pub use registry::{Registry, RegistryError};
pub use render::{ErrorRenderer, ErrorRendering, ProblemDetails};
pub use schema::ActionSchema;
pub use settings::Settings;
pub use slots::{RequestSlot, RequestSlots};
pub use state::{Extensions, State};
pub use trace::{TracePropagation, TracePropagator};
pub use trigger::{Method, Trigger};
