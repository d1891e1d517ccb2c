//! Typed subscription parameters over a real server: from the query of the path forms, from the
//! `Subscribe` message, and through the `EventSource`; each one checked like an action's input (a bad
//! one closes with 4422 and names the field) and handed to the channel's filter. Also the `Subscribed`
//! acknowledgement: an event published right after it always arrives.

use futures_util::{SinkExt, StreamExt};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use servey_core::Authorization;
use servey_core::event::{EventSource, SubscribeRequest};
use servey_schedule::CLOSE_INVALID_PARAMS;
use tokio_tungstenite::tungstenite::Message;
use utoipa::ToSchema;

use crate::common::{Client, app_with, bounded, channels, connect, context, next_json, serve};
use crate::common::{Note, subscribers};
use crate::websocket::CHAT;

/// A bid in an auction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub(crate) struct Bid {
    /// The auction it is for.
    pub(crate) auction_id: u64,
    /// How much.
    pub(crate) amount: u32,
}

/// Which auction's bids a subscriber receives.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct AuctionParams {
    /// The auction.
    #[schema(minimum = 1)]
    pub(crate) auction_id: u64,
}

/// A subscriber sees the bids of the auction it asked for.
fn same_auction(bid: &Bid, params: &AuctionParams, _: Option<&Authorization>, _: &str) -> bool {
    bid.auction_id == params.auction_id
}

servey_schedule::websocket_event_channel!(
    /// The bids of one auction:
    /// subscribe with `auction_id`.
    pub(crate) BIDS, "test_bids", Bid, params = AuctionParams, params_filter = same_auction,
);

fn bid(auction_id: u64, amount: u32) -> Bid {
    Bid { auction_id, amount }
}

/// The close frame's code and reason, failing if anything else or nothing arrives within 10 s.
async fn close_frame(client: &mut Client) -> (u16, String) {
    let frame = bounded("a close frame", client.next())
        .await
        .expect("a frame before the end")
        .expect("a frame");
    match frame {
        Message::Close(Some(frame)) => (frame.code.into(), frame.reason.to_string()),
        other => panic!("expected a close frame, got {other:?}"),
    }
}

async fn send(client: &mut Client, message: Value) {
    client
        .send(Message::text(message.to_string()))
        .await
        .expect("sends");
}

#[tokio::test]
async fn a_path_subscriber_receives_only_the_bids_of_the_auction_in_its_query() {
    let app = app_with(vec![]);
    let address = serve(&app).await;
    let context = context(&app);
    let mut on_42 = connect(&address, "/subscription/test_bids?auction_id=42").await;
    let mut on_43 = connect(&address, "/subscription/test_bids/sam?auction_id=43").await;
    subscribers(&app, "test_bids", 2).await;

    BIDS.publish(&context, &bid(43, 1)).expect("published");
    BIDS.publish(&context, &bid(42, 2)).expect("published");

    assert_eq!(
        next_json(&mut on_42).await,
        json!({"auction_id": 42, "amount": 2})
    );
    assert_eq!(
        next_json(&mut on_43).await,
        json!({"auction_id": 43, "amount": 1})
    );
}

#[tokio::test]
async fn a_subscribe_message_carries_its_parameters_and_is_acknowledged() {
    let app = app_with(vec![]);
    let address = serve(&app).await;
    let context = context(&app);
    let mut shared = connect(&address, "/subscription").await;
    send(
        &mut shared,
        json!({"type": "Subscribe", "payload": {"channel": "test_bids", "params": {"auction_id": 7}}}),
    )
    .await;
    assert_eq!(
        next_json(&mut shared).await,
        json!({"type": "Subscribed", "channel": "test_bids"})
    );

    BIDS.publish(&context, &bid(8, 1)).expect("published");
    BIDS.publish(&context, &bid(7, 2)).expect("published");
    assert_eq!(
        next_json(&mut shared).await,
        json!({"type": "Event", "channel": "test_bids", "id": 2, "payload": {"auction_id": 7, "amount": 2}})
    );

    // Subscribing again replaces the parameters.
    send(
        &mut shared,
        json!({"type": "Subscribe", "payload": {"channel": "test_bids", "params": {"auction_id": 8}}}),
    )
    .await;
    assert_eq!(next_json(&mut shared).await["type"], "Subscribed");
    BIDS.publish(&context, &bid(7, 3)).expect("published");
    BIDS.publish(&context, &bid(8, 4)).expect("published");
    assert_eq!(next_json(&mut shared).await["payload"]["amount"], 4);
}

