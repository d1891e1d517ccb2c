//! An instance killed with SIGKILL in the middle of a scheduled tick: another instance runs the tick
//! again once the dead instance's lease expires, and never while that instance is alive. The killed
//! instance is a separate process: this test binary run again, as the ignored `killed_ticker` test.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::future::BoxFuture;
use serde_json::Value;
use servey_core::backend::{LeaseError, TickLease, Watched};
use servey_core::{Action, Registry, Trigger};
use servey_redis::{RedisBackend, RedisTickLease};

use crate::common::{app_over, bounded, eventually, recording_registry};
use crate::redis_server::RedisServer;

/// Where the child process finds Redis; unset in a normal test run.
const CHILD_REDIS: &str = "SERVEY_TEST_KILLED_TICKER_REDIS";
/// The namespace the child shares with the test.
const CHILD_NAMESPACE: &str = "SERVEY_TEST_KILLED_TICKER_NAMESPACE";
/// What the child prints when its tick has started.
const STARTED: &str = "killed_ticker: the tick started";
/// The lease of both instances: short, so that the test sees a re-run within seconds.
const LEASE: Duration = Duration::from_secs(1);

/// `ticker`, every 2 s, running `body` (beside the test channels' `record_note`).
fn ticker(body: impl Fn() + Send + Sync + 'static, hangs: bool) -> Registry {
    let body = Arc::new(body);
    let action = Action::builder("ticker", move |_: Value, _| {
        body();
        async move {
            if hangs {
                tokio::time::sleep(Duration::from_secs(3600)).await;
            }
            Ok(Value::Null)
        }
    })
    .trigger(Trigger::FixedRate { seconds: 2 })
    .build();
    recording_registry(vec![action]).0
}

/// The test's own lease, which claims 500 ms late: the child, when alive, wins every tick.
struct Late(RedisTickLease);

impl TickLease for Late {
    fn claim<'a>(
        &'a self,
        action: &'a str,
        tick: i64,
        hold: Duration,
    ) -> BoxFuture<'a, Result<bool, LeaseError>> {
        Box::pin(async move {
            tokio::time::sleep(Duration::from_millis(500)).await;
            self.0.claim(action, tick, hold).await
        })
    }

    fn lease_ttl(&self) -> Option<Duration> {
        self.0.lease_ttl()
    }

    fn renew<'a>(&'a self, action: &'a str, tick: i64) -> BoxFuture<'a, Result<bool, LeaseError>> {
        self.0.renew(action, tick)
    }

    fn finish<'a>(
        &'a self,
        action: &'a str,
        tick: i64,
        hold: Duration,
    ) -> BoxFuture<'a, Result<(), LeaseError>> {
        self.0.finish(action, tick, hold)
    }

    fn watch<'a>(
        &'a self,
        action: &'a str,
        tick: i64,
    ) -> BoxFuture<'a, Result<Watched, LeaseError>> {
        self.0.watch(action, tick)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tick_of_an_instance_killed_mid_run_runs_again_elsewhere() {
    let server = RedisServer::start();
    let runs = Arc::new(AtomicU64::new(0));
    let counter = runs.clone();
    let registry = ticker(
        move || {
            counter.fetch_add(1, Ordering::SeqCst);
        },
        false,
    );
    let backend = RedisBackend::connect(&server.url())
        .await
        .expect("the test's redis-server answers")
        .namespace(server.namespace())
        .tick_lease(LEASE);
    let backends = backend
        .backends(&registry)
        .await
        .expect("subscribes")
        .with_tick_lease(Late(RedisTickLease::new(&backend)));
    let app = app_over(registry, backends);
    let scheduler = servey_schedule::start(&app).await.expect("starts");

    let mut child = Command::new(std::env::current_exe().expect("the test binary"))
        .args([
            "--ignored",
            "--exact",
            "tick_kill::killed_ticker",
            "--nocapture",
        ])
        .env(CHILD_REDIS, server.url())
        .env(CHILD_NAMESPACE, server.namespace())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the child instance starts");
    let stdout = child.stdout.take().expect("piped");
    let started = tokio::task::spawn_blocking(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .any(|line| line.contains(STARTED))
    });
    let started = bounded("the child runs a tick", started)
        .await
        .expect("reads the child");
    assert!(started, "the child ended before it ran a tick");

    // Alive, the child renews its claim: three lease lifetimes pass and nothing runs the tick again.
    tokio::time::sleep(LEASE * 3).await;
    let stats = scheduler.stats("ticker").expect("scheduled");
    assert_eq!(
        stats.reruns, 0,
        "never again while its instance is alive: {stats:?}"
    );
    let runs_before_the_kill = runs.load(Ordering::SeqCst);

    child.kill().expect("SIGKILL");
    child.wait().expect("the child is gone");
    eventually("the killed instance's tick runs again here", || {
        scheduler
            .stats("ticker")
            .is_some_and(|stats| stats.reruns >= 1)
    })
    .await;
    assert!(runs.load(Ordering::SeqCst) > runs_before_the_kill);
    bounded("the scheduler stops", scheduler.shutdown())
        .await
        .expect("stops cleanly");
}

/// The instance the test above kills: runs a tick, says so, and never finishes it.
#[tokio::test]
#[ignore = "run as a child process by a_tick_of_an_instance_killed_mid_run_runs_again_elsewhere"]
async fn killed_ticker() {
    let url = std::env::var(CHILD_REDIS).expect("started by the test above, with the Redis URL");
    let registry = ticker(|| println!("{STARTED}"), true);
    let backend = RedisBackend::connect(&url)
        .await
        .expect("Redis answers")
        .namespace(std::env::var(CHILD_NAMESPACE).expect("started with the namespace"))
        .tick_lease(LEASE);
    let backends = backend.backends(&registry).await.expect("subscribes");
    let app = app_over(registry, backends);
    let _scheduler = servey_schedule::start(&app).await.expect("starts");
    std::future::pending::<()>().await;
}
