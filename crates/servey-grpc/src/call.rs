//! One unary call: the request message as the action's JSON input, the caller's context from the
//! metadata, the one invoke path within the `grpc-timeout` deadline, the result as the response message.

use std::sync::Arc;
use std::time::Duration;

use http::HeaderMap;
use prost_reflect::{DeserializeOptions, DynamicMessage, MessageDescriptor, SerializeOptions};
use serde_json::Value;
use servey_core::{Action, App, Context, Input, Origin};
use tonic::metadata::{MetadataMap, MetadataValue};
use tonic::{Request, Response, Status};

use crate::proto::Reply;
use crate::status::status_of;

/// An RPC that runs an action.
pub(crate) struct ActionCall {
    pub(crate) action: Arc<Action>,
    pub(crate) output: MessageDescriptor,
    pub(crate) reply: Reply,
}

impl ActionCall {
    /// Runs the action for `request` on behalf of its caller.
    pub(crate) async fn call(
        &self,
        app: &App,
        request: Request<DynamicMessage>,
    ) -> Result<Response<DynamicMessage>, Status> {
        let (metadata, _, message) = request.into_parts();
        let headers = metadata.into_headers();
        let context = context(app, &headers);
        let request_id = context.request_id().to_owned();
        let input = Input::from_value(to_json(&message)?);
        let run = servey_core::invoke(&self.action, input, context);
        let result = match deadline(&headers)? {
            Some(limit) => match tokio::time::timeout(limit, run).await {
                Ok(result) => result,
                Err(_) => {
                    return Err(Status::deadline_exceeded(format!(
                        "the call did not finish within its deadline ({} ms)",
                        limit.as_millis()
                    )));
                }
            },
            None => run.await,
        };
        let mut response = match result {
            Ok(output) => {
                let value = output.to_value().map_err(|error| status_of(&error))?;
                Response::new(from_json(&self.output, self.reply, value)?)
            }
            Err(error) => {
                let mut status = status_of(&error);
                set_request_id(status.metadata_mut(), &request_id);
                return Err(status);
            }
        };
        set_request_id(response.metadata_mut(), &request_id);
        Ok(response)
    }
}

/// The context of a call from its metadata (HTTP/2 headers): credentials from `authorization`, the
/// caller's `x-request-id` and `x-servey-switches`, as for REST.
pub(crate) fn context(app: &App, headers: &HeaderMap) -> Context {
    app.request_context(headers).with_origin(Origin::Grpc)
}

fn set_request_id(metadata: &mut MetadataMap, request_id: &str) {
    if let Ok(value) = MetadataValue::try_from(request_id) {
        metadata.insert("x-request-id", value);
    }
}

/// A request message as JSON: keys by `json_name`, 64-bit integers as numbers, keys with presence only
/// when sent.
pub(crate) fn to_json(message: &DynamicMessage) -> Result<Value, Status> {
    const OPTIONS: SerializeOptions = SerializeOptions::new()
        .stringify_64_bit_integers(false)
        .skip_default_fields(false);
    let mut value = message
        .serialize_with_options(serde_json::value::Serializer, &OPTIONS)
        .map_err(|error| {
            Status::invalid_argument(format!("the request cannot be read: {error}"))
        })?;
    whole_numbers(&mut value);
    Ok(value)
}

/// Writes whole floats as integers: a `google.protobuf.Value` holds every number as a double, and JSON
/// does not tell `3.0` from `3`, but an action reading an integer refuses `3.0`.
fn whole_numbers(value: &mut Value) {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53: beyond it a double is not one integer
    match value {
        Value::Number(number) => {
            if let Some(float) = number.as_f64().filter(|_| number.is_f64())
                && float.fract() == 0.0
                && float.abs() <= EXACT
            {
                // Exact: a whole double within 2^53 is an integer.
                #[allow(clippy::cast_possible_truncation)]
                let whole = float as i64;
                *number = whole.into();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers),
        Value::Object(fields) => fields.values_mut().for_each(whole_numbers),
        _ => {}
    }
}

/// A result (or event) as a message of type `output`.
pub(crate) fn from_json(
    output: &MessageDescriptor,
    reply: Reply,
    value: Value,
) -> Result<DynamicMessage, Status> {
    let value = match reply {
        Reply::Direct => value,
        Reply::Wrapped => {
            let mut object = serde_json::Map::with_capacity(1);
            if !value.is_null() {
                object.insert("result".to_owned(), value);
            }
            Value::Object(object)
        }
    };
    const OPTIONS: DeserializeOptions = DeserializeOptions::new().deny_unknown_fields(false);
    DynamicMessage::deserialize_with_options(output.clone(), value, &OPTIONS).map_err(|error| {
        tracing::error!(%error, message = output.full_name(), "a result does not fit its gRPC message");
        Status::internal(format!(
            "the result does not fit the `{}` message",
            output.full_name()
        ))
    })
}

/// The deadline a `grpc-timeout` header sets (`100m` is 100 ms); a malformed one is refused.
pub(crate) fn deadline(headers: &HeaderMap) -> Result<Option<Duration>, Status> {
    let Some(value) = headers.get("grpc-timeout") else {
        return Ok(None);
    };
    let bad = || {
        Status::invalid_argument(
            "`grpc-timeout` must be 1 to 8 digits and a unit (H, M, S, m, u, n)",
        )
    };
    let text = value.to_str().map_err(|_| bad())?;
    if text.len() < 2 || text.len() > 9 {
        return Err(bad());
    }
    let (digits, unit) = text.split_at(text.len() - 1);
    let amount: u64 = digits.parse().map_err(|_| bad())?;
    let limit = match unit {
        "H" => Duration::from_secs(amount.saturating_mul(3600)),
        "M" => Duration::from_secs(amount.saturating_mul(60)),
        "S" => Duration::from_secs(amount),
        "m" => Duration::from_millis(amount),
        "u" => Duration::from_micros(amount),
        "n" => Duration::from_nanos(amount),
        _ => return Err(bad()),
    };
    Ok(Some(limit))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timeout(value: &str) -> Result<Option<Duration>, Status> {
        let mut headers = HeaderMap::new();
        headers.insert("grpc-timeout", value.parse().expect("a header value"));
        deadline(&headers)
    }

    #[test]
    fn whole_doubles_become_integers() {
        let mut value = serde_json::json!({"a": [1.0, 2.5, -3.0], "b": 1e300, "c": "1.0"});
        whole_numbers(&mut value);
        assert_eq!(
            value,
            serde_json::json!({"a": [1, 2.5, -3], "b": 1e300, "c": "1.0"})
        );
        assert!(value["a"][0].is_i64());
    }

    #[test]
    fn grpc_timeout_units() {
        assert_eq!(
            timeout("100m").ok().flatten(),
            Some(Duration::from_millis(100))
        );
        assert_eq!(timeout("2S").ok().flatten(), Some(Duration::from_secs(2)));
        assert_eq!(
            timeout("1H").ok().flatten(),
            Some(Duration::from_secs(3600))
        );
        assert!(timeout("5x").is_err());
        assert!(timeout("m").is_err());
        assert!(timeout("123456789S").is_err());
        assert_eq!(deadline(&HeaderMap::new()).ok().flatten(), None);
    }
}
