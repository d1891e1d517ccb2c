//! One call being measured: the in-flight gauge while it runs, then its count and latency, or
//! `cancelled` when its caller goes away first.

use super::*;

/// One call being measured: in flight until dropped; counted by [`finish`](Self::finish), or as
/// `cancelled` when dropped unfinished.
#[derive(Debug)]
pub(crate) struct CallRecorder {
    series: Arc<ActionSeries>,
    transport: Origin,
    started: Instant,
    is_finished: bool,
}

impl CallRecorder {
    /// Starts measuring a call of `series` over `transport`: it is in flight from now.
    pub(super) fn start(series: Arc<ActionSeries>, transport: Origin) -> Self {
        series.in_flight.inc();
        Self {
            series,
            transport,
            started: Instant::now(),
            is_finished: false,
        }
    }

    /// What marks each poll of this call's future, so that one that holds a worker is seen.
    pub(crate) fn poll_watcher(&self) -> PollWatcher {
        PollWatcher {
            watch: self.series.families.stalls.clone(),
            action: self.series.name.clone(),
        }
    }

    /// The server-side cache answered the call.
    pub(crate) fn cache_hit(&self) {
        let series = &self.series;
        series
            .count(&series.cache_hits, &series.families.cache_hits)
            .inc();
    }

    /// The server-side cache had no result for the call.
    pub(crate) fn cache_miss(&self) {
        let series = &self.series;
        series
            .count(&series.cache_misses, &series.families.cache_misses)
            .inc();
    }

    /// A rate limit refused the call.
    pub(crate) fn rate_limited(&self) {
        let series = &self.series;
        series
            .count(&series.rate_limited, &series.families.rate_limited)
            .inc();
    }

    /// Counts the call under its outcome (`ok` or the error's code) and its latency.
    pub(crate) fn finish(mut self, error: Option<&ActionError>) {
        self.is_finished = true;
        let over = self.series.over(self.transport);
        over.latency.observe(self.started.elapsed().as_secs_f64());
        let Some(error) = error else {
            over.succeeded.inc();
            return;
        };
        let code = error.code();
        let outcome = if error.code_str() == code.as_str() {
            Cow::Borrowed(code.as_str())
        } else {
            Cow::Owned(error.code_str().to_owned())
        };
        self.series.ended_with(self.transport, outcome);
    }
}

impl Drop for CallRecorder {
    fn drop(&mut self) {
        self.series.in_flight.dec();
        if !self.is_finished {
            self.series
                .ended_with(self.transport, Cow::Borrowed(CANCELLED));
        }
    }
}

/// Marks the polls of one call's future with its action (see [`StallWatch`]).
#[derive(Debug, Clone)]
pub(crate) struct PollWatcher {
    watch: StallWatch,
    action: Arc<str>,
}

impl PollWatcher {
    /// Marks this thread as polling the call until the mark is dropped.
    pub(crate) fn enter(&self) -> PollMark {
        self.watch.enter(&self.action)
    }
}
