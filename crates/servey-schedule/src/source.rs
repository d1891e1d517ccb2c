//! The app's websocket channels offered to other transports (GraphQL subscriptions) through core's
//! [`EventSource`]: each subscription is one hub connection of its own, so it gets the same access
//! control, event filter, targeted publishes, bounded buffer and shutdown as a websocket subscriber.

use std::sync::Arc;

use futures_util::StreamExt;
use futures_util::future::BoxFuture;
use servey_core::event::{EventSource, EventStream, EventStreamError, SubscribableChannel};
use servey_core::schema::{ActionSchema, Components};
use servey_core::{ActionError, Authorization};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{Object, Schema, Type};

use crate::channel::ChannelKind;
use crate::connection::{Connection, Events, Framing};
use crate::ending::Ending;
use crate::hub::SUBSCRIBER_BUFFER;
use crate::runtime::Channels;

impl EventSource for Channels {
    fn channels(&self) -> Vec<SubscribableChannel> {
        self.catalog()
            .iter()
            .filter(|listed| listed.channel.kind() == ChannelKind::Websocket)
            .map(|listed| {
                let channel = listed.channel;
                let mut components = Components::new();
                let event = channel.event_schema(&mut components);
                let no_input = RefOr::T(Schema::Object(Object::with_type(Type::Object)));
                SubscribableChannel {
                    name: channel.name(),
                    description: Some(channel.doc().trim().to_owned())
                        .filter(|doc| !doc.is_empty()),
                    schema: ActionSchema::new(no_input, event, components),
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
        let listed = self.catalog().websocket(channel)?;
        listed.check_subscriber(authorization.as_ref())?;
        let subscribers = self.subscribers();
        let (connection, events) = subscribers.connect(subscriber_id, authorization, Framing::Bare);
        subscribers.subscribe(listed.channel.name(), &connection);
        let subscription = Subscription {
            channels: self.clone(),
            connection,
            events,
            ended: false,
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

/// One subscription's hub connection; dropping it (with the stream) unsubscribes.
struct Subscription {
    channels: Channels,
    connection: Arc<Connection>,
    events: Events,
    ended: bool,
}

impl Subscription {
    /// The next event, an error once the subscriber fell behind, or the end at shutdown.
    async fn next(mut self) -> Option<(Result<String, EventStreamError>, Self)> {
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
            event = self.events.recv() => Ok(event?.as_str().to_owned()),
        };
        Some((item, self))
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.channels.subscribers().disconnect(&self.connection);
    }
}
