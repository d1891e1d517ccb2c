//! The tour app over REST: every row of the contract's REST section against a real server, plus external
//! checkers (openapi-spec-validator, schemathesis, headless Chromium on Swagger UI).

mod auth;
mod cache;
mod documents;
mod errors;
mod external;
mod headers;
mod inputs;
mod interop;
mod limits;

use reqwest::header::HeaderName;
use reqwest::{RequestBuilder, Response, StatusCode, header};
use serde_json::{Value, json};
use servey::Authorization;

use crate::server::TestServer;

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

/// Sends `request` and returns the answer.
async fn send(request: RequestBuilder) -> Response {
    request.send().await.expect("the server answers")
}

async fn get(server: &TestServer, path: &str) -> Response {
    send(client().get(server.url(path))).await
}

/// GETs `path` with the request header `name: value`.
async fn get_with(server: &TestServer, path: &str, name: HeaderName, value: &str) -> Response {
    send(client().get(server.url(path)).header(name, value)).await
}

async fn get_with_token(server: &TestServer, path: &str, authorization: &str) -> Response {
    get_with(server, path, header::AUTHORIZATION, authorization).await
}

/// POSTs `body` to `path` as JSON.
async fn post(server: &TestServer, path: &str, body: impl Into<reqwest::Body>) -> Response {
    let request = client().post(server.url(path));
    send(
        request
            .header(header::CONTENT_TYPE, "application/json")
            .body(body),
    )
    .await
}

/// The body of a JSON response, checking its status and media type.
async fn json_body(response: Response, status: StatusCode) -> Value {
    assert_eq!(response.status(), status);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
    response.json().await.expect("a JSON body")
}

/// The body of a problem-details response, checking its status and media type.
async fn problem_body(response: Response, status: StatusCode) -> Value {
    assert_eq!(response.status(), status);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    response.json().await.expect("a problem document")
}

fn problem(status: u16, title: &str, code: &str, detail: &str) -> Value {
    json!({"type": "about:blank", "title": title, "status": status, "code": code, "detail": detail})
}

fn invalid(path: &str, code: &str, message: &str) -> Value {
    json!({
        "type": "about:blank", "title": "Invalid input", "status": 422, "code": "invalid_input",
        "detail": "1 invalid field", "errors": [{"path": path, "code": code, "message": message}]
    })
}

fn token(server: &TestServer, authorization: &Authorization) -> String {
    server
        .app
        .authenticator()
        .issue(authorization)
        .expect("a token is issued")
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}
