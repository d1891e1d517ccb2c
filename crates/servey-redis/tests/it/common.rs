//! Shared helpers: apps over given backends, a served router on port 0, websocket clients and bounded
//! waiting (the schedule adapter's test helpers, for apps whose backends are Redis).

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use servey_core::{Action, App, Backends, Context, Registry, ServeyConfig};
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

    /// How many inputs were recorded.
    pub(crate) fn len(&self) -> usize {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).len()
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

/// The app over `registry` with `backends`, its channels built over them.
pub(crate) fn app_over(registry: Registry, backends: Backends) -> App {
    let channels = Channels::builder(&registry)
        .backends(&backends)
        .build()
        .expect("the test channels build");
    let config = ServeyConfig::from_lookup(|key| {
        (key == "JWT_SECRET_KEY").then(|| "redis-test-secret".to_owned())
    });
    App::builder(registry, config)
        .state(channels)
        .backends(backends)
        .build()
        .expect("the test app builds")
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

/// The context of a call in `app`, as an action gets it.
pub(crate) fn context(app: &App) -> Context {
    app.context()
}

servey_schedule::background_channel!(
    /// Notes recorded by the `record_note` action.
    pub(crate) RECORD, "test_record", Note, action = "record_note"
);

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

/// Runs `future` with a 20 s bound.
pub(crate) async fn bounded<T>(what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), future)
        .await
        .unwrap_or_else(|_| panic!("timed out: {what}"))
}
