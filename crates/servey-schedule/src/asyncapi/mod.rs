//! The AsyncAPI 2.6.0 document of the event channels: each websocket channel as the path a client
//! subscribes at, the `/subscription` command protocol and its event envelopes, webhooks as the HTTP
//! channels they POST to. Every message has a `messageId`, the security schemes are referenced (by the
//! server and by each guarded operation), and the document passes `@asyncapi/parser` without warnings
//! once the app states its contact and license (`SERVEY_API_CONTACT`, `SERVEY_API_LICENSE`).

mod info;
mod messages;

use serde_json::{Map, Value, json};
use servey_core::App;
use servey_core::schema::Components;

use info::{contact_object, document_id};
use messages::{
    command_message, event_envelope, event_id, gap_message, message, subscribed_message,
};

use crate::catalog::Listed;
use crate::channel::{ChannelKind, EventChannel, doc_text};
use crate::error::ScheduleError;
use crate::hub::SUBSCRIBER_BUFFER;
use crate::join::CLOSE_HISTORY_UNAVAILABLE;
use crate::runtime::Channels;
use crate::subscription::{
    CLOSE_BAD_MESSAGE, CLOSE_FORBIDDEN, CLOSE_GOING_AWAY, CLOSE_INVALID_PARAMS,
    CLOSE_SERVICE_RESTART, CLOSE_TOO_BIG, CLOSE_TOO_SLOW, CLOSE_UNAUTHENTICATED,
    CLOSE_UNKNOWN_CHANNEL,
};

/// The document's tag of websocket channels and the `/subscription` protocol.
const WEBSOCKET_TAG: &str = "websocket";
/// The document's tag of webhook channels.
const WEBHOOK_TAG: &str = "webhook";

/// The AsyncAPI document of the app's channels, as served at `/asyncapi.json`; fails for an app built
/// without its [`Channels`].
pub fn asyncapi(app: &App) -> Result<Value, ScheduleError> {
    Ok(document(app, Channels::of(app)?))
}

/// The AsyncAPI document as pretty JSON (what `--run=asyncapi` writes).
pub fn asyncapi_json(app: &App) -> Result<String, ScheduleError> {
    Ok(document_json(app, Channels::of(app)?))
}

/// The AsyncAPI document of `app`'s `channels` as pretty JSON.
pub(crate) fn document_json(app: &App, channels: &Channels) -> String {
    serde_json::to_string_pretty(&document(app, channels)).unwrap_or_default()
}

