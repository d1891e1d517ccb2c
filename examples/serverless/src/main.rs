//! servey on AWS Lambda: an auction whose bids reach websocket subscribers through an API Gateway
//! websocket API (connections in DynamoDB), whose settlements run in the background through SQS (their
//! receipts POSTed to a webhook through SQS too), and whose page is built into the binary. `cargo run -p serverless -- --run=sam` writes its template;
//! `sam build && sam deploy --guided` deploys it (the guide's serverless chapter).

use serde::{Deserialize, Serialize};
use servey::prelude::*;
use utoipa::ToSchema;

/// A bid on an auction.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Bid {
    /// The auction.
    pub auction_id: u64,
    /// The amount bid, in cents.
    pub amount: u64,
}

/// Which auction a subscriber follows.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuctionParams {
    /// The auction.
    pub auction_id: u64,
}

fn same_auction(bid: &Bid, params: &AuctionParams, _: Option<&Authorization>, _: &str) -> bool {
    bid.auction_id == params.auction_id
}

websocket_event_channel!(
    /// The bids of one auction.
    pub BIDS, "bids", Bid, params = AuctionParams, params_filter = same_auction
);

websocket_event_channel!(
    /// Every settled bid.
    pub SETTLED, "settled", Bid
);

background_channel!(
    /// Bids to settle: each runs `settle` once, in the background.
    pub SETTLEMENTS, "settlements", Bid, action = "settle"
);

/// The receipt of a settled bid, POSTed to the auction house.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Receipt {
    /// The auction.
    pub auction_id: u64,
    /// The amount settled, in cents.
    pub amount: u64,
}

webhook_channel!(
    /// Receipts of settled bids, POSTed to `RECEIPTS_URL` (one attempt each here: on Lambda, SQS
    /// delivers a failed one again).
    pub RECEIPTS, "receipts", Receipt,
    url = std::env::var("RECEIPTS_URL").unwrap_or_else(|_| "http://127.0.0.1:9/receipts".to_owned()),
    max_attempts = 1,
);

/// Place a bid: its auction's subscribers see it at once, and it is settled in the background.
#[action(triggers = [web_post])]
pub fn place_bid(context: Context, auction_id: u64, amount: u64) -> Result<Bid, ActionError> {
    let bid = Bid { auction_id, amount };
    BIDS.publish(&context, &bid)?;
    SETTLEMENTS.publish(&context, &bid)?;
    Ok(bid)
}

/// Settle a bid (what each `settlements` event runs); a bid of nothing cannot be settled.
#[action]
pub fn settle(context: Context, auction_id: u64, amount: u64) -> Result<Bid, ActionError> {
    if amount == 0 {
        return Err(ActionError::custom(
            409,
            "nothing_to_settle",
            "A bid of nothing cannot be settled.",
        ));
    }
    let bid = Bid { auction_id, amount };
    SETTLED.publish(&context, &bid)?;
    RECEIPTS.publish(&context, &Receipt { auction_id, amount })?;
    Ok(bid)
}

/// The auction page's model.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Auction {
    /// The auction.
    pub auction_id: u64,
}

/// The auction's page.
#[action(triggers = [web_page])]
pub fn auction_page(auction_id: Option<u64>) -> Auction {
    Auction {
        auction_id: auction_id.unwrap_or(1),
    }
}

fn main() {
    // Lambda runs the binary alone: the templates are built into it.
    servey::builder()
        .embedded_templates(servey::embed_dir!("templates"))
        .main();
}
