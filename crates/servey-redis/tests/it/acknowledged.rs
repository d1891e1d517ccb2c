//! Two instances of one app on a real redis-server: a subscriber on one instance that got its
//! `Subscribed` acknowledgement receives an event the other instance publishes right after it, with its
//! subscription parameters applied where it is connected.

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
