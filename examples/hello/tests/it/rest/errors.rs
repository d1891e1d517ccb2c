//! Errors as problem details: bad input, unknown routes and methods, large bodies, failures, panics.

use reqwest::{StatusCode, header};
use serde_json::{Value, json};

use super::{client, get, invalid, json_body, post, problem, problem_body, send};
use crate::server::{serve_router, start};

#[tokio::test]
async fn a_wrong_type_is_422_with_the_field_path() {
    let server = start().await;
    let query = get(&server, "/actions/number-stats?value=abc").await;
    assert_eq!(
        problem_body(query, StatusCode::UNPROCESSABLE_ENTITY).await,
        invalid("value", "type", "must be an integer, not a string")
    );
    let body = r#"{"message": {"sender": 1, "text": "x"}}"#;
    let body = post(&server, "/actions/store-message", body).await;
    assert_eq!(
        problem_body(body, StatusCode::UNPROCESSABLE_ENTITY).await,
        invalid("message.sender", "type", "must be a string, not an integer")
    );
}

#[tokio::test]
async fn a_missing_parameter_is_422_with_its_name() {
    let server = start().await;
    let query = get(&server, "/actions/say-hello").await;
    assert_eq!(
        problem_body(query, StatusCode::UNPROCESSABLE_ENTITY).await,
        invalid("name", "missing", "is required")
    );
    let empty_body = send(client().post(server.url("/actions/store-message"))).await;
    assert_eq!(
        problem_body(empty_body, StatusCode::UNPROCESSABLE_ENTITY).await,
        invalid("message", "missing", "is required")
    );
}

#[tokio::test]
async fn a_malformed_body_is_422_malformed_input() {
    let server = start().await;
    let response = post(&server, "/actions/store-message", "not json").await;
    assert_eq!(
        problem_body(response, StatusCode::UNPROCESSABLE_ENTITY).await,
        problem(
            422,
            "Malformed input",
            "malformed_input",
            "The input is not valid JSON: expected ident at line 1 column 2."
        )
    );
}

#[tokio::test]
async fn an_unknown_route_is_404() {
    let server = start().await;
    assert_eq!(
        problem_body(get(&server, "/nope").await, StatusCode::NOT_FOUND).await,
        problem(404, "Not Found", "not_found", "No route matches GET /nope.")
    );
}

#[tokio::test]
async fn a_wrong_method_is_405_with_allow() {
    let server = start().await;
    let response = send(client().post(server.url("/actions/say-hello"))).await;
    assert_eq!(response.headers()[header::ALLOW], "GET,HEAD");
    assert_eq!(
        problem_body(response, StatusCode::METHOD_NOT_ALLOWED).await,
        problem(
            405,
            "Method Not Allowed",
            "method_not_allowed",
            "/actions/say-hello does not answer POST; the `Allow` header lists what it answers."
        )
    );
}

#[tokio::test]
async fn a_body_over_one_mib_is_413() {
    let server = start().await;
    let response = post(
        &server,
        "/actions/store-message",
        vec![b' '; 1024 * 1024 + 1],
    )
    .await;
    assert_eq!(
        problem_body(response, StatusCode::PAYLOAD_TOO_LARGE).await,
        problem(
            413,
            "Payload Too Large",
            "payload_too_large",
            "The request body is larger than the limit of 1048576 bytes."
        )
    );
}

#[tokio::test]
async fn an_action_failure_is_an_opaque_500() {
    let server = start().await;
    let expected = problem(
        500,
        "Internal error",
        "internal_error",
        "The action failed.",
    );
    for path in [
        "/actions/fail-on-purpose",
        "/actions/fail-on-purpose?panic=true",
    ] {
        let response = get(&server, path).await;
        assert_eq!(
            problem_body(response, StatusCode::INTERNAL_SERVER_ERROR).await,
            expected
        );
    }
    let after = get(&server, "/actions/say-hello?name=again").await;
    assert_eq!(
        json_body(after, StatusCode::OK).await,
        json!("Hello again!")
    );
}

/// A user's own layer that panics on a request marked `X-Boom` (outside any action's invoke path).
async fn panicking_layer(
    request: servey::axum::extract::Request,
    next: servey::axum::middleware::Next,
) -> servey::axum::response::Response {
    if request.headers().contains_key("x-boom") {
        panic!("a composed layer panics");
    }
    next.run(request).await
}

#[tokio::test]
async fn a_panic_outside_an_action_is_500_and_the_server_keeps_serving() {
    let app = servey::Builder::new(hello::registry_builder())
        .config(crate::server::test_config())
        .layer(servey::axum::middleware::from_fn(panicking_layer))
        .build()
        .await
        .expect("the tour app builds");
    let base = serve_router(servey::router(&app).expect("the routes build")).await;
    let boom = send(client().get(format!("{base}/health")).header("x-boom", "1")).await;
    assert_eq!(
        problem_body(boom, StatusCode::INTERNAL_SERVER_ERROR).await,
        problem(
            500,
            "Internal Server Error",
            "internal_error",
            "The server failed to answer this request."
        )
    );
    let health = send(client().get(format!("{base}/health"))).await;
    assert_eq!(
        json_body(health, StatusCode::OK).await,
        json!({"status": "ok"})
    );
}

#[tokio::test]
async fn a_body_that_is_not_sent_as_json_is_415() {
    let server = start().await;
    let body = r#"{"message": {"sender": "ann", "text": "hi"}}"#;
    for (content_type, given) in [
        (Some("text/plain"), "`text/plain`"),
        (
            Some("application/x-www-form-urlencoded"),
            "`application/x-www-form-urlencoded`",
        ),
        (None, "no Content-Type"),
    ] {
        let mut request = client()
            .post(server.url("/actions/store-message"))
            .body(body);
        if let Some(content_type) = content_type {
            request = request.header(header::CONTENT_TYPE, content_type);
        }
        assert_eq!(
            problem_body(send(request).await, StatusCode::UNSUPPORTED_MEDIA_TYPE).await,
            problem(
                415,
                "Unsupported media type",
                "unsupported_media_type",
                &format!(
                    "The body must be JSON, sent as `Content-Type: application/json`; it came with {given}."
                )
            )
        );
    }
    let charset = client()
        .post(server.url("/actions/store-message"))
        .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
        .body(body);
    assert_eq!(send(charset).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_graphql_post_that_is_not_json_is_415() {
    let server = start().await;
    let request = client()
        .post(server.url("/graphql"))
        .header(header::CONTENT_TYPE, "text/plain")
        .body(r#"{"query": "{ sayHello(name: \"x\") }"}"#);
    let response = send(request).await;
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(
        body["errors"][0]["message"],
        "The body must be JSON, sent as `Content-Type: application/json`; it came with `text/plain`."
    );
}
