//! The GraphQL adapter over run-time actions, on a real socket.

mod batch;
mod media;
mod nested;
mod schema;
mod subscription;
mod support;
