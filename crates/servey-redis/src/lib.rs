//! servey's Redis backend: several instances of one app (the same binary on several ports or machines)
//! cooperate through one Redis. It fills every slot of core's [`Backends`]: websocket events fan out
//! through pub/sub to the subscribers of every instance ([`RedisFanOut`]), background events are
//! durable apalis jobs ([`RedisQueue`]), each scheduled tick runs on the instance that claims it first
//! ([`RedisTickLease`]), the TTL result cache is shared too ([`RedisResults`]), and so are rate limits
//! ([`RedisLimits`]: a limit holds for the fleet). The facade turns it
//! on with its `redis` feature and `SERVEY_REDIS_URL`.
//!
//! [`RedisBackend::connect`] fails at once when Redis cannot be reached; once running, a lost connection
//! is logged once, HTTP keeps being served, and every part reconnects with backoff (jittered) and
//! resumes. A Redis that does not answer within [`RedisBackend::call_timeout`] counts as lost for the
//! call that waited: a cached result is a miss, a tick is not run here, a background event is stored
//! again later.

mod connection;
mod fan_out;
mod lease;
mod limits;
mod outage;
mod queue;
mod results;
mod scripts;
mod worker;

use std::sync::Arc;
use std::time::Duration;

pub(crate) use connection::{Connection, Target};
use servey_core::{Backends, Registry};

pub use fan_out::RedisFanOut;
pub use lease::RedisTickLease;
pub use limits::RedisLimits;
pub use queue::RedisQueue;
pub use results::RedisResults;

/// Redis (`SERVEY_REDIS_URL`) could not be reached or used at start.
#[derive(Debug, thiserror::Error)]
#[error(
    "cannot use Redis at {url}: {source}; start redis-server there, or unset SERVEY_REDIS_URL to \
     run everything in this process"
)]
pub struct RedisError {
    /// The URL, its password hidden.
    pub url: String,
    /// The client's error.
    #[source]
    pub source: ::redis::RedisError,
}

/// A connection to the Redis that the instances of one app share, and the names they share there.
#[derive(Clone)]
pub struct RedisBackend {
    url: String,
    target: Arc<Target>,
    connection: Connection,
    namespace: String,
    heartbeat: Duration,
    call_timeout: Duration,
    tick_lease: Duration,
    history: usize,
}

impl std::fmt::Debug for RedisBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisBackend")
            .field("url", &self.url)
            .field("namespace", &self.namespace)
            .field("heartbeat", &self.heartbeat)
            .field("call_timeout", &self.call_timeout)
            .field("tick_lease", &self.tick_lease)
            .field("history", &self.history)
            .finish_non_exhaustive()
    }
}

impl RedisBackend {
    /// Connects to `url` (`redis://host:port/db`, `rediss://` for TLS,
    /// `redis+sentinel://host:port[,host:port...]/service[/db]` for the master a set of Sentinels names,
    /// followed when they fail over, or `redis+cluster://host:port[,host:port...]` for a Redis Cluster)
    /// and checks it answers; the error names the URL (its password
    /// hidden). Keys and channels start with `servey:`.
    pub async fn connect(url: &str) -> Result<Self, RedisError> {
        let shown = redact(url);
        let failed = |source| RedisError {
            url: shown.clone(),
            source,
        };
        let target = Arc::new(Target::parse(url).map_err(failed)?);
        let mut connection = Connection::open(target.clone()).await.map_err(failed)?;
        ::redis::cmd("PING")
            .query_async::<()>(&mut connection)
            .await
            .map_err(failed)?;
        Ok(Self {
            url: shown,
            target,
            connection,
            namespace: "servey".to_owned(),
            heartbeat: Duration::from_secs(2),
            call_timeout: Duration::from_secs(1),
            tick_lease: Duration::from_secs(10),
            history: servey_core::backend::DEFAULT_HISTORY,
        })
    }

