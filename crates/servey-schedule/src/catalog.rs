//! `Catalog`: the channels of one app, sorted and by name, each websocket channel with its access policy
//! built once. Made when the app's `Channels` are built; names are checked unique there, once, for the
//! routes, the scheduler and the AsyncAPI document alike.

use std::collections::HashMap;

use serde_json::Value;
use servey_core::schema::Components;
use servey_core::{AccessControl, ActionError, ActionSchema, Authorization, ErrorCode, Input};

use crate::channel::{ChannelEntry, ChannelKind, DecodedParams, EventChannel};
use crate::error::ScheduleError;

/// One channel of the app, with what was built for it at start.
pub(crate) struct Listed {
    /// The declaration.
    pub(crate) channel: &'static dyn EventChannel,
    /// Websocket channels: who may subscribe (`None`: everyone).
    pub(crate) access: Option<Box<dyn AccessControl>>,
    /// Websocket channels with subscription parameters: their schema as an action's (the parameters
    /// as input, the event as output), whose checks every subscription's parameters get.
    pub(crate) params: Option<ActionSchema>,
}

impl Listed {
    /// Whether a caller with this grant may subscribe.
    pub(crate) fn check_subscriber(
        &self,
        authorization: Option<&Authorization>,
    ) -> Result<(), ActionError> {
        match &self.access {
            None => Ok(()),
            Some(policy) => policy.check(authorization),
        }
    }

    /// A subscription's parameters (a JSON object) checked and decoded; a channel without parameters
    /// ignores them.
    pub(crate) fn decode_params(
        &self,
        params: Value,
    ) -> Result<Option<DecodedParams>, ActionError> {
        match &self.params {
            Some(schema) => self
                .channel
                .decode_params(Input::from_value(params), schema),
            None => Ok(None),
        }
    }

    /// The scopes subscribing needs, when it needs a token at all (`Some`).
    pub(crate) fn required_scopes(&self) -> Option<Vec<String>> {
        self.access.as_ref().map(|policy| policy.required_scopes())
    }
}

/// The channels of one app.
pub(crate) struct Catalog {
    sorted: Vec<Listed>,
    by_name: HashMap<&'static str, usize>,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.sorted.iter().map(|listed| listed.channel.name()))
            .finish()
    }
}

impl Catalog {
    /// The catalog of `channels`; fails when two share a name.
    pub(crate) fn new(mut channels: Vec<&'static dyn EventChannel>) -> Result<Self, ScheduleError> {
        channels.sort_by_key(|channel| channel.name());
        if let Some(pair) = channels
            .windows(2)
            .find(|pair| pair[0].name() == pair[1].name())
        {
            return Err(ScheduleError::DuplicateChannel {
                name: pair[0].name().to_owned(),
            });
        }
        let by_name = channels
            .iter()
            .enumerate()
            .map(|(index, channel)| (channel.name(), index))
            .collect();
        let sorted = channels
            .into_iter()
            .map(|channel| Listed {
                channel,
                access: channel.access_control(),
                params: params_schema(channel),
            })
            .collect();
        Ok(Self { sorted, by_name })
    }

    /// Every channel declared with this crate's macros (or submitted as a [`ChannelEntry`]).
    pub(crate) fn declared() -> Vec<&'static dyn EventChannel> {
        inventory::iter::<ChannelEntry>
            .into_iter()
            .map(|entry| entry.0)
            .collect()
    }

    /// Every channel, sorted by name.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Listed> {
        self.sorted.iter()
    }

    /// The channel named `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&Listed> {
        self.by_name.get(name).map(|index| &self.sorted[*index])
    }

    /// The websocket channel named `name`, or the `404` a subscriber gets.
    pub(crate) fn websocket(&self, name: &str) -> Result<&Listed, ActionError> {
        match self.get(name) {
            Some(listed) if listed.channel.kind() == ChannelKind::Websocket => Ok(listed),
            Some(listed) => Err(ActionError::new(
                ErrorCode::NotFound,
                format!(
                    "The channel `{name}` is a {} channel; only websocket channels can be subscribed to.",
                    listed.channel.kind().as_str()
                ),
            )),
            None => Err(ActionError::new(
                ErrorCode::NotFound,
                format!("There is no event channel named `{name}`."),
            )),
        }
    }
}

/// The schema of `channel`'s subscription parameters as an action's, if it has any.
fn params_schema(channel: &dyn EventChannel) -> Option<ActionSchema> {
    let mut components = Components::new();
    let params = channel.params_schema(&mut components)?;
    let event = channel.event_schema(&mut components);
    Some(ActionSchema::new(params, event, components))
}
