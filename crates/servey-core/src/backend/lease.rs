//! The tick lease: which of several instances of one app runs a scheduled tick. In-process apps have
//! none and run every tick themselves.

use std::time::Duration;

use futures_util::future::BoxFuture;

/// Decides which instance runs a tick: the first to claim it. A scale-out backend (Redis) implements it.
pub trait TickLease: Send + Sync + 'static {
    /// Whether this instance runs the tick of `action` due at `tick` (seconds since the Unix epoch);
    /// across instances exactly one claim of the same action and tick answers `true`. The claim is
    /// remembered for at least `hold`.
    fn claim<'a>(
        &'a self,
        action: &'a str,
        tick: i64,
        hold: Duration,
    ) -> BoxFuture<'a, Result<bool, Box<dyn std::error::Error + Send + Sync>>>;
}