fn document(app: &App, app_channels: &Channels) -> Value {
    let auth = AuthDoc::of(app);
    let scheme = &auth.scheme;
    let config = app.config();
    let mut components = Components::new();
    let mut messages = Map::new();
    // The protocol's own payloads (commands, envelopes), named beside the event types.
    let mut payload_schemas = Map::new();
    let mut channels = Map::new();
    let mut servers = Map::new();
    servers.insert(
        "servey".into(),
        json!({
            "url": "{host}:{port}",
            "protocol": "ws",
            "description": "This app's websocket endpoints.",
            "variables": {
                "host": {"default": config.host},
                "port": {"default": config.port.to_string()},
            },
            "bindings": {"ws": {}},
            "security": [{auth.key.clone(): []}, {"query_token": []}],
        }),
    );
    let mut websocket_messages = Vec::new();
    let mut websocket_names = Vec::new();
    // Each websocket channel with subscription parameters, and the `$ref` of their schema.
    let mut with_params = Vec::new();
    for listed in app_channels.catalog().iter() {
        let channel = listed.channel;
        // Background channels run an action in-process: nothing outside the app talks to them, so
        // neither they nor their event types belong in the document.
        if channel.kind() == ChannelKind::Background {
            continue;
        }
        let message_ref = json!({"$ref": format!("#/components/messages/{}", channel.name())});
        let payload =
            serde_json::to_value(channel.event_schema(&mut components)).unwrap_or_default();
        messages.insert(channel.name().into(), message(channel, payload.clone()));
        match channel.kind() {
            ChannelKind::Websocket => {
                let params = channel.params_schema(&mut components).map(|params| {
                    let params = serde_json::to_value(params).unwrap_or_default();
                    with_params.push((channel.name(), params.clone()));
                    params
                });
                let query_params = params
                    .map(|params| query_properties(&params, &components))
                    .unwrap_or_default();
                channels.insert(
                    format!("/subscription/{}/{{subscriber_id}}", channel.name()),
                    websocket_channel(listed, &message_ref, &auth, query_params),
                );
                let envelope = format!("Event.{}", channel.name());
                messages.insert(
                    envelope.clone(),
                    event_envelope(channel, &envelope, &payload, &mut payload_schemas),
                );
                websocket_messages
                    .push(json!({"$ref": format!("#/components/messages/{envelope}")}));
                websocket_names.push(channel.name());
            }
            ChannelKind::Webhook => {
                let server = format!("webhook-{}", channel.name());
                let url = channel.target_url().unwrap_or_default();
                let protocol = if url.starts_with("https:") {
                    "https"
                } else {
                    "http"
                };
                servers.insert(
                    server.clone(),
                    json!({"url": url, "protocol": protocol, "description": "Where this webhook's events are POSTed."}),
                );
                channels.insert(
                    channel.name().into(),
                    json!({
                        "description": describe(channel, "Each event is POSTed as JSON to the webhook URL, retried with exponential backoff."),
                        "servers": [server],
                        "bindings": {"http": {"type": "request", "method": "POST", "bindingVersion": "0.1.0"}},
                        "subscribe": {
                            "operationId": format!("receive_{}", channel.name()),
                            "summary": format!("The webhook receiver gets each `{}` event.", channel.name()),
                            "tags": [{"name": WEBHOOK_TAG}],
                            "message": message_ref,
                        },
                    }),
                );
            }
            ChannelKind::Background => {}
        }
    }
    if !websocket_names.is_empty() {
        messages.insert(
            "Subscribed".into(),
            subscribed_message(&websocket_names, &mut payload_schemas),
        );
        messages.insert(
            "Gap".into(),
            gap_message(&websocket_names, &mut payload_schemas),
        );
        websocket_messages.insert(0, json!({"$ref": "#/components/messages/Gap"}));
        websocket_messages.insert(0, json!({"$ref": "#/components/messages/Subscribed"}));
    }
    channels.insert(
        "/subscription".into(),
        command_channel(&websocket_names, websocket_messages, &auth),
    );
    messages.insert(
        "Subscribe".into(),
        command_message(
            "Subscribe",
            &websocket_names,
            &with_params,
            &mut payload_schemas,
        ),
    );
    messages.insert(
        "Unsubscribe".into(),
        command_message("Unsubscribe", &websocket_names, &[], &mut payload_schemas),
    );
    let mut security_schemes = serde_json::Map::new();
    security_schemes.insert(auth.key.clone(), auth.header_scheme());
    security_schemes.insert(
        "query_token".into(),
        json!({"type": "httpApiKey", "in": "query", "name": "token", "description": "The same token as `?token=`, for browsers that cannot set headers on websockets."}),
    );
    let mut info = json!({
        "title": config.api_title,
        "version": config.api_version,
        "description": format!(
            "Event channels. Connect a websocket to `/subscription/{{channel}}/{{subscriber_id}}` (or \
             `/subscription/{{channel}}?subscriber_id=..`) to be subscribed at once (events arrive as their bare JSON; \
             the other query keys are the channel's subscription parameters), or to `/subscription` and send \
             `{{\"type\": \"Subscribe\", \"payload\": \"<channel>\"}}` or `{{\"type\": \"Subscribe\", \"payload\": \
             {{\"channel\": \"<channel>\", \"params\": {{..}}}}}}` / `Unsubscribe`: each `Subscribe` is answered with \
             `{{\"type\": \"Subscribed\", \"channel\": \"<channel>\"}}` once every event published from then on reaches \
             the connection, and events arrive as `{{\"type\": \"Event\", \"channel\": \"<channel>\", \"id\": <id>, \"payload\": <event>}}`. \
             Each channel numbers its events and keeps the recent ones: `\"since\": <id>` in a `Subscribe` (or `?since=` on the \
             path form, whose events then come in the same envelope) replays the kept events after that id before the live ones, \
             after a `Gap` message when some are no longer kept. \
             A token goes in `Authorization: {scheme} <token>` or `?token=`. A refused subscriber's handshake \
             completes, then the connection closes with a code: {CLOSE_UNAUTHENTICATED} no valid token, \
             {CLOSE_FORBIDDEN} missing scope, {CLOSE_UNKNOWN_CHANNEL} unknown channel (on connect, or on `Subscribe`), \
             {CLOSE_INVALID_PARAMS} subscription parameters that do not fit the channel's (the reason names each field), \
             {CLOSE_HISTORY_UNAVAILABLE} the history to resume from cannot be read now, \
             {CLOSE_BAD_MESSAGE} malformed command, {CLOSE_TOO_SLOW} the subscriber read too slowly \
             ({SUBSCRIBER_BUFFER} events waiting), {CLOSE_TOO_BIG} message too large, {CLOSE_GOING_AWAY} server shutting down, \
             {CLOSE_SERVICE_RESTART} server restarting (a new build taking over in development: reconnect)."
        ),
    });
    if let Some(info) = info.as_object_mut() {
        if let Some(description) = &config.api_description {
            info.insert("x-api-description".into(), json!(description));
        }
        if let Some(contact) = &config.api_contact {
            info.insert("contact".into(), contact_object(contact));
        }
        if let Some(license) = &config.api_license {
            info.insert("license".into(), json!({"name": license}));
        }
    }
    let mut schemas = match serde_json::to_value(&components) {
        Ok(Value::Object(schemas)) => schemas,
        _ => Map::new(),
    };
    schemas.extend(payload_schemas);
    json!({
        "asyncapi": "2.6.0",
        "id": document_id(&config.api_title),
        "info": info,
        "tags": [
            {"name": WEBSOCKET_TAG, "description": "Websocket channels and the `/subscription` protocol."},
            {"name": WEBHOOK_TAG, "description": "Events POSTed to webhook URLs."},
        ],
        "servers": servers,
        "defaultContentType": "application/json",
        "channels": channels,
        "components": {
            "schemas": schemas,
            "messages": messages,
            "securitySchemes": security_schemes,
        },
    })
}

