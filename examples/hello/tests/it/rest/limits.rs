//! Limits from `ServeyConfig::limits`: the body size and the number of requests in flight.

use std::sync::Arc;

use reqwest::{StatusCode, header};
use serde_json::json;
use tokio::sync::Notify;

use super::{get, json_body, post, problem, problem_body};
use crate::server::{start_with, start_with_actions, test_config};

#[tokio::test]
async fn a_body_over_the_configured_limit_is_413() {
    let mut config = test_config();
    config.limits.body_bytes = 64;
    let server = start_with(config).await;
    let body = json!({"message": {"sender": "ann", "text": "x".repeat(100)}}).to_string();
    assert_eq!(
        problem_body(
            post(&server, "/actions/store-message", body).await,
            StatusCode::PAYLOAD_TOO_LARGE
        )
        .await,
        problem(
            413,
            "Payload Too Large",
            "payload_too_large",
            "The request body is larger than the limit of 64 bytes."
        )
    );
}

#[tokio::test]
async fn requests_past_the_concurrency_limit_are_503_with_retry_after() {
    let (entered, release) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
    let (inside, gate) = (entered.clone(), release.clone());
    let hold = servey::Action::builder("hold", move |_, _| {
        let (inside, gate) = (inside.clone(), gate.clone());
        async move {
            inside.notify_one();
            gate.notified().await;
            Ok(json!("released"))
        }
    })
    .trigger(servey::Trigger::web_get())
    .build();
    let mut config = test_config();
    config.limits.max_concurrent_requests = 1;
    let server = Arc::new(start_with_actions(config, vec![hold]).await);
    let holder = {
        let server = server.clone();
        tokio::spawn(async move { get(&server, "/actions/hold").await })
    };
    entered.notified().await;

    let refused = get(&server, "/health").await;
    assert_eq!(refused.headers()[header::RETRY_AFTER], "1");
    assert_eq!(
        problem_body(refused, StatusCode::SERVICE_UNAVAILABLE).await,
        problem(
            503,
            "Service Unavailable",
            "service_unavailable",
            "The server is answering as many requests as it allows; try again shortly."
        )
    );

    release.notify_one();
    let held = holder.await.expect("the held request finishes");
    assert_eq!(json_body(held, StatusCode::OK).await, json!("released"));
    assert_eq!(get(&server, "/health").await.status(), StatusCode::OK);
}
