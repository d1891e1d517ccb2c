//! The real entry point inside Lambda: `Builder::main()`, started with `AWS_LAMBDA_RUNTIME_API` set, asks
//! the runtime API for events and posts its answers there (the protocol of AWS's Lambda runtime API,
//! played here by a small server; the app runs in a child process, as Lambda runs it). Errors carry a
//! readable `errorType`, each is logged once by servey (never as lambda_runtime's "panic"), and an app
//! that cannot start says so at `/runtime/init/error`.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use serde_json::{Value, json};
use tokio::io::AsyncReadExt;
use tokio::process::Child;
use tokio::sync::mpsc;

/// One report to the runtime API: the request id (`init` for the init error), `response` or `error`,
/// the `Lambda-Runtime-Function-Error-Type` header when sent, and the body.
type Report = (String, String, Option<String>, Value);

/// What the runtime API server hands out and where it reports the answers.
#[derive(Clone)]
struct RuntimeApi {
    events: Arc<Mutex<VecDeque<(String, Value)>>>,
    answers: mpsc::UnboundedSender<Report>,
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

/// Sends one report to the test.
fn report(api: &RuntimeApi, id: String, kind: String, headers: &HeaderMap, body: &str) {
    let error_type = headers
        .get("lambda-runtime-function-error-type")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let body = serde_json::from_str(body).unwrap_or(Value::String(body.to_owned()));
    let _ = api.answers.send((id, kind, error_type, body));
}

/// `POST /2018-06-01/runtime/invocation/{id}/{response|error}`: an answer.
async fn answer(
    State(api): State<RuntimeApi>,
    Path((request_id, kind)): Path<(String, String)>,
    headers: HeaderMap,
    body: String,
) -> StatusCode {
    report(&api, request_id, kind, &headers, &body);
    StatusCode::ACCEPTED
}

/// `POST /2018-06-01/runtime/init/error`: the function could not start.
async fn init_error(State(api): State<RuntimeApi>, headers: HeaderMap, body: String) -> StatusCode {
    report(&api, "init".into(), "error".into(), &headers, &body);
    StatusCode::ACCEPTED
}

/// Serves a fake runtime API handing out `events`; its address and the reports it receives.
async fn runtime_api(
    events: impl IntoIterator<Item = (&'static str, Value)>,
) -> (SocketAddr, mpsc::UnboundedReceiver<Report>) {
    let events = events
        .into_iter()
        .map(|(id, event)| (id.to_owned(), event))
        .collect();
    let (answers, answered) = mpsc::unbounded_channel();
    let api = RuntimeApi {
        events: Arc::new(Mutex::new(events)),
        answers,
    };
    let routes = Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next))
        .route("/2018-06-01/runtime/invocation/{id}/{kind}", post(answer))
        .route("/2018-06-01/runtime/init/error", post(init_error))
        .with_state(api);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds a free port");
    let address = listener.local_addr().expect("has an address");
    tokio::spawn(async move { axum::serve(listener, routes).await });
    (address, answered)
}

/// This test binary, running the ignored test `process` as a Lambda function of the runtime API at
/// `address`, its log lines (warnings and errors) on a pipe.
fn lambda_process(process: &str, address: SocketAddr) -> Child {
    tokio::process::Command::new(std::env::current_exe().expect("this test binary"))
        .args(["--ignored", "--exact", process])
        .env("AWS_LAMBDA_RUNTIME_API", address.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", "servey-test")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the app starts")
}

#[test]
#[ignore = "the app process of `main_answers_events_from_the_lambda_runtime_api`, which starts it"]
fn lambda_app_process() {
    super::app(Arc::default()).main();
}

#[test]
#[ignore = "the app process of `a_failed_start_is_reported_as_the_init_error`, which starts it"]
fn lambda_failing_app_process() {
    super::app(Arc::default()).without_route("/nope").main();
}

#[tokio::test]
async fn main_answers_events_from_the_lambda_runtime_api() {
    let mut http_event: Value =
        serde_json::from_str(include_str!("apigw-http.json")).expect("JSON");
    http_event["rawPath"] = json!("/greet");
    http_event["rawQueryString"] = json!("name=Ann");
    http_event["requestContext"]["http"]["path"] = json!("/greet");
    let schedule = |action: &str| json!({"source": "servey.schedule", "action": action});
    let (address, mut answered) = runtime_api([
        ("request-1", http_event),
        ("request-2", schedule("tick")),
        ("request-3", schedule("nothing")),
        ("request-4", schedule("expire")),
    ])
    .await;
    let mut app = lambda_process("lambda::runtime::lambda_app_process", address);
    let mut received = Vec::new();
    while received.len() < 4 {
        tokio::select! {
            answer = answered.recv() => received.push(answer.expect("the runtime API runs")),
            exited = app.wait() => panic!("the app exited ({exited:?}) after {received:?}"),
        }
    }
    let (id, kind, _, http) = &received[0];
    assert_eq!((id.as_str(), kind.as_str()), ("request-1", "response"));
    assert_eq!(http["statusCode"], 200, "{http}");
    assert_eq!(http["body"], r#""hello Ann""#, "{http}");
    assert_eq!(http["headers"]["content-type"], "application/json");
    assert_eq!(
        received[1],
        ("request-2".into(), "response".into(), None, json!(1))
    );
    let error = |id: &str, error_type: &str, message: &str| {
        (
            id.to_owned(),
            "error".to_owned(),
            Some("unhandled".to_owned()),
            json!({"errorType": error_type, "errorMessage": message}),
        )
    };
    assert_eq!(
        received[2],
        error(
            "request-3",
            "unknown_schedule",
            "the scheduled event names no scheduled action of this app: nothing"
        )
    );
    assert_eq!(
        received[3],
        error(
            "request-4",
            "store_down",
            "scheduled run of `expire` failed: store_down: The store is down."
        )
    );

    app.start_kill().expect("the app is stopped");
    let mut log = String::new();
    let mut stderr = app.stderr.take().expect("piped");
    stderr.read_to_string(&mut log).await.expect("the log");
    assert!(
        !log.contains("lambda_runtime::layers::panic"),
        "an error is no panic: {log}"
    );
    for logged in [
        "the scheduled event names no scheduled action of this app: nothing",
        "The store is down.",
    ] {
        assert_eq!(log.matches(logged).count(), 1, "{logged} once in {log}");
    }
}

#[tokio::test]
async fn a_failed_start_is_reported_as_the_init_error() {
    let (address, mut answered) = runtime_api([]).await;
    let mut app = lambda_process("lambda::runtime::lambda_failing_app_process", address);
    let exited = app.wait().await.expect("the app exits");
    assert!(!exited.success(), "{exited:?}");
    let (id, kind, error_type, body) = answered.try_recv().expect("an init error was reported");
    assert_eq!(
        (id.as_str(), kind.as_str(), error_type.as_deref()),
        ("init", "error", Some("Runtime.InitError"))
    );
    assert_eq!(body["errorType"], "start_failed", "{body}");
    assert!(
        body["errorMessage"]
            .as_str()
            .is_some_and(|message| message.starts_with("`/nope` is not a built-in route")),
        "{body}"
    );
}
