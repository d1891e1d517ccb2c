//! One input, three transports: REST, GraphQL and the command line give the same result, or the same
//! error code and field path, for generated inputs (a property test over a real server and the binary).

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};

use crate::cli::hello;
use crate::server::{TestServer, start};

/// The result of one call, reduced to what every transport must agree on.
#[derive(Debug, PartialEq)]
enum Outcome {
    Result(Value),
    Error { code: String, paths: Vec<String> },
}

fn cli(action: &str, event: &Value) -> Outcome {
    let output = hello(
        &[
            "--run=action",
            &format!("--action={action}"),
            &format!("--event={event}"),
        ],
        None,
    );
    if output.status.success() {
        return Outcome::Result(
            serde_json::from_slice(&output.stdout).expect("the result is JSON"),
        );
    }
    let problem: Value = serde_json::from_slice(&output.stderr).expect("the error is a problem");
    problem_outcome(&problem)
}

/// The field paths of a list of field errors (a problem's `errors`, GraphQL's `extensions.errors`).
fn paths(errors: &Value) -> Vec<String> {
    errors
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["path"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn problem_outcome(problem: &Value) -> Outcome {
    Outcome::Error {
        code: problem["code"].as_str().unwrap_or_default().to_owned(),
        paths: paths(&problem["errors"]),
    }
}

async fn rest(server: &TestServer, request: reqwest::RequestBuilder) -> Outcome {
    let _ = server;
    let response = request.send().await.expect("answers");
    let is_ok = response.status().is_success();
    let body: Value = response.json().await.expect("JSON");
    if is_ok {
        Outcome::Result(body)
    } else {
        problem_outcome(&body)
    }
}

/// GraphQL's answer, mapped back to the problem vocabulary (its codes are the Apollo words).
async fn graphql(server: &TestServer, query: &str, variables: Value, field: &str) -> Outcome {
    let body = reqwest::Client::new()
        .post(server.url("/graphql"))
        .json(&json!({"query": query, "variables": variables}))
        .send()
        .await
        .expect("answers")
        .json::<Value>()
        .await
        .expect("JSON");
    match body["errors"].get(0) {
        None => Outcome::Result(body["data"][field].clone()),
        Some(error) => {
            let code = match error["extensions"]["code"].as_str() {
                Some("BAD_USER_INPUT") => "invalid_input".to_owned(),
                other => other.unwrap_or("graphql_validation").to_lowercase(),
            };
            let paths = paths(&error["extensions"]["errors"]);
            Outcome::Error { code, paths }
        }
    }
}

fn runner() -> (tokio::runtime::Runtime, TestServer, TestRunner) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let server = runtime.block_on(start());
    let runner = TestRunner::new(Config {
        cases: 24,
        failure_persistence: None,
        ..Config::default()
    });
    (runtime, server, runner)
}

#[test]
fn number_stats_agrees_on_every_transport_for_any_integer() {
    let (runtime, server, mut runner) = runner();
    let values = prop_oneof![0_u64..1000, Just(u64::MAX), any::<u64>()]
        .prop_map(|value| json!(value))
        .boxed();
    let negative = (i64::MIN..0).prop_map(|value| json!(value)).boxed();
    runner
        .run(&prop_oneof![values, negative], |value| {
            let event = json!({ "value": value });
            let by_cli = cli("number_stats", &event);
            let by_rest = runtime.block_on(rest(
                &server,
                reqwest::Client::new()
                    .get(server.url(&format!("/actions/number-stats?value={value}"))),
            ));
            let by_graphql = runtime.block_on(graphql(
                &server,
                "query($value: BigInt!) { numberStats(value: $value) { value isEven } }",
                event.clone(),
                "numberStats",
            ));
            prop_assert_eq!(&by_rest, &by_cli, "REST and CLI for {}", event);
            let by_graphql = match by_graphql {
                // GraphQL spells the fields in camelCase.
                Outcome::Result(data) => {
                    Outcome::Result(json!({"value": data["value"], "is_even": data["isEven"]}))
                }
                error => error,
            };
            prop_assert_eq!(&by_graphql, &by_cli, "GraphQL and CLI for {}", event);
            Ok(())
        })
        .expect("every transport agrees");
}

#[test]
fn store_message_agrees_on_every_transport_for_any_text() {
    let (runtime, server, mut runner) = runner();
    let strategy = (
        any::<String>(),
        ".{0,40}",
        proptest::option::of(any::<u64>()),
    );
    runner
        .run(&strategy, |(sender, text, id)| {
            let event = json!({ "message": { "sender": sender, "text": text }, "id": id });
            let by_cli = cli("store_message", &event);
            let by_rest = runtime.block_on(rest(
                &server,
                reqwest::Client::new()
                    .post(server.url("/actions/store-message"))
                    .json(&event),
            ));
            let by_graphql = runtime.block_on(graphql(
                &server,
                "mutation($message: MessageInput!, $id: BigInt) { storeMessage(message: $message, id: $id) { id length message { sender text } } }",
                event.clone(),
                "storeMessage",
            ));
            prop_assert_eq!(&by_rest, &by_cli, "REST and CLI for {}", event);
            prop_assert_eq!(&by_graphql, &by_cli, "GraphQL and CLI for {}", event);
            Ok(())
        })
        .expect("every transport agrees");
}
