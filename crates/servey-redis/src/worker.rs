//! The apalis worker of one instance: takes background jobs from Redis, runs each job's action through
//! the one invoke path and acknowledges it after the run. A worker whose connection fails dies (apalis
//! gives up on a backend error); this supervisor logs that once and starts a new one, under a new name,
//! with backoff, so the instance resumes by itself after a Redis restart.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Duration;

use apalis_core::backend::Vacuum;
use apalis_core::backend::ext::BackendExt;
use apalis_core::error::BoxDynError;
use apalis_core::worker::builder::WorkerBuilder;
use apalis_core::worker::event::Event;
use apalis_core::worker::ext::event_listener::EventListenerExt;
use apalis_redis::RedisStorage;
use servey_core::{App, Input, Origin};
use tokio::sync::watch;
use tower::limit::ConcurrencyLimitLayer;
use tracing::Instrument;

use crate::RedisBackend;
use crate::outage::{Backoff, Outage};
use crate::queue::{StoredJob, config};
use crate::scripts::PatchedScripts;

/// Jobs one instance runs at once. A worker takes a job only when it has room for it: without a
/// limit, the first instance up would take a whole backlog into memory (and its in-flight set), leaving
/// nothing for the others, and give it all back only once it died.
pub(crate) const CONCURRENT_JOBS: usize = 64;

/// How often an idle worker asks Redis for jobs.
const POLL: Duration = Duration::from_millis(50);

/// Runs this instance's worker for `app` until `stopped` turns true, restarting it after failures.
///
/// A failure is logged once per outage, and its end once, when a new worker has shown it works (see
/// [`Health`]): a worker that fails at once again (Redis answers a ping but refuses the queue's
/// scripts, say) neither ends the outage nor resets the backoff, so restarts slow down to one every
/// 5 to 10 s instead of several a second.
pub(crate) async fn run(backend: RedisBackend, app: App, mut stopped: watch::Receiver<bool>) {
    let instance = format!("{}-{:08x}", std::process::id(), rand::random::<u32>());
    let outage = Arc::new(Outage::new("background workers"));
    let mut backoff = Backoff::default();
    for generation in 0_u64.. {
        if *stopped.borrow() {
            return;
        }
        let storage =
            RedisStorage::<StoredJob, _>::new(PatchedScripts::new(backend.connection.clone()))
                .with_config(config(&backend))
                .poll_with_interval(POLL);
        let runner = app.clone();
        let health = Arc::new(Health::default());
        let (seen, recovered) = (health.clone(), outage.clone());
        let worker = WorkerBuilder::new(format!("servey-{instance}-{generation}"))
            .backend(storage)
            .layer(ConcurrencyLimitLayer::new(CONCURRENT_JOBS))
            .on_event(move |_, event| {
                if seen.saw(event) {
                    recovered.recovered();
                }
            })
            .build(move |job: StoredJob| run_job(runner.clone(), job));
        let stop = stopped.clone();
        let outcome = worker
            .run_until(async move {
                let mut stop = stop;
                let _ = stop.wait_for(|stop| *stop).await;
                Ok::<(), std::io::Error>(())
            })
            .await;
        match outcome {
            Ok(()) => return,
            Err(error) => {
                if health.is_healthy() {
                    backoff.reset();
                }
                outage.failed(&error);
            }
        }
        // A new worker only once Redis answers: each failed start would log apalis's own errors again.
        let mut connection = backend.connection.clone();
        loop {
            tokio::select! {
                () = backoff.wait() => {}
                _ = stopped.wait_for(|stop| *stop) => return,
            }
            let answered = ::redis::cmd("PING")
                .query_async::<()>(&mut connection)
                .await;
            if answered.is_ok() {
                break;
            }
        }
    }
}

/// What one worker has shown since it started: it works once it has run a job, or sent a heartbeat
/// after the one of its registration (a fetch that fails kills it within one poll, before either).
#[derive(Debug, Default)]
struct Health {
    heartbeats: AtomicU32,
    is_healthy: AtomicBool,
}

impl Health {
    /// Records `event`; true when it is the first sign that the worker works.
    fn saw(&self, event: &Event) -> bool {
        let is_sign = match event {
            Event::Success(_) => true,
            Event::HeartBeat => self.heartbeats.fetch_add(1, Ordering::Relaxed) >= 1,
            _ => false,
        };
        is_sign && !self.is_healthy.swap(true, Ordering::AcqRel)
    }

    fn is_healthy(&self) -> bool {
        self.is_healthy.load(Ordering::Acquire)
    }
}

/// How long a finished job's data stays in Redis (for apalis-board, say) before it is removed.
const KEEP_FINISHED: Duration = Duration::from_secs(3600);

/// Removes finished jobs older than [`KEEP_FINISHED`] every minute until `stopped` turns true, so that
/// the queue's data does not grow without bound (apalis-redis keeps every finished job otherwise).
pub(crate) async fn vacuum(backend: RedisBackend, mut stopped: watch::Receiver<bool>) {
    let mut storage = RedisStorage::<StoredJob, crate::Connection>::new(backend.connection.clone())
        .with_config(config(&backend));
    loop {
        tokio::select! {
            () = tokio::time::sleep(Duration::from_secs(60)) => {}
            _ = stopped.wait_for(|stop| *stop) => return,
        }
        if let Err(error) = storage.vacuum_before(KEEP_FINISHED).await {
            tracing::debug!(%error, "finished background jobs not removed this time");
        }
    }
}

/// Runs one job's action for `app`. A failed action is logged and the job acknowledged, as in-process:
/// a retry is the action's own decision, not the queue's.
async fn run_job(app: App, job: StoredJob) -> Result<(), BoxDynError> {
    let Some(action) = app.registry().get(&job.action).cloned() else {
        tracing::error!(
            channel = %job.channel,
            action = %job.action,
            "a background job names an action this instance does not have; it is dropped"
        );
        return Ok(());
    };
    // The action runs for the app, not for the publisher's caller: a new request id, no credentials,
    // the app's shared values and backends, and the switches that were on where it was published.
    let context = app
        .context()
        .switches(job.switches)
        .with_origin(Origin::Channel);
    let span = tracing::info_span!(
        "background_event",
        channel = %job.channel,
        action = %job.action,
        request_id = %context.request_id(),
        published_by = %job.published_by,
    );
    // A failure is logged by the invoke path, as every call's is.
    let _ = servey_core::invoke(&action, Input::from_value(job.event), context)
        .instrument(span)
        .await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_worker_works_once_it_ran_a_job_or_beat_twice() {
        let health = Health::default();
        assert!(!health.saw(&Event::Start));
        assert!(!health.saw(&Event::HeartBeat), "the registration's beat");
        assert!(!health.is_healthy());
        assert!(health.saw(&Event::HeartBeat), "the first sign is reported");
        assert!(!health.saw(&Event::HeartBeat), "once");
        assert!(health.is_healthy());
        let ran = Health::default();
        assert!(ran.saw(&Event::Success(Box::new(()))));
        assert!(!ran.saw(&Event::Success(Box::new(()))));
    }
}
