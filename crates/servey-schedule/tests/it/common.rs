//! Shared helpers: apps, a served router on port 0, tokens, websocket clients and bounded waiting.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use servey_core::{Action, App, Authorization, Context, Extensions, Registry, ServeyConfig};
use servey_schedule::Channels;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use utoipa::ToSchema;

/// A client websocket.
pub(crate) type Client = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The event most test channels carry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub(crate) struct Note {
    /// Who it is for (`None`: everyone).
    pub(crate) to: Option<String>,
    /// What it says.
    pub(crate) text: String,
}

impl Note {
    pub(crate) fn new(text: &str) -> Self {
        Self {
            to: None,
            text: text.to_owned(),
        }
    }
}

/// The inputs an app's `record_note` action (the background channel's target) has run with.
#[derive(Debug, Clone, Default)]
pub(crate) struct Recorded(Arc<Mutex<Vec<Value>>>);

impl Recorded {
    /// Every recorded input.
    pub(crate) fn all(&self) -> Vec<Value> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The `text` of every recorded note, sorted.
    pub(crate) fn sorted_texts(&self) -> Vec<String> {
        let mut texts: Vec<String> = self
            .all()
            .iter()
            .filter_map(|value| value.get("text").and_then(Value::as_str))
            .map(str::to_owned)
            .collect();
        texts.sort();
        texts
    }
}

/// An app with `actions` plus `record_note` (every app needs it: its channels check background channels).
pub(crate) fn app_with(actions: Vec<Action>) -> App {
    recording_app(actions).0
}

/// Like [`app_with`] with no actions, with the settings `settings` gives besides the test key.
pub(crate) fn app_configured(
    settings: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
) -> App {
    let (registry, _) = recording_registry(vec![]);
    let channels = Channels::new(&registry).expect("the test channels build");
    app_over_with(registry, channels, settings)
}

/// Like [`app_with`], with what this app's `record_note` records.
pub(crate) fn recording_app(actions: Vec<Action>) -> (App, Recorded) {
    let (registry, recorded) = recording_registry(actions);
    let channels = Channels::new(&registry).expect("the test channels build");
    (app_over(registry, channels), recorded)
}

/// The app over `registry` with `channels` in its state.
pub(crate) fn app_over(registry: Registry, channels: Channels) -> App {
    app_over_with(registry, channels, |_| None)
}

/// Like [`app_over`], with the settings `settings` gives besides the test key.
fn app_over_with(
    registry: Registry,
    channels: Channels,
    settings: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
) -> App {
    let config = ServeyConfig::from_lookup(move |key| match key {
        "JWT_SECRET_KEY" => Some("schedule-test-secret".to_owned()),
        _ => settings(key),
    });
    App::with_state(registry, config, Extensions::new().with(channels))
}

/// A registry of `actions` plus `record_note`, with what `record_note` records.
pub(crate) fn recording_registry(actions: Vec<Action>) -> (Registry, Recorded) {
    let recorded = Recorded::default();
    let sink = recorded.clone();
    let record = Action::builder("record_note", move |input: Value, _| {
        let sink = sink.clone();
        async move {
            sink.0
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(input.clone());
            Ok(input)
        }
    })
    .build();
    let mut builder = Registry::builder().action(record);
    for action in actions {
        builder = builder.action(action);
    }
    (builder.build().expect("unique names"), recorded)
}

/// The channels of `app`.
pub(crate) fn channels(app: &App) -> &Channels {
    Channels::of(app).expect("test apps have channels")
}

/// The value of `series` (a name and its labels, as scraped: `x_total{channel="c"}`) in `app`'s metrics.
pub(crate) fn metric(app: &App, series: &str) -> Option<f64> {
    let text = app
        .metrics()
        .expect("metrics are on by default")
        .encode()
        .expect("the metrics encode");
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

/// The context of a call in `app`, as an action gets it.
pub(crate) fn context(app: &App) -> Context {
    app.context()
}

/// Serves the websocket routes of `app` on a free port; returns `127.0.0.1:PORT`.
pub(crate) async fn serve(app: &App) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds a free port");
    let address = listener.local_addr().expect("has an address").to_string();
    let router = servey_schedule::router(app).expect("the websocket routes build");
    tokio::spawn(async move { axum::serve(listener, router).await });
    address
}

/// A token for `subject` with `scopes`, signed by `app`.
pub(crate) fn token(app: &App, subject: &str, scopes: &[&str]) -> String {
    app.authenticator()
        .issue(&Authorization::new(subject, scopes.iter().copied()))
        .expect("issues a token")
}

/// Connects a websocket to `ws://{address}{path}`.
pub(crate) async fn connect(address: &str, path: &str) -> Client {
    let (client, _) = tokio_tungstenite::connect_async(format!("ws://{address}{path}"))
        .await
        .expect("the websocket connects");
    client
}

/// The next text frame as JSON, failing after 10 s.
pub(crate) async fn next_json(client: &mut Client) -> Value {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), client.next())
            .await
            .expect("an event arrives within 10 s")
            .expect("the socket stays open")
            .expect("a frame");
        match frame {
            Message::Text(text) => return serde_json::from_str(&text).expect("events are JSON"),
            Message::Ping(_) | Message::Pong(_) => {}
            other => panic!("expected an event, got {other:?}"),
        }
    }
}

/// The close frame's code, failing if an event or nothing arrives within 10 s.
pub(crate) async fn close_code(client: &mut Client) -> u16 {
    let frame = tokio::time::timeout(Duration::from_secs(10), client.next())
        .await
        .expect("a close frame within 10 s")
        .expect("a frame before the end")
        .expect("a frame");
    match frame {
        Message::Close(Some(frame)) => frame.code.into(),
        other => panic!("expected a close frame, got {other:?}"),
    }
}

/// Waits (polling every 20 ms, at most 15 s) until `condition` holds.
pub(crate) async fn eventually<F: Fn() -> bool>(what: &str, condition: F) {
    let waited = tokio::time::timeout(Duration::from_secs(15), async {
        while !condition() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(waited.is_ok(), "timed out waiting until {what}");
}

/// Waits until `channel` has `count` local subscribers in `app`.
pub(crate) async fn subscribers(app: &App, channel: &str, count: usize) {
    let subscribers = channels(app).subscribers();
    eventually(&format!("`{channel}` has {count} subscribers"), || {
        subscribers.count(channel) == count
    })
    .await;
}

/// An action counting its runs.
pub(crate) fn counting(name: &str, trigger: servey_core::Trigger) -> (Action, Arc<AtomicUsize>) {
    let runs = Arc::new(AtomicUsize::new(0));
    let counter = runs.clone();
    let action = Action::builder(name, move |_, _| {
        let counter = counter.clone();
        async move { Ok(json!(counter.fetch_add(1, Ordering::SeqCst) + 1)) }
    })
    .trigger(trigger)
    .build();
    (action, runs)
}

/// Runs `future` with a 20 s bound.
pub(crate) async fn bounded<T>(what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), future)
        .await
        .unwrap_or_else(|_| panic!("timed out: {what}"))
}
