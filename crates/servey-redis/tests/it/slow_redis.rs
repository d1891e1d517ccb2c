//! A frozen Redis (SIGSTOP: connected, never answering) costs a cached action at most the backend's
//! call timeout: the read counts as a miss, the action runs, its result is not written, and once Redis
//! thaws the results kept there are read again. A background event published meanwhile is stored once,
//! however many attempts timed out, and a tick whose claim times out is not run here.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use servey_core::backend::TickLease;
use servey_core::{Action, Backends, Input, Ttl};
use servey_redis::{RedisBackend, RedisResults, RedisTickLease};
use servey_schedule::Channels;

use crate::common::{Note, RECORD, app_over, bounded, context, recording_registry};
use crate::redis_server::RedisServer;
use crate::scale_out::instance_with;

/// How long the test keeps Redis frozen at most: ten times the call timeout below, shorter than what a
/// call without one waits (the connection's own 5 s response timeout, for the read and the write).
const FREEZE: Duration = Duration::from_secs(3);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frozen_redis_is_a_cache_miss_after_the_call_timeout_not_a_wait() {
    let server = RedisServer::start_with(&[]);
    let backend = RedisBackend::connect(&server.url())
        .await
        .expect("the test's redis-server answers")
        .call_timeout(Duration::from_millis(300));
    let runs = Arc::new(AtomicUsize::new(0));
    let counter = runs.clone();
    let square = Action::builder("square", move |input: Value, _| {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            let n = input["n"].as_i64().unwrap_or_default();
            Ok(json!(n * n))
        }
    })
    .cache_control(Ttl {
        seconds: 60,
        server_cache: true,
    })
    .build();
    let (registry, _) = recording_registry(vec![square]);
    let backends = Backends::in_process(&registry).with_shared_results(RedisResults::new(&backend));
    let app = app_over(registry, backends);
    let call = |n: i64| {
        let (app, action) = (app.clone(), app.registry().get("square").cloned());
        async move {
            let output = servey_core::invoke(
                &action.expect("registered"),
                Input::from_value(json!({ "n": n })),
                app.context(),
            )
            .await
            .expect("answers");
            serde_json::from_slice::<Value>(&output.to_json_bytes().expect("JSON"))
                .expect("a JSON answer")
        }
    };

    assert_eq!(bounded("a first call", call(7)).await, json!(49));
    assert_eq!(bounded("a cached call", call(7)).await, json!(49));
    assert_eq!(
        runs.load(Ordering::SeqCst),
        1,
        "the second answer was kept in Redis"
    );

    let frozen = server.freeze();
    let answered = tokio::select! {
        answer = call(7) => Some(answer),
        () = tokio::time::sleep(FREEZE) => None,
    };
    let was_frozen_throughout = frozen.is_still_frozen();
    assert_eq!(
        answered,
        Some(json!(49)),
        "the call answered while Redis was frozen"
    );
    assert!(was_frozen_throughout, "nothing thawed Redis meanwhile");
    assert_eq!(runs.load(Ordering::SeqCst), 2, "a frozen Redis is a miss");
    drop(frozen);

    // Thawed: the result kept before the freeze is read again (and nothing waits on the calls that
    // timed out, whose answers Redis sends now).
    assert_eq!(bounded("a call after the thaw", call(7)).await, json!(49));
    assert_eq!(runs.load(Ordering::SeqCst), 2, "read from Redis again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_background_event_published_into_a_frozen_redis_is_stored_once() {
    let server = RedisServer::start_with(&[]);
    // An instance without workers: the stored job stays in Redis to be counted.
    let (publisher, _) = instance_with(&server, vec![], |backend| {
        backend.call_timeout(Duration::from_millis(300))
    })
    .await;
    let channels = Channels::of(&publisher).expect("channels");
    // One event stored before the freeze: Redis has the queue's script from then on, so each attempt
    // below runs it once Redis thaws.
    RECORD
        .publish(&context(&publisher), &Note::new("before"))
        .expect("published");
    bounded("stored before the freeze", channels.flush()).await;
    let frozen = server.freeze();
    RECORD
        .publish(&context(&publisher), &Note::new("once"))
        .expect("published");
    // Frozen long enough for several attempts to time out (0.3 s each, with backoff between), each
    // left waiting in the connection for Redis to run once it thaws.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    drop(frozen);
    bounded("stored after the thaw", channels.flush()).await;
    let config =
        apalis_redis::Config::default().queue(format!("{}:background", server.namespace()));
    let mut connection = ::redis::Client::open(server.url())
        .expect("a URL")
        .get_multiplexed_async_connection()
        .await
        .expect("connects");
    let stored: usize = ::redis::cmd("HLEN")
        .arg(config.job_data_hash())
        .query_async(&mut connection)
        .await
        .expect("counts the jobs");
    assert_eq!(
        stored, 2,
        "the attempts for the second event carried one idempotency key"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tick_claimed_from_a_frozen_redis_is_not_run_here_after_the_call_timeout() {
    let server = RedisServer::start_with(&[]);
    let backend = RedisBackend::connect(&server.url())
        .await
        .expect("the test's redis-server answers")
        .call_timeout(Duration::from_millis(300));
    let lease = RedisTickLease::new(&backend);
    let hold = Duration::from_secs(60);
    assert!(matches!(lease.claim("tick", 1, hold).await, Ok(true)));
    let frozen = server.freeze();
    let claimed = tokio::select! {
        claimed = lease.claim("tick", 2, hold) => Some(claimed.map_err(|error| error.to_string())),
        () = tokio::time::sleep(FREEZE) => None,
    };
    assert!(frozen.is_still_frozen(), "nothing thawed Redis meanwhile");
    assert_eq!(
        claimed,
        Some(Err("Redis did not answer within 300ms".to_owned())),
        "the claim failed while Redis was frozen"
    );
}
