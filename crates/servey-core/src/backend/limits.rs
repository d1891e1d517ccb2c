//! Rate limits shared by the instances of an app: each call takes from one bucket kept outside the
//! process, so that a limit of 60 a minute holds for the fleet rather than for each instance.

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;

use crate::rate::RateLimit;

/// Buckets kept outside this process for the instances of an app (Redis, say). Outages are the store's
/// to log; while it cannot answer, each instance applies the limit on its own.
pub trait SharedLimits: Send + Sync + 'static {
    /// Takes one call from the bucket `key` of `limit`: `Ok(None)` admits it, `Ok(Some(wait))` refuses
    /// it until `wait` has passed, `Err(())` says the store did not answer.
    fn take<'a>(
        &'a self,
        key: &'a str,
        limit: RateLimit,
    ) -> BoxFuture<'a, Result<Option<Duration>, ()>>;
}

/// The app's shared rate limits, in its backends: the invoke path takes from them instead of from each
/// action's in-process buckets.
#[derive(Clone)]
pub struct SharedLimitStore(pub Arc<dyn SharedLimits>);

impl std::fmt::Debug for SharedLimitStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedLimitStore")
    }
}
