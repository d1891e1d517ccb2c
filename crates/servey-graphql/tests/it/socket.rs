//! The graphql-transport-ws connection on a real socket: the protocol's close codes (4401, 4408, 4409,
//! 1009 for an oversized message, 1001 on a stop and 1012 on a dev-mode one) and the app's request slots held by operations sent over it.

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use servey_core::event::{EventSource, EventStream, SubscribableChannel};
use servey_core::{
    Action, ActionError, App, Authorization, Backends, EventSubscriptions, Registry, ServeyConfig,
    Trigger,
};
use tokio::sync::Semaphore;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::support::{Server, action_schema};

type Client =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// `wait` answers 1 once it gets a permit of `gate`; `ping` answers at once.
fn actions(gate: Arc<Semaphore>) -> Vec<Action> {
    let int = || {
        action_schema(
            json!({"type": "object"}),
            json!({"type": "integer", "format": "int32"}),
            &[],
        )
    };
    let wait = Action::builder("wait", move |_, _| {
        let gate = gate.clone();
        async move {
            gate.acquire().await.map(|permit| permit.forget()).ok();
            Ok(json!(1))
        }
    })
    .trigger(Trigger::web_get())
    .schema(int())
    .build();
    let ping = Action::builder("ping", |_, _| async { Ok(json!(2)) })
        .trigger(Trigger::web_get())
        .schema(int())
        .build();
    vec![wait, ping]
}

/// One channel that never sends: async-graphql runs no operation over a websocket without a
/// `Subscription` root.
struct Quiet;

impl EventSource for Quiet {
    fn channels(&self) -> Vec<SubscribableChannel> {
        vec![SubscribableChannel {
            name: "quiet",
            description: None,
            schema: action_schema(json!({"type": "object"}), json!({"type": "string"}), &[]),
        }]
    }

    fn subscribe(
        &self,
        _channel: &str,
        _subscriber_id: String,
        _authorization: Option<Authorization>,
    ) -> Result<EventStream, ActionError> {
        Ok(futures_util::stream::pending().boxed())
    }

    fn closing(&self) -> BoxFuture<'static, ()> {
        Box::pin(std::future::pending())
    }
}

/// [`Quiet`]'s channel, on a server that stops when told: `closing` resolves once `true` is sent.
struct Stopping(tokio::sync::watch::Receiver<bool>);

impl EventSource for Stopping {
    fn channels(&self) -> Vec<SubscribableChannel> {
        Quiet.channels()
    }

    fn subscribe(
        &self,
        channel: &str,
        subscriber_id: String,
        authorization: Option<Authorization>,
    ) -> Result<EventStream, ActionError> {
        Quiet.subscribe(channel, subscriber_id, authorization)
    }

    fn closing(&self) -> BoxFuture<'static, ()> {
        let mut stopping = self.0.clone();
        Box::pin(async move {
            let _ = stopping.wait_for(|stopping| *stopping).await;
        })
    }
}

/// A served app with `config`, its gate, and the app (whose request slots the test reads).
async fn serve(config: ServeyConfig) -> (Server, Arc<Semaphore>, App) {
    serve_with(config, Quiet).await
}

/// [`serve`] with `source` as the app's event channels.
async fn serve_with(
    config: ServeyConfig,
    source: impl EventSource,
) -> (Server, Arc<Semaphore>, App) {
    let gate = Arc::new(Semaphore::new(0));
    let registry = actions(gate.clone())
        .into_iter()
        .fold(Registry::builder(), |builder, action| {
            builder.action(action)
        })
        .build()
        .expect("unique names");
    let backends =
        Backends::in_process(&registry).with_event_subscriptions(EventSubscriptions::new(source));
    let app = App::builder(registry, config)
        .backends(backends)
        .build()
        .expect("an app");
    (Server::start(&app).await, gate, app)
}

/// A graphql-transport-ws connection, not yet initialised.
async fn open(server: &Server) -> Client {
    let mut request = format!("{}/graphql", server.base().replacen("http", "ws", 1))
        .into_client_request()
        .expect("a request");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().expect("a header"),
    );
    tokio_tungstenite::connect_async(request)
        .await
        .expect("connects")
        .0
}

/// A connection, acknowledged.
async fn initialised(server: &Server) -> Client {
    let mut client = open(server).await;
    send(&mut client, json!({"type": "connection_init"})).await;
    assert_eq!(next(&mut client).await, json!({"type": "connection_ack"}));
    client
}

async fn send(client: &mut Client, message: Value) {
    client
        .send(Message::text(message.to_string()))
        .await
        .expect("sends");
}

async fn subscribe(client: &mut Client, id: &str, query: &str) {
    send(
        client,
        json!({"id": id, "type": "subscribe", "payload": {"query": query}}),
    )
    .await;
}

async fn frame(client: &mut Client) -> Message {
    tokio::time::timeout(Duration::from_secs(10), client.next())
        .await
        .expect("a frame within 10 s")
        .expect("open")
        .expect("a frame")
}

