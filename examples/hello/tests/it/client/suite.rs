//! The shared suite: every kind of tour action, good and bad input, with and without credentials, by
//! name and typed. Each transport must pass it, and all must give the same answers.

use hello::actions::{Message, StoredMessage, number_stats, say_hello, store_message, update_item};
use serde_json::{Value, json};
use servey::{Authorization, Client, ClientError};

use crate::server::{TestServer, start};

/// One call's answer, in a form that compares across transports: the result, or the error's status,
/// code, detail and field paths.
type Answer = Result<Value, (u16, String, String, Vec<String>)>;

fn answer(result: Result<Value, ClientError>) -> Answer {
    result.map_err(|error| match error.problem() {
        Some(problem) => (
            problem.status,
            problem.code.clone(),
            problem.detail.clone(),
            problem.errors.iter().map(|e| e.path.clone()).collect(),
        ),
        None => panic!("the service answered no problem: {error}"),
    })
}

fn root_token(server: &TestServer) -> String {
    server
        .app
        .authenticator()
        .issue(&Authorization::new("root", ["root"]))
        .expect("a token is issued")
}

/// Runs the suite through `client` (and `as_root`, the same client with a root token), asserting each
/// answer, and returns them all for the comparison across transports.
async fn suite(client: &Client, as_root: &Client) -> Vec<Answer> {
    let calls: Vec<(&Client, &str, Value)> = vec![
        (client, "say_hello", json!({"name": "World"})),
        (client, "say_hello", json!({"name": 5})),
        (client, "say_hello", json!({})),
        (client, "say_hello", json!(["not", "an", "object"])),
        (
            client,
            "store_message",
            json!({"message": {"sender": "ann", "text": "hi"}, "id": 7}),
        ),
        (
            client,
            "store_message",
            json!({"message": {"sender": 1, "text": [2]}, "id": -1}),
        ),
        (
            client,
            "update_item",
            json!({"id": 7, "name": "lamp", "price_cents": 1999}),
        ),
        (client, "number_stats", json!({"value": 5})),
        (client, "only_for_root", json!({})),
        (as_root, "only_for_root", json!({})),
        (client, "fail_on_purpose", json!({})),
        (client, "fail_on_purpose", json!({"panic": true})),
        (client, "no_such_action", json!({})),
        (client, "generated_2", json!({"a": [1, 2]})),
    ];
    let mut answers = Vec::new();
    for (caller, action, input) in calls {
        answers.push(answer(caller.call_value(action, input, false).await));
    }
    let error = |status: u16, code: &str, detail: &str, paths: &[&str]| -> Answer {
        Err((
            status,
            code.to_owned(),
            detail.to_owned(),
            paths.iter().map(|path| (*path).to_owned()).collect(),
        ))
    };
    let expected: Vec<Answer> = vec![
        Ok(json!("Hello World!")),
        error(422, "invalid_input", "1 invalid field", &["name"]),
        error(422, "invalid_input", "1 invalid field", &["name"]),
        error(
            422,
            "malformed_input",
            "The input must be a JSON object with one key per parameter, not an array.",
            &[],
        ),
        Ok(json!({"id": 7, "message": {"sender": "ann", "text": "hi"}, "length": 2})),
        error(
            422,
            "invalid_input",
            "3 invalid fields",
            &["message.sender", "message.text", "id"],
        ),
        Ok(json!({"id": 7, "name": "lamp", "price_cents": 1999})),
        Ok(json!({"value": 5, "is_even": false})),
        error(
            401,
            "unauthenticated",
            "This action needs credentials.",
            &[],
        ),
        Ok(json!("Some Secret Data!")),
        error(500, "internal_error", "The action failed.", &[]),
        error(500, "internal_error", "The action failed.", &[]),
        error(
            404,
            "not_found",
            "There is no action `no_such_action`.",
            &[],
        ),
        Ok(json!({"generated": 2, "input": {"a": [1, 2]}})),
    ];
    for (index, (got, want)) in answers.iter().zip(&expected).enumerate() {
        assert_eq!(got, want, "call {index}");
    }
    assert_eq!(answers.len(), expected.len());

    // Typed calls, emitted by `#[action]`: typed in, typed out, typed errors.
    let greeting = say_hello::call(client, "World".into())
        .await
        .expect("greets");
    assert_eq!(greeting, "Hello World!");
    let message = Message {
        sender: "bo".into(),
        text: "héllo".into(),
    };
    let stored: StoredMessage = store_message::call(client, message, None)
        .await
        .expect("stores");
    assert_eq!((stored.id, stored.length), (1, 5));
    let item = update_item::call(client, 3, "pen".into(), 150)
        .await
        .expect("updates");
    assert_eq!((item.id, item.name.as_str()), (3, "pen"));
    let stats = number_stats::call(client, 4).await.expect("counts");
    assert!(stats.is_even);
    let refused = hello::actions::only_for_root::call(client)
        .await
        .expect_err("anonymous");
    assert_eq!(
        (refused.status(), refused.code()),
        (Some(401), Some("unauthenticated"))
    );
    answers
}

