//! `Outage`: logs a lost Redis connection once, and its return once, however many calls fail between.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Whether one part of the backend (the publisher, the subscriber, the workers, the lease) has lost
/// Redis, so that it warns once when it does and says when it is back.
#[derive(Debug)]
pub(super) struct Outage {
    part: &'static str,
    is_down: AtomicBool,
}

impl Outage {
    pub(super) const fn new(part: &'static str) -> Self {
        Self {
            part,
            is_down: AtomicBool::new(false),
        }
    }

    /// Records a failure; only the first of an outage is logged.
    pub(super) fn failed(&self, error: &dyn std::fmt::Display) {
        if !self.is_down.swap(true, Ordering::AcqRel) {
            tracing::warn!(part = self.part, %error, "Redis lost; HTTP goes on, retrying with backoff");
        }
    }

    /// Records a success; logs the end of an outage.
    pub(super) fn recovered(&self) {
        if self.is_down.swap(false, Ordering::AcqRel) {
            tracing::info!(part = self.part, "Redis is back");
        }
    }
}

/// Waits between attempts: 100 ms doubling up to 5 s.
#[derive(Debug, Default)]
pub(super) struct Backoff {
    attempt: u32,
}

impl Backoff {
    pub(super) async fn wait(&mut self) {
        let delay = Duration::from_millis(100)
            .saturating_mul(2_u32.saturating_pow(self.attempt))
            .min(Duration::from_secs(5));
        self.attempt = self.attempt.saturating_add(1);
        tokio::time::sleep(delay).await;
    }

    pub(super) fn reset(&mut self) {
        self.attempt = 0;
    }
}
