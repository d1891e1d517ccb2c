//! Integration tests of servey-schedule: real schedules, a real websocket server on port 0, a real
//! webhook receiver, and the AsyncAPI document checked against the official schema.

mod access;
mod asyncapi;
mod background;
mod channels;
mod common;
mod jobs;
mod source;
mod webhook;
mod websocket;