fn describe(channel: &dyn EventChannel, fallback: &str) -> String {
    match doc_text(channel.doc()) {
        doc if doc.is_empty() => fallback.to_owned(),
        doc => doc,
    }
}

/// How the app's authenticator takes a token, as the document describes it.
struct AuthDoc {
    /// The security scheme's key (`bearer`, `token`).
    key: String,
    /// The `Authorization` header's scheme word (`Bearer`, `Token`).
    scheme: String,
}

impl AuthDoc {
    fn of(app: &App) -> Self {
        Self {
            key: app.authenticator().security_scheme().name().to_owned(),
            scheme: app.authenticator().challenge(false),
        }
    }

    /// The header security scheme: HTTP bearer for `Bearer`, an API key in `Authorization` otherwise.
    fn header_scheme(&self) -> Value {
        if self.scheme.eq_ignore_ascii_case("bearer") {
            json!({"type": "http", "scheme": "bearer", "bearerFormat": "JWT", "description": "`Authorization: Bearer <token>`."})
        } else {
            json!({"type": "httpApiKey", "in": "header", "name": "Authorization", "description": format!("`Authorization: {} <token>`.", self.scheme)})
        }
    }
}

fn connect_binding(with_subscriber_id: bool, auth: &AuthDoc) -> Value {
    let mut query = json!({
        "token": {"type": "string", "description": "A bearer token, when the `Authorization` header cannot be set."},
    });
    if with_subscriber_id && let Some(query) = query.as_object_mut() {
        query.insert(
            "subscriber_id".into(),
            json!({"type": "string", "description": "The id targeted publishes reach; random when absent."}),
        );
    }
    json!({
        "ws": {
            "method": "GET",
            "query": {"type": "object", "properties": query},
            "headers": {"type": "object", "properties": {"Authorization": {"type": "string", "description": format!("`{} <token>`.", auth.scheme)}}},
            "bindingVersion": "0.1.0",
        }
    })
}

