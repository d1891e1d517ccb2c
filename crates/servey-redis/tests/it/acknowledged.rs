//! Two instances of one app on a real redis-server: a subscriber on one instance that got its
//! `Subscribed` acknowledgement receives an event the other instance publishes right after it, with its
//! subscription parameters applied where it is connected; the channel's ids are shared by the
//! instances, a client resumes on either, and an id older than the stream keeps is a `Gap`.

use futures_util::SinkExt;
use serde::{Deserialize, Serialize};
use serde_json::json;
use servey_core::Authorization;
use tokio_tungstenite::tungstenite::Message;
use utoipa::ToSchema;

use crate::common::{connect, context, next_json, serve};
use crate::redis_server::RedisServer;
use crate::scale_out::instance;

/// A bid in an auction.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct Bid {
    /// The auction it is for.
    auction_id: u64,
    /// How much.
    amount: u32,
}

/// Which auction's bids a subscriber receives.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct AuctionParams {
    /// The auction.
    auction_id: u64,
}

fn same_auction(bid: &Bid, params: &AuctionParams, _: Option<&Authorization>, _: &str) -> bool {
    bid.auction_id == params.auction_id
}

servey_schedule::websocket_event_channel!(
    /// The bids of one auction, on every instance.
    pub(crate) AUCTION_BIDS, "test_auction_bids", Bid,
    params = AuctionParams,
    params_filter = same_auction,
);

#[tokio::test]
async fn an_event_published_on_another_instance_right_after_the_acknowledgement_arrives() {
    let server = RedisServer::start();
    let (first, _) = instance(&server, vec![]).await;
    let (second, _) = instance(&server, vec![]).await;
    let addresses = [serve(&first).await, serve(&second).await];
    let contexts = [context(&first), context(&second)];
    for round in 0..40_u32 {
        // Subscribed on one instance, published on the other, turn about.
        let (subscribed_on, published_on) = match round % 2 {
            0 => (0, 1),
            _ => (1, 0),
        };
        let auction_id = u64::from(round) + 1;
        let mut client = connect(&addresses[subscribed_on], "/subscription").await;
        client
            .send(Message::text(
                json!({"type": "Subscribe", "payload": {"channel": "test_auction_bids", "params": {"auction_id": auction_id}}})
                    .to_string(),
            ))
            .await
            .expect("sends");
        assert_eq!(
            next_json(&mut client).await,
            json!({"type": "Subscribed", "channel": "test_auction_bids"})
        );
        let other = Bid {
            auction_id: auction_id + 1_000,
            amount: 1,
        };
        let wanted = Bid {
            auction_id,
            amount: round,
        };
        AUCTION_BIDS
            .publish(&contexts[published_on], &other)
            .expect("published");
        AUCTION_BIDS
            .publish(&contexts[published_on], &wanted)
            .expect("published");
        let event = next_json(&mut client).await;
        assert_eq!(
            (&event["type"], &event["payload"]),
            (
                &json!("Event"),
                &json!({"auction_id": auction_id, "amount": round})
            ),
            "round {round}"
        );
    }
}

/// Subscribes `client` to `test_auction_bids` for `auction_id` after `since`, and reads the
/// acknowledgement.
async fn resume(client: &mut crate::common::Client, auction_id: u64, since: u64) {
    client
        .send(Message::text(
            json!({"type": "Subscribe", "payload": {"channel": "test_auction_bids", "params": {"auction_id": auction_id}, "since": since}})
                .to_string(),
        ))
        .await
        .expect("sends");
    assert_eq!(next_json(client).await["type"], "Subscribed");
}

