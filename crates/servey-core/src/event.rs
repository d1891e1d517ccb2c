//! Event channels seen from other transports: [`EventSource`] is the seam through which the adapter that
//! owns the channels (servey-schedule) offers its websocket channels to other transports (GraphQL
//! subscriptions), with the same access control and event filter as its own websocket routes. The facade
//! puts the app's source in its backends' slot as [`EventSubscriptions`]; without one, no transport
//! serves subscriptions.

use std::sync::Arc;

use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use serde_json::Value;

use crate::auth::Authorization;
use crate::error::{ActionError, ErrorCode};
use crate::schema::ActionSchema;

/// A channel other transports may subscribe to.
#[derive(Debug, Clone)]
pub struct SubscribableChannel {
    /// The channel's unique name (`messenger`).
    pub name: &'static str,
    /// The declaration's doc comment, if any.
    pub description: Option<String>,
    /// The event type as an action's schema: no input, the event as its output.
    pub schema: ActionSchema,
}

/// What went wrong in an event stream.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventStreamError {
    /// The subscriber read too slowly: `buffered` events were waiting for it, so it was dropped (the
    /// stream's last item).
    #[error(
        "the subscriber read too slowly ({buffered} events were waiting) and was dropped; subscribe again and read faster"
    )]
    TooSlow {
        /// How many events were waiting.
        buffered: usize,
    },
    /// Events after the id the subscriber resumes from are no longer kept; the stream goes on with the
    /// kept ones (from `first_id`) and the live ones.
    #[error(
        "the events after id {since} are no longer kept (the oldest kept is {first_id}); some were lost"
    )]
    HistoryLost {
        /// The id the subscriber resumed from.
        since: u64,
        /// The oldest id still kept (the next event's when none is).
        first_id: u64,
    },
    /// The history could not be read to resume (the broker is away); the stream goes on with the live
    /// events, and some after the id may be missing.
    #[error(
        "the channel's history could not be read to resume after id {since}; some events may be missing"
    )]
    HistoryUnavailable {
        /// The id the subscriber resumed from.
        since: u64,
    },
}

/// One event as a subscriber gets it: its id (increasing per channel) and its JSON text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamedEvent {
    /// The event's id, to resume after it (0 when the fan-out does not number events).
    pub id: u64,
    /// The event as JSON text.
    pub json: String,
}

/// One subscriber's events, in id order (replayed ones first); ends when the server shuts down, or with
/// an error when the subscriber falls too far behind. Dropping it unsubscribes.
pub type EventStream = BoxStream<'static, Result<StreamedEvent, EventStreamError>>;

/// What a transport asks for when it subscribes someone to a channel.
#[derive(Debug, Clone)]
pub struct SubscribeRequest {
    /// The channel's name.
    pub channel: String,
    /// The id targeted publishes and event filters see.
    pub subscriber_id: String,
    /// The subscriber's verified grant, if any.
    pub authorization: Option<Authorization>,
    /// The channel's subscription parameters as a JSON object (empty when none are given), checked
    /// against the channel's parameter schema like an action's input.
    pub params: Value,
    /// Resume after this event id: the kept events after it come first.
    pub since: Option<u64>,
}

impl SubscribeRequest {
    /// A request for `channel` under `subscriber_id`, without parameters.
    pub fn new(
        channel: impl Into<String>,
        subscriber_id: impl Into<String>,
        authorization: Option<Authorization>,
    ) -> Self {
        Self {
            channel: channel.into(),
            subscriber_id: subscriber_id.into(),
            authorization,
            params: Value::Object(serde_json::Map::new()),
            since: None,
        }
    }

    /// This request resuming after the event id `since`.
    pub fn with_since(mut self, since: Option<u64>) -> Self {
        self.since = since;
        self
    }

    /// This request with `params` as its subscription parameters.
    pub fn with_params(mut self, params: Value) -> Self {
        self.params = params;
        self
    }

    /// Whether parameters were given (anything but an empty object).
    pub fn has_params(&self) -> bool {
        self.params
            .as_object()
            .is_none_or(|params| !params.is_empty())
    }
}

/// Offers an app's event channels to transports other than the one that owns them.
pub trait EventSource: Send + Sync + 'static {
    /// The channels one may subscribe to, sorted by name.
    fn channels(&self) -> Vec<SubscribableChannel>;

    /// Subscribes a caller with `authorization` to `channel` under `subscriber_id` (what targeted
    /// publishes and event filters see): the channel's access control decides (`401`/`403`), an unknown
    /// channel is `404`.
    fn subscribe(
        &self,
        channel: &str,
        subscriber_id: String,
        authorization: Option<Authorization>,
    ) -> Result<EventStream, ActionError>;

    /// Subscribes with everything `request` carries, its subscription parameters included (checked
    /// and decoded by the channel: `422` with each bad field's path). The default takes no parameters.
    fn subscribe_with(&self, request: SubscribeRequest) -> Result<EventStream, ActionError> {
        if request.since.is_some() {
            return Err(ActionError::new(
                ErrorCode::InvalidInput,
                format!(
                    "The channel `{}` keeps no history to resume from.",
                    request.channel
                ),
            ));
        }
        if request.has_params() {
            return Err(ActionError::new(
                ErrorCode::InvalidInput,
                format!(
                    "The channel `{}` takes no subscription parameters.",
                    request.channel
                ),
            ));
        }
        self.subscribe(
            &request.channel,
            request.subscriber_id,
            request.authorization,
        )
    }

    /// Resolves when the app starts shutting down, so that connections carrying streams close too.
    fn closing(&self) -> BoxFuture<'static, ()>;
}

/// An app's [`EventSource`], kept in its backends where transports find it. Cheap to clone.
#[derive(Clone)]
pub struct EventSubscriptions(Arc<dyn EventSource>);

impl EventSubscriptions {
    /// The subscriptions over `source`.
    pub fn new(source: impl EventSource) -> Self {
        Self(Arc::new(source))
    }
}

impl std::ops::Deref for EventSubscriptions {
    type Target = dyn EventSource;

    fn deref(&self) -> &Self::Target {
        &*self.0
    }
}

impl std::fmt::Debug for EventSubscriptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<_> = self
            .0
            .channels()
            .iter()
            .map(|channel| channel.name)
            .collect();
        f.debug_tuple("EventSubscriptions").field(&names).finish()
    }
}
