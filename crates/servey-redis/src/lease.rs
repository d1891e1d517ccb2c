//! `RedisTickLease`: a tick runs on the instance whose `SET key NX EX` lands first, the key naming the
//! action and the tick's instant (the atomic SET-if-absent with a lifetime that apalis-redis's
//! idempotency keys use too).

use std::time::Duration;

use ::redis::aio::ConnectionManager;
use futures_util::future::BoxFuture;

use crate::outage::Outage;
use crate::{RedisBackend, within};
use servey_core::backend::TickLease;

/// Claims scheduled ticks in Redis, one winner per action and tick across instances.
#[derive(Debug)]
pub struct RedisTickLease {
    connection: ConnectionManager,
    prefix: String,
    timeout: Duration,
    outage: Outage,
}

impl RedisTickLease {
    /// Claims through `backend`, under `namespace:tick:`.
    pub fn new(backend: &RedisBackend) -> Self {
        Self {
            connection: backend.connection.clone(),
            prefix: backend.key("tick"),
            timeout: backend.call_timeout,
            outage: Outage::new("scheduled ticks"),
        }
    }
}

impl TickLease for RedisTickLease {
    fn claim<'a>(
        &'a self,
        action: &'a str,
        tick: i64,
        hold: Duration,
    ) -> BoxFuture<'a, Result<bool, Box<dyn std::error::Error + Send + Sync>>> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            let mut claim = ::redis::cmd("SET");
            claim
                .arg(format!("{}:{action}:{tick}", self.prefix))
                .arg(1)
                .arg("NX")
                .arg("EX")
                .arg(hold.as_secs().max(1));
            // Not claimed in time: not run here (should the claim land later, the tick is lost).
            let claimed: Result<Option<String>, _> =
                within(self.timeout, claim.query_async(&mut connection)).await;
            match claimed {
                Ok(answer) => {
                    self.outage.recovered();
                    Ok(answer.is_some())
                }
                Err(error) => {
                    self.outage.failed(&error);
                    Err(error.into())
                }
            }
        })
    }
}
