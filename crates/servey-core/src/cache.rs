//! Cache policies (`CacheControl`, `Ttl`, `ETag`, `LastModified`), ETags, and the server-side result store.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bytes::Bytes;

/// The caching headers a response carries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheHeaders {
    /// The `Cache-Control` value, e.g. `max-age=30` or `private, max-age=30`.
    pub cache_control: Option<String>,
    /// The quoted strong `ETag` of the body.
    pub etag: Option<String>,
    /// The `Last-Modified` value, when the policy reads one from the result.
    pub last_modified: Option<String>,
}

/// Decides how a result may be cached. Plug in your own by naming a `Default` type in
/// `cache_control = MyPolicy`.
pub trait CacheControl: Send + Sync + 'static {
    /// Headers for a response with this JSON `body`; `is_private` when the caller was authorized.
    fn headers(&self, body: &[u8], is_private: bool) -> CacheHeaders;

    /// How long the server keeps a result per input and principal; `None` keeps nothing.
    fn server_ttl(&self) -> Option<Duration> {
        None
    }
}

/// `ttl(N)`: `Cache-Control: max-age=N`, an ETag, and (unless `server_cache = false`) the result kept N seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ttl {
    /// Seconds a result stays fresh.
    pub seconds: u64,
    /// Whether the server keeps results for that long, per input and principal.
    pub server_cache: bool,
}

impl CacheControl for Ttl {
    fn headers(&self, body: &[u8], is_private: bool) -> CacheHeaders {
        let visibility = if is_private { "private" } else { "public" };
        CacheHeaders {
            cache_control: Some(format!("{visibility}, max-age={}", self.seconds)),
            etag: Some(etag_of(body)),
            last_modified: None,
        }
    }

    fn server_ttl(&self) -> Option<Duration> {
        self.server_cache.then(|| Duration::from_secs(self.seconds))
    }
}

/// `etag`: an ETag for conditional requests, with `Cache-Control: no-cache` (always revalidate).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ETag;

impl CacheControl for ETag {
    fn headers(&self, body: &[u8], is_private: bool) -> CacheHeaders {
        let visibility = if is_private { "private, " } else { "" };
        CacheHeaders {
            cache_control: Some(format!("{visibility}no-cache")),
            etag: Some(etag_of(body)),
            last_modified: None,
        }
    }
}

/// `last_modified("field")`: an ETag plus `Last-Modified` read from a string field of the result object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastModified(pub String);

impl CacheControl for LastModified {
    fn headers(&self, body: &[u8], is_private: bool) -> CacheHeaders {
        let last_modified = serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|value| {
                value
                    .get(&self.0)
                    .and_then(|field| field.as_str().map(str::to_owned))
            });
        CacheHeaders {
            last_modified,
            ..ETag.headers(body, is_private)
        }
    }
}

/// The quoted strong ETag of a body: a 64-bit FNV-1a hash and the length, stable across processes.
pub fn etag_of(body: &[u8]) -> String {
    let hash = body.iter().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("\"{hash:016x}-{:x}\"", body.len())
}

/// Whether an `If-None-Match` header value matches `etag` (`*`, a list, or weak forms).
pub fn if_none_match_matches(header: &str, etag: &str) -> bool {
    header.split(',').map(str::trim).any(|candidate| {
        candidate == "*" || candidate.strip_prefix("W/").unwrap_or(candidate) == etag
    })
}

/// A kept result's key: the input's bytes and the principal's subject.
type StoreKey = (Vec<u8>, Option<String>);

/// A kept result: its deadline and its JSON body.
type StoreEntry = (Instant, Bytes);

/// Results kept server-side per input and principal, each until its deadline.
#[derive(Debug, Default)]
pub struct ResultStore {
    entries: Mutex<HashMap<StoreKey, StoreEntry>>,
}

/// Past this many entries, expired ones are swept before inserting (and the oldest dropped if needed).
const STORE_LIMIT: usize = 10_000;

impl ResultStore {
    /// A kept result for this input and principal, if still fresh.
    pub fn get(&self, input: &[u8], principal: Option<&str>) -> Option<Bytes> {
        let entries = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let key = (input.to_vec(), principal.map(str::to_owned));
        entries
            .get(&key)
            .filter(|(deadline, _)| Instant::now() < *deadline)
            .map(|(_, body)| body.clone())
    }

    /// Keeps a result for `ttl`.
    pub fn put(&self, input: Vec<u8>, principal: Option<&str>, body: Bytes, ttl: Duration) {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        if entries.len() >= STORE_LIMIT {
            entries.retain(|_, (deadline, _)| now < *deadline);
            if entries.len() >= STORE_LIMIT {
                let oldest = entries
                    .iter()
                    .min_by_key(|(_, (deadline, _))| *deadline)
                    .map(|(key, _)| key.clone());
                if let Some(oldest) = oldest {
                    entries.remove(&oldest);
                }
            }
        }
        entries.insert((input, principal.map(str::to_owned)), (now + ttl, body));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_headers_are_public_or_private() {
        let ttl = Ttl {
            seconds: 30,
            server_cache: true,
        };
        assert_eq!(
            ttl.headers(b"1", false).cache_control.as_deref(),
            Some("public, max-age=30")
        );
        assert_eq!(
            ttl.headers(b"1", true).cache_control.as_deref(),
            Some("private, max-age=30")
        );
        assert_eq!(ttl.server_ttl(), Some(Duration::from_secs(30)));
    }

    #[test]
    fn etags_are_quoted_stable_and_content_sensitive() {
        assert_eq!(etag_of(b"\"hi\""), etag_of(b"\"hi\""));
        assert_ne!(etag_of(b"1"), etag_of(b"2"));
        assert!(etag_of(b"x").starts_with('"') && etag_of(b"x").ends_with('"'));
        assert!(if_none_match_matches(
            &format!("W/{}, \"other\"", etag_of(b"x")),
            &etag_of(b"x")
        ));
        assert!(!if_none_match_matches("\"other\"", &etag_of(b"x")));
    }

    #[test]
    fn store_keeps_results_per_principal_until_deadline() {
        let store = ResultStore::default();
        store.put(
            b"in".to_vec(),
            Some("root"),
            Bytes::from_static(b"1"),
            Duration::from_secs(60),
        );
        assert!(store.get(b"in", Some("root")).is_some());
        assert!(store.get(b"in", None).is_none());
        store.put(
            b"in".to_vec(),
            None,
            Bytes::from_static(b"1"),
            Duration::ZERO,
        );
        assert!(store.get(b"in", None).is_none());
    }

    #[test]
    fn last_modified_reads_the_result_field() {
        let headers = LastModified("updated".into())
            .headers(br#"{"updated":"Tue, 01 Jan 2030 00:00:00 GMT"}"#, false);
        assert_eq!(
            headers.last_modified.as_deref(),
            Some("Tue, 01 Jan 2030 00:00:00 GMT")
        );
    }
}
