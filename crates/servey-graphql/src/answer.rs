//! Bounds on what one request is answered: its size (`SERVEY_GRAPHQL_MAX_RESPONSE_BYTES`, shared by the
//! operations of a batch) and the length of its error list. The size is counted as fields resolve, as
//! the JSON they will be written as, so that an answer past the bound stops its work early and is
//! replaced by one error, instead of being built whole in memory first.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_graphql::{ErrorExtensionValues, Response, ServerError, Value};

/// The most errors one response lists; the rest are summed up in one last error.
pub(crate) const MAX_ERRORS: usize = 50;

/// The bytes one request's answer may still take, shared by the operations of a batch.
#[derive(Debug, Clone)]
pub(crate) struct AnswerBudget {
    limit: usize,
    used: Arc<AtomicUsize>,
}

impl AnswerBudget {
    /// A budget of `limit` bytes.
    pub(crate) fn new(limit: usize) -> Self {
        Self {
            limit,
            used: Arc::default(),
        }
    }

    /// Counts `bytes` more; false once the answer is past the limit.
    pub(crate) fn spend(&self, bytes: usize) -> bool {
        let before = self.used.fetch_add(bytes, Ordering::Relaxed);
        before.saturating_add(bytes) <= self.limit
    }

    /// Whether the answer is past the limit.
    pub(crate) fn is_spent(&self) -> bool {
        self.used.load(Ordering::Relaxed) > self.limit
    }

    /// The error that replaces an answer past the limit.
    pub(crate) fn too_large(&self) -> ServerError {
        let mut error = ServerError::new(
            format!(
                "The answer would be larger than {} bytes, the limit: select fewer fields or smaller lists.",
                self.limit
            ),
            None,
        );
        let mut extensions = ErrorExtensionValues::default();
        extensions.set("code", "RESPONSE_TOO_LARGE");
        error.extensions = Some(extensions);
        error
    }

    /// `response`, or only the size error when the answer went past the limit; its errors bounded.
    pub(crate) fn finish(&self, mut response: Response) -> Response {
        if self.is_spent() {
            return Response::from_errors(vec![self.too_large()]);
        }
        response.errors = bound_errors(response.errors);
        response
    }
}

/// `errors`, the first [`MAX_ERRORS`] of them and one saying how many more there were.
pub(crate) fn bound_errors(mut errors: Vec<ServerError>) -> Vec<ServerError> {
    if errors.len() > MAX_ERRORS {
        let more = errors.len() - MAX_ERRORS;
        errors.truncate(MAX_ERRORS);
        errors.push(ServerError::new(
            format!("... and {more} more errors (only the first {MAX_ERRORS} are listed)."),
            None,
        ));
    }
    errors
}

/// About how many bytes `value` takes written as JSON (strings without their escapes).
pub(crate) fn json_bytes(value: &Value) -> usize {
    match value {
        Value::Null => 4,
        Value::Boolean(_) => 5,
        Value::Number(number) => number
            .as_u64()
            .map(digits)
            .or_else(|| number.as_i64().map(|n| digits(n.unsigned_abs()) + 1))
            .unwrap_or(24),
        Value::String(text) => text.len() + 2,
        Value::Enum(name) => name.len() + 2,
        Value::Binary(bytes) => bytes.len().saturating_mul(4) + 2,
        Value::List(items) => items
            .iter()
            .fold(2, |sum, item| sum.saturating_add(json_bytes(item) + 1)),
        Value::Object(members) => members.iter().fold(2, |sum, (key, member)| {
            sum.saturating_add(key.len() + 4 + json_bytes(member))
        }),
    }
}

/// How many decimal digits `n` has.
fn digits(n: u64) -> usize {
    n.checked_ilog10().map_or(1, |log| log as usize + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_bytes_is_the_written_length_for_plain_values() {
        let value = Value::from_json(serde_json::json!({
            "a": [1, -20, "xyz", true, null], "b": {"c": 1.5}
        }))
        .expect("a value");
        let written = serde_json::to_string(&value).expect("JSON").len();
        let estimated = json_bytes(&value);
        assert!(estimated >= written, "{estimated} < {written}");
        assert!(estimated <= written + 40, "{estimated} far from {written}");
    }

    #[test]
    fn the_error_list_is_bounded() {
        let errors = (0..120)
            .map(|i| ServerError::new(format!("e{i}"), None))
            .collect();
        let bounded = bound_errors(errors);
        assert_eq!(bounded.len(), MAX_ERRORS + 1);
        assert_eq!(
            bounded[MAX_ERRORS].message,
            "... and 70 more errors (only the first 50 are listed)."
        );
    }

    #[test]
    fn a_spent_budget_answers_one_error() {
        let budget = AnswerBudget::new(10);
        assert!(budget.spend(10) && !budget.is_spent());
        assert!(!budget.clone().spend(1), "clones share the count");
        let answer = budget.finish(Response::new(Value::Null));
        assert_eq!(answer.errors.len(), 1);
        assert_eq!(answer.errors[0].message, budget.too_large().message);
    }
}
