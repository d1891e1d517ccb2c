//! A Sentinel-managed Redis (`redis+sentinel://`): the instances find the master through a real
//! redis-sentinel, and when the master dies and the Sentinel promotes its replica, they follow it:
//! events published before and after the failover reach a subscriber on another instance, and those
//! published while the master is down at most once, all in order.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use servey_redis::RedisBackend;

use crate::common::{
    app_over, connect, context, next_json, recording_registry, serve, subscribers,
};
use crate::redis_server::{RedisServer, free_port};
use crate::scale_out::{Numbered, RELAY};

/// The name the Sentinel knows the master by.
const SERVICE: &str = "servey-test";

/// A redis-sentinel of this test, watching one master; killed when dropped.
struct Sentinel {
    child: Child,
    port: u16,
}

impl Sentinel {
    fn watching(master_port: u16) -> Self {
        let port = free_port();
        let dir = std::env::temp_dir().join(format!(
            "servey-sentinel-{}-{:08x}",
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(&dir).expect("a directory");
        // The Sentinel rewrites its configuration file as it learns: it must be its own.
        let config = dir.join("sentinel.conf");
        std::fs::write(
            &config,
            format!(
                "port {port}\nbind 127.0.0.1\ndir {}\n\
                 sentinel monitor {SERVICE} 127.0.0.1 {master_port} 1\n\
                 sentinel down-after-milliseconds {SERVICE} 1000\n\
                 sentinel failover-timeout {SERVICE} 3000\n",
                dir.display()
            ),
        )
        .expect("the configuration is written");
        let program =
            std::env::var("SERVEY_TEST_REDIS_SERVER").unwrap_or_else(|_| "redis-server".to_owned());
        let mut child = Command::new(program)
            .arg(&config)
            .arg("--sentinel")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts as a Sentinel");
        let stdout = child.stdout.take().expect("piped");
        std::thread::spawn(move || BufReader::new(stdout).lines().for_each(drop));
        Self { child, port }
    }

    fn client(&self) -> redis::Client {
        redis::Client::open(format!("redis://127.0.0.1:{}", self.port)).expect("a client")
    }

    /// The master's port as the Sentinel says now, once it answers.
    async fn master_port(&self) -> Option<u16> {
        let mut connection = self
            .client()
            .get_multiplexed_async_connection()
            .await
            .ok()?;
        let address: Option<(String, String)> = redis::cmd("SENTINEL")
            .arg("get-master-addr-by-name")
            .arg(SERVICE)
            .query_async(&mut connection)
            .await
            .ok()?;
        address.and_then(|(_, port)| port.parse().ok())
    }

    /// How many replicas the Sentinel knows of the master.
    async fn replicas(&self) -> usize {
        let Ok(mut connection) = self.client().get_multiplexed_async_connection().await else {
            return 0;
        };
        let replicas: Vec<redis::Value> = redis::cmd("SENTINEL")
            .arg("replicas")
            .arg(SERVICE)
            .query_async(&mut connection)
            .await
            .unwrap_or_default();
        replicas.len()
    }
}

impl Drop for Sentinel {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits up to `limit` for `check` to hold.
async fn until(what: &str, limit: Duration, check: impl AsyncFn() -> bool) {
    let deadline = Instant::now() + limit;
    while !check().await {
        assert!(Instant::now() < deadline, "{what} within {limit:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_instances_follow_the_master_through_a_sentinel_failover() {
    // No delay before the replica's first sync (Redis waits 5 s by default, for more replicas to come).
    let mut master = RedisServer::start_with(&["--repl-diskless-sync-delay", "0"]);
    let replica_of = master.port().to_string();
    // A replica's first sync writes the master's data to a file: in a directory of the test's own.
    let files = std::env::temp_dir().join(format!(
        "servey-replica-{}-{:08x}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::create_dir_all(&files).expect("a directory");
    let files_arg = files.display().to_string();
    let replica =
        RedisServer::start_with(&["--replicaof", "127.0.0.1", &replica_of, "--dir", &files_arg]);
    until(
        "the replica is in sync",
        Duration::from_secs(30),
        async || {
            let Ok(mut connection) = redis::Client::open(replica.url())
                .expect("a client")
                .get_multiplexed_async_connection()
                .await
            else {
                return false;
            };
            let info: String = redis::cmd("INFO")
                .arg("replication")
                .query_async(&mut connection)
                .await
                .unwrap_or_default();
            info.contains("master_link_status:up")
        },
    )
    .await;
    let sentinel = Sentinel::watching(master.port());
    until(
        "the Sentinel knows the replica",
        Duration::from_secs(30),
        async || sentinel.replicas().await == 1,
    )
    .await;
    let url = format!("redis+sentinel://127.0.0.1:{}/{SERVICE}", sentinel.port);

    let mut apps = Vec::new();
    for _ in 0..2 {
        let (registry, _) = recording_registry(vec![]);
        let backend = RedisBackend::connect(&url)
            .await
            .expect("the master is found through the Sentinel");
        apps.push(app_over(
            registry.clone(),
            backend.backends(&registry).await.expect("subscribes"),
        ));
    }
    let (publisher, watched) = (&apps[0], &apps[1]);
    let address = serve(watched).await;
    let mut client = connect(&address, "/subscription/test_relay/watcher").await;
    subscribers(watched, "test_relay", 1).await;
    let publish = |seq: u64| {
        RELAY
            .publish(&context(publisher), &Numbered { publisher: 0, seq })
            .expect("published");
    };
    publish(0);
    assert_eq!(next_json(&mut client).await["seq"], 0);

    // Replication is asynchronous: what the master took last may not have reached the replica when it
    // dies (Redis's own caveat, `min-replicas-to-write` bounds it). The test kills it once it has.
    let mut direct = redis::Client::open(master.url())
        .expect("a client")
        .get_multiplexed_async_connection()
        .await
        .expect("the master answers");
    let acknowledged: i64 = redis::cmd("WAIT")
        .arg(1)
        .arg(400)
        .query_async(&mut direct)
        .await
        .expect("WAIT answers");
    assert_eq!(acknowledged, 1, "the replica has every write");
    master.stop();
    for seq in 1..=5 {
        publish(seq);
    }
    until(
        "the Sentinel promotes the replica",
        Duration::from_secs(30),
        async || sentinel.master_port().await == Some(replica.port()),
    )
    .await;
    for seq in 6..=10 {
        publish(seq);
    }
    // What is published once the replica is promoted arrives, all of it; what is published while the
    // master is down arrives at most once (under load the first such event has been seen lost), and
    // everything in order.
    let mut received = Vec::new();
    while received.last() != Some(&10) {
        let event = tokio::time::timeout(Duration::from_secs(30), next_json(&mut client))
            .await
            .unwrap_or_else(|_| panic!("events after the failover within 30 s: {received:?}"));
        received.push(event["seq"].as_u64().expect("a number"));
    }
    assert!(
        received.windows(2).all(|pair| pair[0] < pair[1]),
        "in order, once: {received:?}"
    );
    assert!(
        (6..=10).all(|seq| received.contains(&seq)),
        "every event after the promotion: {received:?}"
    );
}
