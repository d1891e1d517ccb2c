//! Resuming after a reconnect, over a real server: every event carries its channel's id, a client that
//! comes back with `since` gets exactly the events it missed, in order, then the live ones, without a
//! duplicate or a gap at the join (even while events keep coming), through the same filter and
//! parameters as live ones; an id older than the kept history is reported with a `Gap`.

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use servey_core::Backends;
use servey_core::backend::InProcess;
use servey_core::event::{EventSource, EventStreamError, SubscribeRequest};
use servey_schedule::Channels;
use tokio_tungstenite::tungstenite::Message;

use crate::common::{
    Client, Note, app_over, bounded, connect, context, next_json, recording_registry, serve,
};
use crate::params::{BIDS, Bid};
use crate::websocket::CHAT;

/// An app whose channels keep the last `history` events of each.
fn app_keeping(history: usize) -> servey_core::App {
    let (registry, _) = recording_registry(vec![]);
    let backends = Backends::in_process(&registry).with_fan_out(InProcess::with_history(history));
    let channels = Channels::builder(&registry)
        .backends(&backends)
        .build()
        .expect("the test channels build");
    app_over(registry, channels)
}

async fn send(client: &mut Client, message: Value) {
    client
        .send(Message::text(message.to_string()))
        .await
        .expect("sends");
}

/// Subscribes `client` to `test_chat` after `since` and reads the acknowledgement.
async fn subscribe_chat(client: &mut Client, since: Option<u64>) {
    send(
        client,
        json!({"type": "Subscribe", "payload": {"channel": "test_chat", "since": since}}),
    )
    .await;
    assert_eq!(
        next_json(client).await,
        json!({"type": "Subscribed", "channel": "test_chat"})
    );
}

/// The next event's id and text.
async fn next_note(client: &mut Client) -> (u64, String) {
    let event = next_json(client).await;
    assert_eq!(event["type"], "Event", "{event}");
    (
        event["id"].as_u64().expect("an id"),
        event["payload"]["text"]
            .as_str()
            .expect("a note")
            .to_owned(),
    )
}

fn publish(app: &servey_core::App, text: &str) {
    CHAT.publish(&context(app), &Note::new(text))
        .expect("published");
}

#[tokio::test]
async fn a_client_that_reconnects_with_since_gets_exactly_what_it_missed_then_the_live_events() {
    let app = app_keeping(100);
    let address = serve(&app).await;
    let mut client = connect(&address, "/subscription").await;
    subscribe_chat(&mut client, None).await;
    for text in ["a", "b"] {
        publish(&app, text);
    }
    assert_eq!(next_note(&mut client).await, (1, "a".to_owned()));
    assert_eq!(next_note(&mut client).await, (2, "b".to_owned()));
    client.close(None).await.expect("closes");

    for text in ["c", "d", "e"] {
        publish(&app, text);
    }
    let mut back = connect(&address, "/subscription").await;
    subscribe_chat(&mut back, Some(2)).await;
    publish(&app, "f");
    for (id, text) in [(3, "c"), (4, "d"), (5, "e"), (6, "f")] {
        assert_eq!(next_note(&mut back).await, (id, text.to_owned()));
    }

    // The path form resumes too, in envelopes (the ids are in them), after its acknowledgement.
    let mut by_path = connect(&address, "/subscription/test_chat/ann?since=4").await;
    assert_eq!(next_json(&mut by_path).await["type"], "Subscribed");
    assert_eq!(next_note(&mut by_path).await, (5, "e".to_owned()));
    assert_eq!(next_note(&mut by_path).await, (6, "f".to_owned()));
    publish(&app, "g");
    assert_eq!(next_note(&mut by_path).await, (7, "g".to_owned()));
    assert_eq!(next_note(&mut back).await, (7, "g".to_owned()));
}

#[tokio::test]
async fn an_id_older_than_the_kept_history_is_reported_as_a_gap() {
    let app = app_keeping(3);
    let address = serve(&app).await;
    for text in ["1", "2", "3", "4", "5"] {
        publish(&app, text);
    }
    let mut client = connect(&address, "/subscription").await;
    subscribe_chat(&mut client, Some(1)).await;
    assert_eq!(
        next_json(&mut client).await,
        json!({"type": "Gap", "channel": "test_chat", "since": 1, "first_id": 3})
    );
    for id in 3..=5 {
        assert_eq!(next_note(&mut client).await, (id, id.to_string()));
    }

    // An id the channel never reached (its ids started again, as after a restart) is a gap too.
    let mut ahead = connect(&address, "/subscription").await;
    subscribe_chat(&mut ahead, Some(40)).await;
    assert_eq!(
        next_json(&mut ahead).await,
        json!({"type": "Gap", "channel": "test_chat", "since": 40, "first_id": 6})
    );
    publish(&app, "6");
    assert_eq!(next_note(&mut ahead).await, (6, "6".to_owned()));

    let source = Channels::of(&app).expect("channels");
    let mut stream = source
        .subscribe_with(SubscribeRequest::new("test_chat", "eve", None).with_since(Some(2)))
        .expect("subscribes");
    let first = bounded("the gap", stream.next()).await.expect("an item");
    assert_eq!(
        first,
        Err(EventStreamError::HistoryLost {
            since: 2,
            first_id: 4
        })
    );
    let next = bounded("a kept event", stream.next())
        .await
        .expect("an item")
        .expect("an event");
    assert_eq!(next.id, 4);
}

#[tokio::test]
async fn replayed_events_pass_the_filter_with_the_subscriptions_parameters() {
    let app = app_keeping(100);
    let address = serve(&app).await;
    for (auction_id, amount) in [(7, 1), (8, 2), (7, 3), (8, 4)] {
        BIDS.publish(&context(&app), &Bid { auction_id, amount })
            .expect("published");
    }
    let mut client = connect(&address, "/subscription/test_bids/ann?auction_id=8&since=0").await;
    assert_eq!(next_json(&mut client).await["type"], "Subscribed");
    for (id, amount) in [(2, 2), (4, 4)] {
        let event = next_json(&mut client).await;
        assert_eq!(
            (&event["id"], &event["payload"]["amount"]),
            (&json!(id), &json!(amount))
        );
    }
    BIDS.publish(
        &context(&app),
        &Bid {
            auction_id: 8,
            amount: 5,
        },
    )
    .expect("published");
    assert_eq!(next_json(&mut client).await["id"], 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_replay_meets_the_live_events_without_a_duplicate_or_a_gap_while_events_keep_coming() {
    // Each round a burst is published from another thread while a client resumes: some of its events
    // land before the subscription, some while it is held, some after; each id must come once, in order.
    const ROUNDS: u64 = 100;
    const BURST: u64 = 200;
    let app = app_keeping(100_000);
    let address = serve(&app).await;
    for round in 0..ROUNDS {
        let published = round * BURST;
        let since = published.saturating_sub(10);
        let mut client = connect(&address, "/subscription").await;
        send(
            &mut client,
            json!({"type": "Subscribe", "payload": {"channel": "test_chat", "since": since}}),
        )
        .await;
        // Under way while the server handles the Subscribe.
        let burst = {
            let app = app.clone();
            std::thread::spawn(move || {
                for index in published + 1..=published + BURST {
                    publish(&app, &index.to_string());
                }
            })
        };
        assert_eq!(next_json(&mut client).await["type"], "Subscribed");
        for expected in since + 1..=published + BURST {
            assert_eq!(
                next_note(&mut client).await,
                (expected, expected.to_string()),
                "round {round}"
            );
        }
        burst.join().expect("the burst is published");
    }
}
