//! One GraphQL websocket connection at `GET /graphql`: async-graphql's protocol engine (graphql-transport-ws,
//! and the older graphql-ws) between the socket and the schema, with what that engine leaves out of
//! graphql-transport-ws enforced here: `connection_init` within a deadline (else 4408), no `subscribe`
//! before it (4401), no second operation under an id still running (4409), and a message or frame past
//! the size limit closes the socket with 1009. Queries and mutations sent over the socket hold one of
//! the app's request slots while they run (see [`SocketSlots`]).

use std::collections::HashSet;
use std::str::FromStr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_graphql::Data;
use async_graphql::dynamic::Schema;
use async_graphql::http::{ALL_WEBSOCKET_PROTOCOLS, WebSocket, WebSocketProtocols, WsMessage};
use axum::extract::WebSocketUpgrade;
use axum::extract::ws::{CloseFrame, Message};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};
use servey_core::{App, Context, Credentials};

use crate::extension::SocketSlots;

/// The close code sent when the server shuts down.
const CLOSE_GOING_AWAY: u16 = 1001;
/// The close code sent when the server stops in dev mode (`cargo servey dev` swapping builds): reconnect.
const CLOSE_SERVICE_RESTART: u16 = 1012;
/// The close code for a message or frame larger than the limit.
const CLOSE_TOO_BIG: u16 = 1009;
/// graphql-transport-ws: an operation before `connection_init`.
const CLOSE_UNAUTHORIZED: u16 = 4401;
/// graphql-transport-ws: no `connection_init` within the deadline.
const CLOSE_INIT_TIMEOUT: u16 = 4408;
/// graphql-transport-ws: a `subscribe` under the id of an operation still running.
const CLOSE_DUPLICATE_ID: u16 = 4409;

/// The websocket subprotocol a request asks for: the first of its `Sec-WebSocket-Protocol` list that
/// async-graphql speaks.
pub(crate) fn protocol(headers: &HeaderMap) -> Option<WebSocketProtocols> {
    headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)?
        .to_str()
        .ok()?
        .split(',')
        .find_map(|name| WebSocketProtocols::from_str(name.trim()).ok())
}

/// Upgrades `GET /graphql` to a GraphQL websocket over `schema`; `header_context` is the caller as the
/// upgrade request's headers say, unless `connection_init` carries a token.
pub(crate) fn serve(
    app: &App,
    schema: Schema,
    protocol: WebSocketProtocols,
    upgrade: WebSocketUpgrade,
    header_context: Context,
    init_timeout: Duration,
) -> Response {
    let message_limit = app.config().limits.websocket_message_bytes;
    let app = app.clone();
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .max_message_size(message_limit)
        .max_frame_size(message_limit)
        .on_upgrade(move |socket| async move {
            connection(app, schema, protocol, socket, header_context, init_timeout).await;
        })
}

/// What the connection has seen of the client, and why it closes, when it is this side that does.
#[derive(Default)]
struct Session {
    is_initialised: bool,
    /// The ids of the operations running.
    running: HashSet<String>,
    close: Option<(u16, String)>,
}

impl Session {
    /// Whether the client's `message` may reach the protocol engine; when not, the close is set. The
    /// operations' checks are graphql-transport-ws's (`checks_operations`); the older graphql-ws has no
    /// close codes for them.
    fn admit(&mut self, message: &[u8], checks_operations: bool) -> bool {
        #[derive(serde::Deserialize)]
        struct Head {
            #[serde(rename = "type")]
            kind: String,
            id: Option<String>,
        }
        // A malformed message is the engine's to refuse.
        let Ok(head) = serde_json::from_slice::<Head>(message) else {
            return true;
        };
        match (head.kind.as_str(), head.id) {
            ("connection_init", _) => self.is_initialised = true,
            _ if !checks_operations => {}
            ("subscribe", _) if !self.is_initialised => {
                self.close = Some((CLOSE_UNAUTHORIZED, "Unauthorized".to_owned()));
            }
            ("subscribe", Some(id)) => {
                if self.running.contains(&id) {
                    self.close = Some((
                        CLOSE_DUPLICATE_ID,
                        format!("Subscriber for {id} already exists"),
                    ));
                } else {
                    self.running.insert(id);
                }
            }
            ("complete", Some(id)) => {
                self.running.remove(&id);
            }
            _ => {}
        }
        self.close.is_none()
    }

