//! `ActionOutput`: an action's result, kept typed until an adapter asks for JSON bytes or a value.

use bytes::Bytes;
use serde::Serialize;
use serde_json::Value;

use crate::cache::CacheHeaders;
use crate::error::ActionError;

/// A serializable result with its type erased.
trait ErasedResult: Send + Sync {
    fn to_bytes(&self) -> serde_json::Result<Vec<u8>>;
    fn to_value(&self) -> serde_json::Result<Value>;
}

impl<T: Serialize + Send + Sync> ErasedResult for T {
    fn to_bytes(&self) -> serde_json::Result<Vec<u8>> {
        serde_json::to_vec(self)
    }

    fn to_value(&self) -> serde_json::Result<Value> {
        serde_json::to_value(self)
    }
}

enum Body {
    Typed(Box<dyn ErasedResult>),
    Json(Bytes),
}

/// What a successful call returns: the result plus the cache headers its policy chose.
pub struct ActionOutput {
    body: Body,
    cache: Option<CacheHeaders>,
}

impl std::fmt::Debug for ActionOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActionOutput")
            .field("cache", &self.cache)
            .finish_non_exhaustive()
    }
}

impl ActionOutput {
    /// Wraps a typed result.
    pub fn new<T: Serialize + Send + Sync + 'static>(result: T) -> Self {
        Self {
            body: Body::Typed(Box::new(result)),
            cache: None,
        }
    }

    /// Wraps an already-serialized JSON result.
    pub fn from_json_bytes(bytes: Bytes) -> Self {
        Self {
            body: Body::Json(bytes),
            cache: None,
        }
    }

    pub(crate) fn with_cache(mut self, cache: CacheHeaders) -> Self {
        self.cache = Some(cache);
        self
    }

    /// The cache headers, when the action has a cache policy.
    pub fn cache(&self) -> Option<&CacheHeaders> {
        self.cache.as_ref()
    }

    /// The result as JSON bytes.
    pub fn to_json_bytes(&self) -> Result<Bytes, ActionError> {
        match &self.body {
            Body::Typed(result) => Ok(Bytes::from(result.to_bytes()?)),
            Body::Json(bytes) => Ok(bytes.clone()),
        }
    }

    /// The result as a JSON value.
    pub fn to_value(&self) -> Result<Value, ActionError> {
        match &self.body {
            Body::Typed(result) => Ok(result.to_value()?),
            Body::Json(bytes) => Ok(serde_json::from_slice(bytes)?),
        }
    }
}
