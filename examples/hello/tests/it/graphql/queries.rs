//! Queries and mutations that succeed, over POST and GET.

use serde_json::{Value, json};

use super::graphql;
use crate::server::{TestServer, start};

#[tokio::test]
async fn say_hello_is_a_query_field() {
    let server = start().await;
    assert_eq!(
        graphql(&server, r#"{ sayHello(name: "World") }"#, None).await,
        json!({"data": {"sayHello": "Hello World!"}})
    );
}

#[tokio::test]
async fn store_message_is_a_mutation_with_an_input_object() {
    let server = start().await;
    let query = r#"mutation { storeMessage(message: {sender: "ann", text: "hi"}, id: 7) {
        id length message { sender text } } }"#;
    assert_eq!(
        graphql(&server, query, None).await,
        json!({"data": {"storeMessage": {
            "id": 7, "length": 2, "message": {"sender": "ann", "text": "hi"}
        }}})
    );
}

#[tokio::test]
async fn nested_factorial_resolves_on_number_stats() {
    let server = start().await;
    assert_eq!(
        graphql(
            &server,
            "{ numberStats(value: 5) { value isEven factorial } }",
            None
        )
        .await,
        json!({"data": {"numberStats": {"value": 5, "isEven": false, "factorial": 120}}})
    );
}

/// Sends `query` to `/graphql` as a GET query parameter.
async fn graphql_get(server: &TestServer, query: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(server.url("/graphql"))
        .query(&[("query", query)])
        .send()
        .await
        .expect("sent")
}

#[tokio::test]
async fn get_runs_queries_and_refuses_mutations() {
    let server = start().await;
    let response = graphql_get(&server, r#"{ sayHello(name: "Get") }"#).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body, json!({"data": {"sayHello": "Hello Get!"}}));

    let mutation = r#"mutation { storeMessage(message: {sender: "a", text: "b"}) { id } }"#;
    let response = graphql_get(&server, mutation).await;
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "POST");
}

#[tokio::test]
async fn number_range_resolves_batched_factorials_in_order() {
    let server = start().await;
    let answer = graphql(
        &server,
        "{ numberRange(start: 1, count: 100) { value factorial } }",
        None,
    )
    .await;
    assert_eq!(answer.get("errors"), None, "{answer}");
    let rows = answer["data"]["numberRange"].as_array().expect("a list");
    assert_eq!(rows.len(), 100);
    let mut product = 1_u64;
    for (row, value) in rows.iter().zip(1_u64..) {
        product = product.saturating_mul(value);
        assert_eq!(row, &json!({"value": value, "factorial": product}));
    }
}

#[tokio::test]
async fn number_range_refuses_more_than_a_thousand_numbers() {
    let server = start().await;
    let response = reqwest::get(server.url("/actions/number-range?start=1&count=1001"))
        .await
        .expect("answers");
    assert_eq!(response.status().as_u16(), 422);
    let problem: Value = response.json().await.expect("a problem document");
    assert_eq!(problem["errors"][0]["path"], "count", "{problem}");
}
