//! Batches: a POST body that is a JSON array runs each operation in order, with the request's one
//! context, and answers an array; each operation is checked on its own, but their complexities add up
//! against one limit (see `limits.rs`).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};
use servey_core::{Action, App, Context, Registry, ServeyConfig, Trigger};

use crate::support::{Server, action_schema, app};

fn int_output() -> servey_core::ActionSchema {
    action_schema(
        json!({"type": "object"}),
        json!({"type": "integer", "format": "int32"}),
        &[],
    )
}

/// `next` counts its calls; `requestId` echoes the context's request id; `subject` the caller's.
fn actions(calls: Arc<AtomicUsize>) -> Vec<Action> {
    let next = Action::builder("next", move |_, _| {
        let calls = calls.clone();
        async move { Ok(json!(calls.fetch_add(1, Ordering::SeqCst) + 1)) }
    })
    .trigger(Trigger::web_post())
    .schema(int_output())
    .build();
    let request_id = Action::builder("request_id", |_, context: Context| async move {
        Ok(json!(context.request_id()))
    })
    .trigger(Trigger::web_get())
    .schema(action_schema(
        json!({"type": "object"}),
        json!({"type": "string"}),
        &[],
    ))
    .build();
    vec![next, request_id]
}

#[tokio::test]
async fn a_batch_runs_in_order_with_one_context_and_answers_an_array() {
    let calls = Arc::new(AtomicUsize::new(0));
    let server = Server::start(&app(actions(calls.clone()))).await;
    let batch = json!([
        {"query": "mutation { next }"},
        {"query": "{ requestId }"},
        {"query": "mutation Again { next }", "operationName": "Again"},
    ]);
    let (status, body) = server
        .post_json(&batch, &[("x-request-id", "req-batch")])
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!([
            {"data": {"next": 1}},
            {"data": {"requestId": "req-batch"}},
            {"data": {"next": 2}},
        ])
    );
    assert_eq!(calls.load(Ordering::SeqCst), 2);

    let (status, single) = server
        .post_json(
            &json!({"query": "{ requestId }"}),
            &[("x-request-id", "req-one")],
        )
        .await;
    assert_eq!(
        (status, single),
        (200, json!({"data": {"requestId": "req-one"}})),
        "a single request object still answers a single response"
    );
}

#[tokio::test]
async fn each_operation_of_a_batch_is_checked_on_its_own() {
    let config = ServeyConfig::from_lookup(|key| {
        (key == "SERVEY_GRAPHQL_MAX_COMPLEXITY").then(|| "2".to_owned())
    });
    let registry = actions(Arc::new(AtomicUsize::new(0)))
        .into_iter()
        .fold(Registry::builder(), |builder, action| {
            builder.action(action)
        })
        .build()
        .expect("unique names");
    let server = Server::start(&App::new(registry, config)).await;
    let batch = json!([
        {"query": "query ($x: NoSuchType) { requestId }", "variables": {"x": 1}},
        {"query": "{ requestId a: requestId }"},
    ]);
    let (status, body) = server.post_json(&batch, &[("x-request-id", "req-2")]).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!([
            {"data": null, "errors": [{
                "message": "The variable `$x` has the type `NoSuchType`, which the schema does not define."
            }]},
            {"data": {"requestId": "req-2", "a": "req-2"}},
        ])
    );
}

#[tokio::test]
async fn empty_oversized_and_malformed_batches_are_refused() {
    let server = Server::start(&app(actions(Arc::new(AtomicUsize::new(0))))).await;
    let message = |body: &Value| {
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };

    let (status, body) = server.post_json(&json!([]), &[]).await;
    assert_eq!(
        (status, message(&body)),
        (
            400,
            "The batch is empty: send at least one GraphQL request in the array.".to_owned()
        )
    );

    let oversized = Value::Array(vec![json!({"query": "{ requestId }"}); 33]);
    let (status, body) = server.post_json(&oversized, &[]).await;
    assert_eq!(
        (status, message(&body)),
        (
            400,
            "The batch has 33 operations; the limit is 32.".to_owned()
        )
    );

    let (status, body) = server.post_json(&json!([{"query": 5}]), &[]).await;
    assert_eq!(status, 400);
    assert!(
        message(&body).starts_with("A batch must be a JSON array of GraphQL requests"),
        "{body}"
    );
}
