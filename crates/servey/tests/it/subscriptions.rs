//! A channel's typed subscription parameters as GraphQL subscription arguments, over graphql-transport-ws
//! on a real socket: the SDL lists them, the channel's filter gets them, and a bad one is that
//! subscription's one result, an error naming the argument's path. Each event's id is in its response's
//! `extensions.eventId`, and `since` resumes after one (`HISTORY_LOST` when it is too old).

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use servey::channels::Channels;
use servey::prelude::*;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::support::{Server, builder, start, web};

/// The app of these tests: one query besides the channels (an app needs an action).
async fn serve() -> Server {
    let hello = servey::Action::builder("hello", |_, _| async { Ok(json!("hi")) })
        .trigger(web(servey::Method::Get, "/hello"))
        .build();
    start(builder([hello])).await
}

/// A bid in an auction.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct Bid {
    /// The auction it is for.
    auction_id: i32,
    /// How much.
    amount: u32,
}

/// Which auction's bids to receive.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct AuctionParams {
    /// The auction.
    #[schema(minimum = 1)]
    auction_id: i32,
}

fn same_auction(bid: &Bid, params: &AuctionParams, _: Option<&Authorization>, _: &str) -> bool {
    bid.auction_id == params.auction_id
}

websocket_event_channel!(
    /// The bids of one auction.
    ///
    /// Give the auction's id.
    pub(crate) BIDS, "bids", Bid, params = AuctionParams, params_filter = same_auction,
);

type Client =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn send(client: &mut Client, message: Value) {
    client
        .send(Message::text(message.to_string()))
        .await
        .expect("sends");
}

