//! The events of an API Gateway websocket API (`$connect`, `$default`, `$disconnect`, all routed to the
//! app's function): servey's `/subscription` protocol, with the connections and their subscriptions
//! kept in DynamoDB. A connection is checked like a websocket on the server (a token in the
//! `Authorization` header or `?token=`, `?subscriber_id=`), each `Subscribe` like the server checks it;
//! the answers (`Subscribed`, events) are posted through the Management API.
//!
//! What differs, because API Gateway holds the socket: a refused connection is refused at the handshake
//! (HTTP 401 or 403) rather than closed with 4401 or 4403, and a refused command is answered with
//! `{"type": "Error", "code": .., "reason": ..}` before API Gateway closes the connection. No events are
//! kept: a `Subscribe` that resumes (`since`) is told the gap (`{"type": "Gap", ..}`) when events were
//! published after its id.

use std::collections::HashMap;

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use serde::Deserialize;
use serde_json::{Value, json};
use servey_aws::{Connections, Poster, StoredConnection};
use servey_core::App;
use servey_schedule::{Channels, RemoteCommand, RemoteSubscriptions};

use super::LambdaError;
use crate::aws_settings::AwsSettings;

/// One websocket event as API Gateway sends it (the fields servey reads).
#[derive(Debug, Deserialize)]
pub(crate) struct WebsocketEvent {
    #[serde(rename = "requestContext")]
    context: WebsocketContext,
    #[serde(default)]
    body: Option<String>,
    #[serde(default, rename = "isBase64Encoded")]
    is_base64_encoded: bool,
    #[serde(default, rename = "queryStringParameters")]
    query: Option<HashMap<String, String>>,
    #[serde(default)]
    headers: Option<HashMap<String, String>>,
}

#[derive(Debug, Deserialize)]
struct WebsocketContext {
    #[serde(rename = "eventType")]
    event_type: String,
    #[serde(rename = "connectionId")]
    connection_id: String,
}

impl WebsocketEvent {
    /// `event` if it is a websocket API's event.
    pub(crate) fn parse(event: &str) -> Option<Self> {
        let event: Self = serde_json::from_str(event).ok()?;
        matches!(
            event.context.event_type.as_str(),
            "CONNECT" | "MESSAGE" | "DISCONNECT"
        )
        .then_some(event)
    }
}

/// The connections table and the Management API of the app's websocket API.
#[derive(Debug, Clone)]
pub(crate) struct Websockets {
    connections: Connections,
    poster: Poster,
    remote: RemoteSubscriptions,
}

impl Websockets {
    /// The websockets `app`'s settings name, if they name them.
    pub(crate) async fn of(app: &App, channels: &Channels) -> Option<Self> {
        let settings = AwsSettings::from_settings(&app.config().settings);
        let (Some(table), Some(endpoint)) =
            (settings.connections_table, settings.websocket_endpoint)
        else {
            return None;
        };
        let config = servey_aws::sdk_config().await;
        Some(Self {
            connections: Connections::new(&config, table),
            poster: Poster::new(&config, &endpoint),
            remote: channels.remote(),
        })
    }

    /// Answers one websocket event: `{"statusCode": ..}`, as API Gateway expects of a websocket route.
    pub(crate) async fn answer(
        &self,
        app: &App,
        event: WebsocketEvent,
    ) -> Result<Value, LambdaError> {
        let id = event.context.connection_id.as_str();
        match event.context.event_type.as_str() {
            "CONNECT" => self.connect(app, &event).await,
            "MESSAGE" => {
                let text = body_text(&event);
                self.message(id, &text).await?;
                Ok(json!({"statusCode": 200}))
            }
            _ => {
                self.connections.disconnect(id).await?;
                Ok(json!({"statusCode": 200}))
            }
        }
    }

    async fn connect(&self, app: &App, event: &WebsocketEvent) -> Result<Value, LambdaError> {
        let query = event.query.clone().unwrap_or_default();
        let headers = header_map(event.headers.as_ref());
        let credentials = match (
            headers.contains_key(axum::http::header::AUTHORIZATION),
            query.get("token"),
        ) {
            (false, Some(token)) => app.authenticator().verify_token(token),
            _ => app.authenticator().authenticate(&headers),
        };
        let authorization = match credentials.authorization() {
            Ok(authorization) => authorization.cloned(),
            Err(error) => {
                tracing::debug!(status = error.status(), "refusing a websocket connection");
                return Ok(json!({"statusCode": error.status(), "body": error.detail()}));
            }
        };
        let connection = StoredConnection {
            subscriber_id: query
                .get("subscriber_id")
                .cloned()
                .unwrap_or_else(servey_core::context::new_request_id),
            authorization,
        };
        self.connections
            .connect(&event.context.connection_id, &connection)
            .await?;
        Ok(json!({"statusCode": 200}))
    }

    /// Carries out one command of connection `id`; a refusal is told to the client, then the connection
    /// is closed.
    async fn message(&self, id: &str, text: &str) -> Result<(), LambdaError> {
        let Some(connection) = self.connections.connection(id).await? else {
            // Its items expired (API Gateway closes a connection after two hours) or it never connected.
            self.poster.close(id).await?;
            return Ok(());
        };
        match self.remote.command(text, connection.authorization.as_ref()) {
            Ok(RemoteCommand::Subscribe {
                channel,
                params,
                since,
            }) => {
                self.connections
                    .subscribe(id, &connection, channel, &params)
                    .await?;
                self.poster
                    .post(id, &RemoteSubscriptions::subscribed(channel))
                    .await?;
                // No events are kept here: one that resumes learns what it missed, to fetch it itself.
                if let Some(since) = since {
                    let last = self.connections.last_event_id(channel).await?;
                    if since < last {
                        let gap = RemoteSubscriptions::gap(channel, since, last + 1);
                        self.poster.post(id, &gap).await?;
                    }
                }
            }
            Ok(RemoteCommand::Unsubscribe { channel }) => {
                self.connections.unsubscribe(id, channel).await?;
            }
            Err(refusal) => {
                tracing::debug!(code = refusal.code, reason = %refusal.reason, "refusing a websocket command");
                self.poster.post(id, &refusal.message()).await?;
                self.poster.close(id).await?;
                self.connections.disconnect(id).await?;
            }
        }
        Ok(())
    }
}

/// The message's text (API Gateway base64-encodes a binary frame).
fn body_text(event: &WebsocketEvent) -> String {
    let body = event.body.clone().unwrap_or_default();
    if !event.is_base64_encoded {
        return body;
    }
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(body.as_bytes())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .unwrap_or_default()
}

/// The event's headers as a header map (those that are not valid headers are left out).
fn header_map(headers: Option<&HashMap<String, String>>) -> HeaderMap {
    headers
        .into_iter()
        .flatten()
        .filter_map(|(name, value)| {
            Some((
                HeaderName::from_bytes(name.as_bytes()).ok()?,
                HeaderValue::from_str(value).ok()?,
            ))
        })
        .collect()
}
