//! Websocket channels over a real server: both subscription protocols, broadcast and targeted publish,
//! access control, event filters, and slow subscribers dropped without holding up the others.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use futures_util::{SinkExt, StreamExt};
use serde::{Deserialize, Serialize};
use serde_json::json;
use servey_core::Authorization;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use utoipa::ToSchema;

use crate::common::{
    Note, app_with, channels, close_code, connect, context, next_json, serve, subscribers, token,
};

servey_schedule::websocket_event_channel!(
    /// Open to everyone.
    pub(crate) CHAT, "test_chat", Note
);
servey_schedule::websocket_event_channel!(pub(crate) TARGETED, "test_targeted", Note);
servey_schedule::websocket_event_channel!(pub(crate) SECRET, "test_secret", Note, access_control = scope("root"));
servey_schedule::websocket_event_channel!(
    pub(crate) FILTERED, "test_filtered", Note, filter = addressed_to_subscriber,
);
servey_schedule::websocket_event_channel!(pub(crate) FLOOD, "test_flood", Blob);

/// Delivers a note to everyone when `to` is empty, else to the subscriber or principal it names.
fn addressed_to_subscriber(note: &Note, authorization: Option<&Authorization>, id: &str) -> bool {
    let subject = authorization.and_then(|auth| auth.subject.as_deref());
    note.to
        .as_deref()
        .is_none_or(|to| to == id || Some(to) == subject)
}

/// A big numbered event, to fill buffers quickly.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct Blob {
    seq: u64,
    data: String,
}

#[tokio::test]
async fn broadcast_reaches_every_subscriber_of_both_protocols() {
    let app = app_with(vec![]);
    let address = serve(&app).await;
    let context = context(&app);
    let mut by_path = connect(&address, "/subscription/test_chat/ann").await;
    let mut by_message = connect(&address, "/subscription").await;
    by_message
        .send(Message::text(
            r#"{"type": "Subscribe", "payload": "test_chat"}"#,
        ))
        .await
        .expect("sends");
    subscribers(&app, "test_chat", 2).await;
    CHAT.publish(&context, &Note::new("hello all"))
        .expect("published");
    let expected = json!({"to": null, "text": "hello all"});
    assert_eq!(next_json(&mut by_path).await, expected);
    assert_eq!(next_json(&mut by_message).await, expected);

    by_message
        .send(Message::text(
            r#"{"type": "Unsubscribe", "payload": "test_chat"}"#,
        ))
        .await
        .expect("sends");
    subscribers(&app, "test_chat", 1).await;
    CHAT.publish(&context, &Note::new("second"))
        .expect("published");
    assert_eq!(next_json(&mut by_path).await["text"], "second");
}

#[tokio::test]
async fn targeted_publish_reaches_only_that_subscriber() {
    let app = app_with(vec![]);
    let address = serve(&app).await;
    let context = context(&app);
    let mut ann = connect(&address, "/subscription/test_targeted/ann").await;
    let mut bob = connect(&address, "/subscription/test_targeted/bob").await;
    subscribers(&app, "test_targeted", 2).await;
    TARGETED
        .publish_to(&context, "ann", &Note::new("for ann"))
        .expect("published");
    TARGETED
        .publish(&context, &Note::new("for all"))
        .expect("published");
    assert_eq!(next_json(&mut ann).await["text"], "for ann");
    assert_eq!(next_json(&mut ann).await["text"], "for all");
    // Events keep their order per subscriber: bob's first event is the broadcast.
    assert_eq!(next_json(&mut bob).await["text"], "for all");
}

/// The refused handshake's response (status, headers, body), or `None` when the upgrade succeeded.
async fn handshake(
    address: &str,
    path: &str,
    token: Option<&str>,
) -> Option<tokio_tungstenite::tungstenite::http::Response<Option<Vec<u8>>>> {
    let mut request = format!("ws://{address}{path}")
        .into_client_request()
        .expect("a request");
    if let Some(token) = token {
        request.headers_mut().insert(
            "authorization",
            format!("Bearer {token}").parse().expect("a header"),
        );
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok(_) => None,
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => Some(*response),
        Err(other) => panic!("unexpected handshake error: {other}"),
    }
}

async fn handshake_status(address: &str, path: &str, token: Option<&str>) -> u16 {
    handshake(address, path, token)
        .await
        .map_or(101, |response| response.status().as_u16())
}

