//! GraphQL subscriptions over graphql-transport-ws on a real socket: a `messenger` subscription receives
//! what `broadcastMessage` publishes, and completing it unsubscribes.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use super::graphql;
use crate::server::{TestServer, start};

type Client =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A graphql-transport-ws connection to `/graphql`, acknowledged after `connection_init` with `payload`.
pub(crate) async fn connect(server: &TestServer, payload: Value) -> Client {
    connect_to(&server.base, payload).await
}

/// Like [`connect`], to the server at `base` (`http://127.0.0.1:PORT`).
pub(crate) async fn connect_to(base: &str, payload: Value) -> Client {
    let mut request = format!("{}/graphql", base.replacen("http://", "ws://", 1))
        .into_client_request()
        .expect("a request");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().expect("a header"),
    );
    let (mut client, response) = tokio_tungstenite::connect_async(request)
        .await
        .expect("the websocket connects");
    assert_eq!(
        response.headers()["sec-websocket-protocol"],
        "graphql-transport-ws"
    );
    send(
        &mut client,
        json!({"type": "connection_init", "payload": payload}),
    )
    .await;
    assert_eq!(next(&mut client).await, json!({"type": "connection_ack"}));
    client
}

pub(crate) async fn send(client: &mut Client, message: Value) {
    client
        .send(Message::text(message.to_string()))
        .await
        .expect("sends");
}

/// The next protocol message, failing after 10 s.
pub(crate) async fn next(client: &mut Client) -> Value {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), client.next())
            .await
            .expect("a message within 10 s")
            .expect("the socket stays open")
            .expect("a frame");
        match frame {
            Message::Text(text) => return serde_json::from_str(&text).expect("JSON messages"),
            Message::Ping(_) | Message::Pong(_) => {}
            other => panic!("expected a protocol message, got {other:?}"),
        }
    }
}

/// Waits until the tour app's `messenger` channel has `count` subscribers.
async fn messenger_subscribers(server: &TestServer, count: usize) {
    let subscribers = servey::channels::Channels::of(&server.app)
        .expect("the tour app has channels")
        .subscribers();
    let reached = tokio::time::timeout(Duration::from_secs(10), async {
        while subscribers.count("messenger") != count {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(reached.is_ok(), "messenger never had {count} subscribers");
}

#[tokio::test]
async fn a_subscription_receives_what_broadcast_message_publishes() {
    let server = start().await;
    let mut client = connect(&server, json!({})).await;
    send(
        &mut client,
        json!({"id": "1", "type": "subscribe", "payload": {
            "query": "subscription OnMessage { messenger { sender text } }",
            "operationName": "OnMessage",
        }}),
    )
    .await;
    messenger_subscribers(&server, 1).await;

    let published = graphql(
        &server,
        r#"mutation { broadcastMessage(message: {sender: "ann", text: "hello, subscribers"}) { text } }"#,
        None,
    )
    .await;
    assert_eq!(
        published,
        json!({"data": {"broadcastMessage": {"text": "hello, subscribers"}}})
    );
    assert_eq!(
        next(&mut client).await,
        json!({"id": "1", "type": "next", "payload": {"data": {"messenger": {"sender": "ann", "text": "hello, subscribers"}}, "extensions": {"eventId": 1}}})
    );

    send(&mut client, json!({"id": "1", "type": "complete"})).await;
    messenger_subscribers(&server, 0).await;
}

#[tokio::test]
async fn two_subscriptions_on_one_connection_each_get_the_event() {
    let server = start().await;
    let mut client = connect(&server, json!({})).await;
    for id in ["a", "b"] {
        send(
            &mut client,
            json!({"id": id, "type": "subscribe", "payload": {"query": "subscription { messenger { text } }"}}),
        )
        .await;
    }
    messenger_subscribers(&server, 2).await;
    graphql(
        &server,
        r#"mutation { broadcastMessage(message: {sender: "bo", text: "twice"}) { text } }"#,
        None,
    )
    .await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        let message = next(&mut client).await;
        assert_eq!(
            message["payload"],
            json!({"data": {"messenger": {"text": "twice"}}, "extensions": {"eventId": 1}})
        );
        ids.push(message["id"].as_str().expect("an id").to_owned());
    }
    ids.sort();
    assert_eq!(ids, ["a", "b"]);
    drop(client);
    messenger_subscribers(&server, 0).await;
}

#[tokio::test]
async fn a_websocket_without_a_graphql_subprotocol_is_refused() {
    let server = start().await;
    let request = server
        .url("/graphql")
        .replacen("http://", "ws://", 1)
        .into_client_request()
        .expect("a request");
    match tokio_tungstenite::connect_async(request).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 400);
        }
        other => panic!("expected a refused handshake, got {other:?}"),
    }
}
