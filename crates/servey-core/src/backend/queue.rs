//! The background queue: each background event runs its action once, off the publisher's path. In-process
//! by default ([`InProcessQueue`], on the publisher's tokio runtime); a durable queue (Redis through
//! apalis, in servey-redis) behind the same trait.

use futures_util::future::BoxFuture;
use serde_json::Value;
use tokio::sync::watch;
use tracing::Instrument;

use super::PublishError;
use super::in_flight::InFlight;
use crate::app::App;
use crate::context::{Context, Origin, new_request_id};
use crate::input::Input;
use crate::registry::Registry;

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

/// One webhook delivery handed to a queue that carries them: its channel, and the delivery as the
/// channels write and read it back (URL, body, attempts, trace headers).
#[derive(Debug, Clone)]
pub struct WebhookJob {
    /// The webhook channel.
    pub channel: &'static str,
    /// The delivery, as JSON.
    pub delivery: Value,
}

/// Runs the actions of an app's background events, each once.
pub trait BackgroundQueue: Send + Sync + 'static {
    /// Takes `job` to run; `publisher` is the context it was published in (its app's shared values).
    fn enqueue(&self, job: BackgroundEvent, publisher: &Context) -> Result<(), PublishError>;

    /// Whether webhook deliveries go through this queue too (one whose jobs outlive the instance, as
    /// on Lambda, which freezes it between events) rather than run in this process.
    fn carries_webhooks(&self) -> bool {
        false
    }

    /// Takes a webhook delivery to hand back to the app (called only when it
    /// [carries webhooks](Self::carries_webhooks)).
    fn enqueue_webhook(&self, job: WebhookJob) -> Result<(), PublishError> {
        Err(PublishError::Queue(format!(
            "webhook channel `{}`: this background queue does not carry webhook deliveries",
            job.channel
        )))
    }

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
        // the same shared values, result store, switches and metrics.
        let context = Context::with_request_id(new_request_id())
            .extensions(publisher.shared_values().clone())
            .with_shared_results(publisher.shared_results().cloned())
            .with_shared_limits(publisher.shared_limits().cloned())
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
                let _ = crate::invoke::invoke(&target, Input::from_value(event), context).await;
            }
            .instrument(span),
        );
        Ok(())
    }

    fn flush(&self) -> BoxFuture<'_, ()> {
        Box::pin(self.in_flight.idle())
    }
}
