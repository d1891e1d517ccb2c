//! Where the instances' Redis is, and the connection every part shares: one server (`redis://`,
//! `rediss://`), or the master that a set of Sentinels names (`redis+sentinel://`), followed when they
//! fail over. Each part clones [`Connection`]; a command that finds the master gone (a refused or broken
//! connection, or a `READONLY` answer from a demoted one) asks the Sentinels where it is now, connects
//! there, and is sent again once.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use ::redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use ::redis::sentinel::{SentinelClient, SentinelNodeConnectionInfo, SentinelServerType};
use ::redis::{
    Client, Cmd, ErrorKind, Pipeline, RedisError, RedisFuture, RedisResult, ServerErrorKind, Value,
};

/// The URL scheme of a Sentinel-managed Redis.
const SENTINEL_SCHEME: &str = "redis+sentinel://";

/// How to reach the Redis of one app.
pub(crate) enum Target {
    /// One server.
    Single(Client),
    /// The master of `service`, as the Sentinels say (one asked at a time, in turn).
    Sentinel(tokio::sync::Mutex<SentinelClient>),
}

impl Target {
    /// Reads `url`: `redis://...` or `rediss://...` for one server, or
    /// `redis+sentinel://[user:password@]host:port[,host:port...]/service[/db]` for the master a set of
    /// Sentinels names (the credentials and database are the master's).
    pub(crate) fn parse(url: &str) -> RedisResult<Self> {
        let Some(rest) = url.strip_prefix(SENTINEL_SCHEME) else {
            return Client::open(url).map(Self::Single);
        };
        let invalid = |what: &str| {
            RedisError::from((
                ErrorKind::InvalidClientConfig,
                "invalid redis+sentinel:// URL",
                format!(
                    "{what}; expected redis+sentinel://[user:password@]host:port[,host:port...]/service[/db]"
                ),
            ))
        };
        let (credentials, rest) = match rest.rsplit_once('@') {
            Some((credentials, rest)) => (Some(credentials), rest),
            None => (None, rest),
        };
        let (hosts, path) = rest
            .split_once('/')
            .ok_or_else(|| invalid("no service name"))?;
        let mut path = path.split('/');
        let service = path
            .next()
            .filter(|service| !service.is_empty())
            .ok_or_else(|| invalid("no service name"))?;
        let db: i64 = match path.next().filter(|db| !db.is_empty()) {
            Some(db) => db
                .parse()
                .map_err(|_| invalid("the database is not a number"))?,
            None => 0,
        };
        let sentinels: Vec<String> = hosts
            .split(',')
            .filter(|host| !host.is_empty())
            .map(|host| format!("redis://{host}"))
            .collect();
        if sentinels.is_empty() {
            return Err(invalid("no Sentinel address"));
        }
        let mut master = ::redis::RedisConnectionInfo::default().set_db(db);
        if let Some(credentials) = credentials {
            let (user, password) = match credentials.split_once(':') {
                Some((user, password)) => (Some(user), Some(password)),
                None => (None, Some(credentials)),
            };
            if let Some(user) = user.filter(|user| !user.is_empty()) {
                master = master.set_username(user);
            }
            if let Some(password) = password {
                master = master.set_password(password);
            }
        }
        let node = SentinelNodeConnectionInfo::default().set_redis_connection_info(master);
        let client = SentinelClient::build(
            sentinels,
            service.to_owned(),
            Some(node),
            SentinelServerType::Master,
        )?;
        Ok(Self::Sentinel(tokio::sync::Mutex::new(client)))
    }

    /// A client of the server to use now: the one server, or the master the Sentinels name.
    pub(crate) async fn client(&self) -> RedisResult<Client> {
        match self {
            Self::Single(client) => Ok(client.clone()),
            Self::Sentinel(sentinels) => sentinels.lock().await.async_get_client().await,
        }
    }

    fn follows_a_master(&self) -> bool {
        matches!(self, Self::Sentinel(_))
    }
}

/// The connection the parts share: cheap to clone, reconnecting on its own, and following the master
/// of a Sentinel-managed Redis.
#[derive(Clone)]
pub(crate) struct Connection(Arc<Shared>);

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("follows_a_master", &self.0.target.follows_a_master())
            .finish_non_exhaustive()
    }
}

struct Shared {
    target: Arc<Target>,
    current: RwLock<ConnectionManager>,
}

/// Few retries and short timeouts: callers back off themselves and log an outage once.
fn manager_config() -> ConnectionManagerConfig {
    ConnectionManagerConfig::new()
        .set_number_of_retries(1)
        .set_connection_timeout(Some(Duration::from_secs(2)))
        .set_response_timeout(Some(Duration::from_secs(5)))
}

impl Connection {
    /// Connects to what `target` names now.
    pub(crate) async fn open(target: Arc<Target>) -> RedisResult<Self> {
        let manager = target
            .client()
            .await?
            .get_connection_manager_with_config(manager_config())
            .await?;
        Ok(Self(Arc::new(Shared {
            target,
            current: RwLock::new(manager),
        })))
    }

    fn manager(&self) -> ConnectionManager {
        match self.0.current.read() {
            Ok(current) => current.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Asks the Sentinels for the master and connects there, for every clone of this connection.
    async fn follow(&self) -> RedisResult<ConnectionManager> {
        let manager = self
            .0
            .target
            .client()
            .await?
            .get_connection_manager_with_config(manager_config())
            .await?;
        match self.0.current.write() {
            Ok(mut current) => *current = manager.clone(),
            Err(poisoned) => *poisoned.into_inner() = manager.clone(),
        }
        tracing::info!("Redis: following the master the Sentinels name");
        Ok(manager)
    }

    /// Whether `error` says the master is no longer where this connection points.
    fn lost_master(&self, error: &RedisError) -> bool {
        self.0.target.follows_a_master()
            && (error.is_io_error()
                || error.is_connection_refusal()
                || error.is_connection_dropped()
                || error.kind() == ErrorKind::Server(ServerErrorKind::ReadOnly))
    }
}

impl ConnectionLike for Connection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        Box::pin(async move {
            let mut manager = self.manager();
            match manager.req_packed_command(cmd).await {
                Err(error) if self.lost_master(&error) => {
                    self.follow().await?.req_packed_command(cmd).await
                }
                answer => answer,
            }
        })
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        Box::pin(async move {
            let mut manager = self.manager();
            match manager.req_packed_commands(pipeline, offset, count).await {
                Err(error) if self.lost_master(&error) => {
                    self.follow()
                        .await?
                        .req_packed_commands(pipeline, offset, count)
                        .await
                }
                answer => answer,
            }
        })
    }

    fn get_db(&self) -> i64 {
        self.manager().get_db()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentinel_urls_name_the_sentinels_and_the_service() {
        assert!(matches!(
            Target::parse("redis+sentinel://127.0.0.1:26379,127.0.0.1:26380/mymaster/2"),
            Ok(Target::Sentinel(_))
        ));
        assert!(matches!(
            Target::parse("redis+sentinel://:secret@127.0.0.1:26379/mymaster"),
            Ok(Target::Sentinel(_))
        ));
        assert!(matches!(
            Target::parse("redis://127.0.0.1:6379/0"),
            Ok(Target::Single(_))
        ));
        for bad in [
            "redis+sentinel://127.0.0.1:26379",
            "redis+sentinel://127.0.0.1:26379/",
            "redis+sentinel:///mymaster",
            "redis+sentinel://127.0.0.1:26379/mymaster/x",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }
}
