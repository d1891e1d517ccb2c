//! Where a synchronous action's body runs: on the blocking pool, or inline on the async worker once it has
//! proved itself tiny. A hand-off to the pool costs more than a body like `format!("Hello {name}!")`, so
//! proven-tiny bodies run inline; slow inline runs close together send the action back to the pool for good.

use std::sync::atomic::{AtomicU8, AtomicU32, Ordering};
use std::time::{Duration, Instant};

use crate::action::ActionFuture;
use crate::error::ActionError;
use crate::output::ActionOutput;

/// Pool runs in a row, each under [`FAST_RUN`], before an action may run inline.
const RUNS_TO_PROMOTE: u32 = 16;
/// A run this short is cheaper inline than the hand-off to the pool.
const FAST_RUN: Duration = Duration::from_micros(50);
/// An inline run longer than this counts against the action.
const SLOW_INLINE_RUN: Duration = Duration::from_micros(500);
/// What a slow inline run adds to the slow score (a fast one takes 1 off).
const SLOW_PENALTY: u32 = 4;
/// A slow score past this sends the action back to the pool for good: three slow runs close together.
/// One slow run alone is usually the OS preempting the worker, not the body blocking.
const SLOW_SCORE_LIMIT: u32 = 2 * SLOW_PENALTY;

const ADAPTIVE_POOL: u8 = 0;
const ADAPTIVE_INLINE: u8 = 1;
const ALWAYS_POOL: u8 = 2;
const ALWAYS_INLINE: u8 = 3;

/// One synchronous action's placement, kept in a `static` beside its spec by the macro.
#[derive(Debug)]
pub struct Placement {
    state: AtomicU8,
    fast_runs: AtomicU32,
    slow_score: AtomicU32,
}

impl Placement {
    /// Starts on the pool; runs inline after proving tiny; back to the pool after one slow inline run.
    pub const fn adaptive() -> Self {
        Self::starting(ADAPTIVE_POOL)
    }

    /// Always the blocking pool (`#[action(blocking = true)]`), for bodies that may block.
    pub const fn always_pool() -> Self {
        Self::starting(ALWAYS_POOL)
    }

    /// Always inline (`#[action(blocking = false)]`), for bodies known to be tiny.
    pub const fn always_inline() -> Self {
        Self::starting(ALWAYS_INLINE)
    }

    const fn starting(state: u8) -> Self {
        Self {
            state: AtomicU8::new(state),
            fast_runs: AtomicU32::new(0),
            slow_score: AtomicU32::new(0),
        }
    }

    /// Whether the next run goes inline.
    pub fn is_inline(&self) -> bool {
        matches!(
            self.state.load(Ordering::Relaxed),
            ADAPTIVE_INLINE | ALWAYS_INLINE
        )
    }

    fn record_pool_run(&self, elapsed: Duration) {
        if self.state.load(Ordering::Relaxed) != ADAPTIVE_POOL {
            return;
        }
        if elapsed >= FAST_RUN {
            self.fast_runs.store(0, Ordering::Relaxed);
        } else if self.fast_runs.fetch_add(1, Ordering::Relaxed) + 1 >= RUNS_TO_PROMOTE {
            let _ = self.state.compare_exchange(
                ADAPTIVE_POOL,
                ADAPTIVE_INLINE,
                Ordering::Relaxed,
                Ordering::Relaxed,
            );
        }
    }

    fn record_inline_run(&self, elapsed: Duration, name: &str) {
        if self.state.load(Ordering::Relaxed) != ADAPTIVE_INLINE {
            return;
        }
        let score = if elapsed > SLOW_INLINE_RUN {
            self.slow_score.fetch_add(SLOW_PENALTY, Ordering::Relaxed) + SLOW_PENALTY
        } else {
            let decayed = self
                .slow_score
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |s| s.checked_sub(1));
            decayed.map_or(0, |previous| previous - 1)
        };
        if score > SLOW_SCORE_LIMIT
            && self
                .state
                .compare_exchange(
                    ADAPTIVE_INLINE,
                    ALWAYS_POOL,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                )
                .is_ok()
        {
            tracing::warn!(
                action = name,
                "runs took over {SLOW_INLINE_RUN:?} inline; this action runs on the blocking pool from now on"
            );
        }
    }
}