#[tokio::test]
async fn refused_handshakes_are_problems_with_the_bearer_challenge() {
    let app = app_with(vec![]);
    let address = serve(&app).await;
    let rejected = handshake(&address, "/subscription/test_chat/eve", Some("not-a-token"))
        .await
        .expect("refused");
    assert_eq!(rejected.status(), 401);
    assert_eq!(
        rejected.headers()["www-authenticate"],
        r#"Bearer error="invalid_token""#
    );
    assert_eq!(
        rejected.headers()["content-type"],
        "application/problem+json"
    );
    let body: serde_json::Value =
        serde_json::from_slice(rejected.body().as_deref().unwrap_or_default()).expect("json");
    assert_eq!(
        (&body["code"], &body["status"], &body["title"]),
        (
            &json!("unauthenticated"),
            &json!(401),
            &json!("Unauthenticated")
        )
    );
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|detail| detail.starts_with("The bearer token was rejected: ")),
        "{body}"
    );
    let anonymous = handshake(&address, "/subscription/test_secret/eve", None)
        .await
        .expect("refused");
    assert_eq!(
        (
            anonymous.status().as_u16(),
            &anonymous.headers()["www-authenticate"]
        ),
        (
            401,
            &"Bearer"
                .parse::<axum::http::HeaderValue>()
                .expect("a value")
        )
    );
}

#[tokio::test]
async fn subscribers_of_one_app_do_not_see_another_apps_events() {
    let (first, second) = (app_with(vec![]), app_with(vec![]));
    let address = serve(&first).await;
    let mut reader = connect(&address, "/subscription/test_chat/reader").await;
    subscribers(&first, "test_chat", 1).await;
    CHAT.publish(&context(&second), &Note::new("to the second app"))
        .expect("published");
    CHAT.publish(&context(&first), &Note::new("to the first app"))
        .expect("published");
    // Delivery is in publish order: had the second app's event reached this reader, it would come first.
    assert_eq!(next_json(&mut reader).await["text"], "to the first app");
    assert_eq!(channels(&second).subscribers().count("test_chat"), 0);
}

