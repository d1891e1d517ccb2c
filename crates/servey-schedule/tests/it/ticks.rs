//! Scheduled actions: they repeat, never overlap (ticks during a run are skipped), survive failures, and
//! bad schedules fail `start` with a message naming the action and the expression.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::Value;
use servey_core::{Action, ActionError, Trigger};
use servey_schedule::ScheduleError;

use crate::common::{app_with, counting, eventually, metric};

#[tokio::test]
async fn fixed_rate_action_runs_repeatedly() {
    let (action, runs) = counting("every_second", Trigger::FixedRate { seconds: 1 });
    let scheduler = servey_schedule::start(&app_with(vec![action]))
        .await
        .expect("starts");
    eventually("the action ran three times", || {
        runs.load(Ordering::SeqCst) >= 3
    })
    .await;
    let stats = scheduler.stats("every_second").expect("scheduled");
    assert!(stats.runs >= 3 && stats.failures == 0, "{stats:?}");
    scheduler.shutdown().await.expect("stops");
}

#[tokio::test]
async fn cron_action_runs_on_its_schedule() {
    let (action, runs) = counting("every_cron_second", Trigger::Cron("* * * * * *".into()));
    let scheduler = servey_schedule::start(&app_with(vec![action]))
        .await
        .expect("starts");
    eventually("the cron action ran twice", || {
        runs.load(Ordering::SeqCst) >= 2
    })
    .await;
    scheduler.shutdown().await.expect("stops");
}

#[tokio::test]
async fn ticks_during_a_run_are_skipped_never_stacked() {
    let running = Arc::new(AtomicUsize::new(0));
    let max_running = Arc::new(AtomicUsize::new(0));
    let (now, max) = (running.clone(), max_running.clone());
    let slow = Action::builder("slow_job", move |_, _| {
        let (now, max) = (now.clone(), max.clone());
        async move {
            let current = now.fetch_add(1, Ordering::SeqCst) + 1;
            max.fetch_max(current, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(2500)).await;
            now.fetch_sub(1, Ordering::SeqCst);
            Ok(Value::Null)
        }
    })
    .trigger(Trigger::FixedRate { seconds: 1 })
    .build();
    let app = app_with(vec![slow]);
    let scheduler = servey_schedule::start(&app).await.expect("starts");
    eventually("two runs and two skipped ticks", || {
        scheduler
            .stats("slow_job")
            .is_some_and(|stats| stats.runs >= 2 && stats.skipped >= 2)
    })
    .await;
    let stats = scheduler.stats("slow_job").expect("scheduled");
    assert_eq!(max_running.load(Ordering::SeqCst), 1, "runs overlapped");
    assert!(stats.runs < stats.ticks, "{stats:?}");
    assert_eq!(stats.runs + stats.skipped, stats.ticks, "{stats:?}");
    eventually(
        "the metrics count runs, skipped ticks and the job's calls",
        || {
            let at_least_two = |series| metric(&app, series).is_some_and(|value| value >= 2.0);
            at_least_two(r#"servey_job_ticks_total{action="slow_job",outcome="run"}"#)
                && at_least_two(r#"servey_job_ticks_total{action="slow_job",outcome="skipped"}"#)
                && metric(
                    &app,
                    r#"servey_action_calls_total{action="slow_job",transport="job",outcome="ok"}"#,
                )
                .is_some_and(|value| value >= 1.0)
        },
    )
    .await;
    scheduler.shutdown().await.expect("stops");
}

#[tokio::test]
async fn failing_action_keeps_being_scheduled() {
    let attempts = Arc::new(AtomicUsize::new(0));
    let counter = attempts.clone();
    let failing = Action::builder("failing_job", move |_, _| {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            Err::<Value, _>(ActionError::from(std::io::Error::other("disk on fire")))
        }
    })
    .trigger(Trigger::FixedRate { seconds: 1 })
    .build();
    let scheduler = servey_schedule::start(&app_with(vec![failing]))
        .await
        .expect("starts");
    eventually("three failed runs", || {
        scheduler
            .stats("failing_job")
            .is_some_and(|stats| stats.failures >= 3)
    })
    .await;
    let stats = scheduler.stats("failing_job").expect("scheduled");
    assert_eq!(stats.failures, stats.runs, "{stats:?}");
    assert!(attempts.load(Ordering::SeqCst) >= 3);
    scheduler.shutdown().await.expect("stops");
}

#[tokio::test]
async fn invalid_cron_fails_start_naming_action_and_expression() {
    for expression in ["*/5 * * * *", "every minute please"] {
        let (action, _) = counting("bad_cron", Trigger::Cron(expression.into()));
        let error = servey_schedule::start(&app_with(vec![action]))
            .await
            .expect_err("an invalid cron expression");
        assert!(
            matches!(&error, ScheduleError::InvalidCron { action, expression: e, .. } if action == "bad_cron" && e == expression),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(
            message.starts_with(&format!(
                "action `bad_cron`: invalid cron expression `{expression}`: expected six fields, seconds first"
            )),
            "{message}"
        );
    }
    let (action, _) = counting("zero_rate", Trigger::FixedRate { seconds: 0 });
    let error = servey_schedule::start(&app_with(vec![action]))
        .await
        .expect_err("a zero rate");
    assert_eq!(
        error.to_string(),
        "action `zero_rate`: fixed_rate(0) is not a rate; use at least 1 second"
    );
}
