//! Joining a websocket subscriber to its channel: the subscription is registered *held* first (live
//! events wait beside it), then, once the fan-out is live, the connection writes the `Subscribed`
//! acknowledgement, and when it resumes (`since`) a `Gap` if events were lost and the kept events after
//! its id, and only then lets the held live events through, minus those the replay already held. So
//! an event published after the acknowledgement always arrives, and the replay meets the live events
//! without a duplicate or a gap.

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures_util::SinkExt;
use servey_core::backend::Envelope;

use crate::channel::Subscriber;
use crate::connection::{Connection, Framing};
use crate::protocol::{framed, gap, subscribed};
use crate::runtime::Channels;

/// Close code: the channel's event history could not be read to resume (the broker is away).
pub const CLOSE_HISTORY_UNAVAILABLE: u16 = 1011;

/// A subscription registered held, to acknowledge, replay and release.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Joining {
    /// The channel.
    pub(crate) channel: &'static str,
    /// The event id to resume after, if any.
    pub(crate) since: Option<u64>,
}

/// Why a join did not finish.
pub(crate) enum JoinFailed {
    /// The socket failed: the connection is over.
    Socket,
    /// The connection is to close with this frame.
    Close(CloseFrame),
}

/// Waits until the fan-out is live, writes the acknowledgement (with `acknowledge`) and the replay of
/// `joining` to `socket`, then releases the held live events of `connection`.
pub(crate) async fn join(
    socket: &mut WebSocket,
    channels: &Channels,
    connection: &Connection,
    joining: Joining,
    acknowledge: bool,
) -> Result<(), JoinFailed> {
    let Joining { channel, since } = joining;
    channels.until_live().await;
    let replay = match since {
        Some(since) => match channels.replay(channel, since).await {
            Ok(replay) => Some((since, replay)),
            Err(error) => {
                tracing::warn!(channel, %error, "cannot read a channel's history to resume a subscriber");
                return Err(JoinFailed::Close(CloseFrame {
                    code: CLOSE_HISTORY_UNAVAILABLE,
                    reason: "the channel's history cannot be read now; reconnect later".into(),
                }));
            }
        },
        None => None,
    };
    let socket_failed = |_| JoinFailed::Socket;
    if acknowledge {
        socket
            .feed(Message::Text(subscribed(channel)))
            .await
            .map_err(socket_failed)?;
    }
    let mut replayed_through = 0;
    if let Some((since, replay)) = replay {
        if replay.is_lost {
            let first_id = replay.first_id().unwrap_or(replay.last_id + 1);
            socket
                .feed(Message::Text(gap(channel, since, first_id)))
                .await
                .map_err(socket_failed)?;
        }
        for (_, text) in replayed(channels, channel, connection, &replay.events) {
            socket
                .feed(Message::Text(text))
                .await
                .map_err(socket_failed)?;
        }
        replayed_through = replay.last_id;
    }
    socket.flush().await.map_err(socket_failed)?;
    channels
        .subscribers()
        .release(channel, connection, replayed_through);
    Ok(())
}

/// The replayed `events` of `channel` that `connection` sees (its target, and the channel's filter with
/// the parameters it subscribed with), as it writes them, with their ids.
pub(crate) fn replayed(
    channels: &Channels,
    channel: &str,
    connection: &Connection,
    events: &[Envelope],
) -> Vec<(u64, Utf8Bytes)> {
    let params = channels.subscribers().params_of(channel, connection);
    let listed = channels.catalog().get(channel);
    events
        .iter()
        .filter(|envelope| {
            envelope
                .target
                .as_deref()
                .is_none_or(|target| target == connection.subscriber_id)
        })
        .filter_map(|envelope| {
            let payload = std::str::from_utf8(&envelope.payload).ok()?;
            let filter = listed.and_then(|listed| listed.channel.subscriber_filter(payload));
            let sees = filter.is_none_or(|filter| {
                filter(&Subscriber {
                    authorization: connection.authorization.as_ref(),
                    id: &connection.subscriber_id,
                    params: params.as_deref(),
                })
            });
            sees.then(|| {
                let text = match connection.framing {
                    Framing::Bare => Utf8Bytes::from(payload.to_owned()),
                    Framing::Enveloped => framed(channel, envelope.id, payload),
                };
                (envelope.id, text)
            })
        })
        .collect()
}
