//! MessagePack on the REST routes: every type the tour app answers comes back the same in MessagePack
//! as in JSON, MessagePack bodies are read like JSON ones, and a cached MessagePack answer has its own
//! ETag.

use reqwest::{Method, RequestBuilder};
use serde_json::{Value, json};
use servey::Authorization;

use crate::server::{TestServer, start};

const MSGPACK: &str = "application/msgpack";

/// Makes the same request again (once for JSON, once for MessagePack).
type MakeRequest<'a> = Box<dyn Fn() -> RequestBuilder + 'a>;

/// The answer to `request` in JSON and in MessagePack (each decoded), with their statuses.
async fn both(make: impl Fn() -> RequestBuilder) -> ((u16, Value), (u16, Value)) {
    let json_answer = make().send().await.expect("answers");
    let json_status = json_answer.status().as_u16();
    let json_value: Value = json_answer.json().await.expect("JSON");
    let packed = make()
        .header("accept", MSGPACK)
        .send()
        .await
        .expect("answers");
    let status = packed.status().as_u16();
    assert_eq!(
        packed.headers()["content-type"],
        MSGPACK,
        "a MessagePack answer"
    );
    let bytes = packed.bytes().await.expect("body");
    let value: Value = rmp_serde::from_slice(&bytes).expect("valid MessagePack");
    ((json_status, json_value), (status, value))
}

fn msgpack_body(request: RequestBuilder, body: &Value) -> RequestBuilder {
    request
        .header("content-type", MSGPACK)
        .body(rmp_serde::to_vec_named(body).expect("encodes"))
}

fn root_token(server: &TestServer) -> String {
    server
        .app
        .authenticator()
        .issue(&Authorization::new("root", ["root"]))
        .expect("a token is issued")
}

#[tokio::test]
async fn every_tour_type_round_trips_through_msgpack() {
    let server = start().await;
    let http = reqwest::Client::new();
    let token = root_token(&server);
    let get = |path: &str| http.get(server.url(path));
    let message = json!({"message": {"sender": "ann", "text": "hé"}, "id": 9});
    let cases: Vec<(&str, MakeRequest<'_>, Value)> = vec![
        (
            "String",
            Box::new(|| get("/actions/say-hello?name=World")),
            json!("Hello World!"),
        ),
        (
            "StoredMessage (a MessagePack body)",
            Box::new(|| msgpack_body(http.post(server.url("/actions/store-message")), &message)),
            json!({"id": 9, "message": {"sender": "ann", "text": "hé"}, "length": 2}),
        ),
        (
            "Item (a path parameter beside a MessagePack body)",
            Box::new(|| {
                msgpack_body(
                    http.request(Method::PUT, server.url("/items/7")),
                    &json!({"name": "lamp", "price_cents": 1999}),
                )
            }),
            json!({"id": 7, "name": "lamp", "price_cents": 1999}),
        ),
        (
            "NumberStats",
            Box::new(|| get("/actions/number-stats?value=6")),
            json!({"value": 6, "is_even": true}),
        ),
        (
            "Message",
            Box::new(|| {
                msgpack_body(
                    http.post(server.url("/actions/broadcast-message")),
                    &json!({"message": {"sender": "bo", "text": "yo"}}),
                )
            }),
            json!({"sender": "bo", "text": "yo"}),
        ),
        (
            "a generated action's JSON value",
            Box::new(|| get("/actions/generated-3?a=1")),
            json!({"generated": 3, "input": {"a": 1}}),
        ),
        (
            "a guarded String",
            Box::new(|| get("/actions/only-for-root").bearer_auth(&token)),
            json!("Some Secret Data!"),
        ),
        (
            "Option<Authorization>, none",
            Box::new(|| get("/actions/echo-authorization")),
            json!(null),
        ),
    ];
    for (kind, make, expected) in &cases {
        let ((json_status, json_value), (status, value)) = both(make).await;
        assert_eq!(
            (json_status, &json_value),
            (200, expected),
            "{kind} in JSON"
        );
        assert_eq!((status, &value), (200, expected), "{kind} in MessagePack");
    }
    let ((_, caller), (_, packed_caller)) =
        both(|| get("/actions/echo-authorization").bearer_auth(&token)).await;
    assert_eq!(caller["subject"], "root");
    assert_eq!(packed_caller, caller, "Authorization in MessagePack");
}

