//! The batch call of a nested action: the same rules as one call (credentials, access control, rate
//! limit, metrics, timeout, panics caught), once for many parents.

use serde_json::Value;

use crate::action::Action;
use crate::context::Context;
use crate::error::{ActionError, ErrorCode};

/// Runs `action`'s batch form for `parents` in the caller's span, as one call of the action: one result
/// per parent, in order. An action without a batch form, or a batch form that answers with a different
/// number of results than it was given parents, is an error (never a panic).
pub async fn invoke_batch(
    action: &Action,
    parents: &[&Value],
    context: Context,
) -> Result<Vec<Value>, ActionError> {
    let request_id = context.shared_request_id();
    let result = match context.metrics() {
        None => checked_batch(action, parents, context, None).await,
        Some(metrics) => {
            let recorder = metrics.start_action(action, context.origin());
            let result = checked_batch(action, parents, context, Some(&recorder)).await;
            recorder.finish(result.as_ref().err());
            result
        }
    };
    if let Err(error) = &result {
        super::log_failure(&action.name, &request_id, error);
    }
    result
}

async fn checked_batch(
    action: &Action,
    parents: &[&Value],
    context: Context,
    recorder: Option<&crate::metrics::CallRecorder>,
) -> Result<Vec<Value>, ActionError> {
    let Some(batch) = action.batch else {
        let detail = format!("The action `{}` has no batch form.", action.name);
        return Err(ActionError::new(ErrorCode::Internal, detail));
    };
    super::admit(action, &context, recorder).await?;
    let expected = parents.len();
    let limit = action.timeout.or(context.time_limit());
    let watcher = recorder.map(crate::metrics::CallRecorder::poll_watcher);
    let call = batch(parents, context);
    let results = super::guarded(action, limit, "The batch call", watcher, call).await?;
    if results.len() != expected {
        let detail = format!(
            "the batch form of `{}` returned {} results for {expected} parents; it must return one result per parent, in order",
            action.name,
            results.len()
        );
        return Err(ActionError::new(ErrorCode::Internal, detail));
    }
    Ok(results)
}