    /// Notes an operation the engine ended (`complete`) from the text it sends.
    fn sent(&mut self, text: &str) {
        if let Some(rest) = text.strip_prefix(r#"{"type":"complete","id":"#)
            && let Ok(id) = serde_json::from_str::<String>(rest.trim_end_matches('}'))
        {
            self.running.remove(&id);
        }
    }
}

async fn connection(
    app: App,
    schema: Schema,
    protocol: WebSocketProtocols,
    socket: axum::extract::ws::WebSocket,
    header_context: Context,
    init_timeout: Duration,
) {
    let checks_operations = protocol == WebSocketProtocols::GraphQLWS;
    let session = Arc::new(Mutex::new(Session::default()));
    let (mut sink, stream) = socket.split();
    let closing = {
        let source = app
            .backends()
            .event_subscriptions()
            .map(|source| source.closing());
        let session = session.clone();
        let close = if app.config().dev {
            (CLOSE_SERVICE_RESTART, "the server is restarting; reconnect")
        } else {
            (CLOSE_GOING_AWAY, "the server is shutting down")
        };
        async move {
            match source {
                Some(closing) => closing.await,
                None => std::future::pending().await,
            }
            session_of(&session).close = Some((close.0, close.1.to_owned()));
        }
    };
    let input = {
        let (session, admitting) = (session.clone(), session.clone());
        stream
            .take_until(closing)
            .map(move |message| match message {
                Ok(message @ (Message::Text(_) | Message::Binary(_))) => {
                    Some(Some(message.into_data()))
                }
                Ok(_) => Some(None),
                Err(error) => {
                    if is_too_big(&error) {
                        session_of(&session).close = Some((
                            CLOSE_TOO_BIG,
                            "the message is larger than the server accepts".to_owned(),
                        ));
                    }
                    None
                }
            })
            .take_while(|message| std::future::ready(message.is_some()))
            .filter_map(|message| std::future::ready(message.flatten()))
            .take_while(move |data| {
                std::future::ready(session_of(&admitting).admit(data, checks_operations))
            })
    };
    let slots = SocketSlots(app.request_slots().clone());
    let messages =
        WebSocket::new(schema, input, protocol).on_connection_init(move |payload| async move {
            let context = init_context(&app, &payload, header_context);
            let mut data = Data::default();
            data.insert(context);
            data.insert(slots);
            Ok(data)
        });
    futures_util::pin_mut!(messages);
    let deadline = tokio::time::sleep(init_timeout);
    futures_util::pin_mut!(deadline);
    loop {
        let is_initialised = session_of(&session).is_initialised;
        let message = tokio::select! {
            message = messages.next() => message,
            () = &mut deadline, if !is_initialised => {
                session_of(&session).close =
                    Some((CLOSE_INIT_TIMEOUT, "Connection initialisation timeout".to_owned()));
                None
            }
        };
        let message = match message {
            Some(WsMessage::Text(text)) => {
                session_of(&session).sent(&text);
                Message::Text(text.into())
            }
            Some(WsMessage::Close(code, reason)) => close(code, reason),
            None => match session_of(&session).close.take() {
                Some((code, reason)) => close(code, reason),
                None => return,
            },
        };
        let is_close = matches!(message, Message::Close(_));
        if sink.send(message).await.is_err() || is_close {
            return;
        }
    }
}

fn session_of(session: &Mutex<Session>) -> std::sync::MutexGuard<'_, Session> {
    // The session is plain data: a panic while it was held left nothing half-done that matters.
    session.lock().unwrap_or_else(PoisonError::into_inner)
}

fn close(code: u16, reason: String) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}

/// Whether a read failed because the message or a frame was larger than the limit.
fn is_too_big(error: &axum::Error) -> bool {
    use tokio_tungstenite::tungstenite::Error;
    std::error::Error::source(error)
        .and_then(|source| source.downcast_ref::<Error>())
        .is_some_and(|error| matches!(error, Error::Capacity(_)))
}

/// The caller of a `connection_init` payload, read by the app's authenticator as the websocket
/// channels' caller is: `{"Authorization": "<scheme> <token>"}` (the key in any case) as that request
/// header, `{"token": "<token>"}` as a bare token. A payload with neither keeps the upgrade's caller.
fn init_context(app: &App, payload: &serde_json::Value, header_context: Context) -> Context {
    let Some(object) = payload.as_object() else {
        return header_context;
    };
    let authorization = object
        .iter()
        .find_map(|(key, value)| key.eq_ignore_ascii_case("authorization").then_some(value));
    let credentials = match (authorization, object.get("token")) {
        (Some(value), _) => {
            let mut headers = HeaderMap::new();
            match value.as_str().map(HeaderValue::from_str) {
                Some(Ok(value)) => {
                    headers.insert(header::AUTHORIZATION, value);
                    app.authenticator().authenticate(&headers)
                }
                _ => Credentials::Rejected(
                    "the connection_init Authorization is not a header value".to_owned(),
                ),
            }
        }
        (None, Some(token)) => match token.as_str() {
            Some(token) => app.authenticator().verify_token(token.trim()),
            None => Credentials::Rejected("the connection_init token is not a string".to_owned()),
        },
        (None, None) => return header_context,
    };
    header_context.credentials(credentials)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_older_protocol_is_initialised_too_but_its_operations_are_not_checked() {
        let mut session = Session::default();
        let start = br#"{"type": "start", "id": "1", "payload": {"query": "{ a }"}}"#;
        assert!(session.admit(br#"{"type": "subscribe", "id": "1"}"#, false));
        assert!(session.admit(br#"{"type": "connection_init"}"#, false));
        assert!(session.is_initialised, "its deadline is met");
        assert!(session.admit(start, false) && session.admit(start, false));
    }

    #[test]
    fn a_completed_operation_frees_its_id() {
        let mut session = Session::default();
        let subscribe = br#"{"type": "subscribe", "id": "a\"b", "payload": {}}"#;
        assert!(session.admit(br#"{"type": "connection_init"}"#, true));
        assert!(session.admit(subscribe, true));
        session.sent(r#"{"type":"complete","id":"a\"b"}"#);
        assert!(session.admit(subscribe, true), "the engine completed it");
        assert!(!session.admit(subscribe, true));
        assert_eq!(
            session.close,
            Some((
                CLOSE_DUPLICATE_ID,
                r#"Subscriber for a"b already exists"#.to_owned()
            ))
        );
    }
}
