//! Scheduled actions: every `fixed_rate` and `cron` trigger becomes one task that sleeps until its next
//! tick ([`crate::tick_times`]) and invokes its action through the one invoke path. A tick that finds the
//! previous run still going is skipped and logged, never stacked; a failed run is logged and the
//! schedule goes on.
//!
//! When the app's channels have a [`TickLease`] (the Redis backend), fixed rates count from the epoch,
//! the same instants on every instance, and each tick runs where its lease is won.
//! The scheduler also runs the background queue's workers (a durable queue takes jobs while it runs).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use servey_core::context::new_request_id;
use servey_core::metrics::TickMetrics;
use servey_core::{Action, App, Context, Extensions, Input, Metrics, Origin, Trigger};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::Instrument;

use crate::error::ScheduleError;
use crate::runtime::Channels;
use crate::tick_times::TickTimes;
use servey_core::backend::InFlight;
use servey_core::backend::{SharedResultStore, TickLease};

mod leased;

/// How often a scheduled action has been ticked, run, skipped and failed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TickStats {
    /// Ticks of its schedule.
    pub ticks: u64,
    /// Runs started (ticks that were not skipped).
    pub runs: u64,
    /// Ticks skipped because the previous run was still going.
    pub skipped: u64,
    /// Runs that ended in an error.
    pub failures: u64,
    /// Ticks another instance claimed and ran (scale-out), or that could not be claimed.
    pub elsewhere: u64,
    /// Ticks run again here because the instance that claimed them died mid-run (scale-out).
    pub reruns: u64,
}

/// The running schedule of an app; stop it with [`Scheduler::shutdown`].
pub struct Scheduler {
    jobs: Vec<Arc<ScheduledAction>>,
    running: InFlight,
    /// Turns `true` to stop the schedules and the background workers.
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for Scheduler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<_> = self
            .jobs
            .iter()
            .map(|job| job.action.name.as_str())
            .collect();
        f.debug_struct("Scheduler").field("jobs", &names).finish()
    }
}

/// Starts every scheduled action of `app` in the background; each run's context carries the app's
/// shared values, so a job can publish to the app's channels.
///
/// Fails, before anything runs, on an invalid cron expression, a zero rate, or an app built without its
/// [`Channels`] (whose build refused duplicate names and background channels naming unknown actions).
pub async fn start(app: &App) -> Result<Scheduler, ScheduleError> {
    let channels = Channels::of(app)?;
    let lease = channels.tick_lease();
    let mut planned = Vec::new();
    for action in app.registry().iter() {
        for trigger in &action.triggers {
            match trigger {
                Trigger::FixedRate { seconds: 0 } => {
                    return Err(ScheduleError::ZeroRate {
                        action: action.name.clone(),
                    });
                }
                Trigger::FixedRate { seconds } => {
                    planned.push((action.clone(), Plan::Every(Duration::from_secs(*seconds))));
                }
                Trigger::Cron(expression) => {
                    planned.push((action.clone(), Plan::Cron(expression.to_string())));
                }
                _ => {}
            }
        }
    }
    let mut jobs = Vec::new();
    let mut timed = Vec::new();
    let started = Utc::now();
    let running = InFlight::default();
    for (action, plan) in planned {
        let job = Arc::new(ScheduledAction {
            running: running.clone(),
            extensions: app.extensions().clone(),
            shared_results: app.backends().shared_results().cloned(),
            metrics: app.metrics().cloned(),
            ticks: app.metrics().map(|metrics| metrics.ticks(&action.name)),
            is_running: AtomicBool::new(false),
            tick_count: AtomicU64::new(0),
            runs: AtomicU64::new(0),
            skipped: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            elsewhere: AtomicU64::new(0),
            reruns: AtomicU64::new(0),
            action,
        });
        // Shared ticks count from the epoch, so that every instance computes the same instants.
        let origin = if lease.is_some() {
            DateTime::UNIX_EPOCH
        } else {
            started
        };
        timed.push((job.clone(), job.tick_times(&plan, origin)?));
        jobs.push(job);
    }
    let (stop, stopped) = watch::channel(false);
    let mut tasks = Vec::new();
    for (job, times) in timed {
        let (lease, stopped) = (lease.clone(), stopped.clone());
        tasks.push(tokio::spawn(job.run(times, lease, stopped)));
    }
    if let Some(workers) = channels.background_workers(app, stopped) {
        tasks.push(tokio::spawn(workers));
    }
    for job in &jobs {
        tracing::info!(action = %job.action.name, schedule = %describe(&job.action), "scheduled");
    }
    Ok(Scheduler {
        jobs,
        running,
        stop,
        tasks,
    })
}

fn describe(action: &Action) -> String {
    action
        .triggers
        .iter()
        .filter(|trigger| matches!(trigger, Trigger::FixedRate { .. } | Trigger::Cron(_)))
        .map(Trigger::describe)
        .collect::<Vec<_>>()
        .join(", ")
}

