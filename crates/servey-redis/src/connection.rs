//! Where the instances' Redis is, and the connection every part shares: one server (`redis://`,
//! `rediss://`), the master that a set of Sentinels names (`redis+sentinel://`), followed when they
//! fail over, or a Redis Cluster (`redis+cluster://`). Each part clones [`Connection`]; a command that
//! finds the master gone (a refused or broken connection, or a `READONLY` answer from a demoted one)
//! asks the Sentinels where it is now, connects there, and is sent again once. On a cluster, every key
//! of an app carries one hash tag (see `RedisBackend::key`), so its scripts' keys share a slot, and
//! pub/sub (which a cluster broadcasts to every node) goes through any one node.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use ::redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use ::redis::cluster::ClusterClient;
use ::redis::cluster_async::ClusterConnection;
use ::redis::sentinel::{SentinelClient, SentinelNodeConnectionInfo, SentinelServerType};
use ::redis::{
    Client, Cmd, ErrorKind, Pipeline, RedisError, RedisFuture, RedisResult, ServerErrorKind, Value,
};

/// The URL scheme of a Sentinel-managed Redis.
const SENTINEL_SCHEME: &str = "redis+sentinel://";
/// The URL scheme of a Redis Cluster.
const CLUSTER_SCHEME: &str = "redis+cluster://";

/// How to reach the Redis of one app.
pub(crate) enum Target {
    /// One server.
    Single(Client),
    /// The master of `service`, as the Sentinels say (one asked at a time, in turn).
    Sentinel(tokio::sync::Mutex<SentinelClient>),
    /// A Redis Cluster, and a client of each node it was given (for pub/sub).
    Cluster(ClusterClient, Vec<Client>),
}

impl Target {
    /// Reads `url`: `redis://...` or `rediss://...` for one server, or
    /// `redis+sentinel://[user:password@]host:port[,host:port...]/service[/db]` for the master a set of
    /// Sentinels names (the credentials and database are the master's).
    pub(crate) fn parse(url: &str) -> RedisResult<Self> {
        if let Some(rest) = url.strip_prefix(CLUSTER_SCHEME) {
            return Self::cluster(rest);
        }
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

    /// `redis+cluster://[user:password@]host:port[,host:port...]`: some nodes of the cluster (it finds
    /// the others itself).
    fn cluster(rest: &str) -> RedisResult<Self> {
        let (credentials, hosts) = match rest.trim_end_matches('/').rsplit_once('@') {
            Some((credentials, hosts)) => (format!("{credentials}@"), hosts),
            None => (String::new(), rest.trim_end_matches('/')),
        };
        let nodes: Vec<String> = hosts
            .split(',')
            .filter(|host| !host.is_empty())
            .map(|host| format!("redis://{credentials}{host}"))
            .collect();
        if nodes.is_empty() || hosts.contains('/') {
            return Err(RedisError::from((
                ErrorKind::InvalidClientConfig,
                "invalid redis+cluster:// URL",
                "expected redis+cluster://[user:password@]host:port[,host:port...]".to_owned(),
            )));
        }
        let clients = nodes
            .iter()
            .map(|node| Client::open(node.as_str()))
            .collect::<RedisResult<Vec<_>>>()?;
        Ok(Self::Cluster(ClusterClient::new(nodes)?, clients))
    }

    /// A client of the server to use now: the one server, or the master the Sentinels name.
    async fn client(&self) -> RedisResult<Client> {
        match self {
            Self::Single(client) => Ok(client.clone()),
            Self::Sentinel(sentinels) => sentinels.lock().await.async_get_client().await,
            Self::Cluster(_, nodes) => nodes.first().cloned().ok_or_else(|| {
                RedisError::from((ErrorKind::InvalidClientConfig, "a cluster with no node"))
            }),
        }
    }

    /// A pub/sub connection: to the one server, the master, or the first node of a cluster that
    /// answers (a cluster's `PUBLISH` reaches the subscribers of every node).
    pub(crate) async fn pubsub(&self) -> RedisResult<::redis::aio::PubSub> {
        let Self::Cluster(_, nodes) = self else {
            return self.client().await?.get_async_pubsub().await;
        };
        let mut last = None;
        for node in nodes {
            match node.get_async_pubsub().await {
                Ok(pubsub) => return Ok(pubsub),
                Err(error) => last = Some(error),
            }
        }
        Err(last.unwrap_or_else(|| {
            RedisError::from((ErrorKind::InvalidClientConfig, "a cluster with no node"))
        }))
    }

    /// Whether this is a cluster (whose keys need one hash tag per app).
    pub(crate) fn is_cluster(&self) -> bool {
        matches!(self, Self::Cluster(..))
    }

    fn follows_a_master(&self) -> bool {
        matches!(self, Self::Sentinel(_))
    }

    async fn manager(&self) -> RedisResult<Manager> {
        match self {
            Self::Cluster(cluster, _) => {
                Ok(Manager::Cluster(cluster.get_async_connection().await?))
            }
            _ => Ok(Manager::Single(
                self.client()
                    .await?
                    .get_connection_manager_with_config(manager_config())
                    .await?,
            )),
        }
    }
}

/// The connection of one moment: to one server (reconnecting on its own), or to a cluster.
#[derive(Clone)]
enum Manager {
    Single(ConnectionManager),
    Cluster(ClusterConnection),
}

impl ConnectionLike for Manager {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Self::Single(manager) => manager.req_packed_command(cmd),
            Self::Cluster(cluster) => cluster.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Self::Single(manager) => manager.req_packed_commands(pipeline, offset, count),
            Self::Cluster(cluster) => cluster.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Self::Single(manager) => manager.get_db(),
            Self::Cluster(cluster) => cluster.get_db(),
        }
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
    current: RwLock<Manager>,
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
        let manager = target.manager().await?;
        Ok(Self(Arc::new(Shared {
            target,
            current: RwLock::new(manager),
        })))
    }

    fn manager(&self) -> Manager {
        match self.0.current.read() {
            Ok(current) => current.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Asks the Sentinels for the master and connects there, for every clone of this connection.
    async fn follow(&self) -> RedisResult<Manager> {
        let manager = self.0.target.manager().await?;
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
        assert!(matches!(
            Target::parse("redis+cluster://127.0.0.1:7000,127.0.0.1:7001"),
            Ok(Target::Cluster(_, nodes)) if nodes.len() == 2
        ));
        assert!(Target::parse("redis+cluster://").is_err());
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