/// Runs a synchronous action body where its placement says.
pub fn run_sync<F>(placement: &'static Placement, name: &'static str, body: F) -> ActionFuture
where
    F: FnOnce() -> Result<ActionOutput, ActionError> + Send + 'static,
{
    if placement.is_inline() {
        return Box::pin(async move {
            let started = Instant::now();
            let result = body();
            placement.record_inline_run(started.elapsed(), name);
            result
        });
    }
    crate::invoke::run_blocking(move || {
        let started = Instant::now();
        let result = body();
        placement.record_pool_run(started.elapsed());
        result
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiny_bodies_move_inline_after_proving_themselves() {
        let placement = Placement::adaptive();
        for _ in 0..RUNS_TO_PROMOTE - 1 {
            placement.record_pool_run(Duration::from_micros(1));
        }
        assert!(!placement.is_inline());
        placement.record_pool_run(Duration::from_micros(1));
        assert!(placement.is_inline());
    }

    #[test]
    fn a_slow_pool_run_restarts_the_count() {
        let placement = Placement::adaptive();
        for _ in 0..RUNS_TO_PROMOTE - 1 {
            placement.record_pool_run(Duration::from_micros(1));
        }
        placement.record_pool_run(Duration::from_millis(1));
        placement.record_pool_run(Duration::from_micros(1));
        assert!(!placement.is_inline());
    }

    #[test]
    fn repeated_slow_inline_runs_send_the_action_back_for_good() {
        let placement = Placement::adaptive();
        for _ in 0..RUNS_TO_PROMOTE {
            placement.record_pool_run(Duration::from_micros(1));
        }
        placement.record_inline_run(Duration::from_millis(2), "preempted once");
        for _ in 0..SLOW_PENALTY {
            placement.record_inline_run(Duration::from_micros(1), "fast");
        }
        placement.record_inline_run(Duration::from_millis(2), "preempted again");
        assert!(placement.is_inline(), "isolated slow runs are forgiven");
        for _ in 0..3 {
            placement.record_inline_run(Duration::from_millis(2), "blocking");
        }
        assert!(!placement.is_inline());
        for _ in 0..RUNS_TO_PROMOTE * 2 {
            placement.record_pool_run(Duration::from_micros(1));
        }
        assert!(!placement.is_inline(), "never promoted again");
    }

    #[test]
    fn pinned_placements_never_move() {
        let pool = Placement::always_pool();
        let inline = Placement::always_inline();
        for _ in 0..RUNS_TO_PROMOTE {
            pool.record_pool_run(Duration::ZERO);
            inline.record_inline_run(Duration::from_secs(1), "pinned");
        }
        assert!(!pool.is_inline() && inline.is_inline());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 1)]
    async fn pool_runs_happen_off_the_worker_and_inline_runs_on_it() {
        static POOL: Placement = Placement::always_pool();
        static INLINE: Placement = Placement::always_inline();
        let worker = std::thread::current().id();
        let on_pool = run_sync(&POOL, "pool", move || {
            Ok(ActionOutput::new(std::thread::current().id() != worker))
        });
        let inline = run_sync(&INLINE, "inline", move || {
            Ok(ActionOutput::new(std::thread::current().id() == worker))
        });
        assert_eq!(
            on_pool.await.and_then(|o| o.to_value()).ok(),
            Some(serde_json::json!(true))
        );
        assert_eq!(
            inline.await.and_then(|o| o.to_value()).ok(),
            Some(serde_json::json!(true))
        );
    }
}
