//! A Redis Cluster (`redis+cluster://`) of three masters that the test builds from redis-server
//! processes: two instances share websocket events, background jobs and a rate limit through it as
//! through one server (every key of an app under one hash tag; pub/sub through any node).

use std::time::Duration;

use serde_json::json;
use servey_core::{Action, App, ErrorCode, Input, RateLimit};
use servey_redis::RedisBackend;
use servey_schedule::Channels;

use crate::common::{
    Note, RECORD, app_over, bounded, connect, context, eventually, next_json, recording_registry,
    serve, subscribers,
};
use crate::redis_server::RedisServer;
use crate::scale_out::{Numbered, RELAY};

/// Three redis-servers in cluster mode, each master of a third of the slots, once the cluster is ok.
async fn cluster() -> (Vec<RedisServer>, String) {
    let dir = std::env::temp_dir().join(format!(
        "servey-cluster-{}-{:08x}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::create_dir_all(&dir).expect("a directory");
    let dir_arg = dir.display().to_string();
    let mut nodes = Vec::new();
    for n in 0..3 {
        let config = format!("nodes-{n}.conf");
        nodes.push(RedisServer::start_with(&[
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            &config,
            "--dir",
            &dir_arg,
        ]));
    }
    let mut connections = Vec::new();
    for node in &nodes {
        connections.push(
            redis::Client::open(node.url())
                .expect("a client")
                .get_multiplexed_async_connection()
                .await
                .expect("the node answers"),
        );
    }
    for (n, connection) in connections.iter_mut().enumerate() {
        let (first, last) = (n * 5462, ((n + 1) * 5462 - 1).min(16_383));
        let () = redis::cmd("CLUSTER")
            .arg("ADDSLOTSRANGE")
            .arg(first)
            .arg(last)
            .query_async(connection)
            .await
            .expect("slots assigned");
    }
    for node in &nodes[1..] {
        let () = redis::cmd("CLUSTER")
            .arg("MEET")
            .arg("127.0.0.1")
            .arg(node.port())
            .query_async(&mut connections[0])
            .await
            .expect("the nodes meet");
    }
    for connection in &mut connections {
        eventually_async("the cluster is ok", async || {
            let info: String = redis::cmd("CLUSTER")
                .arg("INFO")
                .query_async(connection)
                .await
                .unwrap_or_default();
            info.contains("cluster_state:ok")
        })
        .await;
    }
    let url = format!(
        "redis+cluster://{}",
        nodes
            .iter()
            .map(|node| format!("127.0.0.1:{}", node.port()))
            .collect::<Vec<_>>()
            .join(",")
    );
    (nodes, url)
}

async fn eventually_async(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !check().await {
        assert!(std::time::Instant::now() < deadline, "{what} within 30 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// An action limited to 3 calls a minute, for the whole fleet.
fn limited() -> Action {
    Action::builder("limited", |_, _| async { Ok(json!("ok")) })
        .rate_limit(RateLimit::per_minute(3))
        .build()
}

async fn call(app: &App) -> bool {
    let action = app.registry().get("limited").cloned().expect("registered");
    match servey_core::invoke(&action, Input::from_value(json!({})), app.context()).await {
        Ok(_) => true,
        Err(refused) => {
            assert_eq!(refused.code(), ErrorCode::RateLimited, "{refused:?}");
            false
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_events_jobs_and_limits_through_a_cluster() {
    let (_nodes, url) = cluster().await;
    let mut instances = Vec::new();
    for _ in 0..2 {
        let (registry, recorded) = recording_registry(vec![limited()]);
        let backend = RedisBackend::connect(&url)
            .await
            .expect("the cluster answers");
        let app = app_over(
            registry.clone(),
            backend.backends(&registry).await.expect("subscribes"),
        );
        let scheduler = servey_schedule::start(&app).await.expect("starts");
        instances.push((app, recorded, scheduler));
    }

    // Events: published on one instance, delivered on the other, in order.
    let watched = &instances[1].0;
    let address = serve(watched).await;
    let mut client = connect(&address, "/subscription/test_relay/watcher").await;
    subscribers(watched, "test_relay", 1).await;
    for seq in 0..20 {
        RELAY
            .publish(&context(&instances[0].0), &Numbered { publisher: 0, seq })
            .expect("published");
    }
    for seq in 0..20 {
        assert_eq!(next_json(&mut client).await["seq"], seq);
    }

    // Background jobs: each runs once, on either instance.
    for n in 0..10 {
        RECORD
            .publish(
                &context(&instances[n % 2].0),
                &Note::new(&format!("job {n}")),
            )
            .expect("published");
    }
    for (app, _, _) in &instances {
        bounded("stored", Channels::of(app).expect("channels").flush()).await;
    }
    let ran = || {
        instances
            .iter()
            .map(|(_, recorded, _)| recorded.sorted_texts().len())
            .sum::<usize>()
    };
    eventually("every job ran", || ran() >= 10).await;

    // A rate limit for the fleet: 3 a minute across both instances.
    let mut admitted = 0;
    for round in 0..6 {
        admitted += usize::from(call(&instances[round % 2].0).await);
    }
    assert_eq!(admitted, 3, "the limit holds for both instances together");

    let mut texts: Vec<String> = Vec::new();
    for (_, recorded, scheduler) in instances {
        bounded("the scheduler stops", scheduler.shutdown())
            .await
            .expect("stops cleanly");
        texts.extend(recorded.sorted_texts());
    }
    texts.sort();
    let expected: Vec<String> = {
        let mut all: Vec<String> = (0..10).map(|n| format!("job {n}")).collect();
        all.sort();
        all
    };
    assert_eq!(texts, expected, "each job ran exactly once");
}