#[tokio::test]
async fn a_client_resumes_on_another_instance_with_the_ids_every_instance_shares() {
    let server = RedisServer::start();
    let (first, _) = instance(&server, vec![]).await;
    let (second, _) = instance(&server, vec![]).await;
    let address = serve(&second).await;
    // Published on the first instance (in order: one publisher), resumed on the second once all four
    // are in Redis, which a live subscriber seeing the fourth shows.
    let mut watcher = connect(&address, "/subscription").await;
    resume(&mut watcher, 5, 0).await;
    for amount in 1..=4 {
        AUCTION_BIDS
            .publish(
                &context(&first),
                &Bid {
                    auction_id: 5,
                    amount,
                },
            )
            .expect("published");
    }
    for id in 1..=4 {
        assert_eq!(next_json(&mut watcher).await["id"], id);
    }
    let mut client = connect(&address, "/subscription").await;
    resume(&mut client, 5, 1).await;
    for (id, amount) in [(2, 2), (3, 3), (4, 4)] {
        let event = next_json(&mut client).await;
        assert_eq!(
            (&event["id"], &event["payload"]["amount"]),
            (&json!(id), &json!(amount)),
            "{event}"
        );
    }
    // The second instance's next event continues the channel's one sequence of ids.
    AUCTION_BIDS
        .publish(
            &context(&second),
            &Bid {
                auction_id: 5,
                amount: 5,
            },
        )
        .expect("published");
    assert_eq!(next_json(&mut client).await["id"], 5);
}

#[tokio::test]
async fn an_id_older_than_the_stream_keeps_is_reported_as_a_gap() {
    let server = RedisServer::start();
    let backend = servey_redis::RedisBackend::connect(&server.url())
        .await
        .expect("the test's redis-server answers")
        .namespace(server.namespace())
        .history(10);
    let (registry, _) = crate::common::recording_registry(vec![]);
    let app = crate::common::app_over(
        registry.clone(),
        backend.backends(&registry).await.expect("subscribes"),
    );
    let address = serve(&app).await;
    // Watches auction 10 only: seeing its one bid, the last, shows all 500 are in Redis.
    let mut watcher = connect(&address, "/subscription").await;
    resume(&mut watcher, 10, 0).await;
    // `MAXLEN ~` trims whole nodes of the stream (100 entries each): enough events to trim some.
    for amount in 1..=500 {
        let auction_id = if amount == 500 { 10 } else { 9 };
        AUCTION_BIDS
            .publish(&context(&app), &Bid { auction_id, amount })
            .expect("published");
    }
    assert_eq!(next_json(&mut watcher).await["id"], 500);

    let mut client = connect(&address, "/subscription").await;
    resume(&mut client, 9, 1).await;
    let gap = next_json(&mut client).await;
    assert_eq!(
        (&gap["type"], &gap["since"]),
        (&json!("Gap"), &json!(1)),
        "{gap}"
    );
    let first_id = gap["first_id"].as_u64().expect("an id");
    assert!(first_id > 2 && first_id <= 491, "{gap}");
    let event = next_json(&mut client).await;
    assert_eq!(event["id"], first_id, "the kept events follow the gap");
}

#[tokio::test]
async fn a_resume_on_one_instance_meets_a_burst_from_the_other_without_a_duplicate_or_a_gap() {
    // The burst's events reach Redis before, while and after the client's replay is read; those the
    // replay holds may still come through pub/sub later, and must not be sent twice.
    const ROUNDS: u64 = 20;
    const BURST: u64 = 100;
    let server = RedisServer::start();
    let (first, _) = instance(&server, vec![]).await;
    let (second, _) = instance(&server, vec![]).await;
    let address = serve(&second).await;
    let publisher = context(&first);
    for round in 0..ROUNDS {
        let published = round * BURST;
        let since = published.saturating_sub(10);
        let mut client = connect(&address, "/subscription").await;
        client
            .send(Message::text(
                json!({"type": "Subscribe", "payload": {"channel": "test_auction_bids", "params": {"auction_id": 1}, "since": since}})
                    .to_string(),
            ))
            .await
            .expect("sends");
        for amount in published + 1..=published + BURST {
            AUCTION_BIDS
                .publish(
                    &publisher,
                    &Bid {
                        auction_id: 1,
                        amount: u32::try_from(amount).expect("small"),
                    },
                )
                .expect("published");
        }
        assert_eq!(next_json(&mut client).await["type"], "Subscribed");
        for expected in since + 1..=published + BURST {
            let event = next_json(&mut client).await;
            assert_eq!(
                (&event["id"], &event["payload"]["amount"]),
                (&json!(expected), &json!(expected)),
                "round {round}: {event}"
            );
        }
    }
}
