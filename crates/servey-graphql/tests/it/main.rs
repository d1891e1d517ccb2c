//! The GraphQL adapter over run-time actions, on a real socket.

mod batch;
mod nested;
mod schema;
mod subscription;
mod support;
