//! An instance killed with SIGKILL in the middle of a background job: another instance finishes the job,
//! once. The killed instance is a separate process: this test binary run again, as the ignored
//! `killed_instance` test, with the Redis URL in its environment.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;
use servey_core::{Action, Registry};
use servey_redis::RedisBackend;
use servey_schedule::Channels;

use crate::common::{Note, RECORD, app_over, bounded, context};
use crate::redis_server::RedisServer;
use crate::scale_out::{all_texts, instance};

/// Where the child process finds Redis; unset in a normal test run.
const CHILD_REDIS: &str = "SERVEY_TEST_KILLED_INSTANCE_REDIS";
/// The namespace the child shares with the test.
const CHILD_NAMESPACE: &str = "SERVEY_TEST_KILLED_INSTANCE_NAMESPACE";
/// What the child prints when the job's action has started.
const STARTED: &str = "killed_instance: the job started";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_of_an_instance_killed_mid_run_completes_once_elsewhere() {
    let server = RedisServer::start();
    let mut child = Command::new(std::env::current_exe().expect("the test binary"))
        .args([
            "--ignored",
            "--exact",
            "scale_out_kill::killed_instance",
            "--nocapture",
        ])
        .env(CHILD_REDIS, server.url())
        .env(CHILD_NAMESPACE, server.namespace())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the child instance starts");
    let stdout = child.stdout.take().expect("piped");
    // Published by an instance that runs no workers: only the child can take the job.
    let (publisher, _) = instance(&server, vec![]).await;
    RECORD
        .publish(&context(&publisher), &Note::new("the job"))
        .expect("published");
    bounded(
        "stored",
        Channels::of(&publisher).expect("channels").flush(),
    )
    .await;
    let started = tokio::task::spawn_blocking(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .any(|line| line.contains(STARTED))
    });
    let started = bounded("the child takes the job", started)
        .await
        .expect("reads the child");
    assert!(started, "the child ended before it took the job");
    child.kill().expect("SIGKILL");
    child.wait().expect("the child is gone");
    let survivors = crate::scale_out::start_instances(&server, 2).await;
    // Re-delivery waits for three missed 2 s heartbeats (whole seconds): about 8 s, bounded at 30.
    let ran = tokio::time::timeout(Duration::from_secs(30), async {
        while all_texts(&survivors).is_empty() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    assert!(ran.is_ok(), "no other instance ran the job within 30 s");
    // Two more heartbeats: a second re-delivery, were there one, would show now.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(all_texts(&survivors), ["the job"]);
    crate::scale_out::shut_down(survivors).await;
}

/// The instance the test above kills: takes the job, says so, and never finishes it.
#[tokio::test]
#[ignore = "run as a child process by a_job_of_an_instance_killed_mid_run_completes_once_elsewhere"]
async fn killed_instance() {
    let url = std::env::var(CHILD_REDIS).expect("started by the test above, with the Redis URL");
    let hang = Action::builder("record_note", |_: Value, _| async {
        println!("{STARTED}");
        tokio::time::sleep(Duration::from_secs(3600)).await;
        Ok(Value::Null)
    })
    .build();
    let registry = Registry::builder()
        .action(hang)
        .build()
        .expect("one action");
    let backend = RedisBackend::connect(&url)
        .await
        .expect("Redis answers")
        .namespace(std::env::var(CHILD_NAMESPACE).expect("started with the namespace"))
        .heartbeat(Duration::from_secs(1));
    let backends = backend.backends(&registry).await.expect("subscribes");
    let app = app_over(registry, backends);
    let _scheduler = servey_schedule::start(&app).await.expect("starts");
    std::future::pending::<()>().await;
}
