//! `Limits`: every bound that protects a running app, on by default and configured in one place.

use std::time::Duration;

use crate::rate::RateLimit;
use crate::settings::{parse_count, parse_seconds};

/// The bounds a server applies to what callers send and how long they may take. Each is read from the
/// environment variable named on its field; the README's configuration table lists them.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// `SERVEY_BODY_LIMIT` (bytes, default 1 MiB): larger request bodies are answered `413`.
    pub body_bytes: usize,
    /// `SERVEY_HEADER_READ_TIMEOUT` (seconds, default 10): a connection that has not sent a whole request
    /// head this long after it began waiting for one (a new connection, or an idle keep-alive one) is
    /// closed; it bounds the TLS handshake too.
    pub header_read_timeout: Duration,
    /// `SERVEY_BODY_READ_TIMEOUT` (seconds, default 30): how long a request body may take to arrive
    /// once its head has; a slower one is answered `408` and its connection closed, so that a slow
    /// upload cannot keep a request slot.
    pub body_read_timeout: Duration,
    /// `SERVEY_STALL_THRESHOLD` (seconds, default 2): a poll of an action that holds a worker this long
    /// without yielding is logged once with the action's name and counted (`servey_stalled_polls_total`);
    /// when no worker has been free for this long, the listener answers new connections itself: `/health`
    /// `503`, `/metrics`, and `503` for the rest.
    pub stall_threshold: Duration,
    /// `SERVEY_ACTION_TIMEOUT` (seconds, default 30; `off` for none): how long a call of an action that
    /// declares no `timeout` may take before it is answered `504`. A synchronous body running inline
    /// cannot be interrupted; declare `blocking = true` or a `timeout` for one that may be slow.
    pub action_timeout: Option<Duration>,
    /// `SERVEY_JOBS_TIMEOUT` (seconds, default 30; `off` for none): how long one job (`POST /jobs`, or a
    /// local client's job) may run in all; the action running then and every one after it are answered
    /// `504` in the job's outcomes, and the answer goes out.
    pub jobs_timeout: Option<Duration>,
    /// `SERVEY_RATE_LIMIT` (`CALLS/SECONDS`, e.g. `600/60`; default none): the rate limit of every action
    /// that declares no `rate_limit` of its own, per action and caller.
    pub rate_limit: Option<RateLimit>,
    /// `SERVEY_MAX_CONCURRENT_REQUESTS` (default 1024): requests beyond this many in flight are answered
    /// `503` with `Retry-After` instead of queueing.
    pub max_concurrent_requests: usize,
    /// `SERVEY_WEBSOCKET_MESSAGE_LIMIT` (bytes, default 64 KiB): a larger websocket message or frame
    /// closes the socket with code 1009.
    pub websocket_message_bytes: usize,
    /// `SERVEY_SHUTDOWN_GRACE` (seconds, default 30): how long a stopping server lets in-flight requests
    /// and running jobs finish.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self::from_lookup(&|_| None)
    }
}

impl Limits {
    /// Reads each limit through `lookup`; a missing or unparsable value keeps the default.
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Self {
        let number = |key: &str, default: usize| parse_count(lookup(key), default);
        let seconds = |key: &str, default: u64| parse_seconds(lookup(key), default);
        let optional_seconds = |key: &str, default: u64| match lookup(key).as_deref().map(str::trim)
        {
            Some("off" | "0") => None,
            _ => Some(seconds(key, default)),
        };
        Self {
            body_bytes: number("SERVEY_BODY_LIMIT", 1024 * 1024),
            header_read_timeout: seconds("SERVEY_HEADER_READ_TIMEOUT", 10),
            body_read_timeout: seconds("SERVEY_BODY_READ_TIMEOUT", 30),
            stall_threshold: seconds("SERVEY_STALL_THRESHOLD", 2),
            action_timeout: optional_seconds("SERVEY_ACTION_TIMEOUT", 30),
            jobs_timeout: optional_seconds("SERVEY_JOBS_TIMEOUT", 30),
            rate_limit: lookup("SERVEY_RATE_LIMIT").and_then(|value| {
                let (calls, seconds) = value.trim().split_once('/')?;
                let count = calls.trim().parse().ok().filter(|count| *count > 0)?;
                let seconds: u64 = seconds.trim().parse().ok().filter(|seconds| *seconds > 0)?;
                Some(RateLimit {
                    count,
                    period: Duration::from_secs(seconds),
                })
            }),
            max_concurrent_requests: number("SERVEY_MAX_CONCURRENT_REQUESTS", 1024).max(1),
            websocket_message_bytes: number("SERVEY_WEBSOCKET_MESSAGE_LIMIT", 64 * 1024),
            shutdown_grace: seconds("SERVEY_SHUTDOWN_GRACE", 30),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_on_by_default_and_read_from_their_variables() {
        let defaults = Limits::default();
        assert_eq!(defaults.body_bytes, 1024 * 1024);
        assert_eq!(defaults.header_read_timeout, Duration::from_secs(10));
        let set = Limits::from_lookup(&|key| match key {
            "SERVEY_BODY_LIMIT" => Some("2048".into()),
            "SERVEY_SHUTDOWN_GRACE" => Some("0.5".into()),
            "SERVEY_RATE_LIMIT" => Some("600/60".into()),
            "SERVEY_HEADER_READ_TIMEOUT" => Some("never".into()),
            "SERVEY_JOBS_TIMEOUT" => Some("off".into()),
            _ => None,
        });
        assert_eq!(set.body_bytes, 2048);
        assert_eq!(set.shutdown_grace, Duration::from_millis(500));
        assert_eq!(set.rate_limit, Some(RateLimit::per_minute(600)));
        assert_eq!(defaults.rate_limit, None);
        assert_eq!(defaults.jobs_timeout, Some(Duration::from_secs(30)));
        assert_eq!(set.jobs_timeout, None);
        assert_eq!(
            set.header_read_timeout,
            Duration::from_secs(10),
            "unparsable keeps the default"
        );
    }
}
