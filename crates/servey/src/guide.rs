//! The servey guide: chapters in reading order, from an empty crate to a deployed service. Every code block
//! is compiled (and most are run) as a doctest, so the guide cannot drift from the code.
//!
//! The tour app (`examples/hello`, `cargo run -p hello`) shows every feature in one place; the Conduit
//! example (`examples/conduit`, `cargo run -p conduit`) is a whole real API on SQLite.

#[doc = include_str!("../docs/guide/01-getting-started.md")]
pub mod getting_started {}

#[doc = include_str!("../docs/guide/02-actions.md")]
pub mod actions {}

#[doc = include_str!("../docs/guide/03-triggers.md")]
pub mod triggers {}

#[doc = include_str!("../docs/guide/04-state.md")]
pub mod state {}

#[doc = include_str!("../docs/guide/05-auth.md")]
pub mod auth {}

#[doc = include_str!("../docs/guide/06-errors.md")]
pub mod errors {}

#[doc = include_str!("../docs/guide/07-caching.md")]
pub mod caching {}

#[doc = include_str!("../docs/guide/08-graphql.md")]
pub mod graphql {}

#[doc = include_str!("../docs/guide/09-channels-and-jobs.md")]
pub mod channels_and_jobs {}

#[doc = include_str!("../docs/guide/10-cli.md")]
pub mod cli {}

#[doc = include_str!("../docs/guide/11-testing.md")]
pub mod testing {}

#[doc = include_str!("../docs/guide/12-extending.md")]
pub mod extending {}

#[doc = include_str!("../docs/guide/13-scale-out.md")]
pub mod scale_out {}

#[doc = include_str!("../docs/guide/14-deployment.md")]
pub mod deployment {}

#[doc = include_str!("../docs/guide/15-migrating.md")]
pub mod migrating {}

#[doc = include_str!("../docs/guide/16-serverless.md")]
pub mod serverless {}
#[doc = include_str!("../docs/guide/17-service-calls.md")]
pub mod service_calls {}

#[doc = include_str!("../docs/guide/18-grpc.md")]
pub mod grpc {}
