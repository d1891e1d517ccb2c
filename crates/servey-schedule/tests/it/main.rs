//! Integration tests of servey-schedule: real schedules, a real websocket server on port 0, a real
//! webhook receiver, and the AsyncAPI document checked against the official schema.

mod access;
mod asyncapi;
mod background;
mod channels;
mod common;
mod params;
mod resume;
mod source;
mod ticks;
// Webhook channels declared in this binary would make every app in it refuse to start without the
// `http-client` feature; `webhook_off` checks that refusal on its own channel.
#[cfg(feature = "http-client")]
mod webhook;
#[cfg(not(feature = "http-client"))]
mod webhook_off;
mod websocket;
