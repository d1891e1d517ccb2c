//! The batch form's glue: decodes the parents and encodes the results of `#[action(batch = ...)]`.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::action::BatchFuture;
use crate::error::ActionError;

/// Decodes each parent object into the owner type; a bad one names its index (`parents[3].value`).
pub fn decode_parents<T: DeserializeOwned>(parents: &[&Value]) -> Result<Vec<T>, ActionError> {
    parents
        .iter()
        .enumerate()
        .map(|(index, &parent)| {
            // Tracking the path costs an allocation per key: only a parent that fails pays for it.
            T::deserialize(parent)
                .or_else(|_| serde_path_to_error::deserialize(parent))
                .map_err(|error| {
                    let path = error.path().to_string();
                    let path = if path == "." {
                        format!("parents[{index}]")
                    } else {
                        format!("parents[{index}].{path}")
                    };
                    ActionError::invalid_input(vec![crate::check::from_serde(
                        &path,
                        &error.inner().to_string(),
                    )])
                })
        })
        .collect()
}

/// Encodes a batch form's plain result (`Vec<T>`).
pub fn batch_of<T: Serialize>(results: Vec<T>) -> Result<Vec<Value>, ActionError> {
    results
        .iter()
        .map(|result| serde_json::to_value(result).map_err(ActionError::internal))
        .collect()
}

/// Encodes a batch form's fallible result (`Result<Vec<T>, E>`).
pub fn batch_of_result<T: Serialize, E: Into<ActionError>>(
    results: Result<Vec<T>, E>,
) -> Result<Vec<Value>, ActionError> {
    batch_of(results.map_err(Into::into)?)
}

/// An already-failed batch call (a parent that does not decode).
pub fn failed_batch(error: ActionError) -> BatchFuture {
    Box::pin(std::future::ready(Err(error)))
}
