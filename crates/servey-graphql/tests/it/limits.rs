//! What one request may ask for: its complexity counts list sizes and a batch's operations share one
//! budget, its answer has a size bound, and its error list a length bound.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};
use servey_core::{Action, App, Registry, ServeyConfig, Trigger};

use crate::support::{Server, action_schema};

/// `numbers(count)`: `count` numbers `{ value label }`, counting its calls.
fn numbers(calls: Arc<AtomicUsize>) -> Action {
    Action::builder("numbers", move |input: Value, _| {
        calls.fetch_add(1, Ordering::SeqCst);
        let count = input["count"].as_u64().unwrap_or(0);
        async move {
            Ok(Value::Array(
                (0..count)
                    .map(|value| json!({"value": value, "label": format!("n{value}")}))
                    .collect(),
            ))
        }
    })
    .trigger(Trigger::web_get())
    .schema(action_schema(
        json!({"type": "object", "required": ["count"],
               "properties": {"count": {"type": "integer", "format": "int32"}}}),
        json!({"type": "array", "items": {"$ref": "#/components/schemas/Number"}}),
        &[(
            "Number",
            json!({"type": "object", "required": ["value", "label"], "properties": {
                "value": {"type": "integer", "format": "int32"}, "label": {"type": "string"}}}),
        )],
    ))
    .build()
}

/// A server of `numbers` with `config`, and its call counter.
async fn serve(config: ServeyConfig) -> (Server, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let registry = Registry::builder()
        .action(numbers(calls.clone()))
        .build()
        .expect("one action");
    (Server::start(&App::new(registry, config)).await, calls)
}

fn complexity_error(message: &str) -> Value {
    json!({"data": null, "errors": [{
        "message": message,
        "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}
    }]})
}

#[tokio::test]
async fn a_count_argument_multiplies_the_complexity_of_its_selection() {
    let (server, calls) = serve(ServeyConfig::default()).await;
    assert_eq!(
        server
            .post("{ numbers(count: 2) { value label } }", &[])
            .await,
        json!({"data": {"numbers": [{"value": 0, "label": "n0"}, {"value": 1, "label": "n1"}]}})
    );
    assert_eq!(
        server
            .post("{ numbers(count: 500) { value label } }", &[])
            .await,
        complexity_error("The query has a complexity of 1001; the limit is 1000.")
    );
    // The same document costs what its variables say, each time it is sent.
    let query = "query ($n: Int!) { numbers(count: $n) { value } }";
    let (_, few) = server
        .post_json(&json!({"query": query, "variables": {"n": 1}}), &[])
        .await;
    assert_eq!(few, json!({"data": {"numbers": [{"value": 0}]}}));
    let (_, many) = server
        .post_json(&json!({"query": query, "variables": {"n": 5000}}), &[])
        .await;
    assert_eq!(
        many,
        complexity_error("The query has a complexity of 5001; the limit is 1000.")
    );
    assert_eq!(calls.load(Ordering::SeqCst), 2, "refused before running");
}

#[tokio::test]
async fn the_operations_of_a_batch_share_one_complexity_budget() {
    let (server, calls) = serve(ServeyConfig::default()).await;
    let operation = json!({"query": "{ numbers(count: 300) { value } }"});
    let (status, body) = server
        .post_json(&json!([operation, operation, operation, operation]), &[])
        .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"errors": [{
                "message": "The batch has a complexity of 1204 (its operations' added up); the limit is 1000.",
                "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}
            }]})
        )
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0, "no operation ran");
    let (status, body) = server
        .post_json(&json!([operation, operation, operation]), &[])
        .await;
    assert_eq!(status, 200);
    assert_eq!(body.as_array().map(Vec::len), Some(3), "903 fits: {body}");
}

fn too_large(limit: usize) -> Value {
    json!({"data": null, "errors": [{
        "message": format!("The answer would be larger than {limit} bytes, the limit: select fewer fields or smaller lists."),
        "extensions": {"code": "RESPONSE_TOO_LARGE"}
    }]})
}

#[tokio::test]
async fn an_answer_past_the_size_limit_is_one_error() {
    let config = ServeyConfig::from_lookup(|key| match key {
        "SERVEY_GRAPHQL_MAX_COMPLEXITY" => Some("100000".to_owned()),
        "SERVEY_GRAPHQL_MAX_RESPONSE_BYTES" => Some("2000".to_owned()),
        _ => None,
    });
    let (server, _) = serve(config).await;
    let small = server.post("{ numbers(count: 3) { value } }", &[]).await;
    assert_eq!(small["data"]["numbers"][2], json!({"value": 2}));
    assert_eq!(
        server
            .post("{ numbers(count: 5000) { value label } }", &[])
            .await,
        too_large(2000)
    );
    // About 1,200 bytes each: the first fits, the second does not, since a batch shares the bound.
    let operation = json!({"query": "{ numbers(count: 60) { value label } }"});
    let (status, body) = server.post_json(&json!([operation, operation]), &[]).await;
    assert_eq!(status, 200);
    assert_eq!(body[0]["data"]["numbers"][59]["label"], "n59", "{body}");
    assert_eq!(body[1], too_large(2000));
}

#[tokio::test]
async fn the_error_list_is_bounded() {
    let (server, _) = serve(ServeyConfig::default()).await;
    let unknown: String = (0..200).map(|i| format!("f{i}: nope ")).collect();
    let answer = server.post(&format!("{{ {unknown} }}"), &[]).await;
    let errors = answer["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 51, "{answer}");
    assert_eq!(
        errors[0]["message"],
        "Unknown field \"nope\" on type \"Query\"."
    );
    assert_eq!(
        errors[50],
        json!({"message": "... and 150 more errors (only the first 50 are listed)."})
    );
}
