//! servey: one attribute on a plain function makes it an *action*, served at once as a REST endpoint with
//! OpenAPI, a GraphQL field, a scheduled job, a websocket event, a web page and a command-line call.
//!
//! ```ignore
//! use servey::prelude::*;
//!
//! /// Greet a user!
//! #[action(triggers = [web_get], example(params = {"name": "Developer"}, result = "Hello Developer!"))]
//! fn say_hello(name: String) -> String {
//!     format!("Hello {name}!")
//! }
//!
//! fn main() {
//!     servey::main()
//! }
//! ```
#![doc = include_str!("../docs/attribute.md")]

mod builder;
mod cli;
mod listen;
mod serve;
pub mod telemetry;
mod tls;

#[doc(hidden)]
pub mod __private;

pub use builder::{Builder, SetupError, builder};
pub use cli::{main, main_with, run};
pub use serve::{StartError, app, app_with_state, router, serve, serve_on, serve_with_shutdown};
pub use servey_core::example::{ExampleFailure, check_examples};
pub use servey_core::registry::RegistryBuilder;
pub use servey_core::state::StateNeed;
pub use servey_core::{
    AccessControl, Action, ActionBuilder, ActionError, ActionOutput, ActionSchema, App, AppError,
    Authenticator, Authorization, CacheControl, Context, Credentials, ErrorCode, ErrorRenderer,
    Example, Extensions, FieldError, Input, JwtBearer, Method, Problem, RateLimit, Registry,
    RegistryError, Reply, Scope, SecurityScheme, ServeyConfig, State, Trigger, Ttl, invoke,
};
pub use servey_macros::{action, actions, fixture};
pub use servey_schedule::{background_channel, webhook_channel, websocket_event_channel};
pub use {servey_graphql as graphql, servey_schedule as schedule, servey_web as web};

/// What an app module usually needs: the attributes, the injected types, the error type and the derives.
pub mod prelude {
    pub use serde::{Deserialize, Serialize};
    pub use utoipa::ToSchema;

    pub use crate::{
        ActionError, Authorization, Context, Reply, State, action, actions, background_channel,
        webhook_channel, websocket_event_channel,
    };
}