impl Scheduler {
    /// The counters of the scheduled action `name` (summed over its triggers).
    pub fn stats(&self, name: &str) -> Option<TickStats> {
        let mut matching = self
            .jobs
            .iter()
            .filter(|job| job.action.name == name)
            .peekable();
        matching.peek()?;
        Some(matching.fold(TickStats::default(), |sum, job| TickStats {
            ticks: sum.ticks + job.tick_count.load(Ordering::Relaxed),
            runs: sum.runs + job.runs.load(Ordering::Relaxed),
            skipped: sum.skipped + job.skipped.load(Ordering::Relaxed),
            failures: sum.failures + job.failures.load(Ordering::Relaxed),
            elsewhere: sum.elsewhere + job.elsewhere.load(Ordering::Relaxed),
            reruns: sum.reruns + job.reruns.load(Ordering::Relaxed),
        }))
    }

    /// Stops every schedule, then waits for the runs in progress to finish (bound it with a timeout).
    pub async fn shutdown(mut self) -> Result<(), ScheduleError> {
        self.stop.send_replace(true);
        for task in self.tasks.drain(..) {
            let _ = task.await;
        }
        self.running.idle().await;
        Ok(())
    }
}

enum Plan {
    Every(Duration),
    Cron(String),
}

/// One schedule of one action, with its overlap guard and counters.
struct ScheduledAction {
    action: Arc<Action>,
    running: InFlight,
    extensions: Extensions,
    /// The app's shared result store, when its instances share cached results.
    shared_results: Option<SharedResultStore>,
    metrics: Option<Arc<Metrics>>,
    /// This action's `servey_job_ticks_total` series, when the app records metrics.
    ticks: Option<TickMetrics>,
    is_running: AtomicBool,
    tick_count: AtomicU64,
    runs: AtomicU64,
    skipped: AtomicU64,
    failures: AtomicU64,
    elsewhere: AtomicU64,
    reruns: AtomicU64,
}

impl ScheduledAction {
    /// The instants of `plan`, fixed rates counted from `origin`.
    fn tick_times(&self, plan: &Plan, origin: DateTime<Utc>) -> Result<TickTimes, ScheduleError> {
        match plan {
            Plan::Every(every) => Ok(TickTimes::Every {
                seconds: every.as_secs(),
                origin,
            }),
            Plan::Cron(expression) => {
                TickTimes::cron(expression).ok_or_else(|| ScheduleError::InvalidCron {
                    action: self.action.name.clone(),
                    expression: expression.clone(),
                    fields: expression.split_whitespace().count(),
                })
            }
        }
    }

    /// Ticks at `times` until `stopped` turns true; with a `lease`, runs only the ticks this instance
    /// wins.
    async fn run(
        self: Arc<Self>,
        times: TickTimes,
        lease: Option<Arc<dyn TickLease>>,
        mut stopped: watch::Receiver<bool>,
    ) {
        let hold = times.hold();
        let mut last: Option<DateTime<Utc>> = None;
        loop {
            let now = Utc::now();
            // Never at or before the last tick: waking a little early by the wall clock must not tick twice.
            let after = last.map_or(now, |last| now.max(last));
            let Some(next) = times.next_after(after) else {
                tracing::warn!(action = %self.action.name, "the schedule has no next tick");
                return;
            };
            let wait = (next - now).to_std().unwrap_or_default();
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                _ = stopped.wait_for(|stop| *stop) => return,
            }
            last = Some(next);
            let job = self.clone();
            // Counted from the tick on, so that a shutdown waits for a run (or a claim) begun before it.
            let counted = self.running.start();
            // A run must not delay the next tick: overlap is the tick's own guard's business.
            match &lease {
                None => tokio::spawn(async move {
                    let _counted = counted;
                    job.tick().await;
                }),
                Some(lease) => {
                    let (lease, stopped) = (lease.clone(), stopped.clone());
                    tokio::spawn(async move {
                        let _counted = counted;
                        job.claim_and_tick(&*lease, next, hold, stopped).await;
                    })
                }
            };
        }
    }

    async fn tick(&self) {
        self.tick_count.fetch_add(1, Ordering::Relaxed);
        let name = self.action.name.as_str();
        if self.is_running.swap(true, Ordering::AcqRel) {
            self.skipped.fetch_add(1, Ordering::Relaxed);
            if let Some(ticks) = &self.ticks {
                ticks.record_skip();
            }
            tracing::warn!(
                action = name,
                "tick skipped: the previous run is still going"
            );
            return;
        }
        let _running = RunningGuard(&self.is_running);
        let _counted = self.running.start();
        self.runs.fetch_add(1, Ordering::Relaxed);
        if let Some(ticks) = &self.ticks {
            ticks.record_run();
        }
        let context = Context::with_request_id(new_request_id())
            .extensions(self.extensions.clone())
            .with_shared_results(self.shared_results.clone())
            .with_metrics(self.metrics.clone())
            .with_origin(Origin::Schedule);
        let span =
            tracing::info_span!("scheduled_run", action = name, request_id = %context.request_id());
        let outcome = servey_core::invoke(&self.action, Input::empty(), context)
            .instrument(span.clone())
            .await;
        let _entered = span.enter();
        match outcome {
            Ok(_) => tracing::debug!("scheduled run finished"),
            // The invoke path logged the failure; the schedule goes on.
            Err(_) => {
                self.failures.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// Clears the running flag however the run ends.
struct RunningGuard<'a>(&'a AtomicBool);

impl Drop for RunningGuard<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}
