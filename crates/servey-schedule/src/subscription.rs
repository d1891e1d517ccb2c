//! The websocket routes: `GET /subscription` (subscribe by message, Python servey 5's protocol) and
//! `GET /subscription/{channel}[/{subscriber_id}]` (subscribed at once; the query's keys other than
//! `token`, `subscriber_id` and `since` are the channel's subscription parameters). The path form writes each
//! event as its bare JSON; the shared connection wraps each in `{"type": "Event", "channel": "<name>",
//! "id": <id>, "payload": <event>}`, so that a client subscribed to several channels tells them apart and
//! can resume after the id (`since`; see [`join`](crate::join)), and answers
//! each `Subscribe` with `{"type": "Subscribed", "channel": "<name>"}` once every event published from
//! then on reaches it (on every instance, with a broker).
//!
//! Every refusal completes the handshake and closes with a code a browser can read (a refused handshake
//! shows only as 1006 there): `4401` for a missing or rejected token, `4403` for a missing scope, `4404`
//! for an unknown channel, `4422` for subscription parameters that do not fit the channel's (the reason
//! names each bad field), on connect (path form, or a rejected token on either) or on `Subscribe`;
//! `4400` for a message that is not `{"type": "Subscribe" | "Unsubscribe", "payload": "<channel>" |
//! {"channel": "<channel>", "params": {..}}}`;
//! `1013` (try again later) when a subscriber's buffer of [`SUBSCRIBER_BUFFER`](crate::hub::SUBSCRIBER_BUFFER)
//! events is full because it reads too slowly; `1009` for a message or frame larger than the configured
//! limit (`SERVEY_WEBSOCKET_MESSAGE_LIMIT`); `1001` when the server shuts down, `1012` when it restarts
//! under `cargo servey dev`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use futures_util::SinkExt;
use servey_core::{ActionError, App, Authorization, Credentials};

use crate::connection::{Connection, Events, Framing, Queued};
use crate::ending::{EndWatch, Ending};
use crate::join::{JoinFailed, Joining, join};
use crate::protocol::{Command, query_params, since_of};
use crate::read_gate::ReadGate;
use crate::runtime::Channels;

/// Bytes a connection reads from its client at once (a larger message takes several reads).
const READ_BUFFER: usize = 1024;

/// Events written to a socket before one flush at most (what is waiting in its buffer, up to this).
const WRITE_BATCH: usize = 32;

/// Close code: the subscriber read too slowly and its buffer overflowed.
pub const CLOSE_TOO_SLOW: u16 = 1013;
/// Close code: the server is shutting down.
pub const CLOSE_GOING_AWAY: u16 = 1001;
/// Close code: the server restarts (`cargo servey dev` serving a new build): reconnect.
pub const CLOSE_SERVICE_RESTART: u16 = 1012;
/// Close code: a message or frame over the configured size limit.
pub const CLOSE_TOO_BIG: u16 = 1009;
/// Close code: a client message that is not a Subscribe/Unsubscribe command.
pub const CLOSE_BAD_MESSAGE: u16 = 4400;
/// Close code: subscribing needs a (valid) token.
pub const CLOSE_UNAUTHENTICATED: u16 = 4401;
/// Close code: the token lacks the scope the channel needs.
pub const CLOSE_FORBIDDEN: u16 = 4403;
/// Close code: no websocket channel has that name.
pub const CLOSE_UNKNOWN_CHANNEL: u16 = 4404;
/// Close code: the subscription parameters do not fit the channel's (the reason names the fields).
pub const CLOSE_INVALID_PARAMS: u16 = 4422;

/// What the websocket routes serve: the app (its authorizer) and its channels.
#[derive(Debug, Clone)]
pub(crate) struct Routes {
    pub(crate) app: App,
    pub(crate) channels: Channels,
}

/// `GET /subscription[?token=..][&subscriber_id=..]`.
pub(crate) async fn by_message(
    State(routes): State<Routes>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let credentials = credentials(&routes.app, &headers, &query);
    let upgrade = limited(upgrade, &routes.app);
    let authorization = match credentials.authorization() {
        Ok(authorization) => authorization.cloned(),
        Err(error) => return refuse(upgrade, &error),
    };
    let subscriber_id = query
        .get("subscriber_id")
        .cloned()
        .unwrap_or_else(servey_core::context::new_request_id);
    upgrade.on_upgrade(move |socket| {
        let (connection, events) =
            routes
                .channels
                .subscribers()
                .connect(subscriber_id, authorization, Framing::Enveloped);
        serve(socket, routes.channels, connection, events, true)
    })
}

