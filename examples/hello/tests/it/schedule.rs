//! Tour app over schedule: `POST /actions/broadcast-message` reaches websocket subscribers of `messenger`
//! on both protocols, a token REST refuses closes a websocket with 4401, and `/asyncapi.json` describes
//! the channels.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::server::start;

type Client =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub(crate) async fn connect(base: &str, path: &str) -> Client {
    let url = format!("{}{path}", base.replacen("http://", "ws://", 1));
    let (client, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("the websocket connects");
    client
}

/// The next event, as JSON; fails after `limit`.
pub(crate) async fn next_event(client: &mut Client, limit: Duration) -> Value {
    let event = tokio::time::timeout(limit, async {
        while let Some(frame) = client.next().await {
            if let Message::Text(text) = frame.expect("a frame") {
                return Some(serde_json::from_str::<Value>(&text).expect("events are JSON"));
            }
        }
        None
    })
    .await;
    event
        .unwrap_or_else(|_| panic!("no event within {limit:?}"))
        .expect("the socket stays open")
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
    let subscribers = servey::channels::Channels::of(&server.app)
        .expect("the tour app has channels")
        .subscribers();
    let subscribed = tokio::time::timeout(Duration::from_secs(10), async {
        while subscribers.count("messenger") < 2 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(subscribed.is_ok(), "both clients subscribe to messenger");
    assert_eq!(
        next_event(&mut by_message, Duration::from_secs(10)).await,
        json!({"type": "Subscribed", "channel": "messenger"}),
        "servey's protocol acknowledges a Subscribe before any event"
    );

    let message = json!({"sender": "ann", "text": "hello, subscribers"});
    let response = reqwest::Client::new()
        .post(server.url("/actions/broadcast-message"))
        .json(&json!({"message": message}))
        .send()
        .await
        .expect("answers");
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<Value>().await.expect("json"), message);
    // This app's channels are its own: the first event is this test's message.
    let limit = Duration::from_secs(10);
    assert_eq!(next_event(&mut by_path, limit).await, message);
    assert_eq!(
        next_event(&mut by_message, limit).await,
        json!({"type": "Event", "channel": "messenger", "id": 1, "payload": message})
    );
}

#[tokio::test]
async fn a_token_rest_refuses_closes_a_websocket_with_4401() {
    let server = start().await;
    let rest = reqwest::Client::new()
        .get(server.url("/actions/only-for-root"))
        .bearer_auth("not-a-token")
        .send()
        .await
        .expect("answers");
    assert_eq!(rest.status(), 401);
    let mut request = format!(
        "{}/subscription/messenger/eve",
        server.base.replacen("http://", "ws://", 1)
    )
    .into_client_request()
    .expect("a request");
    request.headers_mut().insert(
        "authorization",
        "Bearer not-a-token".parse().expect("a header"),
    );
    let (mut websocket, response) = tokio_tungstenite::connect_async(request)
        .await
        .expect("the handshake completes, so that a browser can read the close code");
    assert_eq!(response.status(), 101);
    let frame = tokio::time::timeout(Duration::from_secs(10), websocket.next())
        .await
        .expect("a frame within 10 s");
    match frame {
        Some(Ok(Message::Close(Some(frame)))) => {
            assert_eq!(
                u16::from(frame.code),
                servey::channels::CLOSE_UNAUTHENTICATED
            );
            assert!(
                frame.reason.starts_with("The credentials were rejected: "),
                "{}",
                frame.reason
            );
        }
        other => panic!("expected a close frame, got {other:?}"),
    }
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
    assert_eq!(
        document,
        serde_json::from_str::<serde_json::Value>(
            &servey::asyncapi_json(&server.app).expect("the document builds")
        )
        .expect("the document is JSON")
    );
}

#[tokio::test]
async fn a_browser_reads_the_close_code_of_a_refused_subscriber() {
    use crate::graphql::browser::Browser;
    let server = start().await;
    let mut browser = Browser::launch().await;
    let target = browser
        .call(None, "Target.createTarget", json!({ "url": "about:blank" }))
        .await;
    let attached = browser
        .call(
            None,
            "Target.attachToTarget",
            json!({ "targetId": target["targetId"], "flatten": true }),
        )
        .await;
    let session = attached["sessionId"]
        .as_str()
        .expect("a session id")
        .to_owned();
    let ws = server.base.replacen("http://", "ws://", 1);
    // What a page sees of each refusal: the close event's code and reason (a refused handshake was
    // only 1006, with no reason).
    let script = format!(
        r#"window.closes = '';
        for (const path of ['/subscription/no_such_channel/ann', '/subscription/messenger/ann?token=bad']) {{
          const socket = new WebSocket('{ws}' + path);
          socket.onclose = (event) => {{ window.closes += path + ' ' + event.code + ' ' + event.reason + '\n'; }};
        }}"#
    );
    browser.evaluate(&session, &script).await;
    let closes = browser
        .wait_for_text(
            &session,
            // Both closes in: two lines.
            "(window.closes || '').split('\\n').length > 2 ? window.closes : ''",
            "\n",
        )
        .await;
    browser.close().await;
    assert!(
        closes.contains("/subscription/no_such_channel/ann 4404 There is no event channel named `no_such_channel`."),
        "{closes}"
    );
    assert!(
        closes.contains("/subscription/messenger/ann?token=bad 4401 The credentials were rejected"),
        "{closes}"
    );
}
