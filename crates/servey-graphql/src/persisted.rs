//! Apollo's automatic persisted queries: a request may send `extensions.persistedQuery.sha256Hash`
//! instead of its query text. An unknown hash is answered `PersistedQueryNotFound`, and the client
//! resends the hash with the text; a text whose SHA-256 is the hash is kept (bounded, per app) and run,
//! a text that does not match its hash is refused and never kept.

use std::sync::Arc;

use async_graphql::Value;
use moka::sync::Cache;
use sha2::{Digest, Sha256};

use crate::documents::bounded;

/// The bounded store of query texts by the lowercase hex SHA-256 of their text.
#[derive(Clone)]
pub(crate) struct PersistedQueries(Option<Cache<String, Arc<str>>>);

/// Why a persisted query cannot run.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum PersistedError {
    /// The hash names no stored query: the client should resend it with the query text.
    NotFound,
    /// The query text does not hash to the hash sent with it.
    HashMismatch,
    /// The `persistedQuery` extension is not `{"version": 1, "sha256Hash": "..."}`.
    Malformed,
}

impl PersistedError {
    /// The message clients key on (Apollo's own for the first two).
    pub(crate) fn message(&self) -> &'static str {
        match self {
            Self::NotFound => "PersistedQueryNotFound",
            Self::HashMismatch => "provided sha does not match query",
            Self::Malformed => {
                "The `persistedQuery` extension must be {\"version\": 1, \"sha256Hash\": \"<hex SHA-256 of the query>\"}."
            }
        }
    }

    /// The `extensions.code` of the error.
    pub(crate) fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "PERSISTED_QUERY_NOT_FOUND",
            Self::HashMismatch => "PERSISTED_QUERY_HASH_MISMATCH",
            Self::Malformed => "BAD_REQUEST",
        }
    }
}

/// A hash to remember for the query text once that text has parsed.
pub(crate) struct ToStore(String);

impl PersistedQueries {
    /// A store of up to `capacity` queries; 0 keeps none (every hash is then unknown).
    pub(crate) fn new(capacity: usize) -> Self {
        Self(bounded(capacity, |_, query: &Arc<str>| query.len()))
    }

    /// Resolves `request`'s persisted query, if it sends one: fills in the stored text for a bare hash,
    /// or checks a sent text against its hash (returning the hash to store once the text parses).
    pub(crate) fn resolve(
        &self,
        request: &mut async_graphql::Request,
    ) -> Result<Option<ToStore>, PersistedError> {
        let Some(extension) = request.extensions.0.remove("persistedQuery") else {
            return Ok(None);
        };
        let hash = sent_hash(extension)?;
        if request.query.is_empty() {
            let stored = self.0.as_ref().and_then(|cache| cache.get(&hash));
            let query = stored.ok_or(PersistedError::NotFound)?;
            request.query = query.to_string();
            return Ok(None);
        }
        if format!("{:x}", Sha256::digest(request.query.as_bytes())) != hash {
            return Err(PersistedError::HashMismatch);
        }
        let is_stored = self
            .0
            .as_ref()
            .is_some_and(|cache| cache.contains_key(&hash));
        Ok((!is_stored).then_some(ToStore(hash)))
    }

    /// Keeps `query` under the hash [`resolve`](Self::resolve) checked it against.
    pub(crate) fn store(&self, hash: ToStore, query: &Arc<str>) {
        if let Some(cache) = &self.0 {
            cache.insert(hash.0, query.clone());
        }
    }
}

/// The lowercase hash of a version-1 `persistedQuery` extension.
fn sent_hash(extension: Value) -> Result<String, PersistedError> {
    let Value::Object(fields) = extension else {
        return Err(PersistedError::Malformed);
    };
    let is_version_1 =
        matches!(fields.get("version"), Some(Value::Number(n)) if n.as_u64() == Some(1));
    match fields.get("sha256Hash") {
        Some(Value::String(hash))
            if is_version_1
                && hash.len() == 64
                && hash.bytes().all(|byte| byte.is_ascii_hexdigit()) =>
        {
            Ok(hash.to_ascii_lowercase())
        }
        _ => Err(PersistedError::Malformed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(query: &str, hash: &str) -> async_graphql::Request {
        let mut request = async_graphql::Request::new(query);
        let extension = serde_json::json!({ "version": 1, "sha256Hash": hash });
        request.extensions.0.insert(
            "persistedQuery".to_owned(),
            Value::from_json(extension).expect("JSON converts"),
        );
        request
    }

    const QUERY: &str = "{ a }";

    fn hash() -> String {
        format!("{:x}", Sha256::digest(QUERY.as_bytes()))
    }

    #[test]
    fn a_hash_is_known_once_sent_with_its_query() {
        let store = PersistedQueries::new(10);
        let mut bare = request("", &hash());
        assert_eq!(
            store.resolve(&mut bare).err(),
            Some(PersistedError::NotFound)
        );
        let mut full = request(QUERY, &hash().to_ascii_uppercase());
        let to_store = store.resolve(&mut full).expect("matches").expect("new");
        store.store(to_store, &Arc::from(QUERY));
        let mut bare = request("", &hash());
        assert!(store.resolve(&mut bare).expect("known").is_none());
        assert_eq!(bare.query, QUERY);
    }

    #[test]
    fn a_wrong_hash_is_refused_and_not_kept() {
        let store = PersistedQueries::new(10);
        let wrong = "0".repeat(64);
        let mut full = request(QUERY, &wrong);
        assert_eq!(
            store.resolve(&mut full).err(),
            Some(PersistedError::HashMismatch)
        );
        let mut bare = request("", &wrong);
        assert_eq!(
            store.resolve(&mut bare).err(),
            Some(PersistedError::NotFound)
        );
        let mut short = request(QUERY, "abc");
        assert_eq!(
            store.resolve(&mut short).err(),
            Some(PersistedError::Malformed)
        );
    }
}