#[tokio::test]
async fn bad_msgpack_bodies_are_422_and_errors_stay_problem_details() {
    let server = start().await;
    let http = reqwest::Client::new();
    let broken = http
        .post(server.url("/actions/store-message"))
        .header("content-type", MSGPACK)
        .body(vec![0xc1])
        .send()
        .await
        .expect("answers");
    assert_eq!(broken.status(), 422);
    let problem: Value = broken.json().await.expect("problem+json");
    assert_eq!(problem["code"], "malformed_input");
    let invalid = msgpack_body(
        http.post(server.url("/actions/store-message")),
        &json!({"message": {"sender": 1, "text": "x"}}),
    )
    .header("accept", MSGPACK)
    .send()
    .await
    .expect("answers");
    assert_eq!(invalid.status(), 422);
    assert_eq!(
        invalid.headers()["content-type"],
        "application/problem+json"
    );
    let problem: Value = invalid.json().await.expect("problem+json");
    assert_eq!(problem["errors"][0]["path"], "message.sender");
}

#[tokio::test]
async fn a_cached_msgpack_answer_has_its_own_etag() {
    let server = start().await;
    let http = reqwest::Client::new();
    let url = server.url("/actions/slow-get-with-ttl?seconds=0");
    let json_etag = http.get(&url).send().await.expect("answers").headers()["etag"].clone();
    let packed = http
        .get(&url)
        .header("accept", MSGPACK)
        .send()
        .await
        .expect("answers");
    let packed_etag = packed.headers()["etag"].clone();
    assert_ne!(packed_etag, json_etag);
    let current = http
        .get(&url)
        .header("accept", MSGPACK)
        .header("if-none-match", packed_etag)
        .send()
        .await
        .expect("answers");
    assert_eq!(current.status(), 304);
    let stale = http
        .get(&url)
        .header("accept", MSGPACK)
        .header("if-none-match", json_etag)
        .send()
        .await
        .expect("answers");
    assert_eq!(stale.status(), 200);
}

/// `fields`, a MessagePack map of short strings, whose last value is `depth` nested arrays around `0`.
fn deeply_nested(fields: &[&str], depth: usize) -> Vec<u8> {
    let mut bytes = vec![0x80 | fields.len().div_ceil(2) as u8];
    for field in fields {
        bytes.push(0xa0 | field.len() as u8);
        bytes.extend(field.as_bytes());
    }
    bytes.extend(std::iter::repeat_n(0x91, depth));
    bytes.push(0x00);
    bytes
}

/// A job calling `say_hello` with a body nested `depth` arrays deep.
fn deeply_nested_job(depth: usize) -> Vec<u8> {
    let mut bytes = vec![0x81, 0xa7];
    bytes.extend(b"actions");
    bytes.push(0x91);
    bytes.extend(deeply_nested(&["action", "say_hello", "body"], depth));
    bytes
}

#[tokio::test]
async fn deeply_nested_msgpack_is_422_on_routes_and_jobs() {
    let server = start().await;
    let http = reqwest::Client::new();
    for (path, body) in [
        ("/actions/store-message", deeply_nested(&["message"], 625)),
        ("/jobs", deeply_nested_job(625)),
    ] {
        let answer = http
            .post(server.url(path))
            .header("content-type", MSGPACK)
            .body(body)
            .send()
            .await
            .expect("the server answers, not crashes");
        assert_eq!(answer.status(), 422, "{path}");
        let problem: Value = answer.json().await.expect("problem+json");
        assert_eq!(
            problem,
            json!({
                "type": "about:blank", "title": "Malformed input", "status": 422,
                "code": "malformed_input",
                "detail": "The MessagePack body nests arrays and maps deeper than 127 levels."
            }),
            "{path}"
        );
    }
    let health = http.get(server.url("/health")).send().await.expect("alive");
    assert_eq!(health.status(), 200);
}

#[tokio::test]
async fn bytes_after_a_msgpack_body_are_422() {
    let server = start().await;
    let job = json!({"actions": [{"action": "say_hello", "body": {"name": "a"}}]});
    let mut body = rmp_serde::to_vec_named(&job).expect("encodes");
    body.push(0xc0);
    let answer = reqwest::Client::new()
        .post(server.url("/jobs"))
        .header("content-type", MSGPACK)
        .body(body)
        .send()
        .await
        .expect("answers");
    assert_eq!(answer.status(), 422);
    let problem: Value = answer.json().await.expect("problem+json");
    assert_eq!(
        problem["detail"],
        "The body holds 1 more bytes after its MessagePack value."
    );
}
