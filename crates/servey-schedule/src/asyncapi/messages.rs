//! The document's messages: each channel's event, its envelope on the shared `/subscription`
//! connection, and the Subscribe / Unsubscribe commands, with their payloads as named schemas.

use serde_json::{Map, Value, json};

use crate::channel::EventChannel;

/// The message of `channel`'s events (as published, on its own path or webhook).
pub(super) fn message(channel: &dyn EventChannel, payload: Value) -> Value {
    json!({
        "messageId": channel.name(),
        "name": channel.name(),
        "title": channel.event_name(),
        "summary": format!("An event of the `{}` {} channel.", channel.name(), channel.kind().as_str()),
        "contentType": "application/json",
        "payload": payload,
    })
}

/// The envelope that carries an event of `channel` on the shared `/subscription` connection.
pub(super) fn event_envelope(
    channel: &dyn EventChannel,
    id: &str,
    payload: &Value,
    schemas: &mut Map<String, Value>,
) -> Value {
    let name = channel.name();
    let envelope = json!({
        "type": "object",
        "required": ["type", "channel", "id", "payload"],
        "additionalProperties": false,
        "properties": {
            "type": {"type": "string", "const": "Event"},
            "channel": {"type": "string", "const": name},
            "id": event_id("The event's id: one more than the channel's previous event's. Resume after it with `since`."),
            "payload": payload,
        },
    });
    json!({
        "messageId": id,
        "name": id,
        "title": format!("{} on /subscription", channel.event_name()),
        "summary": format!("An event of the `{name}` channel on the shared `/subscription` connection, in the envelope that names its channel."),
        "contentType": "application/json",
        "payload": named_schema(schemas, format!("servey-event-{name}"), envelope),
    })
}

/// Registers `schema` under `name` in the document's schemas and refers to it, so that generators name
/// the type (`ServeySubscribe`) instead of inventing one (`AnonymousSchema_3`). The names hold a `-`,
/// which no Rust type name (the events' schemas) does.
fn named_schema(schemas: &mut Map<String, Value>, name: String, schema: Value) -> Value {
    let reference = json!({"$ref": format!("#/components/schemas/{name}")});
    schemas.insert(name, schema);
    reference
}

/// The `Subscribe` or `Unsubscribe` command of `names` (the websocket channels); `with_params` are the
/// channels with subscription parameters and their schema, which a `Subscribe` may give.
pub(super) fn command_message(
    kind: &str,
    names: &[&str],
    with_params: &[(&str, Value)],
    schemas: &mut Map<String, Value>,
) -> Value {
    let mut channel = json!({"type": "string", "description": "The channel's name."});
    if !names.is_empty()
        && let Some(channel) = channel.as_object_mut()
    {
        channel.insert("enum".into(), json!(names));
    }
    let since = event_id(
        "Resume after this event id: the kept events after it come first (after a `Gap` when some are gone).",
    );
    let mut object = json!({
        "type": "object",
        "required": ["channel"],
        "additionalProperties": false,
        "properties": {"channel": channel},
    });
    if kind == "Subscribe" {
        object["properties"]["since"] = since.clone();
    }
    let mut forms = vec![channel.clone(), object];
    for (name, params) in with_params {
        forms.push(json!({
            "type": "object",
            "required": ["channel"],
            "additionalProperties": false,
            "description": format!("A subscription to `{name}` with its parameters (each checked; a bad one closes with 4422)."),
            "properties": {
                "channel": {"type": "string", "const": name},
                "params": params,
                "since": since,
            },
        }));
    }
    let payload = json!({"anyOf": forms});
    json!({
        "messageId": kind,
        "name": kind,
        "title": kind,
        "summary": format!("{kind} this connection to/from a channel."),
        "contentType": "application/json",
        "payload": named_schema(schemas, format!("servey-{}", kind.to_ascii_lowercase()), json!({
            "type": "object",
            "required": ["type", "payload"],
            "additionalProperties": false,
            "properties": {"type": {"type": "string", "const": kind}, "payload": payload},
        })),
        "examples": [{"payload": {"type": kind, "payload": names.first().copied().unwrap_or("messenger")}}],
    })
}

/// The acknowledgement of a `Subscribe`, sent once every event published from then on reaches the
/// connection.
pub(super) fn subscribed_message(names: &[&str], schemas: &mut Map<String, Value>) -> Value {
    json!({
        "messageId": "Subscribed",
        "name": "Subscribed",
        "title": "Subscribed",
        "summary": "The answer to a `Subscribe`: the connection is subscribed, and every event published from now on, on any instance, reaches it.",
        "contentType": "application/json",
        "payload": named_schema(schemas, "servey-subscribed".to_owned(), json!({
            "type": "object",
            "required": ["type", "channel"],
            "additionalProperties": false,
            "properties": {
                "type": {"type": "string", "const": "Subscribed"},
                "channel": {"type": "string", "enum": names},
            },
        })),
        "examples": [{"payload": {"type": "Subscribed", "channel": names.first().copied().unwrap_or("messenger")}}],
    })
}

/// An event id's schema, described.
pub(super) fn event_id(description: &str) -> Value {
    json!({"type": "integer", "format": "int64", "minimum": 0, "description": description})
}

/// What a client resuming after an id is told when events after it are no longer kept.
pub(super) fn gap_message(names: &[&str], schemas: &mut Map<String, Value>) -> Value {
    json!({
        "messageId": "Gap",
        "name": "Gap",
        "title": "Gap",
        "summary": "Sent after `Subscribed` when the events after `since` are no longer kept (or the channel's ids started again): the next event is `first_id`.",
        "contentType": "application/json",
        "payload": named_schema(schemas, "servey-gap".to_owned(), json!({
            "type": "object",
            "required": ["type", "channel", "since", "first_id"],
            "additionalProperties": false,
            "properties": {
                "type": {"type": "string", "const": "Gap"},
                "channel": {"type": "string", "enum": names},
                "since": event_id("The id the client resumed after."),
                "first_id": event_id("The id of the next event it gets: those between are lost."),
            },
        })),
        "examples": [{"payload": {"type": "Gap", "channel": names.first().copied().unwrap_or("messenger"), "since": 3, "first_id": 120}}],
    })
}
