//! `WebsocketChannel`: events sent to the websocket subscribers of a channel, with an optional access
//! control (who may subscribe) and event filter (which events each subscriber sees).

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use servey_core::action::AccessPolicy;
use servey_core::{AccessControl, Authorization, Context, Scope};
use utoipa::ToSchema;

use crate::channel::{
    ChannelKind, ChannelMeta, EventChannel, SubscriberFilter, channel_meta_methods,
};
use crate::error::PublishError;
use crate::runtime::Channels;
use servey_core::backend::Envelope;

/// Decides whether one subscriber (its grant, its id) sees an event.
pub type EventFilter<E> = fn(&E, Option<&Authorization>, &str) -> bool;

/// A channel whose events go to websocket subscribers; declare one with `websocket_event_channel!`.
pub struct WebsocketChannel<E: 'static> {
    meta: ChannelMeta<E>,
    access: Option<AccessPolicy>,
    filter: Option<EventFilter<E>>,
}

impl<E> std::fmt::Debug for WebsocketChannel<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebsocketChannel")
            .field("name", &self.meta.name)
            .field("access", &self.access)
            .field("has_filter", &self.filter.is_some())
            .finish()
    }
}

impl<E> WebsocketChannel<E> {
    /// A channel named `name`, open to everyone, delivering every event.
    pub const fn new(name: &'static str, doc: &'static str) -> Self {
        Self {
            meta: ChannelMeta::new(name, doc, ChannelKind::Websocket),
            access: None,
            filter: None,
        }
    }

    /// Only callers holding `scope` may subscribe.
    pub const fn access_scope(self, scope: &'static str) -> Self {
        Self {
            access: Some(AccessPolicy::Scope(scope)),
            ..self
        }
    }

    /// A user policy decides who may subscribe (built with `Default`).
    pub const fn access_policy(self, construct: fn() -> Box<dyn AccessControl>) -> Self {
        Self {
            access: Some(AccessPolicy::Custom(construct)),
            ..self
        }
    }

    /// `filter` decides which events each subscriber sees.
    pub const fn filter(self, filter: EventFilter<E>) -> Self {
        Self {
            filter: Some(filter),
            ..self
        }
    }
}

impl<E: Serialize + DeserializeOwned + ToSchema + Send + Sync + 'static> WebsocketChannel<E> {
    /// Sends `event` to every subscriber of the channel in the app `context` belongs to (that its filter
    /// lets see it).
    pub fn publish(&self, context: &Context, event: &E) -> Result<(), PublishError> {
        self.send(context, None, event)
    }

    /// Sends `event` only to the subscribers with id `subscriber_id`.
    pub fn publish_to(
        &self,
        context: &Context,
        subscriber_id: &str,
        event: &E,
    ) -> Result<(), PublishError> {
        self.send(context, Some(subscriber_id.to_owned()), event)
    }

    fn send(
        &self,
        context: &Context,
        target: Option<String>,
        event: &E,
    ) -> Result<(), PublishError> {
        let payload =
            serde_json::to_string(event).map_err(|source| self.meta.serialize_error(source))?;
        Channels::of_context(context, self.meta.name)?.send(Envelope {
            channel: self.meta.name.to_owned(),
            target,
            payload: payload.into(),
        })
    }
}

impl<E: Serialize + DeserializeOwned + ToSchema + Send + Sync + 'static> EventChannel
    for WebsocketChannel<E>
{
    channel_meta_methods!();

    fn publish_json(&self, context: &Context, event: Value) -> Result<(), PublishError> {
        self.publish(context, &self.meta.decode(event)?)
    }

    fn access_control(&self) -> Option<Box<dyn AccessControl>> {
        match self.access? {
            AccessPolicy::Scope(scope) => Some(Box::new(Scope(scope.to_owned()))),
            AccessPolicy::Custom(construct) => Some(construct()),
        }
    }

    fn subscriber_filter(&self, payload: &str) -> Option<SubscriberFilter<'static>> {
        let filter = self.filter?;
        match serde_json::from_str::<E>(payload) {
            Ok(event) => Some(Box::new(move |authorization, subscriber_id| {
                filter(&event, authorization, subscriber_id)
            })),
            Err(error) => {
                tracing::error!(channel = self.meta.name, %error, "an event does not decode for its filter; delivering it to nobody");
                Some(Box::new(|_, _| false))
            }
        }
    }
}
