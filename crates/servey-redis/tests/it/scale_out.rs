//! Three instances of one app against a real redis-server (the Redis backend): websocket events reach
//! the subscribers of every instance in order per publisher, each scheduled tick runs once in total,
//! each background event runs once, an unreachable Redis is a clear start-up error, and a Redis
//! restart mid-stream loses no stored job while the instances recover by themselves.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::json;
use servey_core::{Action, App, Trigger};
use servey_redis::RedisBackend;
use servey_schedule::{Channels, Scheduler};
use utoipa::ToSchema;

use crate::common::{
    Note, RECORD, Recorded, app_over, bounded, connect, context, eventually, next_json,
    recording_registry, serve, subscribers,
};
use crate::redis_server::{RedisServer, free_port};

servey_schedule::websocket_event_channel!(
    /// Numbered events of several publishers, relayed to every instance.
    pub(crate) RELAY, "test_relay", Numbered
);

/// The `seq`th event of publisher `publisher`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct Numbered {
    pub(crate) publisher: u64,
    pub(crate) seq: u64,
}

/// One instance of the test app on `server`: its own app, channels through Redis, its recorded notes.
pub(crate) async fn instance(server: &RedisServer, actions: Vec<Action>) -> (App, Recorded) {
    instance_with(server, actions, |backend| backend).await
}

/// Like [`instance`], with the backend's settings changed by `settings`.
pub(crate) async fn instance_with(
    server: &RedisServer,
    actions: Vec<Action>,
    settings: impl FnOnce(RedisBackend) -> RedisBackend,
) -> (App, Recorded) {
    let (registry, recorded) = recording_registry(actions);
    let backend = settings(
        RedisBackend::connect(&server.url())
            .await
            .expect("the test's redis-server answers")
            .namespace(server.namespace()),
    );
    let backends = backend.backends(&registry).await.expect("subscribes");
    (app_over(registry, backends), recorded)
}

/// Instances with their schedule and background workers running.
pub(crate) type Running = Vec<(App, Recorded, Scheduler)>;

/// `count` instances with no action of their own, running.
pub(crate) async fn start_instances(server: &RedisServer, count: usize) -> Running {
    instances(server, count, Vec::new).await
}

/// Three instances, each with its schedule and background workers running.
async fn three_instances(server: &RedisServer, actions: impl Fn() -> Vec<Action>) -> Running {
    instances(server, 3, actions).await
}

pub(crate) async fn instances(
    server: &RedisServer,
    count: usize,
    actions: impl Fn() -> Vec<Action>,
) -> Running {
    let mut instances = Vec::new();
    for _ in 0..count {
        let (app, recorded) = instance(server, actions()).await;
        let scheduler = servey_schedule::start(&app).await.expect("starts");
        instances.push((app, recorded, scheduler));
    }
    instances
}

/// Every text recorded by any of `instances`, sorted, duplicates kept.
pub(crate) fn all_texts(instances: &[(App, Recorded, Scheduler)]) -> Vec<String> {
    let mut texts: Vec<String> = instances
        .iter()
        .flat_map(|(_, recorded, _)| recorded.sorted_texts())
        .collect();
    texts.sort();
    texts
}

pub(crate) async fn shut_down(instances: Vec<(App, Recorded, Scheduler)>) -> Vec<(App, Recorded)> {
    let mut stopped = Vec::new();
    for (app, recorded, scheduler) in instances {
        bounded("the scheduler stops", scheduler.shutdown())
            .await
            .expect("stops cleanly");
        stopped.push((app, recorded));
    }
    stopped
}

#[tokio::test]
async fn every_subscriber_on_every_instance_sees_every_event_in_order_per_publisher() {
    let server = RedisServer::start();
    let mut apps = Vec::new();
    let mut clients = Vec::new();
    for _ in 0..3 {
        let (app, _) = instance(&server, vec![]).await;
        let address = serve(&app).await;
        for n in 0..2 {
            clients.push(connect(&address, &format!("/subscription/test_relay/client-{n}")).await);
        }
        subscribers(&app, "test_relay", 2).await;
        apps.push(app);
    }
    const EACH: u64 = 100;
    // The three publishers interleave: each instance publishes its next event in turn.
    let contexts: Vec<_> = apps.iter().map(context).collect();
    for seq in 0..EACH {
        for (publisher, context) in (0..).zip(&contexts) {
            RELAY
                .publish(context, &Numbered { publisher, seq })
                .expect("published");
        }
    }
    for (index, client) in clients.iter_mut().enumerate() {
        let mut expected = [0_u64; 3];
        for _ in 0..3 * EACH {
            let event = next_json(client).await;
            let publisher = event["publisher"].as_u64().expect("a publisher");
            let seq = event["seq"].as_u64().expect("a number");
            let next = &mut expected[usize::try_from(publisher).expect("small")];
            assert_eq!(
                seq, *next,
                "client {index}: publisher {publisher} out of order"
            );
            *next += 1;
        }
        assert_eq!(expected, [EACH; 3], "client {index} saw every event");
    }
}

