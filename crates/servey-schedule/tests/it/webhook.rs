//! Webhook channels: the event is POSTed as JSON; failures are retried with backoff until success or
//! the last attempt.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::Value;

use crate::common::{Note, app_with, channels, context};

static FLAKY_URL: OnceLock<String> = OnceLock::new();
static DOWN_URL: OnceLock<String> = OnceLock::new();
static TLS_URL: OnceLock<String> = OnceLock::new();

servey_schedule::webhook_channel!(
    pub(crate) FLAKY_HOOK, "test_flaky_hook", Note,
    url = FLAKY_URL.get().map_or("http://127.0.0.1:9/unset", String::as_str),
    max_attempts = 4, initial_backoff_ms = 50,
);

servey_schedule::webhook_channel!(
    pub(crate) DOWN_HOOK, "test_down_hook", Note,
    url = DOWN_URL.get().map_or("http://127.0.0.1:9/unset", String::as_str),
    max_attempts = 3, initial_backoff_ms = 20, timeout_ms = 2_000,
);

servey_schedule::webhook_channel!(
    pub(crate) TLS_HOOK, "test_tls_hook", Note,
    url = TLS_URL.get().map_or("https://127.0.0.1:9/unset", String::as_str),
    max_attempts = 1, timeout_ms = 2_000,
);

#[derive(Default)]
struct Receiver {
    attempts: AtomicUsize,
    fail_first: usize,
    bodies: Mutex<Vec<(Option<String>, Value)>>,
}

/// A webhook receiver on a free port that answers 500 to the first `fail_first` POSTs.
async fn receiver(fail_first: usize) -> (String, Arc<Receiver>) {
    let state = Arc::new(Receiver {
        fail_first,
        ..Receiver::default()
    });
    let shared = state.clone();
    let app = axum::Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: String| {
            let state = shared.clone();
            async move {
                let attempt = state.attempts.fetch_add(1, Ordering::SeqCst) + 1;
                let content_type = headers
                    .get("content-type")
                    .and_then(|value| value.to_str().ok())
                    .map(str::to_owned);
                let json = serde_json::from_str(&body).unwrap_or(Value::Null);
                state
                    .bodies
                    .lock()
                    .expect("not poisoned")
                    .push((content_type, json));
                if attempt <= state.fail_first {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::NO_CONTENT
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let url = format!("http://{}/hook", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, state)
}

#[tokio::test]
async fn webhook_retries_until_the_receiver_accepts() {
    let (url, state) = receiver(2).await;
    FLAKY_URL.set(url).expect("set once");
    let app = app_with(vec![]);
    let note = Note {
        to: Some("ops".into()),
        text: "disk almost full".into(),
    };
    FLAKY_HOOK
        .publish(&context(&app), &note)
        .expect("published");
    // The delivery has ended when flush returns: a fourth attempt after the success would be counted.
    channels(&app).flush().await;
    assert_eq!(state.attempts.load(Ordering::SeqCst), 3);
    let bodies = state.bodies.lock().expect("not poisoned").clone();
    let expected = serde_json::to_value(&note).expect("json");
    assert_eq!(
        bodies,
        vec![(Some("application/json".to_owned()), expected); 3]
    );
}

#[tokio::test]
async fn webhook_gives_up_after_max_attempts() {
    let (url, state) = receiver(usize::MAX).await;
    DOWN_URL.set(url).expect("set once");
    let app = app_with(vec![]);
    DOWN_HOOK
        .publish(&context(&app), &Note::new("nobody listens"))
        .expect("published");
    channels(&app).flush().await;
    assert_eq!(state.attempts.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn https_webhooks_speak_tls() {
    // No certificate here is trusted, so delivery fails; what matters is that the client opens with a TLS
    // handshake (record type 0x16) rather than refusing the https scheme or sending plain HTTP.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let address = listener.local_addr().expect("address");
    TLS_URL
        .set(format!("https://{address}/hook"))
        .expect("set once");
    let app = app_with(vec![]);
    TLS_HOOK
        .publish(&context(&app), &Note::new("over tls"))
        .expect("published");
    let (mut socket, _) = tokio::time::timeout(Duration::from_secs(15), listener.accept())
        .await
        .expect("the webhook connects")
        .expect("accepts");
    let mut record_start = [0_u8; 3];
    tokio::io::AsyncReadExt::read_exact(&mut socket, &mut record_start)
        .await
        .expect("the client sends a first record");
    assert_eq!(
        record_start[..2],
        [0x16, 0x03],
        "a TLS handshake record, not {record_start:?}"
    );
}
