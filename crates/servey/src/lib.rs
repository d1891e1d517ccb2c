//! servey turns a plain Rust function into an *action*: one `#[action]` attribute serves it as a REST
//! endpoint with OpenAPI, a GraphQL field, a command-line call, a scheduled job and a web page, and event
//! channels carry what it publishes to websocket subscribers.
//!
//! ```rust,no_run
//! use servey::prelude::*;
//!
//! /// Greet a user!
//! #[action(
//!     triggers = [web_get],
//!     example(name = "greet", params = {"name": "Developer"}, result = "Hello Developer!"),
//! )]
//! fn say_hello(name: String) -> String {
//!     format!("Hello {name}!")
//! }
//!
//! fn main() {
//!     servey::main()
//! }
//! ```
//!
//! `cargo run` serves it on `127.0.0.1:8000`: `GET /actions/say-hello?name=World` answers
//! `"Hello World!"`, `{ sayHello(name: "World") }` works on `/graphql`, `/docs` shows it in Swagger UI,
//! `--run=action --action=say_hello --event='{"name":"World"}'` calls it from the shell, and
//! `cargo test` runs its example as the test `say_hello::example_greet`.
//!
//! # The guide
//!
//! Chapters in reading order; every code block in them is compiled as a doctest.
//!
//! 1. [Getting started](crate::guide::getting_started): from `cargo new` to a served action.
//! 2. [Actions](crate::guide::actions): parameters, injected values, results, sync and async.
//! 3. [Triggers](crate::guide::triggers): REST routes and paths, query strings and bodies, pages,
//!    schedules.
//! 4. [Shared state](crate::guide::state): a database pool or a client, injected by type.
//! 5. [Authentication and access control](crate::guide::auth): tokens, scopes, 401 and 403.
//! 6. [Errors](crate::guide::errors): `ActionError`, problem details, status codes.
//! 7. [Caching](crate::guide::caching): TTLs, ETags and the server-side result store.
//! 8. [GraphQL](crate::guide::graphql): how actions map to queries, mutations and fields.
//! 9. [Channels and jobs](crate::guide::channels_and_jobs): websocket, background and webhook events.
//! 10. [The command line](crate::guide::cli): what every servey binary understands.
//! 11. [Testing](crate::guide::testing): examples as tests, fixtures, the router, a real socket.
//! 12. [Extending](crate::guide::extending): the app builder, tower layers, your own policies.
//! 13. [Scaling out](crate::guide::scale_out): the Redis backend.
//! 14. [Deployment](crate::guide::deployment): a container, systemd, TLS.
//! 15. [Migrating from Python servey](crate::guide::migrating).
//! 16. [Serverless](crate::guide::serverless): the same binary on AWS Lambda, and its SAM template.
//! 17. [Service calls](crate::guide::service_calls): one client, in-process or over HTTP; jobs,
//!     context, MessagePack, stubs; a generated typed client for callers without the app's crate.
//! 18. [gRPC](crate::guide::grpc): the same actions as gRPC methods, reflection, health.
//!
//! # Examples
//!
//! Both are crates of the servey workspace, built and tested with it.
//!
//! - `examples/hello`, the tour: one action per feature, in one app. Run it with `cargo run -p hello`,
//!   then open <http://127.0.0.1:8000/docs>.
//! - `examples/conduit`, a real API: the RealWorld "Conduit" backend on SQLite, every endpoint an action
//!   under `/api`, passing the official RealWorld suite. Run it with `cargo run -p conduit`.
//!
//! # Reference
//!
//! - [The `#[action]` attribute](#the-action-attribute), below: every key, with its meaning.
//! - [`prelude`]: what an app module imports.
//! - [`builder()`] and [`Builder`]: an app with shared state, layers, an authenticator, an error body
//!   and a path prefix.
//! - [`main()`]: the one-line `main` with the command line.
//!
//! # Cargo features
//!
//! An app links only what it turns on. The defaults (`web`, `graphql`, `schedule`, `jwt`, `rate-limit`,
//! `cache`, `http2`) serve what this page shows; the rest is opt-in. A feature that is off is never silently
//! missing: its routes answer `501` naming it, its commands exit 2 naming it, and an app whose actions
//! need it stops at start with an error that names it. Costs are packages added to an app's dependency
//! tree by the feature alone (distinct packages in `cargo tree -e normal`: 112 with no feature, 115 with
//! `web` alone, 202 with the defaults, 321 with all).
//!
//! | Feature       | Default | What it adds | Cost |
//! |---------------|---------|--------------|------|
//! | `web`         | on  | The docs page (`/docs`, Swagger UI) and `web_page` actions (minijinja). REST, `/openapi.json`, static files, `/metrics` and the command line need no feature. | +3 |
//! | `graphql`     | on  | `/graphql`, GraphiQL, `--run=graphql-schema` ([`graphql_sdl`]). | +63 |
//! | `schedule`    | on  | `fixed_rate` / `cron` triggers, event channels ([`channels`]), `/subscription`, `/asyncapi.json`, `--run=asyncapi` ([`asyncapi_json`]). | +25 |
//! | `jwt`         | on  | The built-in HS256 `JwtBearer`, `Builder::bearer_schemes`, the debug login. | +16 |
//! | `rate-limit`  | on  | Per-action and `SERVEY_RATE_LIMIT` limits. | +9 |
//! | `cache`       | on  | The in-process store of `ttl(N)` results (cache headers are always on). | +8 |
//! | `http2`       | on  | HTTP/2 on servey's listener: h2c with prior knowledge, `h2` by ALPN over TLS. | +1 |
//! | `grpc`        | off | Every web action a unary gRPC method and every websocket channel a server-streaming one, on the same port, with reflection and health; `--run=proto` ([`proto`]); turns on `http2`. | +22 |
//! | `redis`       | off | Instances sharing events, background jobs, ticks and cached results through `SERVEY_REDIS_URL` (`RedisBackend`): one server, Sentinel or Cluster. | +59 |
//! | `http-client` | off | `Client::http` and webhook channels. | +44 |
//! | `msgpack`     | off | `application/msgpack` bodies and `Client::msgpack`. | +3 |
//! | `otlp`        | off | Span export over OTLP/HTTP to `OTEL_EXPORTER_OTLP_ENDPOINT` (`telemetry::otlp_provider`); without it, a set endpoint is a warning at start. W3C trace context in and out is always on. | +53 |
//! | `tls`         | off | HTTPS and client certificates from `SERVEY_TLS_CERT`, `SERVEY_TLS_KEY`, `SERVEY_TLS_CLIENT_CA`. | +30 |
//! | `codegen`     | off | `--run=client` (`servey::client_source`) and `--run=sam` (`servey::sam`). | +1 |
//! | `lambda`      | off | Answering AWS Lambda's events when started there (`servey::lambda`): websocket channels through API Gateway and DynamoDB, background events through SQS; turns on `schedule`. | +145 |
//!
//! ```toml
//! servey = { version = "0.1", default-features = false, features = ["web"] } # REST, OpenAPI, docs, pages, CLI
//! servey = { version = "0.1", features = ["redis", "tls"] }                  # the defaults, scaled out, HTTPS
//! ```
//!
#![doc = include_str!("../docs/attribute.md")]