/// The tour app's three clients: in-process, HTTP JSON, HTTP MessagePack (each also with a root token).
fn clients(server: &TestServer) -> [(&'static str, Client); 3] {
    [
        ("local", Client::local(&server.app)),
        ("http", Client::http(&server.base)),
        ("http+msgpack", Client::http(&server.base).msgpack()),
    ]
}

#[tokio::test]
async fn local_and_http_clients_answer_the_shared_suite_identically() {
    let server = start().await;
    let token = root_token(&server);
    let mut answers = Vec::new();
    for (name, client) in clients(&server) {
        let as_root = client.clone().bearer(&token);
        answers.push((name, suite(&client, &as_root).await));
    }
    let (first, reference) = &answers[0];
    for (name, other) in &answers[1..] {
        assert_eq!(other, reference, "{name} answers as {first} does");
    }
}

#[tokio::test]
async fn a_rejected_token_is_401_on_every_transport() {
    let server = start().await;
    for (name, client) in clients(&server) {
        let error = client
            .bearer("not-a-token")
            .call::<String>("say_hello", json!({"name": "x"}))
            .await
            .expect_err("a sent token is checked");
        assert_eq!(
            (error.status(), error.code()),
            (Some(401), Some("unauthenticated")),
            "{name}"
        );
    }
}

#[tokio::test]
async fn parallel_calls_answer_in_the_order_asked() {
    let server = start().await;
    for (name, client) in clients(&server) {
        let calls = (0..20).map(|n| ("number_stats", json!({"value": n})));
        let answers = client.call_parallel(calls, 4).await;
        let evens: Vec<bool> = answers
            .into_iter()
            .map(|answer| answer.expect("counts")["is_even"] == json!(true))
            .collect();
        let expected: Vec<bool> = (0..20).map(|n| n % 2 == 0).collect();
        assert_eq!(evens, expected, "{name}");
    }
}

#[tokio::test]
async fn only_the_local_client_reaches_actions_without_a_web_route() {
    let server = start().await;
    let input = json!({"member": "Ann"});
    let local: String = Client::local(&server.app)
        .call("send_welcome_note", &input)
        .await
        .expect("every action is reachable in-process");
    assert_eq!(local, "Welcome aboard, Ann!");
    let remote = Client::http(&server.base)
        .call::<String>("send_welcome_note", &input)
        .await
        .expect_err("POST /jobs exposes only what the REST routes serve");
    assert_eq!(remote.status(), Some(404));
}

#[tokio::test]
async fn an_unreachable_service_is_its_own_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
    let address = listener.local_addr().expect("address");
    drop(listener);
    let error = Client::http(format!("http://{address}"))
        .call::<String>("say_hello", json!({"name": "x"}))
        .await
        .expect_err("nobody listens");
    assert!(matches!(error, ClientError::Unreachable(_)), "{error}");
    assert_eq!(error.status(), None);
}
