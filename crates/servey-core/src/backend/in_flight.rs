//! `InFlight`: counts the background tasks an app started (background events, webhook deliveries) so
//! that a flush can wait until none is left, e.g. before a CLI call exits.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::Notify;

/// A count of running tasks that can be awaited to reach zero. Cheap to clone; clones share the count.
#[derive(Debug, Clone, Default)]
pub struct InFlight {
    inner: Arc<Counter>,
}

#[derive(Debug, Default)]
struct Counter {
    running: AtomicUsize,
    idle: Notify,
}

impl InFlight {
    /// Counts one more task until the returned guard is dropped (at the end of the task).
    pub fn start(&self) -> Running {
        self.inner.running.fetch_add(1, Ordering::AcqRel);
        Running(self.inner.clone())
    }

    /// How many tasks are running.
    pub fn count(&self) -> usize {
        self.inner.running.load(Ordering::Acquire)
    }

    /// Resolves once no task is running. A task started by a running one is counted before its parent
    /// ends, so chains of tasks are waited for too.
    pub async fn idle(&self) {
        loop {
            let notified = self.inner.idle.notified();
            tokio::pin!(notified);
            // Registered before the check, so a task ending in between still wakes us.
            notified.as_mut().enable();
            if self.count() == 0 {
                return;
            }
            notified.await;
        }
    }
}

/// One running task; dropping it ends the task's count.
#[derive(Debug)]
pub struct Running(Arc<Counter>);

impl Drop for Running {
    fn drop(&mut self) {
        if self.0.running.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn idle_waits_for_every_task_including_ones_they_start() {
        let in_flight = InFlight::default();
        in_flight.idle().await;
        let (release, released) = tokio::sync::oneshot::channel::<()>();
        let parent = in_flight.start();
        let chained = in_flight.clone();
        tokio::spawn(async move {
            let _ = released.await;
            let child = chained.start();
            drop(parent);
            tokio::task::yield_now().await;
            drop(child);
        });
        let waiting = tokio::spawn({
            let in_flight = in_flight.clone();
            async move { in_flight.idle().await }
        });
        assert_eq!(in_flight.count(), 1);
        release.send(()).expect("the task waits");
        waiting.await.expect("idle resolves");
        assert_eq!(in_flight.count(), 0);
    }
}
