//! Failed actions in the log: the same failure logs the same one line over REST and over GraphQL
//! (the invoke path decides and writes it, not the transport), and a caller's mistake logs none.
//!
//! The test installs its subscriber for its own thread; tracing's process-wide callsite cache makes
//! it run in a test process of its own ([`in_a_process_of_their_own`]), as the trace tests do.

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use servey::telemetry::LogFormat;
use servey::{Action, ActionError, ActionSchema, ErrorCode, Method};
use tracing_subscriber::layer::SubscriberExt;

use crate::support::{SharedBuffer, builder, run_in_own_process, send, start, web};

/// An action on `GET /{name}` (and so a GraphQL query field) that fails with `error`.
fn failing(name: &str, error: fn() -> ActionError) -> Action {
    Action::builder(name, move |_, _| async move { Err::<Value, _>(error()) })
        .trigger(web(Method::Get, &format!("/{name}")))
        .schema(ActionSchema::new(
            serde_json::from_value(json!({"type": "object"})).expect("a schema"),
            serde_json::from_value(json!({"type": "string"})).expect("a schema"),
            Default::default(),
        ))
        .build()
}

/// The error lines of the JSON log in `buffer`, without their span lists (which differ by transport).
fn error_lines(buffer: &Mutex<Vec<u8>>) -> Vec<Value> {
    let text = String::from_utf8(buffer.lock().expect("not poisoned").clone()).expect("UTF-8");
    text.lines()
        .map(|line| serde_json::from_str::<Value>(line).expect("each line is one JSON object"))
        .filter(|line| line["level"] == "ERROR")
        .map(|mut line| {
            let object = line.as_object_mut().expect("an object");
            for key in [
                "timestamp",
                "span",
                "spans",
                "target",
                "threadId",
                "threadName",
            ] {
                object.remove(key);
            }
            line
        })
        .collect()
}

#[tokio::test]
#[ignore = "run in a process of their own by failures::in_a_process_of_their_own"]
async fn a_failure_logs_one_line_with_the_same_fields_over_rest_and_graphql() {
    let buffer = Arc::new(Mutex::new(Vec::new()));
    let writer = {
        let buffer = buffer.clone();
        move || SharedBuffer(buffer.clone())
    };
    let subscriber =
        tracing_subscriber::registry().with(servey::telemetry::log_layer(LogFormat::Json, writer));
    let _guard = tracing::subscriber::set_default(subscriber);
    let explode = failing("explode", || {
        ActionError::internal(std::io::Error::other("disk on fire"))
    });
    let missing = failing("missing", || {
        ActionError::new(ErrorCode::NotFound, "No such thing.")
    });
    let server = start(builder([explode, missing])).await;

    let rest = send(
        server
            .request(reqwest::Method::GET, "/explode")
            .header("x-request-id", "rest-1"),
    )
    .await;
    assert_eq!(rest.status(), 500);
    let graphql = send(
        server
            .request(reqwest::Method::POST, "/graphql")
            .header("x-request-id", "graphql-1")
            .json(&json!({"query": "{ explode }"})),
    )
    .await;
    let body: Value = graphql.json().await.expect("JSON");
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "INTERNAL_SERVER_ERROR"
    );
    assert_eq!(server.get("/missing").await.status(), 404);
    let body: Value = server
        .post("/graphql", &json!({"query": "{ missing }"}))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_FOUND");

    let line = |request_id: &str| {
        json!({
            "level": "ERROR",
            "message": "the action failed",
            "action": "explode",
            "request_id": request_id,
            "code": "internal_error",
            "cause": "disk on fire",
        })
    };
    assert_eq!(error_lines(&buffer), [line("rest-1"), line("graphql-1")]);
}

#[test]
fn in_a_process_of_their_own() {
    run_in_own_process("failures::", 1);
}
