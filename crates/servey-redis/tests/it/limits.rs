//! Rate limits shared by the instances: a limit of 60 a minute admits about 60 calls across three
//! instances, not 60 on each; while Redis is gone each instance applies the limit on its own.

use std::time::Duration;

use serde_json::json;
use servey_core::{Action, App, ErrorCode, Input, RateLimit};

use crate::redis_server::RedisServer;
use crate::scale_out::instance_with;

/// An action limited to `limit` per caller.
fn limited(limit: RateLimit) -> Vec<Action> {
    vec![
        Action::builder("limited", |_, _| async { Ok(json!("ok")) })
            .rate_limit(limit)
            .build(),
    ]
}

/// Three instances of the app on `server` with `limited(limit)`, each with its own Redis connections.
async fn three(server: &RedisServer, limit: RateLimit) -> Vec<App> {
    let mut apps = Vec::new();
    for _ in 0..3 {
        let (app, _) = instance_with(server, limited(limit), |backend| {
            backend.call_timeout(Duration::from_millis(300))
        })
        .await;
        apps.push(app);
    }
    apps
}

/// Calls `limited` once in `app` (anonymously, so every call is the same caller's): whether it was
/// admitted; a refusal must be the rate limit's.
async fn call(app: &App) -> bool {
    let action = app.registry().get("limited").cloned().expect("registered");
    let answer = tokio::time::timeout(
        Duration::from_secs(5),
        servey_core::invoke(&action, Input::from_value(json!({})), app.context()),
    )
    .await
    .expect("answers within 5 s");
    match answer {
        Ok(_) => true,
        Err(refused) => {
            assert_eq!(refused.code(), ErrorCode::RateLimited, "{refused:?}");
            false
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_limit_holds_for_the_fleet_not_for_each_instance() {
    let server = RedisServer::start();
    let apps = three(&server, RateLimit::per_minute(60)).await;
    let mut admitted = 0;
    let started = std::time::Instant::now();
    for round in 0..180 {
        admitted += usize::from(call(&apps[round % 3]).await);
    }
    // A burst of 60, then one more per second that the 180 calls took.
    let refill = usize::try_from(started.elapsed().as_secs()).unwrap_or(usize::MAX);
    assert!(
        (60..=60 + refill + 1).contains(&admitted),
        "{admitted} of 180 calls admitted in {:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_redis_each_instance_applies_the_limit_on_its_own() {
    let mut server = RedisServer::start_with(&[]);
    // 60 an hour: no call comes back to a bucket while the test runs.
    let hourly = RateLimit {
        count: 60,
        period: Duration::from_secs(3600),
    };
    let apps = three(&server, hourly).await;
    assert!(call(&apps[0]).await, "admitted through Redis");
    server.stop();
    let mut admitted = 0;
    for _ in 0..61 {
        admitted += usize::from(call(&apps[1]).await);
    }
    assert_eq!(admitted, 60, "instance 1's own buckets: a burst of 60");
    assert!(call(&apps[2]).await, "instance 2 has buckets of its own");
}
