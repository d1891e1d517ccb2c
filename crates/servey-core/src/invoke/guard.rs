//! The guard every call of an action runs in: its time limit, a panic turned into an internal error, and
//! each poll marked with the action (so that one which holds a worker without yielding is seen).

use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::FutureExt;

use crate::action::Action;
use crate::error::{ActionError, ErrorCode};
use crate::metrics::PollWatcher;

/// Runs `call` of `action` within `limit`, a panic turned into an internal error: the rule every call
/// of an action (single or batch) follows. `what` names the call in the timeout's message; `watcher`
/// (the app's metrics, when the call is recorded) marks each of its polls.
pub(super) async fn guarded<T>(
    action: &Action,
    limit: Option<std::time::Duration>,
    what: &str,
    watcher: Option<PollWatcher>,
    call: impl Future<Output = Result<T, ActionError>>,
) -> Result<T, ActionError> {
    let call = AssertUnwindSafe(Watched { call, watcher }).catch_unwind();
    let outcome = match limit {
        Some(limit) => Limited::new(call, limit).await.map_err(|()| {
            let detail = format!("{what} did not finish within {} s.", limit.as_secs_f64());
            ActionError::new(ErrorCode::Timeout, detail)
        })?,
        None => call.await,
    };
    outcome.unwrap_or_else(|panic| Err(panicked(action.name.as_str(), &*panic)))
}

pin_project_lite::pin_project! {
    /// `call` within `limit` of its start, its timer set only once it waits: a call that finishes in
    /// its first poll (most do) never touches the runtime's timers.
    struct Limited<F> {
        #[pin]
        call: F,
        started: Option<tokio::time::Instant>,
        limit: std::time::Duration,
        #[pin]
        timer: Option<tokio::time::Sleep>,
    }
}

impl<F> Limited<F> {
    fn new(call: F, limit: std::time::Duration) -> Self {
        Self {
            call,
            started: None,
            limit,
            timer: None,
        }
    }
}

impl<F: Future> Future for Limited<F> {
    /// The call's output, or `Err` when the limit passed first.
    type Output = Result<F::Output, ()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let started = *this.started.get_or_insert_with(tokio::time::Instant::now);
        if let Poll::Ready(output) = this.call.poll(cx) {
            return Poll::Ready(Ok(output));
        }
        if this.timer.is_none() {
            let deadline = started + *this.limit;
            this.timer.set(Some(tokio::time::sleep_until(deadline)));
        }
        match this.timer.as_pin_mut().map(|timer| timer.poll(cx)) {
            Some(Poll::Ready(())) => Poll::Ready(Err(())),
            _ => Poll::Pending,
        }
    }
}

pin_project_lite::pin_project! {
    /// `call`, each of its polls marked by `watcher`.
    struct Watched<F> {
        #[pin]
        call: F,
        watcher: Option<PollWatcher>,
    }
}

impl<F: Future> Future for Watched<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let _mark = this.watcher.as_ref().map(PollWatcher::enter);
        this.call.poll(cx)
    }
}

pub(super) fn panicked(name: &str, panic: &(dyn std::any::Any + Send)) -> ActionError {
    let message = crate::error::panic_message(panic);
    ActionError::internal(std::io::Error::other(format!(
        "action `{name}` panicked: {message}"
    )))
}