fn security(listed: &Listed, auth: &AuthDoc) -> Option<Value> {
    listed.required_scopes().map(|_| {
        let mut header = serde_json::Map::new();
        header.insert(auth.key.clone(), json!([]));
        json!([header, {"query_token": []}])
    })
}

/// The properties of a subscription parameters schema (`$ref` followed), as query parameters.
fn query_properties(params: &Value, components: &Components) -> Map<String, Value> {
    let resolved = params["$ref"]
        .as_str()
        .and_then(|reference| reference.strip_prefix("#/components/schemas/"))
        .and_then(|name| components.get(name))
        .and_then(|schema| serde_json::to_value(schema).ok())
        .unwrap_or_else(|| params.clone());
    match resolved.get("properties") {
        Some(Value::Object(properties)) => properties.clone(),
        _ => Map::new(),
    }
}

fn websocket_channel(
    listed: &Listed,
    message_ref: &Value,
    auth: &AuthDoc,
    params: Map<String, Value>,
) -> Value {
    let channel = listed.channel;
    let required = listed.required_scopes();
    let scopes = required.clone().unwrap_or_default();
    let access = match (required, scopes.is_empty()) {
        (None, _) => "Open to everyone.".to_owned(),
        (Some(_), true) => "Needs a valid token.".to_owned(),
        (Some(_), false) => format!("Needs a token with the scope(s) {}.", scopes.join(", ")),
    };
    let mut subscribe = json!({
        "operationId": format!("receive_{}", channel.name()),
        "summary": format!("Receive the `{}` events (those its filter lets this subscriber see). {access}", channel.name()),
        "tags": [{"name": WEBSOCKET_TAG}],
        "message": message_ref,
    });
    if let (Some(security), Some(operation)) = (security(listed, auth), subscribe.as_object_mut()) {
        operation.insert("security".into(), security);
    }
    let mut bindings = connect_binding(false, auth);
    if let Some(query) = bindings["ws"]["query"]["properties"].as_object_mut() {
        query.extend(params);
        query.insert(
            "since".into(),
            event_id(
                "Resume after this event id; events then come as on `/subscription` (with their ids), after `Subscribed` (and a `Gap` when some are lost).",
            ),
        );
    }
    json!({
        "description": describe(channel, &format!("The `{}` channel, subscribed at once on connect.", channel.name())),
        "servers": ["servey"],
        "parameters": {
            "subscriber_id": {"description": "The id targeted publishes reach.", "schema": {"type": "string"}},
        },
        "bindings": bindings,
        "subscribe": subscribe,
    })
}

fn command_channel(names: &[&str], events: Vec<Value>, auth: &AuthDoc) -> Value {
    let mut item = json!({
        "description": "One connection for any number of channels: send Subscribe / Unsubscribe commands, receive \
                        the events of every subscribed channel.",
        "servers": ["servey"],
        "bindings": connect_binding(true, auth),
        "publish": {
            "operationId": "send_subscription_command",
            "summary": format!("Subscribe to or unsubscribe from a channel ({}).", names.join(", ")),
            "tags": [{"name": WEBSOCKET_TAG}],
            "message": {"oneOf": [
                {"$ref": "#/components/messages/Subscribe"},
                {"$ref": "#/components/messages/Unsubscribe"},
            ]},
        },
    });
    if !events.is_empty()
        && let Some(item) = item.as_object_mut()
    {
        item.insert(
            "subscribe".into(),
            json!({
                "operationId": "receive_subscribed_events",
                "summary": "The events of every channel this connection subscribed to, each in an envelope naming its channel.",
                "tags": [{"name": WEBSOCKET_TAG}],
                "message": {"oneOf": events},
            }),
        );
    }
    item
}
