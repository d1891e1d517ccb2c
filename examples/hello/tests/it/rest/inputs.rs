//! Inputs and results: query coercion, dotted keys, bodies, HEAD, plain JSON results.

use reqwest::{StatusCode, header};
use serde_json::json;

use super::{client, get, invalid, json_body, post, problem_body, send};
use crate::server::start;

#[tokio::test]
async fn get_reads_the_query_coerced_by_the_schema() {
    let server = start().await;
    let hello = get(&server, "/actions/say-hello?name=true").await;
    assert_eq!(json_body(hello, StatusCode::OK).await, json!("Hello true!"));
    let stats = get(&server, "/actions/number-stats?value=5").await;
    assert_eq!(
        json_body(stats, StatusCode::OK).await,
        json!({"value": 5, "is_even": false})
    );
}

#[tokio::test]
async fn dotted_query_keys_build_nested_objects() {
    let server = start().await;
    let response = get(&server, "/actions/generated-1?a.b=1&a.c=x&d=true").await;
    assert_eq!(
        json_body(response, StatusCode::OK).await,
        json!({"generated": 1, "input": {"a": {"b": 1, "c": "x"}, "d": true}})
    );
}

#[tokio::test]
async fn post_reads_a_struct_body() {
    let server = start().await;
    let body = r#"{"message": {"sender": "ann", "text": "héllo"}, "id": 7}"#;
    let response = post(&server, "/actions/store-message", body).await;
    assert_eq!(
        json_body(response, StatusCode::OK).await,
        json!({"id": 7, "message": {"sender": "ann", "text": "héllo"}, "length": 5})
    );
}

#[tokio::test]
async fn head_answers_like_get_without_a_body() {
    let server = start().await;
    let response = send(client().head(server.url("/actions/say-hello?name=World"))).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
    assert_eq!(response.bytes().await.expect("body").len(), 0);
}

#[tokio::test]
async fn results_are_plain_json_without_an_envelope() {
    let server = start().await;
    let response = get(&server, "/actions/say-hello?name=World").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.expect("text"), r#""Hello World!""#);
}

#[tokio::test]
async fn custom_path_segments_fill_their_parameter() {
    let server = start().await;
    let body = r#"{"name": "lamp", "price_cents": 1999}"#;
    let response = send(
        client()
            .put(server.url("/items/7"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(body),
    )
    .await;
    assert_eq!(
        json_body(response, StatusCode::OK).await,
        json!({"id": 7, "name": "lamp", "price_cents": 1999})
    );
    let bad = send(
        client()
            .put(server.url("/items/seven"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(body),
    )
    .await;
    assert_eq!(
        problem_body(bad, StatusCode::UNPROCESSABLE_ENTITY).await,
        invalid("id", "type", "must be an integer, not a string")
    );
}

#[tokio::test]
async fn deeply_dotted_query_keys_are_refused_and_the_server_lives_on() {
    let server = start().await;
    for path in ["/actions/generated-1", "/actions/say-hello"] {
        let key = vec!["a"; 1000].join(".");
        let response = get(&server, &format!("{path}?{key}=1")).await;
        let problem = problem_body(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(problem["code"], "malformed_input", "{problem}");
        assert_eq!(
            problem["detail"],
            "The query key `a.a.a.a.a.a.a.a…` nests 1000 levels deep; at most 32 are allowed."
        );
    }
    let health = get(&server, "/health").await;
    assert_eq!(health.status(), StatusCode::OK);
}
