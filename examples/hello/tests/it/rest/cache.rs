//! Caching: `Cache-Control`, `ETag` and 304, the server-side store, private results.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use reqwest::{StatusCode, header};
use serde_json::{Value, json};
use servey::Authorization;

use super::{bearer, get, get_with, get_with_token, json_body, token};
use crate::server::{TestServer, start, start_with_actions, test_config};

#[tokio::test]
async fn ttl_actions_send_cache_control_and_etag_and_304_when_current() {
    let server = start().await;
    let first = get(&server, "/actions/slow-get-with-ttl?seconds=0").await;
    assert_eq!(first.headers()[header::CACHE_CONTROL], "public, max-age=30");
    let etag = first.headers()[header::ETAG]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
    assert_eq!(
        json_body(first, StatusCode::OK).await,
        json!("Waited 0s. You should see this cached.")
    );
    let path = "/actions/slow-get-with-ttl?seconds=0";
    let revalidated = get_with(&server, path, header::IF_NONE_MATCH, &etag).await;
    assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(revalidated.headers()[header::ETAG], etag.as_str());
    assert_eq!(revalidated.bytes().await.expect("body").len(), 0);
}

/// A run-time action that counts its runs and keeps results 30 s (optionally behind a scope).
fn counting_action(name: &str, runs: Arc<AtomicU64>, scope: Option<&str>) -> servey::Action {
    let builder = servey::Action::builder(name, move |input, _| {
        let runs = runs.clone();
        async move { Ok(json!({"run": runs.fetch_add(1, Ordering::SeqCst) + 1, "input": input})) }
    })
    .trigger(servey::Trigger::web_get())
    .cache_control(servey::Ttl {
        seconds: 30,
        server_cache: true,
    });
    match scope {
        Some(scope) => builder.access_control(servey::Scope(scope.to_owned())),
        None => builder,
    }
    .build()
}

/// The JSON body of a `200 OK` answer to GET `path`.
async fn get_ok(server: &TestServer, path: &str) -> Value {
    json_body(get(server, path).await, StatusCode::OK).await
}

#[tokio::test]
async fn ttl_results_are_reused_per_input_from_the_server_store() {
    let runs = Arc::new(AtomicU64::new(0));
    let server = start_with_actions(
        test_config(),
        vec![counting_action("count_runs", runs.clone(), None)],
    )
    .await;
    let first = get_ok(&server, "/actions/count-runs?k=1").await;
    let again = get_ok(&server, "/actions/count-runs?k=1").await;
    let fresh = get_ok(&server, "/actions/count-runs?k=2").await;
    assert_eq!(first, json!({"run": 1, "input": {"k": 1}}));
    assert_eq!(again, first, "the second call answers from the store");
    assert_eq!(fresh, json!({"run": 2, "input": {"k": 2}}));
    assert_eq!(runs.load(Ordering::SeqCst), 2);
}

/// The typed input of `count_typed`: one declared parameter.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct Declared {
    k: u64,
}

#[tokio::test]
async fn unknown_parameters_reuse_the_stored_result_instead_of_growing_the_store() {
    use utoipa::PartialSchema;
    let runs = Arc::new(AtomicU64::new(0));
    let counter = runs.clone();
    let action = servey::Action::builder("count_typed", move |_, _| {
        let run = counter.fetch_add(1, Ordering::SeqCst) + 1;
        async move { Ok(json!({ "run": run })) }
    })
    .trigger(servey::Trigger::web_get())
    .schema(servey::ActionSchema::new(
        Declared::schema(),
        Value::schema(),
        Default::default(),
    ))
    .cache_control(servey::Ttl {
        seconds: 30,
        server_cache: true,
    })
    .build();
    let server = start_with_actions(test_config(), vec![action]).await;
    let first = get_ok(&server, "/actions/count-typed?k=1").await;
    for pad in 0..20 {
        let padded = get_ok(
            &server,
            &format!("/actions/count-typed?k=1&pad{pad}=xxxxxxxx"),
        )
        .await;
        assert_eq!(padded, first, "padding {pad} answers from the store");
    }
    assert_eq!(
        get_ok(&server, "/actions/count-typed?k=2").await,
        json!({"run": 2})
    );
    assert_eq!(runs.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn authorized_ttl_results_are_private() {
    let runs = Arc::new(AtomicU64::new(0));
    let server = start_with_actions(
        test_config(),
        vec![counting_action("count_secrets", runs, Some("root"))],
    )
    .await;
    let root = token(&server, &Authorization::new("root", ["root"]));
    let response = get_with_token(&server, "/actions/count-secrets", &bearer(&root)).await;
    assert_eq!(
        response.headers()[header::CACHE_CONTROL],
        "private, max-age=30"
    );
    assert_eq!(
        json_body(response, StatusCode::OK).await,
        json!({"run": 1, "input": {}})
    );
}