#[tokio::test]
async fn each_tick_runs_once_across_three_instances() {
    let server = RedisServer::start();
    let started = Arc::new(Mutex::new(Vec::<i64>::new()));
    let instances = three_instances(&server, || {
        let started = started.clone();
        vec![
            Action::builder("shared_tick", move |_, _| {
                let started = started.clone();
                async move {
                    let second = chrono::Utc::now().timestamp();
                    // The wall clock only labels the run; the claims in Redis are what is checked.
                    started
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(second);
                    Ok(json!(second))
                }
            })
            .trigger(Trigger::FixedRate { seconds: 1 })
            .build(),
        ]
    })
    .await;
    let runs = || started.lock().unwrap_or_else(PoisonError::into_inner).len();
    eventually("five ticks ran", || runs() >= 5).await;
    let stats: Vec<_> = instances
        .iter()
        .map(|(_, _, scheduler)| scheduler.stats("shared_tick").expect("scheduled"))
        .collect();
    shut_down(instances).await;
    let runs = runs();
    let mut connection = redis_connection(&server).await;
    let prefix = format!("{}:tick:shared_tick:", server.namespace());
    let claimed: Vec<String> = ::redis::cmd("KEYS")
        .arg(format!("{prefix}*"))
        .query_async(&mut connection)
        .await
        .expect("lists keys");
    let mut instants: Vec<i64> = claimed
        .iter()
        .filter_map(|key| key.strip_prefix(&prefix)?.parse().ok())
        .collect();
    instants.sort_unstable();
    // A claim is won once per instant (SET NX), a run follows only a won claim, and a shutdown waits
    // for it: as many runs as claims means no tick ran twice and none was claimed without running.
    assert_eq!(
        runs,
        instants.len(),
        "one run per claimed tick: {instants:?}"
    );
    let consecutive = instants.windows(2).all(|pair| pair[1] == pair[0] + 1);
    assert!(consecutive, "a tick was missed: {instants:?}");
    for stats in &stats {
        assert_eq!(stats.ticks, stats.runs + stats.elsewhere + stats.skipped);
        assert!(stats.ticks >= 4, "every instance saw the ticks: {stats:?}");
    }
}

#[tokio::test]
async fn each_background_event_runs_once_across_three_instances() {
    let server = RedisServer::start();
    let instances = three_instances(&server, Vec::new).await;
    let mut expected = Vec::new();
    for n in 0..60 {
        let (app, _, _) = &instances[n % 2];
        let text = format!("job {n:02}");
        RECORD
            .publish(&context(app), &Note::new(&text))
            .expect("published");
        expected.push(text);
    }
    for (app, _, _) in &instances {
        bounded("stored", Channels::of(app).expect("channels").flush()).await;
    }
    eventually("every job ran", || all_texts(&instances).len() >= 60).await;
    let stopped = shut_down(instances).await;
    let mut texts: Vec<String> = stopped
        .iter()
        .flat_map(|(_, recorded)| recorded.sorted_texts())
        .collect();
    texts.sort();
    assert_eq!(texts, expected, "each job ran exactly once");
}

#[tokio::test]
async fn an_unreachable_redis_is_a_start_error_naming_its_url() {
    let url = format!("redis://127.0.0.1:{}", free_port());
    let error = RedisBackend::connect(&url)
        .await
        .expect_err("nobody listens there");
    assert_eq!(error.url, url);
    let message = error.to_string();
    assert!(
        message.starts_with(&format!("cannot use Redis at {url}: ")),
        "{message}"
    );
    let hidden = RedisBackend::connect("redis://user:secret@127.0.0.1:1")
        .await
        .expect_err("nobody listens there")
        .to_string();
    assert!(
        hidden.contains("redis://user:***@127.0.0.1:1") && !hidden.contains("secret"),
        "{hidden}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_restart_loses_no_stored_job_and_the_instances_recover() {
    let mut server = RedisServer::start_durable();
    let instances = three_instances(&server, Vec::new).await;
    let (first, _, _) = &instances[0];
    let address = serve(first).await;
    let mut client = connect(&address, "/subscription/test_relay/watcher").await;
    subscribers(first, "test_relay", 1).await;
    let publish = |range: std::ops::Range<u32>| {
        for n in range {
            RECORD
                .publish(&context(first), &Note::new(&format!("job {n:02}")))
                .expect("published");
        }
    };
    publish(0..30);
    bounded("stored", Channels::of(first).expect("channels").flush()).await;
    server.restart();
    // Published while the instances may not have noticed yet: stored once they reconnect.
    publish(30..60);
    bounded(
        "stored after the restart",
        Channels::of(first).expect("channels").flush(),
    )
    .await;
    eventually("every job ran", || {
        all_texts(&instances).iter().collect::<BTreeSet<_>>().len() == 60
    })
    .await;
    // Websocket events flow again: the subscriber's instance subscribed again by itself.
    let second = context(&instances[1].0);
    let relayed = bounded("an event is relayed after the restart", async {
        loop {
            RELAY
                .publish(
                    &second,
                    &Numbered {
                        publisher: 1,
                        seq: 0,
                    },
                )
                .expect("published");
            let received =
                tokio::time::timeout(Duration::from_millis(500), next_json(&mut client)).await;
            if let Ok(event) = received {
                return event;
            }
        }
    })
    .await;
    assert_eq!(relayed, json!({"publisher": 1, "seq": 0}));
    let texts: BTreeSet<String> = all_texts(&instances).into_iter().collect();
    let expected: BTreeSet<String> = (0..60).map(|n| format!("job {n:02}")).collect();
    assert_eq!(texts, expected, "no stored job was lost");
    shut_down(instances).await;
}

async fn redis_connection(server: &RedisServer) -> ::redis::aio::MultiplexedConnection {
    ::redis::Client::open(server.url())
        .expect("a URL")
        .get_multiplexed_async_connection()
        .await
        .expect("connects")
}
