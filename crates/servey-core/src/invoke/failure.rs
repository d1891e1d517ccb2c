//! The one place a failed call is logged, whichever transport made it (REST, GraphQL, a job, a
//! schedule, a channel): every call ends in [`invoke`](super::invoke) or
//! [`invoke_batch`](super::invoke_batch), so adapters only turn the error into their own answer.

use crate::error::ActionError;

/// Logs `error` at error level when it is the server's to look into: it has a cause (a panic, an I/O
/// error) or it is a 5xx. A caller's mistake (a 4xx without a cause) is in the caller's response only.
pub(crate) fn log_failure(action: &str, request_id: &str, error: &ActionError) {
    let code = error.code_str();
    match error.cause() {
        Some(cause) => tracing::error!(action, request_id, code, %cause, "the action failed"),
        None if error.status() >= 500 => {
            tracing::error!(
                action,
                request_id,
                code,
                cause = error.detail(),
                "the action failed"
            );
        }
        None => {}
    }
}
