//! Serving under stress: a stop drains requests in progress and closes websockets (GraphQL's too) with
//! 1001, silent
//! connections are dropped after the header-read timeout while `/health` keeps answering, and oversized
//! websocket messages close the socket with 1009, and what hyper refuses before routing (a target or a
//! head too large, bytes that are not HTTP) is answered with a problem document. The real binary's signals are in `process`.

use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{Notify, oneshot};
use tokio_tungstenite::tungstenite::Message;

use crate::schedule::connect;
use crate::server::test_config;

/// A run-time action that signals `entered` and then waits for `release`.
fn hold(entered: Arc<Notify>, release: Arc<Notify>) -> servey::Action {
    servey::Action::builder("hold", move |_, _| {
        let (entered, release) = (entered.clone(), release.clone());
        async move {
            entered.notify_one();
            release.notified().await;
            Ok(json!("released"))
        }
    })
    .trigger(servey::Trigger::web_get())
    .build()
}

/// Serves the tour app plus `extra` with `config` until the returned sender fires.
async fn serve(
    config: servey::ServeyConfig,
    extra: Vec<servey::Action>,
) -> (
    String,
    oneshot::Sender<()>,
    tokio::task::JoinHandle<Result<(), servey::StartError>>,
) {
    let registry = extra
        .into_iter()
        .fold(hello::registry_builder(), |builder, action| {
            builder.action(action)
        })
        .build()
        .expect("the registry builds");
    let app = servey::app(registry, config).await.expect("the app builds");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds a free port");
    let base = format!("http://{}", listener.local_addr().expect("an address"));
    let (stop, stopped) = oneshot::channel::<()>();
    let serving = tokio::spawn(servey::serve_with_shutdown(listener, app, async move {
        let _ = stopped.await;
    }));
    (base, stop, serving)
}

#[tokio::test]
async fn a_stop_answers_the_request_in_progress_and_closes_websockets_with_1001() {
    let (entered, release) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
    let (base, stop, serving) =
        serve(test_config(), vec![hold(entered.clone(), release.clone())]).await;
    let mut socket = connect(&base, "/subscription/messenger/leaving").await;
    let held = tokio::spawn(reqwest::get(format!("{base}/actions/hold")));
    entered.notified().await;

    stop.send(()).expect("the server waits for the signal");
    let close = tokio::time::timeout(Duration::from_secs(10), socket.next())
        .await
        .expect("the socket is closed at once");
    match close {
        Some(Ok(Message::Close(Some(frame)))) => assert_eq!(u16::from(frame.code), 1001),
        other => panic!("expected a 1001 close frame, got {other:?}"),
    }

    release.notify_one();
    let answer = held
        .await
        .expect("joined")
        .expect("the request in progress is answered");
    assert_eq!(answer.status(), 200);
    assert_eq!(
        answer.json::<serde_json::Value>().await.expect("json"),
        json!("released")
    );
    let served = tokio::time::timeout(Duration::from_secs(10), serving)
        .await
        .expect("serve returns once drained")
        .expect("no panic");
    assert!(served.is_ok(), "{served:?}");
}

#[tokio::test]
async fn a_stop_closes_graphql_subscription_sockets_with_1001() {
    use crate::graphql::subscriptions::{connect_to, send};
    let (base, stop, serving) = serve(test_config(), Vec::new()).await;
    let mut client = connect_to(&base, json!({})).await;
    send(
        &mut client,
        json!({"id": "1", "type": "subscribe", "payload": {"query": "subscription { messenger { text } }"}}),
    )
    .await;
    // The subscription is under way once an event published after it arrives.
    let published = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            reqwest::Client::new()
                .post(format!("{base}/actions/broadcast-message"))
                .json(&json!({"message": {"sender": "s", "text": "before the stop"}}))
                .send()
                .await
                .expect("answers");
            if let Ok(Some(Ok(Message::Text(_)))) =
                tokio::time::timeout(Duration::from_millis(200), client.next()).await
            {
                return;
            }
        }
    })
    .await;
    assert!(published.is_ok(), "the subscription receives events");

    stop.send(()).expect("the server waits for the signal");
    // Events already on their way may arrive first; then the close.
    let code = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match client.next().await {
                Some(Ok(Message::Text(_))) => {}
                Some(Ok(Message::Close(Some(frame)))) => return u16::from(frame.code),
                other => panic!("expected a 1001 close frame, got {other:?}"),
            }
        }
    })
    .await
    .expect("the socket is closed at once");
    assert_eq!(code, 1001);
    let served = tokio::time::timeout(Duration::from_secs(10), serving)
        .await
        .expect("serve returns once drained")
        .expect("no panic");
    assert!(served.is_ok(), "{served:?}");
}

