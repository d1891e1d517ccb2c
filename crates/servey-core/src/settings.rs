//! `Settings`: the source the configuration was read from (the environment, or a map in tests), kept
//! so that each adapter reads its own typed settings through the same source as core, once, when it
//! is built.

use std::sync::Arc;
use std::time::Duration;

/// How a setting is looked up by name.
type Lookup = dyn Fn(&str) -> Option<String> + Send + Sync;

/// A source of settings by name (`SERVEY_GRAPHQL_MAX_DEPTH`, ...); cheap to clone.
#[derive(Clone)]
pub struct Settings {
    lookup: Arc<Lookup>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings").finish_non_exhaustive()
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self::new(|_| None)
    }
}

impl Settings {
    /// Settings read through `lookup`.
    pub fn new(lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        Self {
            lookup: Arc::new(lookup),
        }
    }

    /// The value of `key`, if set.
    pub fn get(&self, key: &str) -> Option<String> {
        (self.lookup)(key)
    }

    /// These settings, with `key` set to `value` whatever they say.
    pub fn with(self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let (key, value) = (key.into(), value.into());
        Self::new(move |asked| {
            if asked == key {
                Some(value.clone())
            } else {
                self.get(asked)
            }
        })
    }

    /// `key` as a count; `default` when it is missing or not a whole number.
    pub fn count(&self, key: &str, default: usize) -> usize {
        parse_count(self.get(key), default)
    }

    /// `key` in seconds (fractions allowed); `default` seconds when it is missing, not a number or
    /// not positive.
    pub fn seconds(&self, key: &str, default: u64) -> Duration {
        parse_seconds(self.get(key), default)
    }
}

/// `value` as a count, else `default`.
pub(crate) fn parse_count(value: Option<String>, default: usize) -> usize {
    value
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(default)
}

/// `value` as a positive number of seconds, else `default` seconds.
pub(crate) fn parse_seconds(value: Option<String>, default: u64) -> Duration {
    Duration::from_secs_f64(
        value
            .and_then(|value| value.trim().parse::<f64>().ok())
            .filter(|seconds| seconds.is_finite() && *seconds > 0.0)
            .unwrap_or(default as f64),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_set_with_with_wins_and_the_rest_come_from_the_source() {
        let settings = Settings::new(|key| (key == "A").then(|| "1".to_owned())).with("B", "0.5");
        assert_eq!(settings.count("A", 7), 1);
        assert_eq!(settings.seconds("B", 3), Duration::from_millis(500));
        assert_eq!(settings.count("C", 7), 7, "missing keeps the default");
        assert_eq!(
            Settings::new(|_| Some("soon".to_owned())).seconds("B", 3),
            Duration::from_secs(3),
            "unparsable keeps the default"
        );
    }
}
