//! The GraphQL adapter over run-time actions, on a real socket.

mod batch;
mod documents;
mod limits;
mod media;
mod nested;
mod persisted;
mod schema;
mod socket;
mod subscription;
mod support;