#[tokio::test]
async fn silent_connections_are_dropped_after_the_header_read_timeout_and_health_answers() {
    let mut config = test_config();
    config.limits.header_read_timeout = Duration::from_millis(300);
    let (base, stop, _serving) = serve(config, Vec::new()).await;
    let address = base.trim_start_matches("http://").to_owned();
    let mut silent = Vec::new();
    for index in 0..50 {
        let mut stream = tokio::net::TcpStream::connect(&address)
            .await
            .expect("connects");
        if index % 2 == 0 {
            // Half start a request head and never finish it (slowloris); half send nothing.
            stream
                .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                .await
                .expect("writes");
        }
        silent.push(stream);
    }
    let health = reqwest::get(format!("{base}/health"))
        .await
        .expect("answers");
    assert_eq!(
        health.status(),
        200,
        "/health answers beside 50 silent connections"
    );
    for mut stream in silent {
        let mut buffer = [0_u8; 512];
        let read = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buffer))
            .await
            .expect("the server closes a silent connection");
        // Closed (0) or answered with hyper's 408 before closing; never kept open.
        if let Ok(read) = read
            && read > 0
        {
            assert!(
                buffer.starts_with(b"HTTP/1.1 408"),
                "{}",
                String::from_utf8_lossy(&buffer[..read])
            );
        }
    }
    let _ = stop.send(());
}

#[tokio::test]
async fn a_websocket_message_over_the_limit_closes_the_socket_with_1009() {
    let mut config = test_config();
    config.limits.websocket_message_bytes = 1024;
    let (base, stop, _serving) = serve(config, Vec::new()).await;
    let mut socket = connect(&base, "/subscription").await;
    socket
        .send(Message::text("x".repeat(4096)))
        .await
        .expect("sends");
    let close = tokio::time::timeout(Duration::from_secs(10), socket.next())
        .await
        .expect("the socket is closed");
    match close {
        Some(Ok(Message::Close(Some(frame)))) => assert_eq!(u16::from(frame.code), 1009),
        other => panic!("expected a 1009 close frame, got {other:?}"),
    }
    let _ = stop.send(());
}

/// Sends `request` on a connection of its own and reads the answer until the server closes.
async fn raw_answer(base: &str, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connects");
    stream.write_all(request).await.expect("writes");
    let mut answer = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut answer),
    )
    .await
    .expect("the server answers and closes")
    .expect("reads");
    String::from_utf8(answer).expect("text")
}

#[tokio::test]
async fn requests_refused_before_routing_are_answered_with_problems() {
    let (base, stop, _serving) = serve(test_config(), Vec::new()).await;
    let long_target = format!("GET /{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(70_000));
    let many_headers = format!(
        "GET /health HTTP/1.1\r\nHost: x\r\n{}\r\n",
        (0..200)
            .map(|n| format!("X-Header-{n}: v\r\n"))
            .collect::<String>()
    );
    for (request, status, code) in [
        (long_target.as_bytes(), 414, "uri_too_long"),
        (
            many_headers.as_bytes(),
            431,
            "request_header_fields_too_large",
        ),
        (&b"NOT HTTP AT ALL\r\n\r\n"[..], 400, "bad_request"),
    ] {
        let answer = raw_answer(&base, request).await;
        let (head, body) = answer.split_once("\r\n\r\n").expect("a head and a body");
        assert!(head.starts_with(&format!("HTTP/1.1 {status} ")), "{head}");
        assert!(
            head.contains("content-type: application/problem+json"),
            "{head}"
        );
        assert!(
            head.contains(&format!("content-length: {}", body.len())),
            "{head}"
        );
        let problem: serde_json::Value = serde_json::from_str(body).expect("a problem document");
        assert_eq!(problem["status"], status);
        assert_eq!(problem["code"], code);
    }
    let _ = stop.send(());
}
