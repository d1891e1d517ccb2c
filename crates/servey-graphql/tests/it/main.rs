//! The GraphQL adapter over run-time actions, on a real socket.

mod nested;
mod schema;
mod support;
