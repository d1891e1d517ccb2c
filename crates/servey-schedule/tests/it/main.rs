//! Integration tests of servey-schedule: real schedules, a real websocket server on port 0, a real
//! webhook receiver, and the AsyncAPI document checked against the official schema.

mod access;
mod asyncapi;
mod background;
mod backlog;
mod channels;
mod common;
mod outage;
mod redis_server;
mod scale_out;
mod scale_out_kill;
mod slow_redis;
mod source;
mod ticks;
mod webhook;
mod websocket;