    /// Prefixes every key and pub/sub channel with `namespace:` (default `servey`): the instances of one
    /// app share a namespace, different apps on one Redis need their own.
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }

    /// How often a background worker tells Redis it is alive (default 2 s); a worker silent for three
    /// beats is dead and its unfinished jobs go back to the queue for another instance.
    pub fn heartbeat(mut self, every: Duration) -> Self {
        self.heartbeat = every.max(Duration::from_secs(1));
        self
    }

    /// How long a call waits for Redis before it goes on without it (default 1 s, `SERVEY_REDIS_TIMEOUT`):
    /// a cached result not read in time is a miss, one not written in time is not kept, a tick not
    /// claimed in time does not run here, and a background event not stored in time is stored again.
    pub fn call_timeout(mut self, timeout: Duration) -> Self {
        self.call_timeout = timeout;
        self
    }

    /// How long a running tick's claim lives unless its instance renews it (default 10 s, renewed every
    /// third of that): an instance that dies mid-run has its tick run again elsewhere about this long
    /// after. At least 1 s.
    pub fn tick_lease(mut self, lease: Duration) -> Self {
        self.tick_lease = lease.max(Duration::from_secs(1));
        self
    }

    /// Keeps about the last `events` of each websocket channel (at least that many; default 1000) in
    /// its Redis stream, for subscribers that resume after a reconnect.
    pub fn history(mut self, events: usize) -> Self {
        self.history = events.max(1);
        self
    }

    /// The URL it connected to, its password hidden.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Core's backends of an app over `registry` with every slot in this Redis: websocket events,
    /// background events, scheduled ticks, cached results and rate limits. Subscribes to the event channel before it
    /// returns, so no event published after start is missed.
    pub async fn backends(&self, registry: &Registry) -> Result<Backends, RedisError> {
        let subscription = fan_out::subscribe(self)
            .await
            .map_err(|source| RedisError {
                url: self.url.clone(),
                source,
            })?;
        let runtime = tokio::runtime::Handle::current();
        Ok(Backends::in_process(registry)
            .with_fan_out(RedisFanOut::start(self, &runtime, subscription))
            .with_background_queue(RedisQueue::new(self, registry.clone()))
            .with_tick_lease(RedisTickLease::new(self))
            .with_shared_results(RedisResults::new(self))
            .with_shared_limits(RedisLimits::new(self))
            .with_probe("redis", self.probe()))
    }

    /// What `/health/ready` asks: whether Redis answers a `PING` within the call timeout.
    pub fn probe(&self) -> RedisProbe {
        RedisProbe {
            connection: self.connection.clone(),
            timeout: self.call_timeout,
        }
    }

    /// The full name of a key or channel: `namespace:name`, or `{namespace}:name` on a cluster (one hash
    /// tag: all of an app's keys in one slot, so that its scripts may take several).
    fn key(&self, name: &str) -> String {
        if self.target.is_cluster() {
            // One hash tag for all of an app's keys: one slot, so a script may take several of them.
            format!("{{{}}}:{name}", self.namespace)
        } else {
            format!("{}:{name}", self.namespace)
        }
    }
}

/// Whether Redis answers now, for readiness.
#[derive(Clone)]
pub struct RedisProbe {
    connection: Connection,
    timeout: Duration,
}

impl servey_core::backend::Probe for RedisProbe {
    fn probe(&self) -> futures_util::future::BoxFuture<'_, Result<(), String>> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            within(
                self.timeout,
                ::redis::cmd("PING").query_async::<()>(&mut connection),
            )
            .await
        })
    }
}

/// `call`'s answer, or its error as text, or a timeout's once it took longer than `timeout` (callers only
/// log the error, or hand it on to be logged).
async fn within<T, E: std::fmt::Display>(
    timeout: Duration,
    call: impl Future<Output = Result<T, E>>,
) -> Result<T, String> {
    match tokio::time::timeout(timeout, call).await {
        Ok(answer) => answer.map_err(|error| error.to_string()),
        Err(_) => Err(format!("Redis did not answer within {timeout:?}")),
    }
}

/// `url` with its password replaced by `***`, for messages and logs.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.rsplit_once('@') {
        Some((credentials, host)) => {
            let user = credentials.split(':').next().unwrap_or_default();
            let hidden = if credentials.contains(':') {
                format!("{user}:***")
            } else {
                "***".to_owned()
            };
            format!("{scheme}://{hidden}@{host}")
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn urls_in_messages_hide_their_password() {
        assert_eq!(
            redact("redis://127.0.0.1:6379/0"),
            "redis://127.0.0.1:6379/0"
        );
        assert_eq!(
            redact("redis://user:secret@host:6379"),
            "redis://user:***@host:6379"
        );
        assert_eq!(redact("rediss://secret@host"), "rediss://***@host");
    }
}
