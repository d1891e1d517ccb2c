//! What an app serves: the start-up log lists each route exactly as served (action routes under the
//! path prefix, every built-in route on), and `SERVEY_METRICS_ADDR` moves `/metrics` to a listener of
//! its own, which stops with the server; a stop answers the first request of a connection accepted
//! just before it.
//!
//! The log test runs in a process of its own (see `calls.rs` for why tracing needs that).

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use servey::telemetry::LogFormat;
use servey::{Action, Method, StartError};
use tracing_subscriber::layer::SubscriberExt;

use crate::support::{SharedBuffer, builder, config, header, run_in_own_process, start, web};

/// `GET /things`: an empty list.
fn list_things() -> Action {
    Action::builder("list_things", |_, _| async { Ok(json!([])) })
        .trigger(web(Method::Get, "/things"))
        .build()
}

/// `POST /things`: the thing back.
fn add_thing() -> Action {
    Action::builder("add_thing", |input, _| async move { Ok(input) })
        .trigger(web(Method::Post, "/things"))
        .build()
}

#[test]
fn the_start_up_log_lists_every_route_as_served() {
    run_in_own_process("served::start_up_log_in_a_process_of_its_own", 1);
}

#[tokio::test]
#[ignore = "run in a process of its own by the_start_up_log_lists_every_route_as_served"]
async fn start_up_log_in_a_process_of_its_own() {
    let buffer = Arc::new(Mutex::new(Vec::new()));
    let writer = {
        let buffer = buffer.clone();
        move || SharedBuffer(buffer.clone())
    };
    let subscriber =
        tracing_subscriber::registry().with(servey::telemetry::log_layer(LogFormat::Json, writer));
    let _guard = tracing::subscriber::set_default(subscriber);
    let app = builder([list_things(), add_thing()])
        .config(config(&[("SERVEY_DEBUG_LOGIN", "1")]))
        .path_prefix("/api");
    let server = start(app).await;
    // Answered only once serving started, after the routes were logged.
    assert_eq!(server.get("/api/things").await.status(), 200);

    let text = String::from_utf8(buffer.lock().expect("not poisoned").clone()).expect("UTF-8");
    let base = server.base();
    let routes: Vec<String> = text
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).expect("each line is one JSON object"))
        .filter_map(|line| line["message"].as_str().map(str::to_owned))
        .filter(|message| message.contains(base) && message.contains(" - "))
        .collect();
    let expected = [
        "POST {base}/api/things - action `add_thing`",
        "GET {base}/api/things - action `list_things`",
        "GET {base}/health - the health check",
        "GET {base}/health/live - the liveness probe",
        "GET {base}/health/ready - the readiness probe (every required backend answers)",
        "GET {base}/actions - the action list",
        "GET {base}/metrics - the metrics (Prometheus text format)",
        "GET {base}/openapi.json - the OpenAPI document",
        "GET {base}/docs/ - the docs page (Swagger UI)",
        "POST {base}/login - the login route",
        "POST {base}/jobs - the jobs endpoint",
        "GET, POST {base}/graphql - the GraphQL endpoint",
        "GET {base}/graphiql/ - GraphiQL",
        "GET {base}/subscription/ - the websocket subscriptions",
        "GET {base}/asyncapi.json - the AsyncAPI document",
    ]
    .map(|line| line.replace("{base}", base));
    let mut expected = expected.to_vec();
    if cfg!(feature = "grpc") {
        expected.push(format!(
            "gRPC {base}/servey.Servey/{{Method}} - every web action and channel (content type \
             application/grpc), with reflection and health"
        ));
    }
    assert_eq!(routes, expected, "{text}");
}

/// A port free a moment ago.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

