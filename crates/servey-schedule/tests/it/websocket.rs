//! Websocket channels over a real server: both subscription protocols, broadcast and targeted publish,
//! two apps kept apart, event filters, and slow subscribers dropped without holding up the others.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use futures_util::{SinkExt, StreamExt};
use serde::{Deserialize, Serialize};
use serde_json::json;
use servey_core::Authorization;
use tokio_tungstenite::tungstenite::Message;
use utoipa::ToSchema;

use crate::common::{
    Note, app_with, channels, close_code, connect, context, metric, next_json, serve, subscribers,
    token,
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
    assert_eq!(
        next_json(&mut by_message).await,
        json!({"type": "Subscribed", "channel": "test_chat"})
    );
    subscribers(&app, "test_chat", 2).await;
    CHAT.publish(&context, &Note::new("hello all"))
        .expect("published");
    let expected = json!({"to": null, "text": "hello all"});
    assert_eq!(next_json(&mut by_path).await, expected);
    assert_eq!(
        next_json(&mut by_message).await,
        json!({"type": "Event", "channel": "test_chat", "id": 1, "payload": expected})
    );
    let chat = |name: &str| metric(&app, &format!(r#"{name}{{channel="test_chat"}}"#));
    assert_eq!(chat("servey_websocket_subscribers"), Some(2.0));
    assert_eq!(chat("servey_websocket_events_delivered_total"), Some(2.0));

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
    assert_eq!(chat("servey_websocket_subscribers"), Some(1.0));
    assert_eq!(chat("servey_websocket_events_delivered_total"), Some(3.0));
    assert_eq!(chat("servey_websocket_events_dropped_total"), Some(0.0));
}

#[tokio::test]
async fn events_on_the_shared_connection_name_their_channel() {
    let app = app_with(vec![]);
    let address = serve(&app).await;
    let context = context(&app);
    let mut shared = connect(&address, "/subscription?subscriber_id=sam").await;
    for channel in ["test_chat", "test_targeted"] {
        shared
            .send(Message::text(format!(
                r#"{{"type": "Subscribe", "payload": "{channel}"}}"#
            )))
            .await
            .expect("sends");
        assert_eq!(
            next_json(&mut shared).await,
            json!({"type": "Subscribed", "channel": channel})
        );
    }
    TARGETED
        .publish_to(&context, "sam", &Note::new("same text"))
        .expect("published");
    CHAT.publish(&context, &Note::new("same text"))
        .expect("published");
    let payload = json!({"to": null, "text": "same text"});
    assert_eq!(
        next_json(&mut shared).await,
        json!({"type": "Event", "channel": "test_targeted", "id": 1, "payload": payload})
    );
    assert_eq!(
        next_json(&mut shared).await,
        json!({"type": "Event", "channel": "test_chat", "id": 1, "payload": payload})
    );
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
    let flood = |name: &str| metric(&app, &format!(r#"{name}{{channel="test_flood"}}"#));
    assert_eq!(flood("servey_websocket_subscribers"), Some(2.0));
    assert_eq!(
        flood("servey_websocket_events_dropped_total"),
        Some(1.0),
        "one event found the slow subscriber's buffer full, and it was dropped"
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

#[tokio::test]
async fn shutdown_closes_every_socket_with_1001_subscribed_or_not() {
    let app = app_with(vec![]);
    let address = serve(&app).await;
    let mut subscribed = connect(&address, "/subscription/test_chat/ann").await;
    subscribers(&app, "test_chat", 1).await;
    // On the shared connection, but subscribed to nothing yet.
    let mut idle = connect(&address, "/subscription?subscriber_id=bob").await;

    channels(&app).subscribers().close_all();

    assert_eq!(
        close_code(&mut subscribed).await,
        servey_schedule::CLOSE_GOING_AWAY
    );
    assert_eq!(
        close_code(&mut idle).await,
        servey_schedule::CLOSE_GOING_AWAY
    );
    let mut late = connect(&address, "/subscription/test_chat/cy").await;
    assert_eq!(
        close_code(&mut late).await,
        servey_schedule::CLOSE_GOING_AWAY
    );
}

#[tokio::test]
async fn a_restart_closes_every_socket_with_1012_and_later_ones_too() {
    let app = app_with(vec![]);
    let address = serve(&app).await;
    let mut subscribed = connect(&address, "/subscription/test_chat/ann").await;
    subscribers(&app, "test_chat", 1).await;

    channels(&app).subscribers().restart_all();
    // The first reason wins: a shutdown after the restart does not change the code.
    channels(&app).subscribers().close_all();

    assert_eq!(
        close_code(&mut subscribed).await,
        servey_schedule::CLOSE_SERVICE_RESTART
    );
    let mut late = connect(&address, "/subscription/test_chat/cy").await;
    assert_eq!(
        close_code(&mut late).await,
        servey_schedule::CLOSE_SERVICE_RESTART
    );
}

#[tokio::test]
async fn a_socket_that_received_events_still_answers_pings_and_commands() {
    let app = app_with(vec![]);
    let address = serve(&app).await;
    let context = context(&app);
    let mut shared = connect(&address, "/subscription?subscriber_id=dee").await;
    let subscribe = |channel: &str| {
        Message::text(format!(
            r#"{{"type": "Subscribe", "payload": "{channel}"}}"#
        ))
    };
    shared.send(subscribe("test_chat")).await.expect("sends");
    assert_eq!(next_json(&mut shared).await["type"], "Subscribed");
    for index in 0..3 {
        CHAT.publish(&context, &Note::new(&format!("note {index}")))
            .expect("published");
        assert_eq!(
            next_json(&mut shared).await["payload"]["text"],
            format!("note {index}")
        );
    }

    shared
        .send(Message::Ping(b"still there?".as_slice().into()))
        .await
        .expect("sends");
    let pong = crate::common::bounded("the pong", shared.next()).await;
    assert!(
        matches!(&pong, Some(Ok(Message::Pong(data))) if data.as_ref() == b"still there?"),
        "expected the pong, got {pong:?}"
    );
    shared
        .send(subscribe("test_targeted"))
        .await
        .expect("sends");
    assert_eq!(
        next_json(&mut shared).await,
        json!({"type": "Subscribed", "channel": "test_targeted"})
    );
    shared
        .send(Message::text(r#"{"type": "Dance"}"#))
        .await
        .expect("sends");
    assert_eq!(
        close_code(&mut shared).await,
        servey_schedule::CLOSE_BAD_MESSAGE
    );
}
