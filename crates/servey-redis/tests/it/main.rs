//! Integration tests of servey-redis: several instances of one app on a real redis-server (started by
//! the tests on a free port), sharing websocket events, background jobs, ticks and cached results.

mod acknowledged;
mod backlog;
mod catch_up;
mod cluster;
mod common;
mod limits;
mod outage;
mod redis_server;
mod scale_out;
mod scale_out_kill;
mod sentinel;
mod slow_redis;
mod switches;
mod tick_kill;
