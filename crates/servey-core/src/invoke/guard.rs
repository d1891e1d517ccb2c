//! The guard every call of an action runs in: its time limit, and a panic turned into an internal error.

use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;

use crate::action::Action;
use crate::error::{ActionError, ErrorCode};

/// Runs `call` of `action` within `limit`, a panic turned into an internal error: the rule every call
/// of an action (single or batch) follows. `what` names the call in the timeout's message.
pub(super) async fn guarded<T>(
    action: &Action,
    limit: Option<std::time::Duration>,
    what: &str,
    call: impl Future<Output = Result<T, ActionError>>,
) -> Result<T, ActionError> {
    let call = AssertUnwindSafe(call).catch_unwind();
    let outcome = match limit {
        Some(limit) => tokio::time::timeout(limit, call).await.map_err(|_| {
            let detail = format!("{what} did not finish within {} s.", limit.as_secs_f64());
            ActionError::new(ErrorCode::Timeout, detail)
        })?,
        None => call.await,
    };
    outcome.unwrap_or_else(|panic| Err(panicked(action.name.as_str(), &*panic)))
}

pub(super) fn panicked(name: &str, panic: &(dyn std::any::Any + Send)) -> ActionError {
    let message = crate::error::panic_message(panic);
    ActionError::internal(std::io::Error::other(format!(
        "action `{name}` panicked: {message}"
    )))
}