pub mod guide;

mod activation;
mod adapters;
#[cfg(any(feature = "codegen", feature = "lambda"))]
mod aws_settings;
mod builder;
mod cli;
#[cfg(feature = "codegen")]
mod client_gen;
mod control;
#[cfg(any(feature = "codegen", feature = "lambda"))]
mod eventbridge;
#[cfg(feature = "grpc")]
mod grpc;
#[cfg(feature = "http2")]
mod http2;
#[cfg(feature = "lambda")]
pub mod lambda;
mod listen;
mod refused;
#[cfg(feature = "codegen")]
pub mod sam;
mod scale_out;
mod serve;
mod served;
pub mod telemetry;
mod tls;

#[doc(hidden)]
pub mod __private;

pub use adapters::FeatureOff;
pub use adapters::{asyncapi_json, graphql_sdl, openapi_json, proto};
pub use axum;
pub use builder::{Builder, SetupError, builder};
pub use cli::{main, main_with, run};
#[cfg(feature = "codegen")]
pub use client_gen::client_source;
pub use serve::{StartError, app, router, serve, serve_on, serve_with_shutdown};
pub use servey_client as client;
pub use servey_client::{Client, ClientError, StubClient, stub_action};
#[cfg(feature = "jwt")]
pub use servey_core::JwtBearer;
pub use servey_core::backend;
pub use servey_core::example::{ExampleFailure, check_examples};
pub use servey_core::registry::RegistryBuilder;
pub use servey_core::state::StateNeed;
pub use servey_core::{
    AccessControl, Action, ActionBuilder, ActionError, ActionOutput, ActionSchema, App, AppError,
    Authenticator, Authorization, CacheControl, CacheHeaders, Context, Credentials, EmbeddedDir,
    ErrorCode, ErrorRenderer, Example, Extensions, FieldError, Input, Method, Metrics, Origin,
    Problem, RateLimit, Registry, RegistryError, Reply, Scope, SecurityScheme, ServeyConfig, State,
    Trigger, Ttl, Violation, invoke,
};
pub use servey_macros::{action, actions, embed_dir, fixture};
#[cfg(feature = "redis")]
pub use servey_redis::{RedisBackend, RedisError};
#[cfg(feature = "schedule")]
pub use servey_schedule::{background_channel, webhook_channel, websocket_event_channel};

/// An app's event channels and schedule at run time (the `schedule` feature): what a test or a binary
/// that serves [`router`] itself reaches for (flushing background work, starting the ticks, the close
/// codes of the websocket routes).
#[cfg(feature = "schedule")]
pub mod channels {
    pub use servey_schedule::{
        CLOSE_BAD_MESSAGE, CLOSE_FORBIDDEN, CLOSE_GOING_AWAY, CLOSE_HISTORY_UNAVAILABLE,
        CLOSE_INVALID_PARAMS, CLOSE_TOO_BIG, CLOSE_TOO_SLOW, CLOSE_UNAUTHENTICATED,
        CLOSE_UNKNOWN_CHANNEL, ChannelKind, Channels, EventChannel, NoParams, PublishError,
        ScheduleError, Scheduler, Subscriber, TickStats, start,
    };
}

#[cfg(not(feature = "schedule"))]
mod channels_off;

/// What an app module usually needs: the attributes, the injected types, the error type and the derives.
pub mod prelude {
    pub use serde::{Deserialize, Serialize};
    pub use utoipa::ToSchema;

    pub use crate::{
        ActionError, Authorization, Context, Reply, State, action, actions, background_channel,
        webhook_channel, websocket_event_channel,
    };
}
