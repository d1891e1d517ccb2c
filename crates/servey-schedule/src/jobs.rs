//! Scheduled actions: every `fixed_rate` and `cron` trigger becomes a tokio-cron-scheduler job that
//! invokes its action through the one invoke path. A tick that finds the previous run still going is
//! skipped and logged, never stacked; a failed run is logged and the schedule goes on.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use servey_core::context::new_request_id;
use servey_core::metrics::JobMetrics;
use servey_core::{Action, App, Context, Extensions, Input, Metrics, Transport, Trigger};
use tokio_cron_scheduler::{Job, JobScheduler};
use tracing::Instrument;

use crate::error::ScheduleError;
use crate::in_flight::InFlight;
use crate::runtime::Channels;

/// How often a scheduled action has been ticked, run, skipped and failed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobStats {
    /// Ticks of its schedule.
    pub ticks: u64,
    /// Runs started (ticks that were not skipped).
    pub runs: u64,
    /// Ticks skipped because the previous run was still going.
    pub skipped: u64,
    /// Runs that ended in an error.
    pub failures: u64,
}

/// The running schedule of an app; stop it with [`Scheduler::shutdown`].
pub struct Scheduler {
    scheduler: Option<JobScheduler>,
    jobs: Vec<Arc<ScheduledAction>>,
    running: InFlight,
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
    Channels::of(app)?;
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
    let mut built = Vec::new();
    let running = InFlight::default();
    for (action, plan) in planned {
        let job = Arc::new(ScheduledAction {
            running: running.clone(),
            extensions: app.extensions().clone(),
            metrics: app.metrics().cloned(),
            ticks: app.metrics().map(|metrics| metrics.job(&action.name)),
            is_running: AtomicBool::new(false),
            tick_count: AtomicU64::new(0),
            runs: AtomicU64::new(0),
            skipped: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            action,
        });
        built.push(job.to_cron_job(&plan)?);
        jobs.push(job);
    }
    let scheduler = if built.is_empty() {
        None
    } else {
        let scheduler = JobScheduler::new()
            .await
            .map_err(ScheduleError::Scheduler)?;
        for job in built {
            scheduler.add(job).await.map_err(ScheduleError::Scheduler)?;
        }
        scheduler.start().await.map_err(ScheduleError::Scheduler)?;
        Some(scheduler)
    };
    for job in &jobs {
        tracing::info!(action = %job.action.name, schedule = %describe(&job.action), "scheduled");
    }
    Ok(Scheduler {
        scheduler,
        jobs,
        running,
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
    pub fn stats(&self, name: &str) -> Option<JobStats> {
        let mut matching = self
            .jobs
            .iter()
            .filter(|job| job.action.name == name)
            .peekable();
        matching.peek()?;
        Some(matching.fold(JobStats::default(), |sum, job| JobStats {
            ticks: sum.ticks + job.tick_count.load(Ordering::Relaxed),
            runs: sum.runs + job.runs.load(Ordering::Relaxed),
            skipped: sum.skipped + job.skipped.load(Ordering::Relaxed),
            failures: sum.failures + job.failures.load(Ordering::Relaxed),
        }))
    }

    /// Stops every schedule, then waits for the runs in progress to finish (bound it with a timeout).
    pub async fn shutdown(mut self) -> Result<(), ScheduleError> {
        if let Some(mut scheduler) = self.scheduler.take() {
            scheduler
                .shutdown()
                .await
                .map_err(ScheduleError::Scheduler)?;
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
    metrics: Option<Arc<Metrics>>,
    /// This action's `servey_job_ticks_total` series, when the app records metrics.
    ticks: Option<JobMetrics>,
    is_running: AtomicBool,
    tick_count: AtomicU64,
    runs: AtomicU64,
    skipped: AtomicU64,
    failures: AtomicU64,
}

impl ScheduledAction {
    fn to_cron_job(self: &Arc<Self>, plan: &Plan) -> Result<Job, ScheduleError> {
        let job = self.clone();
        let run = move |_id, _scheduler| {
            let job = job.clone();
            Box::pin(async move { job.tick().await })
                as std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>
        };
        match plan {
            Plan::Every(every) => {
                Job::new_repeated_async(*every, run).map_err(ScheduleError::Scheduler)
            }
            Plan::Cron(expression) => {
                Job::new_async(expression.as_str(), run).map_err(|_| ScheduleError::InvalidCron {
                    action: self.action.name.clone(),
                    expression: expression.clone(),
                    fields: expression.split_whitespace().count(),
                })
            }
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
            .with_metrics(self.metrics.clone())
            .with_transport(Transport::Job);
        let span =
            tracing::info_span!("scheduled_run", action = name, request_id = %context.request_id());
        let outcome = servey_core::invoke(&self.action, Input::empty(), context)
            .instrument(span.clone())
            .await;
        let _entered = span.enter();
        match outcome {
            Ok(_) => tracing::debug!("scheduled run finished"),
            Err(error) => {
                self.failures.fetch_add(1, Ordering::Relaxed);
                tracing::error!(%error, cause = ?error.cause(), "scheduled run failed; the schedule goes on");
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
