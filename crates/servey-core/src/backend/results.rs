//! The TTL result store shared by the instances of an app: cached actions keep their results there
//! instead of in each action's in-process [`ResultStore`](crate::cache::ResultStore).

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;

use crate::cache::KeptResult;

/// Results kept outside this process for the instances of an app (Redis, say). Failures are the
/// store's to log: a result that cannot be read is a miss, one that cannot be written is not kept.
pub trait SharedResults: Send + Sync + 'static {
    /// The fresh result of `action` for this input `key` and principal, if one is kept.
    fn get<'a>(
        &'a self,
        action: &'a str,
        key: &'a [u8],
        principal: Option<&'a str>,
    ) -> BoxFuture<'a, Option<KeptResult>>;

    /// Keeps `kept` as the result of `action` for this key and principal, for `ttl`.
    fn put<'a>(
        &'a self,
        action: &'a str,
        key: &'a [u8],
        principal: Option<&'a str>,
        kept: &'a KeptResult,
        ttl: Duration,
    ) -> BoxFuture<'a, ()>;
}

/// The app's shared result store, in its backends: the invoke path keeps results there instead of in
/// each action's in-process [`ResultStore`](crate::cache::ResultStore).
#[derive(Clone)]
pub struct SharedResultStore(pub Arc<dyn SharedResults>);

impl std::fmt::Debug for SharedResultStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedResultStore")
    }
}
