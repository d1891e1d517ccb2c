//! Service calls across two servers: an action on one server calls an action on another through
//! `Client::with_context`, and the request id and switches of the first call travel into the second,
//! into its `Context` and onto the log lines of both.
//!
//! The log test runs in a process of its own (this test binary, run again for that one test): tracing
//! caches per call site whether any subscriber wants its spans, process-wide, and other tests' threads
//! starting and dropping subscribers at the same time can leave the servers' spans switched off for
//! this one. In its own process, the subscriber is installed for the test's thread (`set_default`) and
//! `#[tokio::test]` runs both servers and the client as tasks of a current-thread runtime on it.

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use servey::telemetry::LogFormat;
use servey::{Action, Client, ClientError, Context, Trigger};
use tracing_subscriber::layer::SubscriberExt;

use crate::support::{SharedBuffer, builder, run_in_own_process, start};

/// Answers the request id and switches its call came with, and logs a line.
fn whoami() -> Action {
    Action::builder("whoami", |_, context: Context| async move {
        tracing::info!("whoami answered");
        let switches: Vec<&str> = context.active_switches().collect();
        Ok(json!({"request_id": context.request_id(), "switches": switches}))
    })
    .trigger(Trigger::web_post())
    .build()
}

/// Calls `whoami` on the server at `downstream`, chained to its own call, and logs a line.
fn relay(downstream: String) -> Action {
    let client = Client::http(downstream);
    Action::builder("relay", move |_, context: Context| {
        let client = client.clone().with_context(&context);
        async move {
            tracing::info!("relaying");
            client
                .call_value("whoami", json!({}), false)
                .await
                .map_err(ClientError::into_action_error)
        }
    })
    .trigger(Trigger::web_post())
    .build()
}

#[test]
fn request_id_and_switches_chain_across_two_servers_into_both_logs() {
    run_in_own_process("calls::chained_call_logs_in_a_process_of_its_own", 1);
}

#[tokio::test]
#[ignore = "run in a process of its own by request_id_and_switches_chain_across_two_servers_into_both_logs"]
async fn chained_call_logs_in_a_process_of_its_own() {
    let buffer = Arc::new(Mutex::new(Vec::new()));
    let writer = {
        let buffer = buffer.clone();
        move || SharedBuffer(buffer.clone())
    };
    let subscriber =
        tracing_subscriber::registry().with(servey::telemetry::log_layer(LogFormat::Json, writer));
    let _guard = tracing::subscriber::set_default(subscriber);

    let downstream = start(builder([whoami()])).await;
    let upstream = start(builder([relay(downstream.base().to_owned())])).await;
    let caller = Context::with_request_id("req-chain-7").switches(["beta", "dark-mode"]);
    let answer: Value = Client::http(upstream.base())
        .with_context(&caller)
        .call("relay", json!({}))
        .await
        .expect("relayed");
    assert_eq!(
        answer,
        json!({"request_id": "req-chain-7", "switches": ["beta", "dark-mode"]})
    );

    let text = String::from_utf8(buffer.lock().expect("not poisoned").clone()).expect("UTF-8");
    let lines: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is one JSON object"))
        .collect();
    for message in ["relaying", "whoami answered"] {
        let line = lines
            .iter()
            .find(|line| line["message"] == message)
            .unwrap_or_else(|| panic!("a `{message}` line in {text}"));
        assert_eq!(line["span"]["request_id"], "req-chain-7", "{line}");
        assert!(
            line["spans"]
                .as_array()
                .expect("the span stack")
                .iter()
                .all(|span| span.get("request_id").is_none_or(|id| id == "req-chain-7")),
            "every span of the line carries the chained id: {line}"
        );
    }
}

#[tokio::test]
async fn a_downstream_refusal_passes_on_unchanged() {
    let downstream = start(builder([whoami()])).await;
    let client = Client::http(downstream.base());
    let relay_unknown = Action::builder("relay_unknown", move |_, context: Context| {
        let client = client.clone().with_context(&context);
        async move {
            client
                .call_value("nope", json!({}), false)
                .await
                .map_err(ClientError::into_action_error)
        }
    })
    .trigger(Trigger::web_post())
    .build();
    let upstream = start(builder([relay_unknown])).await;
    let error = Client::http(upstream.base())
        .call::<Value>("relay_unknown", json!({}))
        .await
        .expect_err("the downstream has no `nope`");
    assert_eq!(
        (error.status(), error.code()),
        (Some(404), Some("not_found"))
    );
}

/// A result that serializes but does not deserialize.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct OnlySerialized {
    value: u8,
}

/// Its action compiles with its typed call beside it (the call's bounds are checked where it is
/// used), and is called by name.
#[servey::action(triggers = [web_get])]
fn only_serialized(value: u8) -> OnlySerialized {
    OnlySerialized { value }
}

#[tokio::test]
async fn an_action_whose_result_cannot_be_read_back_is_called_by_name() {
    let registry = servey::Registry::builder()
        .collected()
        .build()
        .expect("this binary's actions");
    let app = servey::app(registry, crate::support::config(&[]))
        .await
        .expect("builds");
    let answer: Value = Client::local(&app)
        .call("only_serialized", json!({"value": 3}))
        .await
        .expect("answers");
    assert_eq!(answer, json!({"value": 3}));
}
