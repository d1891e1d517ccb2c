//! The generated invoker's glue: reads the parameters an action asked for by type, and wraps what it
//! returns into an [`ActionOutput`].

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::action::ActionFuture;
use crate::auth::Authorization;
use crate::context::Context;
use crate::error::{ActionError, ErrorCode, FieldError, Violation};
use crate::input::join_path;
use crate::output::ActionOutput;

/// Wraps a plain result (`T`).
pub fn output_of<T: Serialize + Send + Sync + 'static>(
    result: T,
) -> Result<ActionOutput, ActionError> {
    Ok(ActionOutput::new(result))
}

/// Wraps a fallible result (`Result<T, E>`).
pub fn output_of_result<T, E>(result: Result<T, E>) -> Result<ActionOutput, ActionError>
where
    T: Serialize + Send + Sync + 'static,
    E: Into<ActionError>,
{
    result.map(ActionOutput::new).map_err(Into::into)
}

/// Wraps a result with response headers (`Reply<T>`).
pub fn output_of_reply<T: Serialize + Send + Sync + 'static>(
    reply: crate::output::Reply<T>,
) -> Result<ActionOutput, ActionError> {
    Ok(ActionOutput::from_reply(reply))
}

/// Wraps a fallible result with response headers (`Result<Reply<T>, E>`).
pub fn output_of_reply_result<T, E>(
    result: Result<crate::output::Reply<T>, E>,
) -> Result<ActionOutput, ActionError>
where
    T: Serialize + Send + Sync + 'static,
    E: Into<ActionError>,
{
    result.map(ActionOutput::from_reply).map_err(Into::into)
}

/// The `State<T>` an action asked for by parameter type.
pub fn shared_state<T: Send + Sync + 'static>(
    context: &Context,
) -> Result<crate::state::State<T>, ActionError> {
    context.shared::<T>()
}

/// An already-failed invocation (a decoding error before the call).
pub fn failed(error: ActionError) -> ActionFuture {
    Box::pin(std::future::ready(Err(error)))
}

/// The `Authorization` an action asked for by parameter type (`Option<Authorization>`).
pub fn optional_authorization(context: &Context) -> Option<Authorization> {
    context.authorization().cloned()
}

/// The `Authorization` an action requires; access control has already refused anonymous callers.
pub fn required_authorization(context: &Context) -> Result<Authorization, ActionError> {
    context.authorization().cloned().ok_or_else(|| {
        ActionError::new(ErrorCode::Unauthenticated, "This action needs credentials.")
    })
}

/// Checks one parameter of the input object, adding an error with its path when it does not decode.
pub fn check_field<T: DeserializeOwned>(
    map: &Map<String, Value>,
    name: &str,
    errors: &mut Vec<FieldError>,
) {
    match map.get(name) {
        // A missing key decodes as null, which only optional parameters accept.
        None => {
            if T::deserialize(&Value::Null).is_err() {
                errors.push(FieldError::new(name, Violation::Missing, "is required"));
            }
        }
        Some(value) => {
            if let Err(error) = serde_path_to_error::deserialize::<_, T>(value) {
                errors.push(crate::check::from_serde(
                    &join_path(name, &error.path().to_string()),
                    &error.inner().to_string(),
                ));
            }
        }
    }
}