#[tokio::test]
async fn metrics_addr_serves_metrics_on_its_own_listener_until_shutdown() {
    let metrics_addr = format!("127.0.0.1:{}", free_port());
    let app = builder([list_things()])
        .config(config(&[("SERVEY_METRICS_ADDR", &metrics_addr)]))
        .build()
        .await
        .expect("builds");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds a free port");
    let main = format!("http://{}", listener.local_addr().expect("an address"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(servey::serve_with_shutdown(listener, app, async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();
    let get = |url: String| client.get(url).send();

    let things = get(format!("{main}/things")).await.expect("answers");
    assert_eq!(things.status(), 200);
    let on_main = get(format!("{main}/metrics")).await.expect("answers");
    assert_eq!(on_main.status(), 404);
    let scraped = get(format!("http://{metrics_addr}/metrics"))
        .await
        .expect("the metrics listener answers");
    assert_eq!(scraped.status(), 200);
    assert_eq!(
        header(&scraped, "content-type"),
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let text = scraped.text().await.expect("text");
    assert!(
        text.contains(
            r#"servey_action_calls_total{action="list_things",transport="rest",outcome="ok"} 1"#
        ),
        "{text}"
    );
    let elsewhere = get(format!("http://{metrics_addr}/health"))
        .await
        .expect("answers");
    assert_eq!(elsewhere.status(), 404);

    stop.send(()).expect("the server still runs");
    server.await.expect("no panic").expect("a clean stop");
    for url in [
        format!("{main}/health"),
        format!("http://{metrics_addr}/metrics"),
    ] {
        let refused = get(url.clone()).await.expect_err("stopped");
        assert!(refused.is_connect(), "{url}: {refused}");
    }
}

#[tokio::test]
async fn a_metrics_addr_that_cannot_be_bound_stops_the_start() {
    let app = builder([list_things()])
        .config(config(&[("SERVEY_METRICS_ADDR", "nine-one-hundred")]))
        .build()
        .await
        .expect("builds");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds a free port");
    let error = servey::serve_with_shutdown(listener, app, std::future::pending())
        .await
        .expect_err("refused");
    assert!(matches!(error, StartError::MetricsAddr { .. }), "{error:?}");
    assert!(
        error.to_string().starts_with(
            "SERVEY_METRICS_ADDR `nine-one-hundred` cannot be listened on (expected HOST:PORT, as \
             127.0.0.1:9100): "
        ),
        "{error}"
    );
}

#[tokio::test]
async fn a_connection_accepted_just_before_a_stop_gets_its_first_request_answered() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let app = builder([list_things()]).build().await.expect("builds");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds a free port");
    let address = listener.local_addr().expect("an address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(servey::serve_with_shutdown(listener, app, async {
        let _ = stopped.await;
    }));
    // Connected, its request still on the way (as when a new build takes over a shared socket).
    let mut early = tokio::net::TcpStream::connect(address)
        .await
        .expect("connects");
    // The backlog is first in, first out: a later connection answered means `early` was accepted.
    let later = reqwest::get(format!("http://{address}/health"))
        .await
        .expect("answered");
    assert_eq!(later.status(), 200);

    stop.send(()).expect("the server still runs");
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while tokio::net::TcpStream::connect(address).await.is_ok() {
        assert!(tokio::time::Instant::now() < deadline, "still accepting");
        tokio::task::yield_now().await;
    }
    // Stopping, yet `early` stays open for its request: hyper alone closes an idle connection at once.
    let mut byte = [0; 1];
    let closed =
        tokio::time::timeout(std::time::Duration::from_millis(500), early.peek(&mut byte)).await;
    assert!(closed.is_err(), "closed before its request: {closed:?}");
    early
        .write_all(b"GET /things HTTP/1.1\r\nHost: servey\r\nConnection: close\r\n\r\n")
        .await
        .expect("sent");
    let mut response = String::new();
    early
        .read_to_string(&mut response)
        .await
        .expect("an answer");
    assert!(response.starts_with("HTTP/1.1 200 OK"), "{response}");
    assert!(response.ends_with("[]"), "{response}");
    server.await.expect("no panic").expect("a clean stop");
}
