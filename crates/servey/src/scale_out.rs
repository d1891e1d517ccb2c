//! The scale-out settings: the Redis that an app's instances share work through, read from the app's
//! settings when it is built (with or without the `redis` feature, so that a URL set for a binary built
//! without it is refused, not ignored).

use std::time::Duration;

use servey_core::Settings;

/// Where the app's backends live, each read from the setting named on its field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RedisSettings {
    /// `SERVEY_REDIS_URL` (or `Builder::redis_url`): the scale-out backend, when set.
    pub(crate) url: Option<String>,
    /// `SERVEY_REDIS_TIMEOUT` (seconds, default 1): how long a call waits for Redis (a cached result,
    /// a tick's claim, storing a background event) before it goes on without it: a slow Redis counts
    /// as an unreachable one.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) timeout: Duration,
    /// `SERVEY_CHANNEL_HISTORY` (default 1000): how many recent events each websocket channel keeps for
    /// subscribers that resume, in process or (about that many) in Redis.
    pub(crate) channel_history: usize,
}

impl RedisSettings {
    /// Reads the URL and the timeout from `settings`.
    pub(crate) fn from_settings(settings: &Settings) -> Self {
        Self {
            url: settings.get("SERVEY_REDIS_URL"),
            timeout: settings.seconds("SERVEY_REDIS_TIMEOUT", 1),
            channel_history: settings.count(
                "SERVEY_CHANNEL_HISTORY",
                servey_core::backend::DEFAULT_HISTORY,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_keep_1000_events_unless_told_otherwise() {
        let defaults = RedisSettings::from_settings(&Settings::default());
        assert_eq!(defaults.channel_history, 1000);
        let settings = Settings::default().with("SERVEY_CHANNEL_HISTORY", "25");
        assert_eq!(RedisSettings::from_settings(&settings).channel_history, 25);
    }

    #[test]
    fn the_redis_timeout_is_one_second_unless_set_to_a_positive_number_of_seconds() {
        let with = |value: &str| {
            let value = value.to_owned();
            let settings =
                Settings::new(move |key| (key == "SERVEY_REDIS_TIMEOUT").then(|| value.clone()));
            RedisSettings::from_settings(&settings).timeout
        };
        let defaults = RedisSettings::from_settings(&Settings::default());
        assert_eq!(
            (defaults.url, defaults.timeout),
            (None, Duration::from_secs(1))
        );
        assert_eq!(with("0.25"), Duration::from_millis(250));
        assert_eq!(with("3"), Duration::from_secs(3));
        assert_eq!(with("0"), Duration::from_secs(1));
        assert_eq!(with("soon"), Duration::from_secs(1));
    }
}
