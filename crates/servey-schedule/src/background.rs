//! `BackgroundChannel`: each published event runs a named action once, off the caller's path, through
//! the app's [`BackgroundQueue`]: in-process by default ([`InProcessQueue`], on the publisher's tokio
//! runtime), a durable queue (Redis through apalis) behind the same trait.

use futures_util::future::BoxFuture;
use serde::Serialize;
use serde_json::Value;
use servey_core::context::new_request_id;
use servey_core::{App, Context, Input, Origin, Registry};
use tokio::sync::watch;
use tracing::Instrument;
use utoipa::ToSchema;

use crate::channel::{ChannelKind, ChannelMeta, EventChannel, channel_meta_methods};
use crate::error::PublishError;
use crate::in_flight::InFlight;
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

/// One background event: the action it runs and its input.
#[derive(Debug, Clone)]
pub struct BackgroundEvent {
    /// The channel it was published to.
    pub channel: &'static str,
    /// The action it runs.
    pub action: &'static str,
    /// The action's input object.
    pub event: Value,
}

/// Runs the actions of an app's background events, each once.
pub trait BackgroundQueue: Send + Sync + 'static {
    /// Takes `job` to run; `publisher` is the context it was published in (its app's shared values).
    fn enqueue(&self, job: BackgroundEvent, publisher: &Context) -> Result<(), PublishError>;

    /// Resolves once every job taken so far has run (in-process) or is stored durably (a broker).
    fn flush(&self) -> BoxFuture<'_, ()>;

    /// What takes stored jobs and runs them against `app` while the app serves, until `stopped` turns
    /// true (a durable queue's workers); `None` for a queue that runs jobs as they are enqueued.
    fn workers(&self, app: &App, stopped: watch::Receiver<bool>) -> Option<BoxFuture<'static, ()>> {
        let _ = (app, stopped);
        None
    }
}

/// Runs background events as tasks on the publisher's tokio runtime, against the app's registry.
#[derive(Debug)]
pub struct InProcessQueue {
    registry: Registry,
    in_flight: InFlight,
}

impl InProcessQueue {
    /// A queue running the actions of `registry`.
    pub fn new(registry: Registry) -> Self {
        Self {
            registry,
            in_flight: InFlight::default(),
        }
    }
}

impl BackgroundQueue for InProcessQueue {
    fn enqueue(&self, job: BackgroundEvent, publisher: &Context) -> Result<(), PublishError> {
        let BackgroundEvent {
            channel,
            action,
            event,
        } = job;
        let target = self
            .registry
            .get(action)
            .cloned()
            .ok_or(PublishError::UnknownAction { channel, action })?;
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|_| PublishError::NoRuntime { channel })?;
        // The action runs for the app, not for the publisher's caller: a new request id, no credentials,
        // the same shared values, switches and metrics.
        let context = Context::with_request_id(new_request_id())
            .extensions(publisher.shared_values().clone())
            .switches(publisher.active_switches())
            .with_metrics(publisher.metrics().cloned())
            .with_origin(Origin::Channel);
        let span = tracing::info_span!(
            "background_event",
            channel,
            action,
            request_id = %context.request_id(),
            published_by = %publisher.request_id(),
        );
        let running = self.in_flight.start();
        runtime.spawn(
            async move {
                let _running = running;
                // A failure is logged by the invoke path, as every call's is.
                let _ = servey_core::invoke(&target, Input::from_value(event), context).await;
            }
            .instrument(span),
        );
        Ok(())
    }

    fn flush(&self) -> BoxFuture<'_, ()> {
        Box::pin(self.in_flight.idle())
    }
}
