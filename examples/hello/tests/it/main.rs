//! Integration tests of the tour app: a real server on a real socket, the real binary, external checkers.
// The generated client's test awaits every tour action in one async block, whose layout rustc computes
// past its default query depth of 128 in a non-incremental build (what CI runs).
#![recursion_limit = "256"]

mod cli;
mod client;
mod consistency;
mod constraints;
mod examples;
mod golden;
mod graphql;
mod grpc;
mod http2;
mod probes;
mod process;
mod projections;
mod rest;
mod sam;
mod schedule;
mod serve;
mod server;
mod shutdown;
mod tls;
