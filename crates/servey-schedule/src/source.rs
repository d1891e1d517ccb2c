//! The app's websocket channels offered to other transports (GraphQL subscriptions) through core's
//! [`EventSource`]: each subscription is one hub connection of its own, so it gets the same access
//! control, event filter, targeted publishes, bounded buffer and shutdown as a websocket subscriber.

use std::collections::VecDeque;
use std::sync::Arc;

use futures_util::StreamExt;
use futures_util::future::BoxFuture;
use servey_core::event::{
    EventSource, EventStream, EventStreamError, StreamedEvent, SubscribableChannel,
    SubscribeRequest,
};
use servey_core::schema::{ActionSchema, Components};
use servey_core::{ActionError, Authorization};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{Object, Schema, Type};

use crate::channel::{ChannelKind, doc_text};
use crate::connection::{Connection, Events, Framing};
use crate::ending::Ending;
use crate::hub::SUBSCRIBER_BUFFER;
use crate::join::replayed;
use crate::runtime::Channels;

impl EventSource for Channels {
    fn channels(&self) -> Vec<SubscribableChannel> {
        self.catalog()
            .iter()
            .filter(|listed| listed.channel.kind() == ChannelKind::Websocket)
            .map(|listed| {
                let channel = listed.channel;
                let schema = listed.params.clone().unwrap_or_else(|| {
                    let mut components = Components::new();
                    let event = channel.event_schema(&mut components);
                    let no_input = RefOr::T(Schema::Object(Object::with_type(Type::Object)));
                    ActionSchema::new(no_input, event, components)
                });
                SubscribableChannel {
                    name: channel.name(),
                    description: Some(doc_text(channel.doc())).filter(|doc| !doc.is_empty()),
                    schema,
                }
            })
            .collect()
    }

    fn subscribe(
        &self,
        channel: &str,
        subscriber_id: String,
        authorization: Option<Authorization>,
    ) -> Result<EventStream, ActionError> {
        self.subscribe_with(SubscribeRequest::new(channel, subscriber_id, authorization))
    }

    fn subscribe_with(&self, request: SubscribeRequest) -> Result<EventStream, ActionError> {
        let listed = self.catalog().websocket(&request.channel)?;
        listed.check_subscriber(request.authorization.as_ref())?;
        let params = listed.decode_params(request.params)?;
        let subscribers = self.subscribers();
        let (connection, events) =
            subscribers.connect(request.subscriber_id, request.authorization, Framing::Bare);
        let channel = listed.channel.name();
        subscribers.subscribe(channel, &connection, params, request.since.is_some());
        let subscription = Subscription {
            channels: self.clone(),
            connection,
            events,
            ended: false,
            resume: request.since.map(|since| (channel, since)),
            replayed: VecDeque::new(),
        };
        Ok(futures_util::stream::unfold(subscription, Subscription::next).boxed())
    }

    fn closing(&self) -> BoxFuture<'static, ()> {
        let mut closing = self.subscribers().closing();
        Box::pin(async move {
            // An error means the hub is gone: nothing will be delivered any more either.
            let _ = closing.wait_for(|closing| *closing).await;
        })
    }
}

/// What a subscription's stream yields.
type Item = Result<StreamedEvent, EventStreamError>;

/// One subscription's hub connection; dropping it (with the stream) unsubscribes.
struct Subscription {
    channels: Channels,
    connection: Arc<Connection>,
    events: Events,
    ended: bool,
    /// The channel and id to resume after, until the replay is read.
    resume: Option<(&'static str, u64)>,
    /// The replay's items not yet yielded.
    replayed: VecDeque<Item>,
}

impl Subscription {
    /// The next event (the replayed ones first), an error once the subscriber fell behind, or the end at
    /// shutdown.
    async fn next(mut self) -> Option<(Item, Self)> {
        if let Some((channel, since)) = self.resume.take() {
            self.replay(channel, since).await;
        }
        if let Some(item) = self.replayed.pop_front() {
            return Some((item, self));
        }
        if self.ended {
            return None;
        }
        let item = tokio::select! {
            biased;
            ending = self.connection.ending.ended() => match ending {
                Ending::GoingAway | Ending::Restarting => return None,
                Ending::TooSlow => {
                    self.ended = true;
                    Err(EventStreamError::TooSlow { buffered: SUBSCRIBER_BUFFER })
                }
            },
            event = self.events.recv() => {
                let (id, text) = event?;
                Ok(StreamedEvent { id, json: text.as_str().to_owned() })
            }
        };
        Some((item, self))
    }

    /// Reads the kept events of `channel` after `since` once the fan-out is live, keeps those this
    /// subscriber sees (after a `HistoryLost` error when some are gone), then lets the held live events
    /// through.
    async fn replay(&mut self, channel: &'static str, since: u64) {
        self.channels.until_live().await;
        let subscribers = self.channels.subscribers();
        let replayed_through = match self.channels.replay(channel, since).await {
            Ok(replay) => {
                if replay.is_lost {
                    let first_id = replay.first_id().unwrap_or(replay.last_id + 1);
                    self.replayed
                        .push_back(Err(EventStreamError::HistoryLost { since, first_id }));
                }
                for (id, text) in
                    replayed(&self.channels, channel, &self.connection, &replay.events)
                {
                    self.replayed.push_back(Ok(StreamedEvent {
                        id,
                        json: text.as_str().to_owned(),
                    }));
                }
                replay.last_id
            }
            Err(error) => {
                tracing::warn!(channel, %error, "cannot read a channel's history to resume a subscriber");
                self.replayed
                    .push_back(Err(EventStreamError::HistoryUnavailable { since }));
                0
            }
        };
        subscribers.release(channel, &self.connection, replayed_through);
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.channels.subscribers().disconnect(&self.connection);
    }
}
