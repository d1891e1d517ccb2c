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
        Some(limit) => tokio::time::timeout(limit, call).await.map_err(|_| {
            let detail = format!("{what} did not finish within {} s.", limit.as_secs_f64());
            ActionError::new(ErrorCode::Timeout, detail)
        })?,
        None => call.await,
    };
    outcome.unwrap_or_else(|panic| Err(panicked(action.name.as_str(), &*panic)))
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
