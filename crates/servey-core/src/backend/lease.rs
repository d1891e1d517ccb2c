//! The tick lease: which of several instances of one app runs a scheduled tick. In-process apps have
//! none and run every tick themselves.
//!
//! A lease with a [`lease_ttl`](TickLease::lease_ttl) outlives nothing but its holder: the instance
//! that runs a tick renews its claim while the run lasts and marks the tick finished at the end; the
//! instances that lost the claim watch it, and when a claim expires unfinished (its instance died
//! mid-run) the first of them to claim it again runs the tick again. At least once, never twice while
//! the first run's instance is alive and reaches the backend.

use std::time::Duration;

use futures_util::future::BoxFuture;

/// A backend's error, as a lease reports it (the backend logs its outages itself).
pub type LeaseError = Box<dyn std::error::Error + Send + Sync>;

/// What a tick claimed by another instance is doing, as [`TickLease::watch`] finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Watched {
    /// Its run goes on: the claim is held and renewed.
    Running,
    /// Its run finished (or was skipped): nothing more to do.
    Finished,
    /// Its claim expired unfinished and this instance holds it now: run the tick again.
    Won,
}

/// Decides which instance runs a tick: the first to claim it. A scale-out backend (Redis) implements it.
pub trait TickLease: Send + Sync + 'static {
    /// Whether this instance runs the tick of `action` due at `tick` (seconds since the Unix epoch);
    /// across instances exactly one claim of the same action and tick answers `true`. Without a
    /// [`lease_ttl`](Self::lease_ttl) the claim is remembered for at least `hold`; with one, it lives
    /// that long unless renewed.
    fn claim<'a>(
        &'a self,
        action: &'a str,
        tick: i64,
        hold: Duration,
    ) -> BoxFuture<'a, Result<bool, LeaseError>>;

    /// How long a claim lives unless renewed; `None` (the default) for claims that last `hold` and are
    /// never taken over.
    fn lease_ttl(&self) -> Option<Duration> {
        None
    }

    /// Keeps this instance's claim of a running tick alive for another [`lease_ttl`](Self::lease_ttl);
    /// `false` when the claim is no longer this instance's.
    fn renew<'a>(&'a self, action: &'a str, tick: i64) -> BoxFuture<'a, Result<bool, LeaseError>> {
        let _ = (action, tick);
        Box::pin(async { Ok(true) })
    }

    /// Marks the tick finished for `hold`, so that no instance runs it again.
    fn finish<'a>(
        &'a self,
        action: &'a str,
        tick: i64,
        hold: Duration,
    ) -> BoxFuture<'a, Result<(), LeaseError>> {
        let _ = (action, tick, hold);
        Box::pin(async { Ok(()) })
    }

    /// Looks at a tick another instance claimed, and claims it when its claim expired unfinished.
    fn watch<'a>(
        &'a self,
        action: &'a str,
        tick: i64,
    ) -> BoxFuture<'a, Result<Watched, LeaseError>> {
        let _ = (action, tick);
        Box::pin(async { Ok(Watched::Finished) })
    }
}