async fn next(client: &mut Client) -> Value {
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

/// A graphql-transport-ws connection to `server`, acknowledged.
async fn connect(server: &Server) -> Client {
    let mut request = format!("{}/graphql", server.base().replacen("http://", "ws://", 1))
        .into_client_request()
        .expect("a request");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().expect("a header"),
    );
    let (mut client, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("the websocket connects");
    send(&mut client, json!({"type": "connection_init"})).await;
    assert_eq!(next(&mut client).await, json!({"type": "connection_ack"}));
    client
}

/// Waits until `bids` has `count` subscribers: graphql-transport-ws acknowledges no subscription.
pub(crate) async fn bids_subscribers(server: &Server, count: usize) {
    let subscribers = Channels::of(&server.app).expect("channels").subscribers();
    let reached = tokio::time::timeout(Duration::from_secs(10), async {
        while subscribers.count("bids") != count {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(reached.is_ok(), "bids never had {count} subscribers");
}

#[tokio::test]
async fn subscription_parameters_are_arguments_and_the_filter_gets_them() {
    let server = serve().await;
    let sdl = servey::graphql_sdl(&server.app).expect("the SDL builds");
    assert!(
        sdl.contains(
            "\t\"\"\"\n\tThe bids of one auction.\n\t\n\tGive the auction's id.\n\t\"\"\"\n\tbids(\n\t\t\"\"\"\n\t\tThe auction.\n"
        ),
        "the doc's lines and the argument, without a stray space:\n{sdl}"
    );
    assert!(
        sdl.contains("auctionId: Int!") && sdl.contains("subscriberId: String"),
        "{sdl}"
    );

    let mut client = connect(&server).await;
    send(
        &mut client,
        json!({"id": "1", "type": "subscribe", "payload": {"query": "subscription { bids(auctionId: 42) { auctionId amount } }"}}),
    )
    .await;
    bids_subscribers(&server, 1).await;
    let context = server.app.context();
    BIDS.publish(
        &context,
        &Bid {
            auction_id: 43,
            amount: 1,
        },
    )
    .expect("published");
    BIDS.publish(
        &context,
        &Bid {
            auction_id: 42,
            amount: 2,
        },
    )
    .expect("published");
    assert_eq!(
        next(&mut client).await,
        json!({"id": "1", "type": "next", "payload": {"data": {"bids": {"auctionId": 42, "amount": 2}}, "extensions": {"eventId": 2}}})
    );
}

#[tokio::test]
async fn a_bad_argument_is_the_subscriptions_one_result_naming_its_path() {
    let server = serve().await;
    let mut client = connect(&server).await;
    send(
        &mut client,
        json!({"id": "1", "type": "subscribe", "payload": {"query": "subscription { bids(auctionId: 0) { amount } }"}}),
    )
    .await;
    let message = next(&mut client).await;
    assert_eq!(message["type"], "next", "{message}");
    let error = &message["payload"]["errors"][0];
    assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{message}");
    assert_eq!(
        error["extensions"]["errors"][0]["path"], "auctionId",
        "{message}"
    );
    assert_eq!(error["path"], json!(["bids"]), "{message}");
    assert_eq!(
        next(&mut client).await,
        json!({"id": "1", "type": "complete"})
    );
    assert_eq!(
        Channels::of(&server.app)
            .expect("channels")
            .subscribers()
            .count("bids"),
        0
    );
}

pub(crate) fn bid(auction_id: i32, amount: u32) -> Bid {
    Bid { auction_id, amount }
}

#[tokio::test]
async fn a_subscription_resumes_after_the_event_id_of_its_extensions() {
    let server = serve().await;
    let context = server.app.context();
    let mut client = connect(&server).await;
    let query = "subscription { bids(auctionId: 1) { amount } }";
    send(
        &mut client,
        json!({"id": "1", "type": "subscribe", "payload": {"query": query}}),
    )
    .await;
    bids_subscribers(&server, 1).await;
    BIDS.publish(&context, &bid(1, 10)).expect("published");
    assert_eq!(
        next(&mut client).await,
        json!({"id": "1", "type": "next", "payload": {"data": {"bids": {"amount": 10}}, "extensions": {"eventId": 1}}})
    );
    send(&mut client, json!({"id": "1", "type": "complete"})).await;
    assert_eq!(
        next(&mut client).await,
        json!({"id": "1", "type": "complete"})
    );
    bids_subscribers(&server, 0).await;

    // Missed while away, one of them for another auction.
    for (auction_id, amount) in [(1, 20), (2, 99), (1, 30)] {
        BIDS.publish(&context, &bid(auction_id, amount))
            .expect("published");
    }
    let resumed = "subscription { bids(auctionId: 1, since: 1) { amount } }";
    send(
        &mut client,
        json!({"id": "2", "type": "subscribe", "payload": {"query": resumed}}),
    )
    .await;
    for (id, amount) in [(2, 20), (4, 30)] {
        assert_eq!(
            next(&mut client).await,
            json!({"id": "2", "type": "next", "payload": {"data": {"bids": {"amount": amount}}, "extensions": {"eventId": id}}})
        );
    }
    bids_subscribers(&server, 1).await;
    BIDS.publish(&context, &bid(1, 40)).expect("published");
    assert_eq!(
        next(&mut client).await["payload"]["extensions"]["eventId"],
        5
    );
}

#[tokio::test]
async fn a_since_older_than_the_kept_history_ends_the_subscription_with_history_lost() {
    let server = serve().await;
    let context = server.app.context();
    // One more than the default history of 1000: the first event is gone.
    for amount in 1..=1001 {
        BIDS.publish(&context, &bid(3, amount)).expect("published");
    }
    let mut client = connect(&server).await;
    let query = "subscription { bids(auctionId: 3, since: 0) { amount } }";
    send(
        &mut client,
        json!({"id": "1", "type": "subscribe", "payload": {"query": query}}),
    )
    .await;
    let lost = next(&mut client).await;
    let error = &lost["payload"]["errors"][0];
    assert_eq!(
        (
            &error["extensions"]["code"],
            &error["extensions"]["firstId"]
        ),
        (&json!("HISTORY_LOST"), &json!(2)),
        "{lost}"
    );
    // async-graphql ends a subscription at its first error; resuming before `firstId` takes the rest.
    assert_eq!(
        next(&mut client).await,
        json!({"id": "1", "type": "complete"})
    );
    let query = "subscription { bids(auctionId: 3, since: 1) { amount } }";
    send(
        &mut client,
        json!({"id": "2", "type": "subscribe", "payload": {"query": query}}),
    )
    .await;
    assert_eq!(
        next(&mut client).await["payload"],
        json!({"data": {"bids": {"amount": 2}}, "extensions": {"eventId": 2}})
    );
}
