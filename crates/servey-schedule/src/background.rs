//! `BackgroundChannel`: each published event runs a named action once, off the caller's path, on the
//! runtime of the app that `start` bound. Events published before `start` wait for it.

use std::sync::{Mutex, PoisonError, RwLock};

use serde::Serialize;
use serde_json::Value;
use servey_core::{Context, Input, Registry};
use tokio::runtime::Handle;
use tracing::Instrument;
use utoipa::ToSchema;

use crate::channel::{ChannelKind, ChannelMeta, EventChannel, channel_meta_methods};
use crate::error::PublishError;

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
    /// Runs the channel's action with `event` as its input, once, in the background.
    pub fn publish(&self, event: &E) -> Result<(), PublishError> {
        let event =
            serde_json::to_value(event).map_err(|source| self.meta.serialize_error(source))?;
        dispatch(self.meta.name, self.action, event)
    }
}

impl<E: Serialize + ToSchema + Send + Sync + 'static> EventChannel for BackgroundChannel<E> {
    channel_meta_methods!();

    fn publish_json(&self, event: Value) -> Result<(), PublishError> {
        dispatch(self.meta.name, self.action, event)
    }

    fn target_action(&self) -> Option<&'static str> {
        Some(self.action)
    }
}

/// The app whose actions background events run, and the runtime they run on.
struct Binding {
    registry: Registry,
    runtime: Handle,
    generation: u64,
}

static BINDING: RwLock<Option<Binding>> = RwLock::new(None);
static PENDING: Mutex<Vec<(&'static str, &'static str, Value)>> = Mutex::new(Vec::new());

/// Makes background events run against `registry` on the current runtime; runs those that waited.
pub(crate) fn bind(registry: Registry, runtime: Handle) -> u64 {
    let generation = {
        let mut binding = BINDING.write().unwrap_or_else(PoisonError::into_inner);
        let generation = binding.as_ref().map_or(1, |bound| bound.generation + 1);
        *binding = Some(Binding {
            registry,
            runtime,
            generation,
        });
        generation
    };
    let waiting = std::mem::take(&mut *PENDING.lock().unwrap_or_else(PoisonError::into_inner));
    for (channel, action, event) in waiting {
        if let Err(error) = dispatch(channel, action, event) {
            tracing::error!(channel, %error, "a queued background event could not run");
        }
    }
    generation
}

/// Undoes `bind` if no later `bind` replaced it.
pub(crate) fn unbind(generation: u64) {
    let mut binding = BINDING.write().unwrap_or_else(PoisonError::into_inner);
    if binding
        .as_ref()
        .is_some_and(|bound| bound.generation == generation)
    {
        *binding = None;
    }
}

fn dispatch(channel: &'static str, action: &'static str, event: Value) -> Result<(), PublishError> {
    let binding = BINDING.read().unwrap_or_else(PoisonError::into_inner);
    let Some(bound) = binding.as_ref() else {
        tracing::debug!(
            channel,
            "no app is started yet; the background event waits for `start`"
        );
        PENDING
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((channel, action, event));
        return Ok(());
    };
    let target = bound
        .registry
        .get(action)
        .cloned()
        .ok_or(PublishError::UnknownAction { channel, action })?;
    let context = Context::new();
    let span = tracing::info_span!("background_event", channel, action, request_id = %context.request_id());
    bound.runtime.spawn(
        async move {
            if let Err(error) = servey_core::invoke(&target, Input::from_value(event), context).await {
                tracing::error!(%error, cause = ?error.cause(), "a background event's action failed");
            }
        }
        .instrument(span),
    );
    Ok(())
}
