//! `RedisQueue`: background events as durable apalis jobs in Redis. A publish stores the job (retrying
//! with backoff while Redis is away or slow, so that nothing published is dropped while this process
//! lives, and under one idempotency key, so that a retry never stores it twice);
//! the workers of every instance take jobs, run the action, and acknowledge after it ran. A job taken by
//! an instance that dies before acknowledging goes back to the queue once that worker misses its
//! heartbeats, and another instance runs it: at least once, so background actions must be idempotent.

use std::sync::Arc;
use std::time::Duration;

use apalis_core::backend::TaskSink;
use apalis_core::task::builder::TaskBuilder;
use apalis_redis::RedisStorage;
use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use servey_core::{App, Context, Registry};
use tokio::sync::watch;

use crate::outage::{Backoff, Outage};
use crate::{RedisBackend, within};
use servey_core::backend::{BackgroundEvent, BackgroundQueue, InFlight, PublishError};

/// A background event as stored in Redis.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct StoredJob {
    /// The channel it was published to.
    pub(crate) channel: String,
    /// The action it runs.
    pub(crate) action: String,
    /// The action's input.
    pub(crate) event: Value,
    /// The request id of the call that published it.
    pub(crate) published_by: String,
    /// The switches on in the call that published it (none in jobs stored by an older servey).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) switches: Vec<String>,
}

/// How long Redis remembers that a background event was stored, so that storing it again (after a
/// timeout while the first attempt still landed) does not store it twice.
const REMEMBER_STORED: Duration = Duration::from_secs(3600);

/// Heartbeats a worker may miss before its unacknowledged jobs go back to the queue.
const MISSED_HEARTBEATS: usize = 3;

/// The background queue of one app, shared through Redis by all its instances.
pub struct RedisQueue {
    registry: Registry,
    backend: RedisBackend,
    storage: RedisStorage<StoredJob, crate::Connection>,
    in_flight: InFlight,
    outage: Arc<Outage>,
}

impl std::fmt::Debug for RedisQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisQueue")
            .field("queue", &self.storage.get_config().queue.as_ref())
            .finish_non_exhaustive()
    }
}

impl RedisQueue {
    /// The queue `namespace:background` of `backend`, running the actions of `registry`.
    pub fn new(backend: &RedisBackend, registry: Registry) -> Self {
        let storage = RedisStorage::new(backend.connection.clone()).with_config(config(backend));
        Self {
            registry,
            backend: backend.clone(),
            storage,
            in_flight: InFlight::default(),
            outage: Arc::new(Outage::new("background events (publish)")),
        }
    }
}

/// The apalis-redis settings of the queue: its keys, heartbeat and orphan detection.
pub(crate) fn config(backend: &RedisBackend) -> apalis_redis::Config {
    apalis_redis::Config::default()
        .queue(backend.key("background"))
        .heartbeat_interval(backend.heartbeat)
        .missed_heartbeats(MISSED_HEARTBEATS)
        .batch_size(32)
        .emit_events(false)
        .idempotency_ttl(Some(REMEMBER_STORED))
}

impl BackgroundQueue for RedisQueue {
    fn enqueue(&self, job: BackgroundEvent, publisher: &Context) -> Result<(), PublishError> {
        let BackgroundEvent {
            channel,
            action,
            event,
        } = job;
        if self.registry.get(action).is_none() {
            return Err(PublishError::UnknownAction { channel, action });
        }
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|_| PublishError::NoRuntime { channel })?;
        let stored = StoredJob {
            channel: channel.to_owned(),
            action: action.to_owned(),
            event,
            published_by: publisher.request_id().to_string(),
            switches: publisher.active_switches().map(str::to_owned).collect(),
        };
        // One key for every attempt: an attempt that timed out may still have been stored.
        let task = TaskBuilder::new(stored)
            .idempotency_key(format!("{:032x}", rand::random::<u128>()))
            .build();
        let (storage, outage, running, timeout) = (
            self.storage.clone(),
            self.outage.clone(),
            self.in_flight.start(),
            self.backend.call_timeout,
        );
        runtime.spawn(async move {
            let _running = running;
            let mut backoff = Backoff::default();
            loop {
                // A fresh sink each attempt: one whose push was cut short still holds it, and
                // would send it again with the next.
                let mut attempt = storage.clone();
                match within(timeout, attempt.push_task(task.clone())).await {
                    Ok(()) => {
                        outage.recovered();
                        return;
                    }
                    Err(error) => {
                        outage.failed(&error);
                        backoff.wait().await;
                    }
                }
            }
        });
        Ok(())
    }

    fn flush(&self) -> BoxFuture<'_, ()> {
        Box::pin(self.in_flight.idle())
    }

    fn workers(&self, app: &App, stopped: watch::Receiver<bool>) -> Option<BoxFuture<'static, ()>> {
        let (backend, app) = (self.backend.clone(), app.clone());
        Some(Box::pin(async move {
            tokio::join!(
                crate::worker::run(backend.clone(), app, stopped.clone()),
                crate::worker::vacuum(backend, stopped),
            );
        }))
    }
}