#[tokio::test]
async fn unauthorized_subscribers_are_refused() {
    let app = app_with(vec![]);
    let address = serve(&app).await;
    let context = context(&app);
    let path = "/subscription/test_secret/eve";
    assert_eq!(handshake_status(&address, path, None).await, 401);
    assert_eq!(
        handshake_status(&address, path, Some("not-a-token")).await,
        401
    );
    let user = token(&app, "eve", &["user"]);
    assert_eq!(handshake_status(&address, path, Some(&user)).await, 403);
    assert_eq!(
        handshake_status(&address, "/subscription/no_such_channel/eve", None).await,
        404
    );
    assert_eq!(
        handshake_status(&address, "/subscription/test_record/eve", None).await,
        404
    );

    // By message: the same decisions arrive as close codes.
    let mut anonymous = connect(&address, "/subscription").await;
    anonymous
        .send(Message::text(
            r#"{"type": "Subscribe", "payload": "test_secret"}"#,
        ))
        .await
        .expect("sends");
    assert_eq!(
        close_code(&mut anonymous).await,
        servey_schedule::CLOSE_UNAUTHENTICATED
    );
    let mut weak = connect(&address, &format!("/subscription?token={user}")).await;
    weak.send(Message::text(
        r#"{"type": "Subscribe", "payload": "test_secret"}"#,
    ))
    .await
    .expect("sends");
    assert_eq!(
        close_code(&mut weak).await,
        servey_schedule::CLOSE_FORBIDDEN
    );
    let mut lost = connect(&address, "/subscription").await;
    lost.send(Message::text(r#"{"type": "Subscribe", "payload": "nope"}"#))
        .await
        .expect("sends");
    assert_eq!(
        close_code(&mut lost).await,
        servey_schedule::CLOSE_UNKNOWN_CHANNEL
    );
    let mut garbled = connect(&address, "/subscription").await;
    garbled
        .send(Message::text("subscribe me"))
        .await
        .expect("sends");
    assert_eq!(
        close_code(&mut garbled).await,
        servey_schedule::CLOSE_BAD_MESSAGE
    );

    // With the scope, by header and by query: subscribed and receiving.
    let root = token(&app, "root", &["root"]);
    let mut by_query = connect(&address, &format!("{path}?token={root}")).await;
    subscribers(&app, "test_secret", 1).await;
    SECRET
        .publish(&context, &Note::new("classified"))
        .expect("published");
    assert_eq!(next_json(&mut by_query).await["text"], "classified");
    assert_eq!(handshake_status(&address, path, Some(&root)).await, 101);
}

#[tokio::test]
async fn filtered_events_are_not_delivered() {
    let app = app_with(vec![]);
    let address = serve(&app).await;
    let context = context(&app);
    let mut ann = connect(&address, "/subscription/test_filtered/ann").await;
    let carol_token = token(&app, "carol", &[]);
    let mut carol = connect(
        &address,
        &format!("/subscription/test_filtered/c1?token={carol_token}"),
    )
    .await;
    subscribers(&app, "test_filtered", 2).await;
    let for_ann = Note {
        to: Some("ann".into()),
        text: "psst ann".into(),
    };
    let for_carol = Note {
        to: Some("carol".into()),
        text: "psst carol".into(),
    };
    FILTERED.publish(&context, &for_ann).expect("published");
    FILTERED.publish(&context, &for_carol).expect("published");
    FILTERED
        .publish(&context, &Note::new("everyone"))
        .expect("published");
    assert_eq!(next_json(&mut ann).await["text"], "psst ann");
    assert_eq!(next_json(&mut ann).await["text"], "everyone");
    assert_eq!(next_json(&mut carol).await["text"], "psst carol");
    assert_eq!(next_json(&mut carol).await["text"], "everyone");
}

#[tokio::test]
async fn slow_subscriber_is_dropped_without_delaying_the_others() {
    let app = app_with(vec![]);
    let address = serve(&app).await;
    let context = context(&app);
    let mut slow = connect(&address, "/subscription/test_flood/slow").await;
    let mut counters = Vec::new();
    for n in 0..2 {
        let mut fast = connect(&address, &format!("/subscription/test_flood/fast{n}")).await;
        let received = Arc::new(AtomicU64::new(0));
        let counter = received.clone();
        tokio::spawn(async move {
            while let Some(Ok(frame)) = fast.next().await {
                if let Message::Text(text) = frame {
                    let blob: Blob = serde_json::from_str(&text).expect("a blob");
                    assert_eq!(
                        blob.seq,
                        counter.load(Ordering::SeqCst),
                        "events in order, none lost"
                    );
                    counter.store(blob.seq + 1, Ordering::SeqCst);
                }
            }
        });
        counters.push(received);
    }
    subscribers(&app, "test_flood", 3).await;
    // Batches smaller than the buffer, each read by the fast subscribers before the next, while the slow
    // one never reads: only its buffer (and the socket's) fills up.
    let data = "x".repeat(16 * 1024);
    let mut published = 0;
    while channels(&app).subscribers().count("test_flood") == 3 {
        assert!(published < 20_000, "the slow subscriber was never dropped");
        for _ in 0..64 {
            FLOOD
                .publish(
                    &context,
                    &Blob {
                        seq: published,
                        data: data.clone(),
                    },
                )
                .expect("published");
            published += 1;
        }
        crate::common::eventually("the fast subscribers caught up", || {
            counters
                .iter()
                .all(|received| received.load(Ordering::SeqCst) == published)
        })
        .await;
    }
    assert_eq!(
        channels(&app).subscribers().count("test_flood"),
        2,
        "only the slow one was dropped"
    );
    // The slow one reads what was buffered, then its connection ends (with 1013 if the close frame got through).
    let ended = crate::common::bounded("the slow subscriber's stream ends", async {
        loop {
            match slow.next().await {
                Some(Ok(Message::Text(_))) => {}
                Some(Ok(Message::Close(frame))) => break frame.map(|frame| u16::from(frame.code)),
                Some(Ok(_)) => {}
                Some(Err(_)) | None => break None,
            }
        }
    })
    .await;
    if let Some(code) = ended {
        assert_eq!(code, servey_schedule::CLOSE_TOO_SLOW);
    }
}

/// Lets in only subjects whose name ends in `-bot`.
#[derive(Default)]
struct OnlyBots;

impl servey_core::AccessControl for OnlyBots {
    fn check(&self, authorization: Option<&Authorization>) -> Result<(), servey_core::ActionError> {
        match authorization.and_then(|auth| auth.subject.as_deref()) {
            Some(subject) if subject.ends_with("-bot") => Ok(()),
            Some(_) => Err(servey_core::ActionError::new(
                servey_core::ErrorCode::Forbidden,
                "Bots only.",
            )),
            None => Err(servey_core::ActionError::new(
                servey_core::ErrorCode::Unauthenticated,
                "Who are you?",
            )),
        }
    }
}

servey_schedule::websocket_event_channel!(BOTS, "test_bots", Note, access_control = OnlyBots);

#[tokio::test]
async fn custom_access_control_decides_who_subscribes() {
    let app = app_with(vec![]);
    let address = serve(&app).await;
    let context = context(&app);
    let path = "/subscription/test_bots/b";
    assert_eq!(handshake_status(&address, path, None).await, 401);
    assert_eq!(
        handshake_status(&address, path, Some(&token(&app, "ann", &[]))).await,
        403
    );
    let mut bot = connect(
        &address,
        &format!("{path}?token={}", token(&app, "r2-bot", &[])),
    )
    .await;
    subscribers(&app, "test_bots", 1).await;
    BOTS.publish(&context, &Note::new("beep"))
        .expect("published");
    assert_eq!(next_json(&mut bot).await["text"], "beep");
}
