//! `BackgroundChannel`: each published event runs a named action once, off the caller's path, through
//! the app's background queue (core's [`BackgroundQueue`]): in-process by default, a durable queue
//! (Redis through apalis, in servey-redis) behind the same trait.

use serde::Serialize;
use serde_json::Value;
use servey_core::Context;
use servey_core::backend::BackgroundEvent;
#[cfg(doc)]
use servey_core::backend::BackgroundQueue;
use utoipa::ToSchema;

use crate::channel::{ChannelKind, ChannelMeta, EventChannel, channel_meta_methods};
use crate::error::PublishError;
use crate::runtime::Channels;

/// A channel whose events each run an action in the background; declare one with `background_channel!`.
pub struct BackgroundChannel<E: 'static> {
    meta: ChannelMeta<E>,
    action: &'static str,
}

impl<E> std::fmt::Debug for BackgroundChannel<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackgroundChannel")
            .field("name", &self.meta.name)
            .field("action", &self.action)
            .finish()
    }
}

impl<E> BackgroundChannel<E> {
    /// A channel named `name` whose events run the action `action` (the event is its input object).
    pub const fn new(name: &'static str, doc: &'static str, action: &'static str) -> Self {
        Self {
            meta: ChannelMeta::new(name, doc, ChannelKind::Background),
            action,
        }
    }
}

impl<E: Serialize + ToSchema + Send + Sync + 'static> BackgroundChannel<E> {
    /// Runs the channel's action once, in the background of the app `context` belongs to, with `event`
    /// as its input.
    pub fn publish(&self, context: &Context, event: &E) -> Result<(), PublishError> {
        let event =
            serde_json::to_value(event).map_err(|source| self.meta.serialize_error(source))?;
        self.enqueue(context, event)
    }

    fn enqueue(&self, context: &Context, event: Value) -> Result<(), PublishError> {
        let job = BackgroundEvent {
            channel: self.meta.name,
            action: self.action,
            event,
        };
        Channels::of_context(context, self.meta.name)?.enqueue(job, context)
    }
}

impl<E: Serialize + ToSchema + Send + Sync + 'static> EventChannel for BackgroundChannel<E> {
    channel_meta_methods!();

    fn publish_json(&self, context: &Context, event: Value) -> Result<(), PublishError> {
        self.enqueue(context, event)
    }

    fn target_action(&self) -> Option<&'static str> {
        Some(self.action)
    }
}
