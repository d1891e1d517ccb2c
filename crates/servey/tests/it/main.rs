//! The facade's builder on a real socket: shared state, authentication, success statuses and
//! headers, the app's error body and the builder's routing switches, each over the wire and in
//! the OpenAPI document.

#[cfg(feature = "jwt")]
mod auth;
#[cfg(all(feature = "graphql", feature = "jwt"))]
mod batch;
mod builder;
mod calls;
#[cfg(feature = "jwt")]
mod documents;
mod errors;
#[cfg(feature = "graphql")]
mod failures;
mod features;
#[cfg(all(feature = "grpc", feature = "graphql", feature = "schedule"))]
mod grpc;
mod inputs;
#[cfg(all(feature = "jwt", feature = "rate-limit"))]
mod jobs;
#[cfg(feature = "lambda")]
mod lambda;
#[cfg(feature = "graphql")]
mod metrics;
#[cfg(feature = "jwt")]
mod openapi;
#[cfg(feature = "web")]
mod pages;
mod responses;
#[cfg(feature = "redis")]
mod scale_out;
#[cfg(all(feature = "graphql", feature = "schedule", feature = "web"))]
mod served;
mod state;
mod stuck;
#[cfg(all(feature = "graphql", feature = "schedule"))]
mod subscriptions;
mod support;
#[cfg(feature = "schedule")]
mod traces;
