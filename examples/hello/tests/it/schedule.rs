//! Tour app over schedule: `POST /actions/broadcast-message` reaches websocket subscribers of `messenger`
//! on both protocols, and `/asyncapi.json` describes the channel.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::server::start;

type Client =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(base: &str, path: &str) -> Client {
    let url = format!("{}{path}", base.replacen("http://", "ws://", 1));
    let (client, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("the websocket connects");
    client
}

/// The next event equal to `expected`, skipping others (tests share the channel); fails after 10 s.
async fn receive(client: &mut Client, expected: &Value) {
    let found = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(frame) = client.next().await {
            if let Message::Text(text) = frame.expect("a frame") {
                let event: Value = serde_json::from_str(&text).expect("events are JSON");
                if &event == expected {
                    return true;
                }
            }
        }
        false
    })
    .await;
    assert_eq!(found, Ok(true), "{expected} did not arrive");
}

#[tokio::test]
async fn broadcast_message_reaches_messenger_subscribers_of_both_protocols() {
    let server = start().await;
    let mut by_path = connect(&server.base, "/subscription/messenger/tour-reader").await;
    let mut by_message = connect(&server.base, "/subscription").await;
    by_message
        .send(Message::text(
            r#"{"type": "Subscribe", "payload": "messenger"}"#,
        ))
        .await
        .expect("sends");
    let subscribed = tokio::time::timeout(Duration::from_secs(10), async {
        while servey::schedule::subscribers().count("messenger") < 2 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(subscribed.is_ok(), "both clients subscribe to messenger");

    let message = json!({"sender": "ann", "text": "hello, subscribers"});
    let response = reqwest::Client::new()
        .post(server.url("/actions/broadcast-message"))
        .json(&json!({"message": message}))
        .send()
        .await
        .expect("answers");
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<Value>().await.expect("json"), message);
    receive(&mut by_path, &message).await;
    receive(&mut by_message, &message).await;
}

#[tokio::test]
async fn asyncapi_json_describes_the_messenger_channel() {
    let server = start().await;
    let response = reqwest::get(server.url("/asyncapi.json"))
        .await
        .expect("answers");
    assert_eq!(response.status(), 200);
    let document: Value = response.json().await.expect("json");
    assert_eq!(document["asyncapi"], "2.6.0");
    let messenger = &document["channels"]["/subscription/messenger/{subscriber_id}"];
    assert_eq!(
        messenger["subscribe"]["message"],
        json!({"$ref": "#/components/messages/messenger"})
    );
    assert_eq!(
        document["components"]["messages"]["messenger"]["payload"],
        json!({"$ref": "#/components/schemas/Message"})
    );
    assert_eq!(
        document["components"]["schemas"]["Message"]["required"],
        json!(["sender", "text"])
    );
    assert_eq!(document, servey::schedule::asyncapi(&server.app));
}