/// `GET /subscription/{channel}/{subscriber_id}[?token=..][&param=..]`.
pub(crate) async fn by_path(
    State(routes): State<Routes>,
    Path((channel_name, subscriber_id)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    subscribe_at_once(routes, channel_name, subscriber_id, query, headers, upgrade)
}

/// `GET /subscription/{channel}[?subscriber_id=..][&token=..][&param=..]`.
pub(crate) async fn by_channel(
    State(routes): State<Routes>,
    Path(channel_name): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let subscriber_id = query
        .get("subscriber_id")
        .cloned()
        .unwrap_or_else(servey_core::context::new_request_id);
    subscribe_at_once(routes, channel_name, subscriber_id, query, headers, upgrade)
}

/// The path forms: checks the caller and the parameters of the query, then subscribes on upgrade.
fn subscribe_at_once(
    routes: Routes,
    channel_name: String,
    subscriber_id: String,
    query: HashMap<String, String>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let credentials = credentials(&routes.app, &headers, &query);
    let upgrade = limited(upgrade, &routes.app);
    let allowed = routes
        .channels
        .catalog()
        .websocket(&channel_name)
        .and_then(|listed| {
            let authorization = credentials.authorization()?;
            listed.check_subscriber(authorization)?;
            let params = listed.decode_params(query_params(listed, &query))?;
            let since = since_of(&query)?;
            Ok((listed.channel.name(), authorization.cloned(), params, since))
        });
    let (name, authorization, params, since) = match allowed {
        Ok(allowed) => allowed,
        Err(error) => return refuse(upgrade, &error),
    };
    upgrade.on_upgrade(move |mut socket| async move {
        let subscribers = routes.channels.subscribers();
        // Resuming needs the ids, which only the envelope carries.
        let framing = match since {
            Some(_) => Framing::Enveloped,
            None => Framing::Bare,
        };
        let (connection, events) = subscribers.connect(subscriber_id, authorization, framing);
        subscribers.subscribe(name, &connection, params, since.is_some());
        if since.is_some() {
            let joining = Joining {
                channel: name,
                since,
            };
            if let Err(failed) =
                join(&mut socket, &routes.channels, &connection, joining, true).await
            {
                subscribers.disconnect(&connection);
                if let JoinFailed::Close(frame) = failed {
                    let _ = socket.send(Message::Close(Some(frame))).await;
                }
                return;
            }
        }
        serve(socket, routes.channels, connection, events, false).await;
    })
}

/// Completes the handshake and closes at once with the close code of `error` (see the module docs).
fn refuse(upgrade: WebSocketUpgrade, error: &ActionError) -> Response {
    let frame = refusal(error);
    tracing::debug!(code = frame.code, reason = %frame.reason, "refusing a websocket subscriber");
    upgrade.on_upgrade(move |mut socket| async move {
        let _ = tokio::time::timeout(
            Duration::from_secs(1),
            socket.send(Message::Close(Some(frame))),
        )
        .await;
    })
}

/// The close code of a refusal: `4401`, `4403`, `4404` or `4422` (the HTTP status REST would answer,
/// plus 4000).
fn close_code(error: &ActionError) -> u16 {
    match error.status() {
        401 => CLOSE_UNAUTHENTICATED,
        403 => CLOSE_FORBIDDEN,
        400 | 422 => CLOSE_INVALID_PARAMS,
        _ => CLOSE_UNKNOWN_CHANNEL,
    }
}

/// The close frame of a refusal: its code, and its detail followed by each bad field's path and words
/// (`1 invalid field: auction_id: must be at least 1`), as much as a close frame carries.
pub(crate) fn refusal(error: &ActionError) -> CloseFrame {
    let fields: Vec<String> = error
        .field_errors()
        .iter()
        .map(|field| format!("{}: {}", field.path, field.message))
        .collect();
    let reason = match fields.is_empty() {
        true => error.detail().to_owned(),
        false => format!("{}: {}", error.detail(), fields.join("; ")),
    };
    close_frame(close_code(error), &reason)
}

/// The upgrade with the app's message and frame size limit: anonymous clients may connect, so the
/// default (64 MiB) would let a few of them take the server's memory. The read buffer is small
/// ([`READ_BUFFER`]): clients send only short commands, and tungstenite zero-fills the whole free
/// buffer before every read attempt (128 KiB by default, on every event written, since the connection
/// also listens for commands), which cost more than the rest of a delivery and 128 KiB of memory per
/// connection.
fn limited(upgrade: WebSocketUpgrade, app: &App) -> WebSocketUpgrade {
    let limit = app.config().limits.websocket_message_bytes;
    upgrade
        .max_message_size(limit)
        .max_frame_size(limit)
        .read_buffer_size(READ_BUFFER)
}

/// The caller's credentials from the request's headers (through the app's authenticator) or, when it
/// sends no `Authorization` header (browsers cannot, on a websocket), from `?token=`.
fn credentials(app: &App, headers: &HeaderMap, query: &HashMap<String, String>) -> Credentials {
    match (
        headers.contains_key(header::AUTHORIZATION),
        query.get("token"),
    ) {
        (false, Some(token)) => app.authenticator().verify_token(token),
        _ => app.authenticator().authenticate(headers),
    }
}

/// Pumps events to the socket and (with `takes_commands`) Subscribe/Unsubscribe commands from it, until
/// either side closes or the subscriber falls too far behind.
///
/// The hub's end signal (overflow or shutdown) is an atomic and a waker, polled on every wake without a
/// lock, every event already waiting is written before a single flush, so a burst costs one write to the
/// socket, and the socket is read only when it woke its read side ([`ReadGate`]).
async fn serve(
    mut socket: WebSocket,
    channels: Channels,
    connection: Arc<Connection>,
    mut events: Events,
    takes_commands: bool,
) {
    let mut waiting = Vec::with_capacity(WRITE_BATCH);
    let mut reads = ReadGate::new();
    let mut end = EndWatch::default();
    let outcome = loop {
        tokio::select! {
            biased;
            ending = end.ended(&connection.ending) => break Some(ended(ending)),
            1.. = events.recv_many(&mut waiting, WRITE_BATCH) => {
                tokio::select! {
                    biased;
                    written = write_all(&mut socket, &mut waiting) => if written.is_err() { break None },
                    ending = end.ended(&connection.ending) => break Some(ended(ending)),
                }
            }
            incoming = reads.recv(&mut socket) => match incoming {
                Some(Ok(Message::Text(text))) if takes_commands => {
                    match command(&channels, &connection, text.as_str()) {
                        Err(close) => break Some(close),
                        Ok(None) => {}
                        Ok(Some(joining)) => {
                            let joined = tokio::select! {
                                biased;
                                ending = end.ended(&connection.ending) => break Some(ended(ending)),
                                joined = join(&mut socket, &channels, &connection, joining, true) => joined,
                            };
                            match joined {
                                Ok(()) => {}
                                Err(JoinFailed::Socket) => break None,
                                Err(JoinFailed::Close(frame)) => break Some(frame),
                            }
                        }
                    }
                }
                Some(Err(error)) if is_too_big(&error) => break Some(close_frame(
                    CLOSE_TOO_BIG,
                    "the message is larger than the server accepts",
                )),
                Some(Ok(Message::Close(_)) | Err(_)) | None => break None,
                Some(Ok(_)) => {}
            },
        }
    };
    channels.subscribers().disconnect(&connection);
    if let Some(frame) = outcome {
        tracing::debug!(subscriber_id = %connection.subscriber_id, code = frame.code, reason = %frame.reason, "closing a websocket");
        let _ = tokio::time::timeout(
            Duration::from_secs(1),
            socket.send(Message::Close(Some(frame))),
        )
        .await;
    }
}

/// Writes the events of `waiting` in order as text frames, then flushes once.
async fn write_all(socket: &mut WebSocket, waiting: &mut Vec<Queued>) -> Result<(), axum::Error> {
    // Taken from the back of the reversed batch: cheaper than a drain for the usual batch of one.
    waiting.reverse();
    while let Some((_, event)) = waiting.pop() {
        socket.feed(Message::Text(event)).await?;
    }
    socket.flush().await
}

/// The close frame of a connection the hub ended.
fn ended(ending: Ending) -> CloseFrame {
    match ending {
        Ending::GoingAway => close_frame(CLOSE_GOING_AWAY, "the server is shutting down"),
        Ending::Restarting => {
            close_frame(CLOSE_SERVICE_RESTART, "the server is restarting; reconnect")
        }
        Ending::TooSlow => close_frame(
            CLOSE_TOO_SLOW,
            "too slow: the subscriber's event buffer is full; reconnect and read faster",
        ),
    }
}

/// Whether a read failed because a message or frame was over the size limit.
fn is_too_big(error: &axum::Error) -> bool {
    use tokio_tungstenite::tungstenite::Error;
    std::error::Error::source(error)
        .and_then(|source| source.downcast_ref::<Error>())
        .is_some_and(|error| matches!(error, Error::Capacity(_)))
}

/// Carries out one command; a `Subscribe` registers the subscription held and returns it to join.
fn command(
    channels: &Channels,
    connection: &Arc<Connection>,
    text: &str,
) -> Result<Option<Joining>, CloseFrame> {
    let command = serde_json::from_str::<Command>(text).map_err(|_| {
        close_frame(
            CLOSE_BAD_MESSAGE,
            r#"expected {"type": "Subscribe" or "Unsubscribe", "payload": "<channel>" or {"channel": .., "params": {..}}}"#,
        )
    })?;
    let (Command::Subscribe(target) | Command::Unsubscribe(target)) = &command;
    let refused = |error: ActionError| refusal(&error);
    let listed = channels
        .catalog()
        .websocket(target.channel())
        .map_err(refused)?;
    let name = listed.channel.name();
    match command {
        Command::Subscribe(target) => {
            listed
                .check_subscriber(connection_authorization(connection))
                .map_err(refused)?;
            let (params, since) = target.into_parts();
            let params = listed.decode_params(params).map_err(refused)?;
            channels
                .subscribers()
                .subscribe(name, connection, params, true);
            Ok(Some(Joining {
                channel: name,
                since,
            }))
        }
        Command::Unsubscribe(_) => {
            channels.subscribers().unsubscribe(name, connection);
            Ok(None)
        }
    }
}

fn connection_authorization(connection: &Connection) -> Option<&Authorization> {
    connection.authorization.as_ref()
}

/// A close frame; the reason is cut to the 123 bytes a close frame can carry.
fn close_frame(code: u16, reason: &str) -> CloseFrame {
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    CloseFrame {
        code,
        reason: reason[..end].to_owned().into(),
    }
}
