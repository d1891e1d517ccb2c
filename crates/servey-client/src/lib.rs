//! Service calls: one [`Client`] that calls servey actions in-process ([`Client::local`], through the
//! app's registry and the one invoke path) or over HTTP ([`Client::http`], through `POST /jobs`), with
//! the same results and the same errors either way. Jobs, bounded parallel calls, a chained request id
//! and switches, client middleware, MessagePack, and stubs for tests.
//!
//! Depends on servey-core only; the facade re-exports it as `servey::Client`.

mod client;
mod error;
mod job;
mod middleware;
mod stub;
mod transport;
pub mod typed;

#[cfg(not(feature = "http-client"))]
pub use client::HttpClientFeature;
pub use client::{Call, Client};
pub use error::ClientError;
pub use job::JobBuilder;
pub use middleware::{BearerToken, Middleware, MiddlewareFuture, Next, Retry};
pub use stub::{StubClient, stub_action};
pub use transport::{Transport, TransportFuture};
