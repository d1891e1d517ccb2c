//! The generated typed client (`--run=client`, committed as `golden/client.rs`): it compiles here as a
//! crate without the tour's types would compile it, and its functions call the tour served on a real
//! socket through `Client::http`, answering what the actions' examples and the local client answer.

use serde_json::{Value, json};
use servey::{Authorization, Client};

use crate::server::{TestServer, start};

/// The golden file, compiled: the tour's types here are the generated ones, not `hello::actions`'.
#[allow(unreachable_pub, dead_code)]
mod remote {
    include!("../../../golden/client.rs");
}

fn root_token(server: &TestServer) -> String {
    server
        .app
        .authenticator()
        .issue(&Authorization::new("root", ["root"]))
        .expect("a token is issued")
}

/// What the in-process client answers for `action` with `input` (the reference for the remote calls).
async fn local(server: &TestServer, action: &str, input: Value) -> Value {
    Client::local(&server.app)
        .call_value(action, input, false)
        .await
        .expect("the local call succeeds")
}

#[tokio::test]
async fn generated_calls_answer_as_the_declared_examples() {
    let server = start().await;
    let client = Client::http(&server.base);
    let example = server
        .app
        .registry()
        .get("say_hello")
        .and_then(|action| action.examples.first().cloned())
        .expect("say_hello declares an example");
    let name = example.params["name"]
        .as_str()
        .expect("the example names someone");
    let greeting = remote::say_hello(&client, name.to_owned())
        .await
        .expect("say_hello answers");
    assert_eq!(json!(greeting), example.result);
}

#[tokio::test]
async fn generated_struct_calls_answer_as_the_local_client() {
    let server = start().await;
    for client in [
        Client::http(&server.base),
        Client::http(&server.base).msgpack(),
    ] {
        struct_calls(&server, &client).await;
    }
}

/// Struct in, struct out, through `client`, against the local client's answers.
async fn struct_calls(server: &TestServer, client: &Client) {
    let message = remote::Message {
        sender: "ann".to_owned(),
        text: "hi there".to_owned(),
    };
    let stored: remote::StoredMessage = remote::store_message(client, message.clone(), Some(7))
        .await
        .expect("store_message answers");
    assert_eq!(stored.message, message);
    assert_eq!(
        json!(stored),
        local(
            server,
            "store_message",
            json!({"message": {"sender": "ann", "text": "hi there"}, "id": 7})
        )
        .await
    );
    let item = remote::update_item(client, 7, "lamp".to_owned(), 1999)
        .await
        .expect("update_item answers");
    assert_eq!(
        item,
        remote::Item {
            id: 7,
            name: "lamp".to_owned(),
            price_cents: 1999
        }
    );
    let stats = remote::number_stats(client, 5)
        .await
        .expect("number_stats answers");
    assert_eq!(
        json!(stats),
        local(server, "number_stats", json!({"value": 5})).await
    );
    assert!(!stats.is_even);
}

#[tokio::test]
async fn generated_calls_carry_the_clients_credentials_and_refusals() {
    let server = start().await;
    let anonymous = Client::http(&server.base);
    let refused = remote::only_for_root(&anonymous)
        .await
        .expect_err("a protected action refuses an anonymous caller");
    assert_eq!(
        (refused.status(), refused.code()),
        (Some(401), Some("unauthenticated"))
    );
    assert_eq!(
        remote::echo_authorization(&anonymous)
            .await
            .expect("echo_authorization answers"),
        None
    );
    let as_root = Client::http(&server.base).bearer(root_token(&server));
    let secret = remote::only_for_root(&as_root)
        .await
        .expect("root may call it");
    assert_eq!(json!(secret), local_as_root(&server).await);
    let caller = remote::echo_authorization(&as_root)
        .await
        .expect("echo_authorization answers")
        .expect("a caller with a token is someone");
    assert_eq!(
        (caller.subject.as_deref(), caller.scopes.as_slice()),
        (Some("root"), ["root".to_owned()].as_slice())
    );
    let invalid = remote::say_hello(
        &Client::http(&server.base).bearer("not-a-token"),
        "x".into(),
    )
    .await
    .expect_err("a sent token is checked");
    assert_eq!(invalid.status(), Some(401));
}

async fn local_as_root(server: &TestServer) -> Value {
    Client::local(&server.app)
        .bearer(root_token(server))
        .call_value("only_for_root", json!({}), false)
        .await
        .expect("root may call it")
}

#[tokio::test]
async fn generated_calls_of_free_form_actions_take_and_give_json() {
    let server = start().await;
    let client = Client::http(&server.base);
    let input: std::collections::BTreeMap<String, Value> =
        [("a".to_owned(), json!([1, 2]))].into_iter().collect();
    let answer = remote::generated_2(&client, input)
        .await
        .expect("generated_2 answers");
    assert_eq!(
        answer,
        local(&server, "generated_2", json!({"a": [1, 2]})).await
    );
    let failure = remote::fail_on_purpose(&client, None)
        .await
        .expect_err("it fails on purpose");
    assert_eq!(failure.status(), Some(500));
}
