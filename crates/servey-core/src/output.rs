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
    #[cfg(feature = "msgpack")]
    fn to_msgpack(&self) -> Result<Vec<u8>, rmp_serde::encode::Error>;
}

impl<T: Serialize + Send + Sync> ErasedResult for T {
    fn to_bytes(&self) -> serde_json::Result<Vec<u8>> {
        serde_json::to_vec(self)
    }

    fn to_value(&self) -> serde_json::Result<Value> {
        serde_json::to_value(self)
    }

    #[cfg(feature = "msgpack")]
    fn to_msgpack(&self) -> Result<Vec<u8>, rmp_serde::encode::Error> {
        rmp_serde::to_vec_named(self)
    }
}

enum Body {
    Typed(Box<dyn ErasedResult>),
    Json(Bytes),
}

/// What a successful call returns: the result plus the cache headers its policy chose and the response
/// headers the action set.
pub struct ActionOutput {
    body: Body,
    cache: Option<CacheHeaders>,
    headers: Vec<(String, String)>,
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
            headers: Vec::new(),
        }
    }

    /// Wraps an already-serialized JSON result.
    pub fn from_json_bytes(bytes: Bytes) -> Self {
        Self {
            body: Body::Json(bytes),
            cache: None,
            headers: Vec::new(),
        }
    }

    pub(crate) fn with_cache(mut self, cache: CacheHeaders) -> Self {
        self.cache = Some(cache);
        self
    }

    /// The result of a [`Reply`]: its value, with its headers.
    pub fn from_reply<T: Serialize + Send + Sync + 'static>(reply: Reply<T>) -> Self {
        let mut output = Self::new(reply.value);
        output.headers = reply.headers;
        output
    }

    /// The response headers the action set (through [`Reply`]).
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// This output with `headers` (kept across the result cache).
    pub(crate) fn with_headers(mut self, headers: Vec<(String, String)>) -> Self {
        self.headers = headers;
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

    /// The result in `format`: JSON bytes, or MessagePack straight from the typed result.
    pub fn to_bytes_in(&self, format: crate::format::BodyFormat) -> Result<Bytes, ActionError> {
        match (format, &self.body) {
            (crate::format::BodyFormat::Json, _) => self.to_json_bytes(),
            #[cfg(feature = "msgpack")]
            (crate::format::BodyFormat::MessagePack, Body::Typed(result)) => result
                .to_msgpack()
                .map(Bytes::from)
                .map_err(ActionError::internal),
            (crate::format::BodyFormat::MessagePack, _) => {
                format.encode(&self.to_value()?).map(Bytes::from)
            }
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

/// A result with response headers: return `Reply<T>` (or `Result<Reply<T>, E>`) to set `Location` and
/// the like on the REST response. The schema is `T`'s; GraphQL and the CLI see only the value. Declare
/// the headers with `headers = ["Location"]` so that OpenAPI documents them.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply<T> {
    value: T,
    headers: Vec<(String, String)>,
}

impl<T> Reply<T> {
    /// `value` with no headers yet.
    pub fn new(value: T) -> Self {
        Self {
            value,
            headers: Vec::new(),
        }
    }

    /// This reply with the header `name: value`.
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The value.
    pub fn value(&self) -> &T {
        &self.value
    }
}
