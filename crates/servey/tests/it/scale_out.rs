//! Two instances of one app built with a Redis URL, each on its own socket: the server-side TTL
//! result cache is shared through Redis, where two in-process instances keep a cache each.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::json;
use servey::{Action, Method, Ttl};

use crate::support::{RedisServer, builder, start, web};

/// `GET /counted`: how many times it ran, kept 60 s.
fn counted(runs: &Arc<AtomicU64>) -> Action {
    let runs = runs.clone();
    Action::builder("counted", move |_, _| {
        let runs = runs.clone();
        async move { Ok(json!(runs.fetch_add(1, Ordering::SeqCst) + 1)) }
    })
    .trigger(web(Method::Get, "/counted"))
    .cache_control(Ttl {
        seconds: 60,
        server_cache: true,
    })
    .build()
}

#[tokio::test]
async fn the_result_cache_is_shared_by_the_instances_of_one_redis() {
    let redis = RedisServer::start();
    let runs = Arc::new(AtomicU64::new(0));
    let first = start(builder([counted(&runs)]).redis_url(redis.url())).await;
    let second = start(builder([counted(&runs)]).redis_url(redis.url())).await;
    let answer = first.get("/counted").await;
    assert_eq!(answer.status(), 200);
    let etag = answer.headers().get("etag").cloned().expect("an ETag");
    assert_eq!(answer.text().await.expect("a body"), "1");
    let answer = second.get("/counted").await;
    assert_eq!(answer.headers().get("etag"), Some(&etag));
    assert_eq!(answer.text().await.expect("a body"), "1");
    assert_eq!(
        runs.load(Ordering::SeqCst),
        1,
        "the second instance ran nothing"
    );
}

#[tokio::test]
async fn in_process_instances_keep_a_result_cache_each() {
    let runs = Arc::new(AtomicU64::new(0));
    let first = start(builder([counted(&runs)])).await;
    let second = start(builder([counted(&runs)])).await;
    assert_eq!(
        first.get("/counted").await.text().await.expect("a body"),
        "1"
    );
    assert_eq!(
        first.get("/counted").await.text().await.expect("a body"),
        "1"
    );
    assert_eq!(
        second.get("/counted").await.text().await.expect("a body"),
        "2"
    );
}

#[tokio::test]
async fn http_is_served_while_redis_is_away() {
    let redis = RedisServer::start();
    let runs = Arc::new(AtomicU64::new(0));
    let server = start(builder([counted(&runs)]).redis_url(redis.url())).await;
    assert_eq!(
        server.get("/counted").await.text().await.expect("a body"),
        "1"
    );
    drop(redis);
    assert_eq!(server.get("/health").await.status(), 200);
    // The shared cache cannot answer: a miss, so the action runs, and the call still succeeds.
    let answer = server.get("/counted").await;
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.text().await.expect("a body"), "2");
}
