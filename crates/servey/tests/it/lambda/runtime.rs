//! The real entry point inside Lambda: `Builder::main()`, started with `AWS_LAMBDA_RUNTIME_API` set, asks
//! the runtime API for events and posts its answers there (the protocol of AWS's Lambda runtime API,
//! played here by a small server; the app runs in a child process, as Lambda runs it).

use std::collections::VecDeque;
use std::process::Stdio;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use serde_json::{Value, json};
use tokio::sync::mpsc;

/// What the runtime API server hands out and where it reports the answers.
#[derive(Clone)]
struct RuntimeApi {
    events: Arc<Mutex<VecDeque<(String, Value)>>>,
    answers: mpsc::UnboundedSender<(String, String, Value)>,
}

/// `GET /2018-06-01/runtime/invocation/next`: the next event, or (when none is left) never.
async fn next(State(api): State<RuntimeApi>) -> (HeaderMap, String) {
    let event = api.events.lock().expect("not poisoned").pop_front();
    let Some((request_id, event)) = event else {
        return std::future::pending().await;
    };
    let mut headers = HeaderMap::new();
    let deadline = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_millis()
        + 600_000;
    for (name, value) in [
        ("lambda-runtime-aws-request-id", request_id),
        ("lambda-runtime-deadline-ms", deadline.to_string()),
        (
            "lambda-runtime-invoked-function-arn",
            "arn:aws:lambda:us-east-1:123456789012:function:servey-test".to_owned(),
        ),
        ("content-type", "application/json".to_owned()),
    ] {
        headers.insert(name, value.parse().expect("a header value"));
    }
    (headers, event.to_string())
}

/// `POST /2018-06-01/runtime/invocation/{id}/{response|error}`: an answer.
async fn answer(
    State(api): State<RuntimeApi>,
    Path((request_id, kind)): Path<(String, String)>,
    body: String,
) -> StatusCode {
    let body = serde_json::from_str(&body).unwrap_or(Value::String(body));
    let _ = api.answers.send((request_id, kind, body));
    StatusCode::ACCEPTED
}

#[test]
#[ignore = "the app process of `main_answers_events_from_the_lambda_runtime_api`, which starts it"]
fn lambda_app_process() {
    super::app(Arc::default()).main();
}

#[tokio::test]
async fn main_answers_events_from_the_lambda_runtime_api() {
    let http_event: Value = serde_json::from_str(include_str!("apigw-http.json")).expect("JSON");
    let mut http_event = http_event;
    http_event["rawPath"] = json!("/greet");
    http_event["rawQueryString"] = json!("name=Ann");
    http_event["requestContext"]["http"]["path"] = json!("/greet");
    let events = VecDeque::from([
        ("request-1".to_owned(), http_event),
        (
            "request-2".to_owned(),
            json!({"source": "servey.schedule", "action": "tick"}),
        ),
        (
            "request-3".to_owned(),
            json!({"source": "servey.schedule", "action": "nothing"}),
        ),
    ]);
    let (answers, mut answered) = mpsc::unbounded_channel();
    let api = RuntimeApi {
        events: Arc::new(Mutex::new(events)),
        answers,
    };
    let routes = Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next))
        .route("/2018-06-01/runtime/invocation/{id}/{kind}", post(answer))
        .with_state(api);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds a free port");
    let address = listener.local_addr().expect("has an address");
    tokio::spawn(async move { axum::serve(listener, routes).await });

    let mut app = tokio::process::Command::new(std::env::current_exe().expect("this test binary"))
        .args([
            "--ignored",
            "--exact",
            "lambda::runtime::lambda_app_process",
        ])
        .env("AWS_LAMBDA_RUNTIME_API", address.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", "servey-test")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the app starts");
    let mut received = Vec::new();
    while received.len() < 3 {
        tokio::select! {
            answer = answered.recv() => received.push(answer.expect("the runtime API runs")),
            exited = app.wait() => panic!("the app exited ({exited:?}) after {received:?}"),
        }
    }
    let (id, kind, http) = &received[0];
    assert_eq!((id.as_str(), kind.as_str()), ("request-1", "response"));
    assert_eq!(http["statusCode"], 200, "{http}");
    assert_eq!(http["body"], r#""hello Ann""#, "{http}");
    assert_eq!(http["headers"]["content-type"], "application/json");
    assert_eq!(
        received[1],
        ("request-2".to_owned(), "response".to_owned(), json!(1))
    );
    let (id, kind, error) = &received[2];
    assert_eq!((id.as_str(), kind.as_str()), ("request-3", "error"));
    assert!(
        error["errorMessage"]
            .as_str()
            .is_some_and(|message| message.contains("nothing")),
        "{error}"
    );
}
