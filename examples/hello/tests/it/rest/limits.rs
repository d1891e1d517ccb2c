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

    // `/health` and `/metrics` never wait for a slot; everything else does.
    assert_eq!(get(&server, "/health").await.status(), StatusCode::OK);
    let refused = get(&server, "/actions/say-hello?name=x").await;
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

#[tokio::test]
async fn a_rate_limit_is_429_with_its_headers_and_shared_by_rest_and_graphql() {
    let limited = servey::Action::builder("limited", |_, _| async { Ok(json!("ok")) })
        .trigger(servey::Trigger::web_get())
        .rate_limit(servey::RateLimit::per_minute(2))
        .build();
    let server = start_with_actions(test_config(), vec![limited]).await;
    assert_eq!(
        get(&server, "/actions/limited").await.status(),
        StatusCode::OK
    );
    let graphql = crate::graphql::graphql(&server, "{ limited }", None).await;
    assert_eq!(
        graphql,
        json!({"data": {"limited": "ok"}}),
        "the second call, over GraphQL"
    );

    let refused = get(&server, "/actions/limited").await;
    let headers = refused.headers().clone();
    let problem = problem_body(refused, StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(problem["code"], "rate_limited");
    let seconds: u64 = headers[header::RETRY_AFTER]
        .to_str()
        .expect("ASCII")
        .parse()
        .expect("whole seconds");
    assert!((1..=30).contains(&seconds), "{seconds}");
    assert_eq!(headers["ratelimit-policy"], "\"default\";q=2;w=60");
    assert_eq!(headers["ratelimit"], format!("\"default\";r=0;t={seconds}"));
    assert_eq!(
        problem["detail"],
        format!("Too many calls: the limit is 2 per 60 s; try again in {seconds} s.")
    );

    let graphql = crate::graphql::graphql(&server, "{ limited }", None).await;
    assert_eq!(graphql["data"], json!({"limited": null}));
    assert_eq!(graphql["errors"][0]["extensions"]["code"], "RATE_LIMITED");
    assert_eq!(graphql["errors"][0]["extensions"]["status"], 429);

    let document: serde_json::Value = get(&server, "/openapi.json")
        .await
        .json()
        .await
        .expect("JSON");
    let documented = &document["paths"]["/actions/limited"]["get"]["responses"]["429"];
    assert_eq!(
        documented["description"],
        "Too many calls: at most 2 per 60 s per caller."
    );
    assert!(
        documented["headers"]["Retry-After"].is_object(),
        "{documented}"
    );
}

#[tokio::test]
async fn an_action_without_its_own_timeout_gets_the_configured_default() {
    let mut config = test_config();
    config.limits.action_timeout = Some(std::time::Duration::from_millis(200));
    let server = start_with(config).await;
    let slow = get(&server, "/actions/slow-get-with-ttl?seconds=2").await;
    assert_eq!(
        problem_body(slow, StatusCode::GATEWAY_TIMEOUT).await,
        problem(
            504,
            "Timeout",
            "timeout",
            "The action did not finish within 0.2 s."
        )
    );
}

#[tokio::test]
async fn the_configured_rate_limit_holds_per_action_for_actions_without_their_own() {
    let mut config = test_config();
    config.limits.rate_limit = Some(servey::RateLimit::per_minute(1));
    let server = start_with(config).await;
    assert_eq!(
        get(&server, "/actions/say-hello?name=a").await.status(),
        StatusCode::OK
    );
    let refused = get(&server, "/actions/say-hello?name=b").await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        refused.headers()["ratelimit-policy"],
        "\"default\";q=1;w=60"
    );
    assert_eq!(
        get(&server, "/actions/number-stats?value=3").await.status(),
        StatusCode::OK,
        "each action has its own bucket"
    );
    let document: serde_json::Value = get(&server, "/openapi.json")
        .await
        .json()
        .await
        .expect("JSON");
    assert!(
        document["paths"]["/actions/say-hello"]["get"]["responses"]["429"].is_object(),
        "the default limit is documented"
    );
}
