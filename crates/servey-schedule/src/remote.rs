//! Subscribers held outside this process: the connections of an API Gateway websocket API, kept in a
//! table and written to through API Gateway (servey's `lambda` feature). Their commands get the checks
//! `/subscription`'s get (the channel, who may subscribe, the parameters), and a publish sees each of
//! them through the channel's filter, as the hub sees a local subscriber.

use std::sync::Arc;

use serde_json::{Value, json};
use servey_core::backend::Envelope;
use servey_core::{ActionError, Authorization};

use crate::catalog::{Catalog, Listed};
use crate::channel::{Subscriber, SubscriberFilter};
use crate::protocol::{Command, framed, gap, subscribed};
use crate::subscription::{CLOSE_BAD_MESSAGE, refusal};

/// A remote subscriber's command, checked against the app's channels.
#[derive(Debug, Clone, PartialEq)]
pub enum RemoteCommand {
    /// Subscribe to `channel` with `params` (checked; stored as given).
    Subscribe {
        /// The channel.
        channel: &'static str,
        /// The subscription parameters.
        params: Value,
        /// The event id the client resumes after, if it resumes.
        since: Option<u64>,
    },
    /// Leave `channel`.
    Unsubscribe {
        /// The channel.
        channel: &'static str,
    },
}

/// Why a command was refused: the close code and reason `/subscription` would close with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The close code (4400, 4401, 4403, 4404, 4422).
    pub code: u16,
    /// What was wrong.
    pub reason: String,
}

impl Refusal {
    /// The refusal as a message to the client, `{"type": "Error", "code": 4403, "reason": ".."}`, for
    /// a connection that cannot be closed with a code of servey's choosing.
    pub fn message(&self) -> String {
        json!({"type": "Error", "code": self.code, "reason": self.reason}).to_string()
    }

    fn of(error: &ActionError) -> Self {
        let frame = refusal(error);
        Self {
            code: frame.code,
            reason: frame.reason.to_string(),
        }
    }
}

/// One stored subscriber as a publish matches it.
#[derive(Debug, Clone, Copy)]
pub struct RemoteSubscriber<'a> {
    /// Its grant, if it sent a token.
    pub authorization: Option<&'a Authorization>,
    /// The id targeted publishes reach.
    pub id: &'a str,
    /// Its subscription parameters, as stored.
    pub params: &'a Value,
}

/// The checks and the matching of an app's channels for remote subscribers. Cheap to clone.
#[derive(Clone)]
pub struct RemoteSubscriptions {
    catalog: Arc<Catalog>,
}

impl std::fmt::Debug for RemoteSubscriptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteSubscriptions")
            .field("channels", &self.catalog)
            .finish()
    }
}

impl RemoteSubscriptions {
    pub(crate) fn new(catalog: Arc<Catalog>) -> Self {
        Self { catalog }
    }

    /// The command in `text` (`{"type": "Subscribe" | "Unsubscribe", "payload": ..}`), from a subscriber
    /// with `authorization`, checked as `/subscription` checks it.
    pub fn command(
        &self,
        text: &str,
        authorization: Option<&Authorization>,
    ) -> Result<RemoteCommand, Refusal> {
        let command = serde_json::from_str::<Command>(text).map_err(|_| Refusal {
            code: CLOSE_BAD_MESSAGE,
            reason: r#"expected {"type": "Subscribe" or "Unsubscribe", "payload": "<channel>" or {"channel": .., "params": {..}}}"#.to_owned(),
        })?;
        let (Command::Subscribe(target) | Command::Unsubscribe(target)) = &command;
        let listed = self
            .catalog
            .websocket(target.channel())
            .map_err(|error| Refusal::of(&error))?;
        let channel = listed.channel.name();
        match command {
            Command::Subscribe(target) => {
                listed
                    .check_subscriber(authorization)
                    .map_err(|error| Refusal::of(&error))?;
                let (params, since) = target.into_parts();
                listed
                    .decode_params(params.clone())
                    .map_err(|error| Refusal::of(&error))?;
                Ok(RemoteCommand::Subscribe {
                    channel,
                    params,
                    since,
                })
            }
            Command::Unsubscribe(_) => Ok(RemoteCommand::Unsubscribe { channel }),
        }
    }

    /// What a subscriber is told once subscribed to `channel`: `{"type": "Subscribed", "channel": ..}`.
    pub fn subscribed(channel: &str) -> String {
        subscribed(channel).to_string()
    }

    /// What a resuming subscriber is told when the events of `channel` after `since` are not kept:
    /// `{"type": "Gap", "channel": .., "since": .., "first_id": ..}`, `first_id` the next it gets.
    pub fn gap(channel: &str, since: u64, first_id: u64) -> String {
        gap(channel, since, first_id).to_string()
    }

    /// Who of a channel's subscribers sees `envelope` (numbered), and the message they get.
    pub fn selector<'a>(&'a self, envelope: &'a Envelope) -> Option<Selector<'a>> {
        let listed = self.catalog.websocket(&envelope.channel).ok()?;
        let payload = std::str::from_utf8(&envelope.payload).ok()?;
        Some(Selector {
            listed,
            envelope,
            filter: listed.channel.subscriber_filter(payload),
            message: framed(&envelope.channel, envelope.id, payload).to_string(),
        })
    }
}

/// The subscribers one event reaches: its target, then the channel's filter.
pub struct Selector<'a> {
    listed: &'a Listed,
    envelope: &'a Envelope,
    filter: Option<SubscriberFilter<'static>>,
    message: String,
}

impl std::fmt::Debug for Selector<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Selector")
            .field("channel", &self.envelope.channel)
            .field("id", &self.envelope.id)
            .finish_non_exhaustive()
    }
}

impl Selector<'_> {
    /// Whether `subscriber` sees the event.
    pub fn sees(&self, subscriber: &RemoteSubscriber<'_>) -> bool {
        if self
            .envelope
            .target
            .as_deref()
            .is_some_and(|target| target != subscriber.id)
        {
            return false;
        }
        let Some(filter) = &self.filter else {
            return true;
        };
        match self.listed.decode_params(subscriber.params.clone()) {
            Ok(params) => filter(&Subscriber {
                authorization: subscriber.authorization,
                id: subscriber.id,
                params: params.as_deref(),
            }),
            Err(error) => {
                tracing::warn!(channel = %self.envelope.channel, subscriber_id = subscriber.id, %error, "stored subscription parameters no longer fit the channel");
                false
            }
        }
    }

    /// The message every subscriber that sees the event gets: `{"type": "Event", "channel": ..,
    /// "id": .., "payload": ..}`.
    pub fn message(&self) -> &str {
        &self.message
    }
}
