//! servey's background adapter: fixed-rate and cron jobs ([`start`]), event channels (websocket,
//! background, webhook; declared with [`websocket_event_channel!`], [`background_channel!`] and
//! [`webhook_channel!`]), the websocket routes and `/asyncapi.json` ([`router`]).
//!
//! Everything here is in-process; the websocket fan-out is behind [`FanOut`] so that a Redis pub/sub
//! backend can be installed ([`install_fan_out`]) without touching channels or routes.

mod asyncapi;
mod background;
mod channel;
mod error;
mod hub;
mod jobs;
mod macros;
mod subscription;
mod webhook;
mod websocket;

use axum::Router;
use axum::routing::get;
use servey_core::App;

pub use asyncapi::{asyncapi, asyncapi_json};
pub use background::BackgroundChannel;
pub use channel::{ChannelEntry, ChannelKind, EventChannel, SubscriberFilter, channel, channels};
pub use error::{PublishError, ScheduleError};
pub use hub::{
    Envelope, FanOut, InProcess, SUBSCRIBER_BUFFER, Subscribers, install_fan_out, subscribers,
};
pub use jobs::{JobStats, Scheduler, start};
pub use subscription::{
    CLOSE_BAD_MESSAGE, CLOSE_FORBIDDEN, CLOSE_TOO_SLOW, CLOSE_UNAUTHENTICATED,
    CLOSE_UNKNOWN_CHANNEL,
};
pub use webhook::WebhookChannel;
pub use websocket::{EventFilter, WebsocketChannel};

/// What the declaring macros name; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use inventory;
    pub use servey_core::action::construct_access_control;
    pub use std::string::{String, ToString};
}

/// The websocket routes (`/subscription`, `/subscription/{channel}/{subscriber_id}`) and `/asyncapi.json`.
pub fn router(app: &App) -> Router {
    if let Err(error) = channel::check_unique() {
        tracing::error!(%error, "event channels");
    }
    let document = asyncapi_json(app);
    Router::new()
        .route("/subscription", get(subscription::by_message))
        .route(
            "/subscription/{channel}/{subscriber_id}",
            get(subscription::by_path),
        )
        .route(
            "/asyncapi.json",
            get(move || {
                let document = document.clone();
                async move {
                    (
                        [(axum::http::header::CONTENT_TYPE, "application/json")],
                        document,
                    )
                }
            }),
        )
        .with_state(app.clone())
}
