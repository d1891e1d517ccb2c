//! The errors of this crate: `ScheduleError` when starting (bad schedules, bad channel declarations) and
//! `PublishError` when an event cannot be handed to its channel.

use tokio_cron_scheduler::JobSchedulerError;

/// Why the scheduler, the routes or the channels could not start.
#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    /// A `cron("...")` trigger that does not parse.
    #[error(
        "action `{action}`: invalid cron expression `{expression}`: expected six fields, seconds first \
         (`sec min hour day-of-month month day-of-week`, e.g. `0 */5 * * * *` for every five minutes), found {fields}"
    )]
    InvalidCron {
        /// The action whose trigger it is.
        action: String,
        /// The expression as written.
        expression: String,
        /// How many whitespace-separated fields it has.
        fields: usize,
    },
    /// A `fixed_rate(0)` trigger.
    #[error("action `{action}`: fixed_rate(0) is not a rate; use at least 1 second")]
    ZeroRate {
        /// The action whose trigger it is.
        action: String,
    },
    /// Two channels declared with the same name.
    #[error("two event channels are named `{name}`; channel names must be unique")]
    DuplicateChannel {
        /// The shared name.
        name: String,
    },
    /// A background channel naming an action the registry does not have.
    #[error(
        "background channel `{channel}` runs the action `{action}`, which is not registered; \
         check the name in `background_channel!`"
    )]
    UnknownAction {
        /// The channel.
        channel: String,
        /// The action it names.
        action: String,
    },
    /// The app was built without event channels (`App::new` alone).
    #[error(
        "this app has no event channels: build it with `servey::app(registry, config)`, or put \
         `servey_schedule::Channels::new(&registry)?` in the state it is built with"
    )]
    NoChannels,
    /// A webhook channel is declared and this build cannot POST (servey's `http-client` feature is off).
    #[error(
        "webhook channel `{channel}`: delivering webhooks needs servey's `http-client` cargo feature, which is off in this build; turn it on in Cargo.toml (`servey = {{ features = [\"http-client\"] }}`)"
    )]
    HttpClientOff {
        /// The channel.
        channel: String,
    },
    /// The job scheduler itself failed.
    #[error("the job scheduler failed: {0}")]
    Scheduler(#[source] JobSchedulerError),
    /// Redis (`SERVEY_REDIS_URL`) could not be reached or used at start.
    #[error(
        "cannot use Redis at {url}: {source}; start redis-server there, or unset SERVEY_REDIS_URL to \
         run everything in this process"
    )]
    Redis {
        /// The URL, its password hidden.
        url: String,
        /// The client's error.
        #[source]
        source: redis::RedisError,
    },
}

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
