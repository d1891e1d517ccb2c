//! Nested actions are fields of their owner type, run only when selected, once per parent object.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};
use servey_core::{Action, Trigger};

use crate::support::{Server, action_schema, app};

fn stats_component() -> (&'static str, Value) {
    (
        "Stats",
        json!({"type": "object", "required": ["value"],
               "properties": {"value": {"type": "integer", "format": "int32"}}}),
    )
}

fn actions(runs: Arc<AtomicUsize>) -> Vec<Action> {
    let stats = Action::builder("stats", |_, _| async { Ok(json!({"value": 3})) })
        .trigger(Trigger::web_get())
        .schema(action_schema(
            json!({"type": "object"}),
            json!({"$ref": "#/components/schemas/Stats"}),
            &[stats_component()],
        ))
        .build();
    let many = Action::builder("many_stats", |_, _| async {
        Ok(json!([{"value": 1}, {"value": 2}]))
    })
    .trigger(Trigger::web_get())
    .schema(action_schema(
        json!({"type": "object"}),
        json!({"type": "array", "items": {"$ref": "#/components/schemas/Stats"}}),
        &[stats_component()],
    ))
    .build();
    let double = Action::builder("stats_double", move |input: Value, _| {
        let runs = runs.clone();
        async move {
            runs.fetch_add(1, Ordering::SeqCst);
            Ok(json!(input["times"].as_i64().unwrap_or(2) * 10))
        }
    })
    .nested_in("Stats", "double")
    .schema(action_schema(
        json!({"type": "object", "properties": {"times": {"type": ["integer", "null"], "format": "int32"}}}),
        json!({"type": "integer", "format": "int32"}),
        &[],
    ))
    .build();
    vec![stats, many, double]
}

#[tokio::test]
async fn nested_action_runs_only_when_selected() {
    let runs = Arc::new(AtomicUsize::new(0));
    let server = Server::start(&app(actions(runs.clone()))).await;

    assert_eq!(
        server.post("{ stats { value } }", &[]).await,
        json!({"data": {"stats": {"value": 3}}})
    );
    assert_eq!(runs.load(Ordering::SeqCst), 0, "not selected, not run");

    assert_eq!(
        server
            .post("{ stats { value double(times: 4) } }", &[])
            .await,
        json!({"data": {"stats": {"value": 3, "double": 40}}})
    );
    assert_eq!(runs.load(Ordering::SeqCst), 1, "selected once, run once");

    assert_eq!(
        server.post("{ manyStats { value double } }", &[]).await,
        json!({"data": {"manyStats": [{"value": 1, "double": 20}, {"value": 2, "double": 20}]}})
    );
    assert_eq!(
        runs.load(Ordering::SeqCst),
        3,
        "run once per parent in the list"
    );
}

#[tokio::test]
async fn the_request_context_reaches_the_action() {
    let echo = Action::builder(
        "request_id",
        |_, context: servey_core::Context| async move { Ok(json!(context.request_id())) },
    )
    .trigger(Trigger::web_get())
    .schema(action_schema(
        json!({"type": "object"}),
        json!({"type": "string"}),
        &[],
    ))
    .build();
    let server = Server::start(&app(vec![echo])).await;
    assert_eq!(
        server
            .post("{ requestId }", &[("x-request-id", "req-42")])
            .await,
        json!({"data": {"requestId": "req-42"}})
    );
}
