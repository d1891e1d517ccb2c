//! A backlog of due background jobs far larger than apalis-redis 1.0's fetch script could move in one
//! go (Redis's Lua refuses to `unpack` more than about 8,000 values): three instances drain it, each
//! job running exactly once; and a dead worker's in-flight jobs, as many, go back to the queue.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use apalis_core::backend::TaskSink;
use apalis_redis::RedisStorage;
use redis::aio::ConnectionManager;
use serde_json::{Value, json};
use servey_core::Action;
use tokio::sync::Semaphore;

use crate::common::eventually;
use crate::redis_server::RedisServer;
use crate::scale_out::{Running, instances, shut_down, start_instances};

/// Jobs stored in one script call while filling the backlog.
const CHUNK: usize = 1_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backlog_of_20_000_due_jobs_is_drained_once_by_three_instances() {
    drain_backlog(20_000, Duration::from_secs(100)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "takes minutes on a 2-core machine: `cargo xtask ci` runs it; the 20,000-job test above covers the same path"]
async fn a_backlog_of_100_000_due_jobs_is_drained_once_by_three_instances() {
    drain_backlog(100_000, Duration::from_secs(600)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_worker_holding_10_000_jobs_gives_them_back_to_the_live_ones() {
    let server = RedisServer::start();
    let (config, mut connection, texts) = store_backlog(&server, 10_000).await;
    // The jobs as a worker that died holding them leaves them: in its in-flight set, its last
    // heartbeat long ago.
    let ids: Vec<String> = ::redis::cmd("ZRANGE")
        .arg(config.scheduled_jobs_set())
        .arg(0)
        .arg(-1)
        .query_async(&mut connection)
        .await
        .expect("lists the jobs");
    assert_eq!(ids.len(), texts.len());
    let mut pipeline = ::redis::pipe();
    for chunk in ids.chunks(CHUNK) {
        pipeline
            .sadd(format!("{}:dead-worker", config.inflight_jobs_set()), chunk)
            .ignore();
    }
    pipeline
        .del(config.scheduled_jobs_set())
        .ignore()
        .zadd(config.workers_set(), "dead-worker", 0)
        .ignore();
    pipeline
        .query_async::<()>(&mut connection)
        .await
        .expect("the dead worker's state is stored");
    drain(&server, &texts, Duration::from_secs(100)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_instance_runs_at_most_64_jobs_at_once_leaving_the_rest_to_the_others() {
    const LIMIT: usize = 64;
    let server = RedisServer::start();
    let (mut storage, _) = queue(&server).await;
    let stored = (0..300)
        .map(|n| json!({"channel": "test_slow", "action": "slow_note", "event": n, "published_by": "the test"}))
        .collect();
    storage.push_bulk(stored).await.expect("stored");
    // Each job waits for the gate, which the test never opens: it closes it at the end.
    let gate = Arc::new(Semaphore::new(0));
    let running_per_instance = Arc::new(Mutex::new(Vec::<Arc<AtomicUsize>>::new()));
    let instances = instances(&server, 3, || {
        let (gate, running) = (gate.clone(), Arc::new(AtomicUsize::new(0)));
        running_per_instance
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(running.clone());
        vec![
            Action::builder("slow_note", move |_: Value, _| {
                let (gate, running) = (gate.clone(), running.clone());
                async move {
                    running.fetch_add(1, Ordering::SeqCst);
                    let _closed = gate.acquire().await;
                    Ok(Value::Null)
                }
            })
            .build(),
        ]
    })
    .await;
    let running = || -> Vec<usize> {
        running_per_instance
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|running| running.load(Ordering::SeqCst))
            .collect()
    };
    eventually("three instances' worth of jobs run", || {
        running().iter().sum::<usize>() >= 3 * LIMIT
    })
    .await;
    assert_eq!(
        running(),
        [LIMIT; 3],
        "each instance took its share, no more"
    );
    gate.close();
    shut_down(instances).await;
}

/// The background queue of `server`'s namespace, as `RedisBackend` names it, and its settings.
async fn queue(server: &RedisServer) -> (RedisStorage<Value>, apalis_redis::Config) {
    let connection = ::redis::Client::open(server.url())
        .expect("a URL")
        .get_connection_manager()
        .await
        .expect("connects");
    let config =
        apalis_redis::Config::default().queue(format!("{}:background", server.namespace()));
    let storage = RedisStorage::<Value>::new(connection).with_config(config.clone());
    (storage, config)
}

/// Stores `jobs` background events while no instance runs: the queue's settings, a connection, and
/// the text of each job's note.
async fn store_backlog(
    server: &RedisServer,
    jobs: usize,
) -> (apalis_redis::Config, ConnectionManager, Vec<String>) {
    let (mut storage, config) = queue(server).await;
    let connection = storage.get_connection().clone();
    let texts: Vec<String> = (0..jobs).map(|n| format!("job {n:06}")).collect();
    for chunk in texts.chunks(CHUNK) {
        let stored = chunk
            .iter()
            .map(|text| {
                json!({
                    "channel": "test_record",
                    "action": "record_note",
                    "event": {"to": null, "text": text},
                    "published_by": "the backlog test",
                })
            })
            .collect();
        storage.push_bulk(stored).await.expect("stored");
    }
    (config, connection, texts)
}

/// Stores `jobs` background events while no instance runs, then drains them.
async fn drain_backlog(jobs: usize, bound: Duration) {
    let server = RedisServer::start();
    let (_, _, texts) = store_backlog(&server, jobs).await;
    drain(&server, &texts, bound).await;
}

/// Starts three instances and checks that within `bound` the job of each of `texts` ran, and once.
async fn drain(server: &RedisServer, texts: &[String], bound: Duration) {
    let jobs = texts.len();
    let started = Instant::now();
    let instances = start_instances(server, 3).await;
    let ran = |instances: &Running| -> usize {
        instances
            .iter()
            .map(|(_, recorded, _)| recorded.len())
            .sum()
    };
    let drained = tokio::time::timeout(bound, async {
        while ran(&instances) < jobs {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    let took = started.elapsed();
    let done = ran(&instances);
    assert!(
        drained.is_ok(),
        "{done} of {jobs} jobs ran within {bound:?}"
    );
    let shares: Vec<usize> = instances
        .iter()
        .map(|(_, recorded, _)| recorded.len())
        .collect();
    eprintln!("{jobs} jobs drained by three instances in {took:?}, each running {shares:?}");
    // Counted once the workers stopped: a job run twice would show now.
    let stopped = shut_down(instances).await;
    let mut counted: Vec<String> = stopped
        .iter()
        .flat_map(|(_, recorded)| recorded.sorted_texts())
        .collect();
    counted.sort();
    assert_eq!(counted.len(), jobs, "no job ran twice");
    assert!(counted == texts, "each job ran exactly once");
}
