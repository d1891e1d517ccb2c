//! A backlog of due background jobs far larger than apalis-redis 1.0's fetch script could move in one
//! go (Redis's Lua refuses to `unpack` more than about 8,000 values): three instances drain it, each
//! job running exactly once; and a dead worker's in-flight jobs, as many, go back to the queue.

use std::time::{Duration, Instant};

use apalis_core::backend::TaskSink;
use apalis_redis::RedisStorage;
use redis::aio::ConnectionManager;
use serde_json::json;

use crate::redis_server::RedisServer;
use crate::scale_out::{Running, shut_down, start_instances};

/// Jobs stored in one script call while filling the backlog.
const CHUNK: usize = 1_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backlog_of_20_000_due_jobs_is_drained_once_by_three_instances() {
    drain_backlog(20_000, Duration::from_secs(100)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "takes minutes on a 2-core machine; the 20,000-job test above covers the same path"]
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

/// Stores `jobs` background events while no instance runs: the queue's settings, a connection, and
/// the text of each job's note.
async fn store_backlog(
    server: &RedisServer,
    jobs: usize,
) -> (apalis_redis::Config, ConnectionManager, Vec<String>) {
    let connection = ::redis::Client::open(server.url())
        .expect("a URL")
        .get_connection_manager()
        .await
        .expect("connects");
    // The queue's name as `RedisBackend` gives it: `namespace:background`.
    let config =
        apalis_redis::Config::default().queue(format!("{}:background", server.namespace()));
    let mut storage =
        RedisStorage::<serde_json::Value>::new(connection.clone()).with_config(config.clone());
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
    eprintln!("{jobs} jobs drained by three instances in {took:?}");
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
