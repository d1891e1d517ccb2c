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
        "required": ["type", "channel", "payload"],
        "additionalProperties": false,
        "properties": {
            "type": {"type": "string", "const": "Event"},
            "channel": {"type": "string", "const": name},
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

pub(super) fn command_message(
    kind: &str,
    names: &[&str],
    schemas: &mut Map<String, Value>,
) -> Value {
    let mut channel = json!({"type": "string", "description": "The channel's name."});
    if !names.is_empty()
        && let Some(channel) = channel.as_object_mut()
    {
        channel.insert("enum".into(), json!(names));
    }
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
            "properties": {"type": {"type": "string", "const": kind}, "payload": channel},
        })),
        "examples": [{"payload": {"type": kind, "payload": names.first().copied().unwrap_or("messenger")}}],
    })
}
