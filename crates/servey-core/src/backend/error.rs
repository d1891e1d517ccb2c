//! `PublishError`: why an event could not be handed to its channel, by the channel itself or by the
//! backend behind it (a fan-out that refuses, a queue that cannot take the job).

/// Why an event could not be handed to its channel.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The event did not serialize to JSON.
    #[error("an event for channel `{channel}` could not be serialized: {source}")]
    Serialize {
        /// The channel.
        channel: &'static str,
        /// The serializer's error.
        #[source]
        source: serde_json::Error,
    },
    /// A background channel whose action is missing from the running app.
    #[error("background channel `{channel}`: no action named `{action}` is registered")]
    UnknownAction {
        /// The channel.
        channel: &'static str,
        /// The action it names.
        action: &'static str,
    },
    /// The publishing context belongs to no app with event channels (a `Context::new()`, or an app
    /// built without them).
    #[error(
        "channel `{channel}`: the context belongs to no app with event channels; publish with the \
         `Context` of an action call in an app built by `servey::app` (a `Context::new()` has none)"
    )]
    NoChannels {
        /// The channel.
        channel: &'static str,
    },
    /// The app's channels do not include this one.
    #[error("channel `{channel}` is not one of this app's event channels")]
    UnknownChannel {
        /// The channel.
        channel: &'static str,
    },
    /// A background or webhook event published outside a tokio runtime.
    #[error("channel `{channel}` was published outside a tokio runtime")]
    NoRuntime {
        /// The channel.
        channel: &'static str,
    },
    /// The fan-out backend refused the event.
    #[error("the websocket fan-out failed: {0}")]
    FanOut(String),
    /// The background queue refused the event.
    #[error("the background queue failed: {0}")]
    Queue(String),
    /// A webhook event with no HTTP client to deliver it (refused at start unless the channels were
    /// built by hand).
    #[error(
        "webhook channel `{channel}`: this build has no HTTP client (servey's `http-client` feature)"
    )]
    HttpClientOff {
        /// The channel.
        channel: &'static str,
    },
}
