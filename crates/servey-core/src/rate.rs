//! Rate limits: a token bucket per action and per caller (governor's GCRA), checked on the invoke path so
//! that REST, GraphQL, jobs and the CLI share one limit. Without the `rate-limit` feature a limit is
//! data only: an app whose actions declare one fails its start check.

#[cfg(feature = "rate-limit")]
use std::num::NonZeroU32;
#[cfg(feature = "rate-limit")]
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[cfg(feature = "rate-limit")]
use governor::clock::{Clock, DefaultClock};
#[cfg(feature = "rate-limit")]
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::error::{ActionError, ErrorCode};

#[cfg(feature = "rate-limit")]
/// After this many checks, buckets that are full again are dropped, so that callers who stopped calling
/// do not keep memory.
const SWEEP_EVERY: u64 = 4096;

/// How often an action may be called by one caller: `count` calls per `period`, in bursts of up to `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Calls allowed per period (at least 1).
    pub count: u32,
    /// The period.
    pub period: Duration,
}

impl RateLimit {
    /// `count` calls per second.
    pub const fn per_second(count: u32) -> Self {
        Self {
            count,
            period: Duration::from_secs(1),
        }
    }

    /// `count` calls per minute.
    pub const fn per_minute(count: u32) -> Self {
        Self {
            count,
            period: Duration::from_secs(60),
        }
    }

    /// The period in whole seconds, rounded up (for headers).
    pub fn period_secs(&self) -> u64 {
        self.period.as_secs() + u64::from(self.period.subsec_nanos() > 0)
    }
}

/// The buckets of one action's limit, one per caller.
pub struct RateLimiter {
    limit: RateLimit,
    #[cfg(feature = "rate-limit")]
    buckets: DefaultKeyedRateLimiter<String>,
    #[cfg(feature = "rate-limit")]
    checks: AtomicU64,
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimiter")
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}

impl RateLimiter {
    /// Buckets that each refill `limit.count` calls per `limit.period`.
    #[cfg(feature = "rate-limit")]
    pub fn new(limit: RateLimit) -> Self {
        let count = NonZeroU32::new(limit.count).unwrap_or(NonZeroU32::MIN);
        let replenish = limit.period / count.get();
        let quota = Quota::with_period(replenish.max(Duration::from_nanos(1)))
            .unwrap_or_else(|| Quota::per_second(count))
            .allow_burst(count);
        Self {
            limit,
            buckets: governor::RateLimiter::keyed(quota),
            checks: AtomicU64::new(0),
        }
    }

    /// The limit, kept as data: without the `rate-limit` feature nothing enforces it (the app's start
    /// check refuses actions that declare one).
    #[cfg(not(feature = "rate-limit"))]
    pub fn new(limit: RateLimit) -> Self {
        Self { limit }
    }

    /// The limit.
    pub fn limit(&self) -> RateLimit {
        self.limit
    }

    /// Takes one call from `caller`'s bucket, or says when the next one will be allowed.
    #[cfg(feature = "rate-limit")]
    pub fn check(&self, caller: &str) -> Result<(), ActionError> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.buckets.retain_recent();
        }
        self.buckets
            .check_key(&caller.to_owned())
            .map_err(|not_until| {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                ActionError::rate_limited(self.limit, wait)
            })
    }

    /// Admits every call: this build has no `rate-limit` feature.
    #[cfg(not(feature = "rate-limit"))]
    pub fn check(&self, _caller: &str) -> Result<(), ActionError> {
        Ok(())
    }
}

/// What a `429` tells the caller: the limit and how long to wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter {
    /// The limit that was hit.
    pub limit: RateLimit,
    /// Whole seconds until a call will be allowed again (at least 1).
    pub seconds: u64,
}

impl ActionError {
    /// A `429`: `limit` was hit, and the next call is allowed after `wait`.
    pub fn rate_limited(limit: RateLimit, wait: Duration) -> Self {
        let seconds = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
        let mut error = Self::new(
            ErrorCode::RateLimited,
            format!(
                "Too many calls: the limit is {} per {} s; try again in {seconds} s.",
                limit.count,
                limit.period_secs()
            ),
        );
        error.set_retry_after(RetryAfter { limit, seconds });
        error
    }
}

#[cfg(all(test, feature = "rate-limit"))]
mod tests {
    use super::*;

    #[test]
    fn each_caller_has_its_own_bucket() {
        let limiter = RateLimiter::new(RateLimit::per_minute(2));
        assert!(limiter.check("ann").is_ok() && limiter.check("ann").is_ok());
        let refused = limiter.check("ann").expect_err("third call in a minute");
        assert_eq!(refused.status(), 429);
        let retry = refused.retry_after().expect("says when");
        assert!((1..=30).contains(&retry.seconds), "{retry:?}");
        assert!(
            limiter.check("bob").is_ok(),
            "another caller's bucket is full"
        );
    }

    #[test]
    fn the_sweep_forgets_callers_whose_buckets_have_refilled() {
        let limiter = RateLimiter::new(RateLimit::per_second(1000));
        limiter.check("ann").expect("a first call");
        // At 1000 a second, ann's one call is refilled after 1 ms.
        std::thread::sleep(Duration::from_millis(5));
        for _ in 1..SWEEP_EVERY {
            let _ = limiter.check("bob");
        }
        assert_eq!(limiter.buckets.len(), 1, "only bob's bucket is kept");
    }
}
