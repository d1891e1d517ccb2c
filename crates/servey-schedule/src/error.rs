//! The errors of this crate: `ScheduleError` when starting (bad schedules, bad channel declarations);
//! `PublishError`, when an event cannot be handed to its channel, is core's (backends return it too).

pub use servey_core::backend::PublishError;

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
}