async fn next(client: &mut Client) -> Value {
    match frame(client).await {
        Message::Text(text) => serde_json::from_str(&text).expect("JSON"),
        other => panic!("expected a protocol message, got {other:?}"),
    }
}

/// The code and reason of the close frame the server sends next.
async fn closed(client: &mut Client) -> (u16, String) {
    match frame(client).await {
        Message::Close(Some(frame)) => (u16::from(frame.code), frame.reason.to_string()),
        other => panic!("expected a close frame, got {other:?}"),
    }
}

#[tokio::test]
async fn a_stop_closes_with_1001_and_in_dev_mode_with_1012_to_reconnect() {
    for (is_dev, code, reason) in [
        (false, 1001, "the server is shutting down"),
        (true, 1012, "the server is restarting; reconnect"),
    ] {
        let (stop, stopping) = tokio::sync::watch::channel(false);
        let config = ServeyConfig {
            dev: is_dev,
            ..ServeyConfig::default()
        };
        let (server, _, _) = serve_with(config, Stopping(stopping)).await;
        let mut client = initialised(&server).await;
        stop.send_replace(true);
        assert_eq!(closed(&mut client).await, (code, reason.to_owned()));
    }
}

#[tokio::test]
async fn an_operation_before_connection_init_closes_with_4401() {
    let (server, _, _) = serve(ServeyConfig::default()).await;
    let mut client = open(&server).await;
    subscribe(&mut client, "1", "{ ping }").await;
    assert_eq!(closed(&mut client).await, (4401, "Unauthorized".to_owned()));
}

#[tokio::test]
async fn no_connection_init_in_time_closes_with_4408() {
    let config = ServeyConfig::from_lookup(|key| {
        (key == "SERVEY_GRAPHQL_CONNECTION_INIT_TIMEOUT").then(|| "0.1".to_owned())
    });
    let (server, _, _) = serve(config).await;
    let mut client = open(&server).await;
    assert_eq!(
        closed(&mut client).await,
        (4408, "Connection initialisation timeout".to_owned())
    );
    let mut in_time = initialised(&server).await;
    subscribe(&mut in_time, "1", "{ ping }").await;
    assert_eq!(
        next(&mut in_time).await["payload"]["data"],
        json!({"ping": 2})
    );
}

#[tokio::test]
async fn an_id_still_running_closes_with_4409_and_a_completed_one_may_be_reused() {
    let (server, gate, _) = serve(ServeyConfig::default()).await;
    let mut client = initialised(&server).await;
    for _ in 0..2 {
        subscribe(&mut client, "1", "{ ping }").await;
        assert_eq!(
            next(&mut client).await["payload"]["data"],
            json!({"ping": 2})
        );
        assert_eq!(
            next(&mut client).await,
            json!({"id": "1", "type": "complete"})
        );
    }
    subscribe(&mut client, "2", "{ wait }").await;
    subscribe(&mut client, "2", "{ ping }").await;
    assert_eq!(
        closed(&mut client).await,
        (4409, "Subscriber for 2 already exists".to_owned())
    );
    gate.add_permits(1);
}

#[tokio::test]
async fn a_message_over_the_limit_closes_with_1009() {
    let mut config = ServeyConfig::default();
    config.limits.websocket_message_bytes = 1024;
    let (server, _, _) = serve(config).await;
    let mut client = initialised(&server).await;
    let query = format!("{{ ping }} # {}", "x".repeat(2048));
    subscribe(&mut client, "1", &query).await;
    assert_eq!(closed(&mut client).await.0, 1009);
}

#[tokio::test]
async fn operations_past_the_request_slots_are_refused_with_an_error() {
    let mut config = ServeyConfig::default();
    config.limits.max_concurrent_requests = 2;
    let (server, gate, app) = serve(config).await;
    let mut client = initialised(&server).await;
    for id in ["1", "2", "3"] {
        subscribe(&mut client, id, "{ wait }").await;
    }
    // Two hold the app's two slots, waiting at the gate; the third is refused at once.
    let refused = next(&mut client).await;
    assert_eq!(refused["type"], "next", "{refused}");
    assert_eq!(
        refused["payload"],
        json!({"data": null, "errors": [{
            "message": "The server is busy: too many requests are in flight. Retry later.",
            "extensions": {"code": "SERVICE_UNAVAILABLE"}
        }]})
    );
    assert_eq!(
        next(&mut client).await,
        json!({"id": refused["id"], "type": "complete"})
    );
    assert_eq!(
        app.request_slots().available(),
        0,
        "the app's slots are held"
    );
    gate.add_permits(2);
    let (mut answered, mut completed) = (Vec::new(), 0);
    while completed < 2 {
        let message = next(&mut client).await;
        if message["type"] == "next" {
            assert_eq!(message["payload"], json!({"data": {"wait": 1}}));
            answered.push(message["id"].clone());
        } else {
            assert_eq!(message["type"], "complete", "{message}");
            completed += 1;
        }
    }
    assert_eq!(answered.len(), 2);
    assert!(!answered.contains(&refused["id"]));
    assert_eq!(app.request_slots().available(), 2, "given back once done");
}
