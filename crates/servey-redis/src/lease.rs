//! `RedisTickLease`: a tick runs on the instance whose `SET key token NX PX ttl` lands first, the key
//! naming the action and the tick's instant (the atomic SET-if-absent with a lifetime that apalis-redis's
//! idempotency keys use too). The winner renews the claim while the run lasts and sets the key to
//! `finished` for the tick's hold when it ends; the others watch the key and, when it expires
//! unfinished (the winner died mid-run), claim it again and run the tick again.

use std::sync::LazyLock;
use std::time::Duration;

use ::redis::Script;
use futures_util::future::BoxFuture;

use crate::outage::Outage;
use crate::{RedisBackend, within};
use servey_core::backend::{LeaseError, TickLease, Watched};

/// What a finished tick's key holds.
const FINISHED: &str = "finished";

/// Renews the claim `KEYS[1]` for `ARGV[2]` ms if it is still `ARGV[1]`'s: 1 renewed, 0 not ours.
static RENEW: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        "if redis.call('GET', KEYS[1]) == ARGV[1] then \
           return redis.call('PEXPIRE', KEYS[1], ARGV[2]) \
         end \
         return 0",
    )
});

/// Looks at the claim `KEYS[1]`: 2 finished, 0 held by a running instance, 1 expired and now claimed
/// by `ARGV[1]` for `ARGV[2]` ms.
static WATCH: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        "local held = redis.call('GET', KEYS[1]) \
         if held == ARGV[3] then return 2 end \
         if held then return 0 end \
         redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) \
         return 1",
    )
});

/// Claims scheduled ticks in Redis, one winner per action and tick across instances.
#[derive(Debug)]
pub struct RedisTickLease {
    connection: crate::Connection,
    prefix: String,
    timeout: Duration,
    ttl: Duration,
    /// This instance's name in the claims it holds.
    token: String,
    outage: Outage,
}

impl RedisTickLease {
    /// Claims through `backend`, under `namespace:tick:`, each living the backend's
    /// [`tick_lease`](RedisBackend::tick_lease) unless renewed.
    pub fn new(backend: &RedisBackend) -> Self {
        Self {
            connection: backend.connection.clone(),
            prefix: backend.key("tick"),
            timeout: backend.call_timeout,
            ttl: backend.tick_lease,
            token: format!("{:032x}", rand::random::<u128>()),
            outage: Outage::new("scheduled ticks"),
        }
    }

    fn key(&self, action: &str, tick: i64) -> String {
        format!("{}:{action}:{tick}", self.prefix)
    }

    fn ttl_millis(&self) -> u64 {
        u64::try_from(self.ttl.as_millis())
            .unwrap_or(u64::MAX)
            .max(1)
    }

    /// `answer`, recording the outage it ends or begins.
    fn noted<T>(&self, answer: Result<T, String>) -> Result<T, LeaseError> {
        match answer {
            Ok(value) => {
                self.outage.recovered();
                Ok(value)
            }
            Err(error) => {
                self.outage.failed(&error);
                Err(error.into())
            }
        }
    }
}

impl TickLease for RedisTickLease {
    fn claim<'a>(
        &'a self,
        action: &'a str,
        tick: i64,
        _hold: Duration,
    ) -> BoxFuture<'a, Result<bool, LeaseError>> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            let mut claim = ::redis::cmd("SET");
            claim
                .arg(self.key(action, tick))
                .arg(&self.token)
                .arg("NX")
                .arg("PX")
                .arg(self.ttl_millis());
            // Not claimed in time: not run here (should the claim land later, it expires unrenewed
            // and a watching instance runs the tick).
            let claimed: Result<Option<String>, _> =
                within(self.timeout, claim.query_async(&mut connection)).await;
            self.noted(claimed).map(|answer| answer.is_some())
        })
    }

    fn lease_ttl(&self) -> Option<Duration> {
        Some(self.ttl)
    }

    fn renew<'a>(&'a self, action: &'a str, tick: i64) -> BoxFuture<'a, Result<bool, LeaseError>> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            let mut renew = RENEW.key(self.key(action, tick));
            renew.arg(&self.token).arg(self.ttl_millis());
            let renewed: Result<i64, _> =
                within(self.timeout, renew.invoke_async(&mut connection)).await;
            self.noted(renewed).map(|answer| answer == 1)
        })
    }

    fn finish<'a>(
        &'a self,
        action: &'a str,
        tick: i64,
        hold: Duration,
    ) -> BoxFuture<'a, Result<(), LeaseError>> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            let mut finish = ::redis::cmd("SET");
            finish
                .arg(self.key(action, tick))
                .arg(FINISHED)
                .arg("EX")
                .arg(hold.as_secs().max(1));
            let finished: Result<(), _> =
                within(self.timeout, finish.query_async(&mut connection)).await;
            self.noted(finished)
        })
    }

    fn watch<'a>(
        &'a self,
        action: &'a str,
        tick: i64,
    ) -> BoxFuture<'a, Result<Watched, LeaseError>> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            let mut watch = WATCH.key(self.key(action, tick));
            watch.arg(&self.token).arg(self.ttl_millis()).arg(FINISHED);
            let seen: Result<i64, _> =
                within(self.timeout, watch.invoke_async(&mut connection)).await;
            self.noted(seen).map(|seen| match seen {
                1 => Watched::Won,
                2 => Watched::Finished,
                _ => Watched::Running,
            })
        })
    }
}
