//! servey's background adapter: fixed-rate and cron jobs ([`start`]), event channels (websocket,
//! background, webhook; declared with [`websocket_event_channel!`], [`background_channel!`] and
//! [`webhook_channel!`]), the websocket routes and `/asyncapi.json` ([`router`]).
//!
//! A declaration is a `static` of immutable metadata. What channels own at run time (subscribers, the
//! webhook client) is each app's [`Channels`], built once at start from the app's backends and kept in
//! the app's state; `CHANNEL.publish(&context, &event)` reaches it through the caller's context.
//! Everything is in-process by default; the fan-out, the background queue and the tick lease are core's
//! seams ([`servey_core::backend`]), which servey-redis implements so that several instances of one app
//! cooperate through Redis without touching channels or routes.

mod asyncapi;
mod background;
mod catalog;
mod channel;
mod connection;
mod ending;
mod error;
mod hub;
mod join;
mod macros;
mod protocol;
mod read_gate;
mod remote;
mod runtime;
mod source;
mod subscribed;
mod subscription;
mod tick_times;
mod ticks;
mod webhook;
mod websocket;

use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::routing::get;
use servey_core::App;
use servey_core::route::ReservedRoute;

pub use asyncapi::{asyncapi, asyncapi_json};
pub use background::BackgroundChannel;
pub use channel::{
    ChannelEntry, ChannelKind, DecodedParams, EventChannel, Subscriber, SubscriberFilter,
};
pub use error::{PublishError, ScheduleError};
pub use hub::{SUBSCRIBER_BUFFER, Subscribers};
pub use join::CLOSE_HISTORY_UNAVAILABLE;
pub use remote::{Refusal, RemoteCommand, RemoteSubscriber, RemoteSubscriptions, Selector};
pub use runtime::{Channels, ChannelsBuilder};
pub use subscription::{
    CLOSE_BAD_MESSAGE, CLOSE_FORBIDDEN, CLOSE_GOING_AWAY, CLOSE_INVALID_PARAMS,
    CLOSE_SERVICE_RESTART, CLOSE_TOO_BIG, CLOSE_TOO_SLOW, CLOSE_UNAUTHENTICATED,
    CLOSE_UNKNOWN_CHANNEL,
};
pub use ticks::{Scheduler, TickStats, start};
pub use webhook::WebhookChannel;
pub use websocket::{EventFilter, NoParams, ParamsFilter, WebsocketChannel};

/// What the declaring macros name; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use inventory;
    pub use servey_core::__private::construct_access_control;
    pub use std::string::{String, ToString};
}

/// The routes the schedule adapter serves itself, for every method: no action may take them.
pub const RESERVED_ROUTES: &[ReservedRoute] = &[
    ReservedRoute::prefix("/subscription", "the websocket subscriptions"),
    ReservedRoute::exact("/asyncapi.json", "the AsyncAPI document"),
];

/// The websocket routes (`/subscription`, `/subscription/{channel}[/{subscriber_id}]`) and `/asyncapi.json`
/// of the app's channels; fails for an app built without its [`Channels`].
pub fn router(app: &App) -> Result<Router, ScheduleError> {
    let channels = Channels::of(app)?.clone();
    if let Some(metrics) = app.metrics() {
        channels.subscribers().record_in(metrics);
    }
    let mut router = Router::new();
    if app.serves("/subscription") {
        router = router
            .route("/subscription", get(subscription::by_message))
            .route("/subscription/{channel}", get(subscription::by_channel))
            .route(
                "/subscription/{channel}/{subscriber_id}",
                get(subscription::by_path),
            );
    }
    if app.serves("/asyncapi.json") {
        // Written when first asked for: most processes never serve it.
        let document = Arc::new(OnceLock::<String>::new());
        let (app, channels) = (app.clone(), channels.clone());
        router = router.route(
            "/asyncapi.json",
            get(move || {
                let document = document
                    .get_or_init(|| asyncapi::document_json(&app, &channels))
                    .clone();
                async move {
                    (
                        [(axum::http::header::CONTENT_TYPE, "application/json")],
                        document,
                    )
                }
            }),
        );
    }
    Ok(router.with_state(subscription::Routes {
        app: app.clone(),
        channels,
    }))
}
