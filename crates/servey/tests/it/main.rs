//! The facade's builder on a real socket: shared state, authentication, success statuses and
//! headers, the app's error body and the builder's routing switches, each over the wire and in
//! the OpenAPI document.

mod auth;
mod batch;
mod builder;
mod calls;
mod errors;
mod failures;
mod features;
#[cfg(feature = "lambda")]
mod lambda;
mod metrics;
mod openapi;
mod responses;
mod scale_out;
mod state;
mod stuck;
mod support;
mod traces;
