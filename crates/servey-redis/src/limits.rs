//! `RedisLimits`: rate limits that hold for every instance of an app, one GCRA step per call in a Lua
//! script (`lua/gcra.lua`: the algorithm governor runs in process, on Redis's clock), so that a limit of
//! 60 a minute admits about 60 calls a minute across the fleet. While Redis does not answer, each
//! instance falls back to its own buckets (the invoke path does) and the outage is logged once.

use std::sync::LazyLock;
use std::time::Duration;

use ::redis::Script;
use futures_util::future::BoxFuture;
use servey_core::RateLimit;
use servey_core::backend::SharedLimits;

use crate::outage::Outage;
use crate::{RedisBackend, within};

/// The GCRA step, loaded once per process and run by its SHA-1 (`EVALSHA`, loaded again when missing).
static GCRA: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("lua/gcra.lua")));

/// Rate-limit buckets in Redis, shared by the instances of an app.
#[derive(Debug)]
pub struct RedisLimits {
    connection: crate::Connection,
    prefix: String,
    timeout: Duration,
    outage: Outage,
}

impl RedisLimits {
    /// Buckets through `backend`, under `namespace:limit:`.
    pub fn new(backend: &RedisBackend) -> Self {
        Self {
            connection: backend.connection.clone(),
            prefix: backend.key("limit"),
            timeout: backend.call_timeout,
            outage: Outage::new("rate limits"),
        }
    }
}

/// The emission interval of `limit` in whole microseconds (at least 1): one call every period / count.
fn interval_micros(limit: RateLimit) -> u64 {
    let period = u64::try_from(limit.period.as_micros()).unwrap_or(u64::MAX);
    (period / u64::from(limit.count.max(1))).max(1)
}

impl SharedLimits for RedisLimits {
    fn take<'a>(
        &'a self,
        key: &'a str,
        limit: RateLimit,
    ) -> BoxFuture<'a, Result<Option<Duration>, ()>> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            let mut step = GCRA.key(format!("{}:{key}", self.prefix));
            step.arg(interval_micros(limit)).arg(limit.count.max(1));
            let answer: Result<u64, String> =
                within(self.timeout, step.invoke_async(&mut connection)).await;
            match answer {
                Ok(wait) => {
                    self.outage.recovered();
                    Ok((wait > 0).then(|| Duration::from_micros(wait)))
                }
                Err(error) => {
                    self.outage.failed(&error);
                    Err(())
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_call_every_period_over_count() {
        assert_eq!(interval_micros(RateLimit::per_minute(60)), 1_000_000);
        assert_eq!(interval_micros(RateLimit::per_second(3)), 333_333);
        assert_eq!(interval_micros(RateLimit::per_second(0)), 1_000_000);
    }
}
