//! `WebsocketChannel`: events sent to the websocket subscribers of a channel, with an optional access
//! control (who may subscribe), typed subscription parameters (what each subscriber asks for) and
//! event filter (which events each subscriber sees).

use std::marker::PhantomData;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use servey_core::action::AccessPolicy;
use servey_core::schema::Components;
use servey_core::{AccessControl, ActionError, ActionSchema, Authorization, Context, Input, Scope};
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;

use crate::channel::{
    ChannelKind, ChannelMeta, DecodedParams, EventChannel, Subscriber, SubscriberFilter,
    channel_meta_methods,
};
use crate::error::PublishError;
use crate::runtime::Channels;
use servey_core::backend::Envelope;

/// Decides whether one subscriber (its grant, its id) sees an event.
pub type EventFilter<E> = fn(&E, Option<&Authorization>, &str) -> bool;

/// Decides whether one subscriber (its subscription parameters, grant and id) sees an event.
pub type ParamsFilter<E, P> = fn(&E, &P, Option<&Authorization>, &str) -> bool;

/// The parameter type of a channel that declares none.
#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema)]
pub struct NoParams {}

/// Which form of filter a channel has.
enum Filter<E: 'static, P: 'static> {
    /// Given the event, the grant and the id.
    Plain(EventFilter<E>),
    /// Given the subscription's parameters too.
    WithParams(ParamsFilter<E, P>),
}

impl<E, P> Clone for Filter<E, P> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<E, P> Copy for Filter<E, P> {}

/// A channel whose events go to websocket subscribers; declare one with `websocket_event_channel!`.
/// `P` is the type of its subscription parameters ([`NoParams`] when it declares none).
pub struct WebsocketChannel<E: 'static, P: 'static = NoParams> {
    meta: ChannelMeta<E>,
    access: Option<AccessPolicy>,
    filter: Option<Filter<E, P>>,
    has_params: bool,
    params: PhantomData<fn() -> P>,
}

impl<E, P> std::fmt::Debug for WebsocketChannel<E, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebsocketChannel")
            .field("name", &self.meta.name)
            .field("access", &self.access)
            .field("has_filter", &self.filter.is_some())
            .field("has_params", &self.has_params)
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
            has_params: false,
            params: PhantomData,
        }
    }

    /// Subscribers give parameters of type `P` (a `Deserialize + ToSchema` struct), checked like an
    /// action's input; a filter set after this gets them ([`filter_with_params`](WebsocketChannel::filter_with_params)).
    pub const fn params<P>(self) -> WebsocketChannel<E, P> {
        WebsocketChannel {
            meta: self.meta,
            access: self.access,
            filter: match self.filter {
                Some(Filter::Plain(filter)) => Some(Filter::Plain(filter)),
                _ => None,
            },
            has_params: true,
            params: PhantomData,
        }
    }
}

impl<E, P> WebsocketChannel<E, P> {
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
            filter: Some(Filter::Plain(filter)),
            ..self
        }
    }

    /// `filter` decides which events each subscriber sees, given its subscription parameters.
    pub const fn filter_with_params(self, filter: ParamsFilter<E, P>) -> Self {
        Self {
            filter: Some(Filter::WithParams(filter)),
            ..self
        }
    }
}

impl<E: Serialize + DeserializeOwned + ToSchema + Send + Sync + 'static, P> WebsocketChannel<E, P> {
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
        Channels::of_context(context, self.meta.name)?.send(Envelope::new(
            self.meta.name,
            target,
            payload,
        ))
    }
}

impl<E, P> EventChannel for WebsocketChannel<E, P>
where
    E: Serialize + DeserializeOwned + ToSchema + Send + Sync + 'static,
    P: DeserializeOwned + ToSchema + Send + Sync + 'static,
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

    fn params_schema(&self, components: &mut Components) -> Option<RefOr<Schema>> {
        if !self.has_params {
            return None;
        }
        let name = P::name();
        let schema = servey_core::schema::schema_of::<P>(components);
        if name.is_empty() {
            return Some(schema);
        }
        components.insert(name.to_string(), schema);
        Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(name)))
    }

    fn decode_params(
        &self,
        input: Input,
        schema: &ActionSchema,
    ) -> Result<Option<DecodedParams>, ActionError> {
        if !self.has_params {
            return Ok(None);
        }
        let params: P = input.decode_by_schema(schema)?;
        Ok(Some(Arc::new(params)))
    }

    fn subscriber_filter(&self, payload: &str) -> Option<SubscriberFilter<'static>> {
        let filter = self.filter?;
        let event = match serde_json::from_str::<E>(payload) {
            Ok(event) => event,
            Err(error) => {
                tracing::error!(channel = self.meta.name, %error, "an event does not decode for its filter; delivering it to nobody");
                return Some(Box::new(|_| false));
            }
        };
        Some(match filter {
            Filter::Plain(filter) => Box::new(move |subscriber: &Subscriber<'_>| {
                filter(&event, subscriber.authorization, subscriber.id)
            }),
            // A subscription without decoded parameters of this channel's type asked for nothing the
            // filter can match.
            Filter::WithParams(filter) => Box::new(move |subscriber: &Subscriber<'_>| {
                subscriber
                    .params
                    .and_then(|params| params.downcast_ref::<P>())
                    .is_some_and(|params| {
                        filter(&event, params, subscriber.authorization, subscriber.id)
                    })
            }),
        })
    }
}
