//! `Outage`: logs a lost Redis connection once, and its return once, however many calls fail between.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBackoff, ExponentialBuilder};

/// Whether one part of the backend (the publisher, the subscriber, the workers, the lease) has lost
/// Redis, so that it warns once when it does and says when it is back.
#[derive(Debug)]
pub(crate) struct Outage {
    part: &'static str,
    is_down: AtomicBool,
}

impl Outage {
    pub(crate) const fn new(part: &'static str) -> Self {
        Self {
            part,
            is_down: AtomicBool::new(false),
        }
    }

    /// Records a failure; only the first of an outage is logged (and answers true).
    pub(crate) fn failed(&self, error: &dyn std::fmt::Display) -> bool {
        let is_new = !self.is_down.swap(true, Ordering::AcqRel);
        if is_new {
            tracing::warn!(part = self.part, %error, "Redis lost; HTTP goes on, retrying with backoff");
        }
        is_new
    }

    /// Whether the last call failed.
    pub(crate) fn is_down(&self) -> bool {
        self.is_down.load(Ordering::Acquire)
    }

    /// Records a success; logs the end of an outage (and answers true).
    pub(crate) fn recovered(&self) -> bool {
        let is_end = self.is_down.swap(false, Ordering::AcqRel);
        if is_end {
            tracing::info!(part = self.part, "Redis is back");
        }
        is_end
    }
}

/// The first wait between attempts; each next one doubles, up to [`LONGEST`].
const SHORTEST: Duration = Duration::from_millis(100);
/// The longest wait between attempts, before its jitter.
const LONGEST: Duration = Duration::from_secs(5);

/// Waits between attempts: 100 ms doubling up to 5 s, each plus a random jitter of up to as much again,
/// so that the instances of an app that lost Redis together do not all retry in the same instant.
#[derive(Debug)]
pub(crate) struct Backoff {
    schedule: ExponentialBuilder,
    delays: ExponentialBackoff,
}

impl Default for Backoff {
    fn default() -> Self {
        Self::on(
            ExponentialBuilder::new()
                .with_min_delay(SHORTEST)
                .with_max_delay(LONGEST)
                .with_factor(2.0)
                .with_jitter()
                .without_max_times(),
        )
    }
}

impl Backoff {
    fn on(schedule: ExponentialBuilder) -> Self {
        Self {
            schedule,
            delays: schedule.build(),
        }
    }

    /// How long to wait before the next attempt.
    fn next_delay(&mut self) -> Duration {
        self.delays.next().unwrap_or(LONGEST)
    }

    /// Waits before the next attempt, longer after each.
    pub(crate) async fn wait(&mut self) {
        tokio::time::sleep(self.next_delay()).await;
    }

    /// Starts over from the shortest wait, after a success.
    pub(crate) fn reset(&mut self) {
        self.delays = self.schedule.build();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_five_seconds_with_up_to_as_much_again_of_jitter() {
        let mut backoff = Backoff::default();
        let bases_ms = [100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000];
        let mut jitters = Vec::new();
        for base in bases_ms.map(Duration::from_millis) {
            let delay = backoff.next_delay();
            assert!(
                delay >= base && delay < base * 2,
                "{delay:?} is not in [{base:?}, {:?})",
                base * 2
            );
            jitters.push(delay - base);
        }
        assert!(
            jitters.iter().any(|jitter| !jitter.is_zero()),
            "the waits are jittered: {jitters:?}"
        );
        backoff.reset();
        let first = backoff.next_delay();
        assert!(first >= SHORTEST && first < SHORTEST * 2, "{first:?}");
    }

    #[test]
    fn two_backoffs_wait_differently() {
        let seeded = |seed| {
            let mut backoff = Backoff::on(Backoff::default().schedule.with_jitter_seed(seed));
            (0..8).map(|_| backoff.next_delay()).collect::<Vec<_>>()
        };
        assert_ne!(seeded(1), seeded(2), "instances do not retry in step");
        assert_eq!(seeded(1), seeded(1));
    }

    #[test]
    fn an_outage_is_reported_once_and_its_end_once() {
        let outage = Outage::new("test");
        assert!(!outage.recovered(), "nothing to report while up");
        assert!(outage.failed(&"down"), "the first failure is reported");
        assert!(!outage.failed(&"still down"), "later ones are not");
        assert!(outage.recovered(), "the recovery is reported");
        assert!(!outage.recovered(), "once");
        assert!(outage.failed(&"down again"), "a new outage is reported");
    }
}
