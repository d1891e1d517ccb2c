//! The `EventChannel` trait every channel implements, and the link-time list its declarations join
//! (`websocket_event_channel!`, `background_channel!` and `webhook_channel!` submit theirs). A declaration
//! is immutable metadata; what changes at run time (subscribers, queues) belongs to each app's `Channels`.

use std::any::Any;
use std::marker::PhantomData;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::Value;
use servey_core::schema::Components;
use servey_core::{AccessControl, ActionError, ActionSchema, Authorization, Context, Input};
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;

use crate::error::PublishError;

/// What a channel does with its events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelKind {
    /// Sent to websocket subscribers.
    Websocket,
    /// Runs an action in the background.
    Background,
    /// POSTed to a URL.
    Webhook,
}

impl ChannelKind {
    /// The kind's word in logs and documents.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Websocket => "websocket",
            Self::Background => "background",
            Self::Webhook => "webhook",
        }
    }
}

/// One subscription as an event filter sees it: who subscribed, under which id, with which parameters.
#[derive(Clone, Copy)]
pub struct Subscriber<'a> {
    /// The subscriber's verified grant, if it sent a token.
    pub authorization: Option<&'a Authorization>,
    /// The id targeted publishes reach.
    pub id: &'a str,
    /// The subscription's decoded parameters, for a channel that declares them.
    pub params: Option<&'a (dyn Any + Send + Sync)>,
}

impl std::fmt::Debug for Subscriber<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscriber")
            .field("id", &self.id)
            .field("authorization", &self.authorization)
            .field("has_params", &self.params.is_some())
            .finish()
    }
}

/// A subscription's parameters once checked and decoded (the channel's own parameter type).
pub type DecodedParams = Arc<dyn Any + Send + Sync>;

/// Decides for one subscriber whether it sees the event it was built for.
pub type SubscriberFilter<'a> = Box<dyn Fn(&Subscriber<'_>) -> bool + Send + Sync + 'a>;

/// A doc comment as text: each line without the one space `///` leaves before it, the whole trimmed.
pub(crate) fn doc_text(doc: &str) -> String {
    doc.lines()
        .map(|line| line.strip_prefix(' ').unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_owned()
}

/// A named stream of events of one type. The three built-ins are declared with this crate's macros; a
/// custom channel implements this and submits a [`ChannelEntry`] with `inventory::submit!`.
pub trait EventChannel: Send + Sync + 'static {
    /// The unique name (`messenger`).
    fn name(&self) -> &'static str;

    /// What the channel does with events.
    fn kind(&self) -> ChannelKind;

    /// The declaration's doc comment.
    fn doc(&self) -> &'static str {
        ""
    }

    /// The event type's schema name (`Message`), for documents.
    fn event_name(&self) -> String;

    /// The event's JSON schema, registering the named types it refers to in `components`.
    fn event_schema(&self, components: &mut Components) -> RefOr<Schema>;

    /// Publishes an event given as JSON (it must fit the event type) to the channels of the app that
    /// `context` belongs to.
    fn publish_json(&self, context: &Context, event: Value) -> Result<(), PublishError>;

    /// Websocket channels: who may subscribe (`None`: everyone). Built once, when an app's channels are.
    fn access_control(&self) -> Option<Box<dyn AccessControl>> {
        None
    }

    /// Websocket channels: the per-subscriber filter for one event's JSON, if the channel has a filter.
    fn subscriber_filter(&self, payload: &str) -> Option<SubscriberFilter<'static>> {
        let _ = payload;
        None
    }

    /// Websocket channels: the schema of the subscription parameters, registering the named types it
    /// refers to in `components`; `None` for a channel without parameters.
    fn params_schema(&self, components: &mut Components) -> Option<RefOr<Schema>> {
        let _ = components;
        None
    }

    /// Websocket channels with parameters: `input` checked against `schema` (built from
    /// [`params_schema`](Self::params_schema)) and decoded into the parameter type.
    fn decode_params(
        &self,
        input: Input,
        schema: &ActionSchema,
    ) -> Result<Option<DecodedParams>, ActionError> {
        let _ = (input, schema);
        Ok(None)
    }

    /// Background channels: the action each event runs.
    fn target_action(&self) -> Option<&'static str> {
        None
    }

    /// Webhook channels: the URL events are POSTed to.
    fn target_url(&self) -> Option<String> {
        None
    }
}

/// A declared channel in the link-time list (submitted by the declaring macros).
pub struct ChannelEntry(pub &'static dyn EventChannel);

inventory::collect!(ChannelEntry);

/// What every built-in channel knows about itself: its name, doc comment and kind, and its event type.
/// The channel answers the shared `EventChannel` methods from it with [`channel_meta_methods!`].
pub(crate) struct ChannelMeta<E: 'static> {
    pub(crate) name: &'static str,
    pub(crate) doc: &'static str,
    pub(crate) kind: ChannelKind,
    event: PhantomData<fn() -> E>,
}

impl<E> ChannelMeta<E> {
    pub(crate) const fn new(name: &'static str, doc: &'static str, kind: ChannelKind) -> Self {
        Self {
            name,
            doc,
            kind,
            event: PhantomData,
        }
    }

    /// The error for an event of this channel that does not go to or come from JSON.
    pub(crate) fn serialize_error(&self, source: serde_json::Error) -> PublishError {
        PublishError::Serialize {
            channel: self.name,
            source,
        }
    }
}

impl<E: ToSchema> ChannelMeta<E> {
    /// The event type's schema name (`Message`).
    pub(crate) fn event_name(&self) -> String {
        E::name().into_owned()
    }

    /// The schema of `E` as a `$ref` to its named component (inline when it has no name).
    pub(crate) fn event_schema(&self, components: &mut Components) -> RefOr<Schema> {
        let name = E::name();
        let schema = servey_core::schema::schema_of::<E>(components);
        if name.is_empty() {
            return schema;
        }
        components.insert(name.to_string(), schema);
        RefOr::Ref(utoipa::openapi::Ref::from_schema_name(name))
    }
}

impl<E: DeserializeOwned> ChannelMeta<E> {
    /// An event given as JSON, as the event type.
    pub(crate) fn decode(&self, event: Value) -> Result<E, PublishError> {
        E::deserialize(event).map_err(|source| self.serialize_error(source))
    }
}

/// The `EventChannel` methods every built-in channel answers the same way, from its
/// `meta: ChannelMeta<E>` field: `name`, `kind`, `doc`, `event_name` and `event_schema`.
macro_rules! channel_meta_methods {
    () => {
        fn name(&self) -> &'static str {
            self.meta.name
        }

        fn kind(&self) -> $crate::channel::ChannelKind {
            self.meta.kind
        }

        fn doc(&self) -> &'static str {
            self.meta.doc
        }

        fn event_name(&self) -> String {
            self.meta.event_name()
        }

        fn event_schema(
            &self,
            components: &mut ::servey_core::schema::Components,
        ) -> ::utoipa::openapi::RefOr<::utoipa::openapi::schema::Schema> {
            self.meta.event_schema(components)
        }
    };
}
pub(crate) use channel_meta_methods;
