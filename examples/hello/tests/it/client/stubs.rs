//! Stubs for code that calls services: a stubbed action answers from a function (and the calls are
//! recorded), the rest of a real client stays reachable, and mock mode answers from examples.

use hello::actions::say_hello;
use serde_json::json;
use servey::{ActionError, Client, ClientError, StubClient, stub_action};

use crate::server::{test_config, tour_app};

/// Code under test: greets two people through whatever client it is given.
async fn greet_both(client: &Client, first: &str, second: &str) -> Result<String, ClientError> {
    let one = say_hello::call(client, first.into()).await?;
    let two = say_hello::call(client, second.into()).await?;
    Ok(format!("{one} {two}"))
}

#[tokio::test]
async fn a_stubbed_action_answers_from_its_function_and_records_its_calls() {
    let stub = stub_action("say_hello", |input| {
        Ok(json!(format!(
            "stubbed {}",
            input["name"].as_str().unwrap_or("?")
        )))
    });
    let answer = greet_both(&stub.client(), "ann", "bo")
        .await
        .expect("stubbed");
    assert_eq!(answer, "stubbed ann stubbed bo");
    assert_eq!(
        stub.calls(),
        [
            ("say_hello".to_owned(), json!({"name": "ann"})),
            ("say_hello".to_owned(), json!({"name": "bo"}))
        ]
    );
    let missing = stub
        .client()
        .call::<String>("number_stats", json!({"value": 1}))
        .await
        .expect_err("not stubbed");
    assert_eq!(missing.status(), Some(404));
}

#[tokio::test]
async fn stubs_can_fail_and_sit_over_a_real_client() {
    let app = tour_app(test_config()).await;
    let stub = StubClient::new()
        .action("say_hello", |_| {
            Err(ActionError::custom(409, "taken", "That name is taken."))
        })
        .over(Client::local(&app));
    let refused = greet_both(&stub.client(), "a", "b")
        .await
        .expect_err("stubbed to fail");
    assert_eq!(
        (refused.status(), refused.code()),
        (Some(409), Some("taken"))
    );
    let real: serde_json::Value = stub
        .client()
        .call("number_stats", json!({"value": 3}))
        .await
        .expect("the real action runs");
    assert_eq!(real, json!({"value": 3, "is_even": false}));
}

#[tokio::test]
async fn mock_mode_answers_from_the_declared_examples() {
    let app = tour_app(test_config()).await;
    let mock = StubClient::mock(&app).client();
    let matching: String = mock
        .call("say_hello", json!({"name": "World"}))
        .await
        .expect("the `world` example");
    assert_eq!(matching, "Hello World!");
    let other = say_hello::call(&mock, "nobody".into())
        .await
        .expect("the first example");
    assert_eq!(other, "Hello Developer!");
    let none = mock
        .call::<String>("fail_on_purpose", json!({}))
        .await
        .expect_err("no examples");
    assert_eq!(
        none.problem().map(|p| p.detail.as_str()),
        Some("The action `fail_on_purpose` declares no example to answer from.")
    );
}
