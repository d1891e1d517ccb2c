//! The app's websocket channels offered to other transports (GraphQL subscriptions) through core's
//! [`EventSource`]: each subscription is one hub connection of its own, so it gets the same access
//! control, event filter, targeted publishes, bounded buffer and shutdown as a websocket subscriber.

use std::sync::Arc;

use futures_util::StreamExt;
use futures_util::future::BoxFuture;
use servey_core::event::{
    EventSource, EventStream, EventStreamError, SubscribableChannel, SubscribeRequest,
};
use servey_core::schema::{ActionSchema, Components};
use servey_core::{ActionError, Authorization};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{Object, Schema, Type};

use crate::channel::{ChannelKind, doc_text};
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
        subscribers.subscribe(listed.channel.name(), &connection, params);
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
                Ending::GoingAway => return None,
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