#[tokio::test]
async fn bad_parameters_close_with_4422_naming_the_field() {
    let app = app_with(vec![]);
    let address = serve(&app).await;
    for query in ["auction_id=0", "auction_id=forty-two", "", "auction_id=-3"] {
        let mut client = connect(&address, &format!("/subscription/test_bids/ann?{query}")).await;
        let (code, reason) = close_frame(&mut client).await;
        assert_eq!(code, CLOSE_INVALID_PARAMS, "?{query}: {reason}");
        assert!(
            reason.starts_with("1 invalid field: auction_id: "),
            "?{query}: {reason}"
        );
    }

    let mut shared = connect(&address, "/subscription").await;
    send(
        &mut shared,
        json!({"type": "Subscribe", "payload": {"channel": "test_bids", "params": {"auction_id": 0}}}),
    )
    .await;
    let (code, reason) = close_frame(&mut shared).await;
    assert_eq!(
        (code, reason.as_str()),
        (
            CLOSE_INVALID_PARAMS,
            "1 invalid field: auction_id: must be an integer from 1 to 9223372036854775807"
        )
    );
    assert_eq!(channels(&app).subscribers().count("test_bids"), 0);
}

#[tokio::test]
async fn the_event_source_checks_parameters_and_filters_by_them() {
    let app = app_with(vec![]);
    let source = channels(&app);
    let refused = source
        .subscribe_with(
            SubscribeRequest::new("test_bids", "ann", None).with_params(json!({"auction_id": 0})),
        )
        .err()
        .expect("refused");
    assert_eq!(refused.status(), 422);
    assert_eq!(refused.field_errors()[0].path, "auction_id");

    let mut stream = source
        .subscribe_with(
            SubscribeRequest::new("test_bids", "ann", None).with_params(json!({"auction_id": 5})),
        )
        .expect("subscribes");
    BIDS.publish(&context(&app), &bid(6, 1)).expect("published");
    BIDS.publish(&context(&app), &bid(5, 2)).expect("published");
    let event = bounded("an event", stream.next())
        .await
        .expect("the stream goes on")
        .expect("an event");
    assert_eq!(event.json, r#"{"auction_id":5,"amount":2}"#);
}

#[tokio::test]
async fn channel_docs_keep_their_lines_without_the_space_after_the_slashes() {
    let app = app_with(vec![]);
    let offered = channels(&app).channels();
    let bids = offered
        .iter()
        .find(|channel| channel.name == "test_bids")
        .expect("offered");
    assert_eq!(
        bids.description.as_deref(),
        Some("The bids of one auction:\nsubscribe with `auction_id`.")
    );
    let document = servey_schedule::asyncapi(&app).expect("the document builds");
    assert_eq!(
        document["channels"]["/subscription/test_bids/{subscriber_id}"]["description"],
        "The bids of one auction:\nsubscribe with `auction_id`."
    );
}

#[tokio::test]
async fn an_event_published_right_after_the_acknowledgement_always_arrives() {
    let app = app_with(vec![]);
    let address = serve(&app).await;
    let context = context(&app);
    for round in 0..50 {
        let mut client = connect(&address, "/subscription").await;
        send(
            &mut client,
            json!({"type": "Subscribe", "payload": "test_chat"}),
        )
        .await;
        assert_eq!(
            next_json(&mut client).await,
            json!({"type": "Subscribed", "channel": "test_chat"})
        );
        let text = format!("round {round}");
        CHAT.publish(&context, &Note::new(&text))
            .expect("published");
        assert_eq!(next_json(&mut client).await["payload"]["text"], text);
    }
}
