//! The messages of servey's own websocket protocol on `/subscription`, and the subscription parameters
//! of the websocket routes: what a client sends (`Subscribe` / `Unsubscribe`, naming a channel, with
//! parameters and an event id to resume after, or not), what it gets back (`Subscribed`, `Gap`, each
//! event in an envelope with its id), and a channel's parameters read from the query string of
//! `/subscription/{channel}[/{subscriber_id}]`.

use std::collections::HashMap;

use axum::extract::ws::Utf8Bytes;
use serde::Deserialize;
use serde_json::{Map, Number, Value};
use servey_core::schema::{TypeKind, TypeModel};
use servey_core::{ActionError, FieldError, Violation};

use crate::catalog::Listed;

/// Query keys the websocket routes read themselves; every other key is a subscription parameter.
pub(crate) const RESERVED_QUERY_KEYS: &[&str] = &["token", "subscriber_id", "since"];

/// What a client sends on `/subscription`.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", content = "payload")]
pub(crate) enum Command {
    /// Subscribe to a channel (again: its parameters are replaced).
    Subscribe(Target),
    /// Leave a channel.
    Unsubscribe(Target),
}

/// The channel a command names: its bare name, or an object with its parameters.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum Target {
    /// `"bids"`.
    Name(String),
    /// `{"channel": "bids", "params": {"auction_id": 42}}`.
    Detailed {
        /// The channel's name.
        channel: String,
        /// The subscription parameters (an object), if the channel takes any.
        #[serde(default)]
        params: Option<Value>,
        /// Resume after this event id.
        #[serde(default)]
        since: Option<u64>,
    },
}

impl Target {
    /// The channel's name.
    pub(crate) fn channel(&self) -> &str {
        match self {
            Self::Name(name) | Self::Detailed { channel: name, .. } => name,
        }
    }

    /// The parameters given (an empty object when none were), and the id to resume after.
    pub(crate) fn into_parts(self) -> (Value, Option<u64>) {
        match self {
            Self::Detailed { params, since, .. } => {
                (params.unwrap_or_else(|| Value::Object(Map::new())), since)
            }
            Self::Name(_) => (Value::Object(Map::new()), None),
        }
    }
}

/// What a client is told once it is subscribed to `channel` and events published from now on reach it:
/// `{"type": "Subscribed", "channel": "<name>"}`.
pub(crate) fn subscribed(channel: &str) -> Utf8Bytes {
    let channel = serde_json::to_string(channel).unwrap_or_default();
    format!(r#"{{"type":"Subscribed","channel":{channel}}}"#).into()
}

/// What a resuming client is told when events after `since` are no longer kept: `{"type": "Gap",
/// "channel": "<name>", "since": 3, "first_id": 120}`, `first_id` being the next event it gets.
pub(crate) fn gap(channel: &str, since: u64, first_id: u64) -> Utf8Bytes {
    let channel = serde_json::to_string(channel).unwrap_or_default();
    format!(r#"{{"type":"Gap","channel":{channel},"since":{since},"first_id":{first_id}}}"#).into()
}

/// An event in the envelope that names its channel and its id: `{"type": "Event", "channel": "<name>",
/// "id": 17, "payload": <event>}`.
pub(crate) fn framed(channel: &str, id: u64, payload: &str) -> Utf8Bytes {
    let channel = serde_json::to_string(channel).unwrap_or_default();
    format!(r#"{{"type":"Event","channel":{channel},"id":{id},"payload":{payload}}}"#).into()
}

/// The subscription parameters in `query` for the channel `listed`: every key but the reserved ones,
/// each value as the JSON type its parameter declares (an integer, a number, a boolean, else a string).
/// A value that does not fit stays a string, so the parameter checks report it with its name.
pub(crate) fn query_params(listed: &Listed, query: &HashMap<String, String>) -> Value {
    let schema = listed.params.as_ref();
    let properties = schema.map(|schema| {
        let model = schema.model();
        match &model.resolve(&model.input).kind {
            TypeKind::Object(object) => object
                .properties
                .iter()
                .map(|property| (property.name.as_str(), model.resolve(&property.ty)))
                .collect::<HashMap<_, _>>(),
            _ => HashMap::new(),
        }
    });
    let params = query
        .iter()
        .filter(|(key, _)| !RESERVED_QUERY_KEYS.contains(&key.as_str()))
        .map(|(key, text)| {
            let ty = properties
                .as_ref()
                .and_then(|properties| properties.get(key.as_str()).copied());
            (key.clone(), typed(text, ty))
        })
        .collect();
    Value::Object(params)
}

/// The event id of `?since=`, if given.
pub(crate) fn since_of(query: &HashMap<String, String>) -> Result<Option<u64>, ActionError> {
    query
        .get("since")
        .map(|since| {
            since.parse().map_err(|_| {
                ActionError::invalid_input(vec![FieldError::new(
                    "since",
                    Violation::Type,
                    "must be an event id (a whole number from 0)",
                )])
            })
        })
        .transpose()
}

/// `text` as the JSON value of type `ty`, or as a string when it is not one.
fn typed(text: &str, ty: Option<&TypeModel>) -> Value {
    let parsed = match ty.map(|ty| &ty.kind) {
        Some(TypeKind::Integer(_)) => text
            .parse::<i64>()
            .map(Number::from)
            .ok()
            .or_else(|| text.parse::<u64>().ok().map(Number::from))
            .map(Value::Number),
        Some(TypeKind::Number) => text
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number),
        Some(TypeKind::Boolean) => text.parse::<bool>().ok().map(Value::Bool),
        _ => None,
    };
    parsed.unwrap_or_else(|| Value::String(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_name_a_channel_bare_or_with_parameters() {
        let bare: Command =
            serde_json::from_str(r#"{"type": "Subscribe", "payload": "bids"}"#).expect("parses");
        let Command::Subscribe(target) = bare else {
            panic!("a Subscribe");
        };
        assert_eq!(target.channel(), "bids");
        assert_eq!(target.into_parts(), (serde_json::json!({}), None));

        let detailed: Command = serde_json::from_str(
            r#"{"type": "Subscribe", "payload": {"channel": "bids", "params": {"auction_id": 42}, "since": 9}}"#,
        )
        .expect("parses");
        let Command::Subscribe(target) = detailed else {
            panic!("a Subscribe");
        };
        assert_eq!(target.channel(), "bids");
        assert_eq!(
            target.into_parts(),
            (serde_json::json!({"auction_id": 42}), Some(9))
        );
        assert!(serde_json::from_str::<Command>(r#"{"type": "Subscribe", "payload": 4}"#).is_err());
    }

    #[test]
    fn the_acknowledgement_names_its_channel() {
        assert_eq!(
            subscribed("bids").as_str(),
            r#"{"type":"Subscribed","channel":"bids"}"#
        );
    }
}
