//! Why a hub connection ends early: its subscriber fell too far behind, or the server shuts down. The
//! hub sets the reason once; the connection's task polls it beside its events on every wake, so polling
//! costs an atomic load and a waker registration (no lock, unlike a `Notify` or a `watch`).

use std::future::poll_fn;
use std::sync::atomic::{AtomicU8, Ordering};
use std::task::{Context, Poll, Waker};

use futures_util::task::AtomicWaker;

/// Why the hub ends a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ending {
    /// Its buffer overflowed: the subscriber reads too slowly.
    TooSlow,
    /// The server is shutting down.
    GoingAway,
    /// The server restarts (a new build takes over): the client should reconnect.
    Restarting,
}

const NOT_ENDED: u8 = 0;
const TOO_SLOW: u8 = 1;
const GOING_AWAY: u8 = 2;
const RESTARTING: u8 = 3;

/// The reason a connection ends, set at most once, and the waker of the one task that serves it.
#[derive(Debug, Default)]
pub(crate) struct EndSignal {
    reason: AtomicU8,
    waker: AtomicWaker,
}

impl EndSignal {
    /// Ends the connection for `reason` and wakes its task; the first reason set is kept.
    pub(crate) fn end(&self, reason: Ending) {
        let code = match reason {
            Ending::TooSlow => TOO_SLOW,
            Ending::GoingAway => GOING_AWAY,
            Ending::Restarting => RESTARTING,
        };
        // A connection already ending keeps its first reason.
        let _ = self
            .reason
            .compare_exchange(NOT_ENDED, code, Ordering::AcqRel, Ordering::Acquire);
        self.waker.wake();
    }

    /// The reason, once set.
    pub(crate) fn reason(&self) -> Option<Ending> {
        match self.reason.load(Ordering::Acquire) {
            TOO_SLOW => Some(Ending::TooSlow),
            GOING_AWAY => Some(Ending::GoingAway),
            RESTARTING => Some(Ending::Restarting),
            _ => None,
        }
    }

    /// Ready with the reason once set; otherwise wakes the calling task when it is.
    pub(crate) fn poll_ended(&self, context: &mut Context<'_>) -> Poll<Ending> {
        if let Some(reason) = self.reason() {
            return Poll::Ready(reason);
        }
        self.waker.register(context.waker());
        // Set between the first look and the registration: that wake went to the old waker.
        match self.reason() {
            Some(reason) => Poll::Ready(reason),
            None => Poll::Pending,
        }
    }

    /// Resolves with the reason once set.
    pub(crate) async fn ended(&self) -> Ending {
        poll_fn(|context| self.poll_ended(context)).await
    }
}

/// A task that polls an [`EndSignal`] on every wake: it registers its waker only when the waker
/// changed (a task's waker rarely does), so that such a poll costs one atomic load. The signal wakes
/// only once it is set, and a set signal is seen by the load, so the registration is never stale.
#[derive(Debug, Default)]
pub(crate) struct EndWatch {
    registered: Option<Waker>,
}

impl EndWatch {
    /// Resolves with the reason once `signal` is set.
    pub(crate) async fn ended(&mut self, signal: &EndSignal) -> Ending {
        poll_fn(|context| {
            if let Some(reason) = signal.reason() {
                return Poll::Ready(reason);
            }
            let waker = context.waker();
            if self
                .registered
                .as_ref()
                .is_some_and(|registered| registered.will_wake(waker))
            {
                return Poll::Pending;
            }
            self.registered = Some(waker.clone());
            signal.poll_ended(context)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::task::Wake;

    use super::*;

    #[derive(Default)]
    struct CountingWaker(std::sync::atomic::AtomicUsize);

    impl Wake for CountingWaker {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn the_first_reason_wins_and_wakes_the_waiting_task() {
        let signal = EndSignal::default();
        let counter = Arc::new(CountingWaker::default());
        let waker = std::task::Waker::from(counter.clone());
        let mut context = Context::from_waker(&waker);

        assert_eq!(signal.poll_ended(&mut context), Poll::Pending);
        signal.end(Ending::TooSlow);
        signal.end(Ending::GoingAway);

        assert_eq!(
            counter.0.load(Ordering::SeqCst),
            1,
            "woken once, when it ended"
        );
        assert_eq!(
            signal.poll_ended(&mut context),
            Poll::Ready(Ending::TooSlow)
        );
    }
}
