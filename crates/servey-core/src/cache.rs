//! Cache policies (`CacheControl`, `Ttl`, `ETag`, `LastModified`), ETags, and the server-side result store:
//! in-process per action by default ([`ResultStore`]), or one shared by the instances of an app
//! (core's [`SharedResults`](crate::backend::SharedResults) seam, e.g. in Redis) when the app's
//! backends hold one.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use serde_json::Value;

use crate::input::Input;

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

/// A kept result's key: the canonical input and the principal's subject.
#[cfg(feature = "cache")]
type StoreKey = (Vec<u8>, Option<String>);

/// A kept result: the body and the response headers the action set with it (a `Reply`'s `Location`).
#[derive(Debug, Clone)]
pub struct KeptResult {
    /// The result as JSON.
    pub body: Bytes,
    /// The headers the action set.
    pub headers: Arc<[(String, String)]>,
}

/// How many bytes of keys and results one action keeps at most; the least used go first.
#[cfg(feature = "cache")]
const STORE_BYTES: u64 = 16 * 1024 * 1024;

/// Results kept server-side per decoded input and principal, each for the policy's TTL, within a byte
/// budget (a moka cache: expiry on time, eviction by size). Without the `cache` feature it keeps nothing:
/// only a [`SharedResultStore`](crate::backend::SharedResultStore) keeps results, and the app's start check asks for one.
#[derive(Debug)]
pub struct ResultStore {
    #[cfg(feature = "cache")]
    entries: moka::sync::Cache<StoreKey, KeptResult>,
    declared: Option<Arc<[String]>>,
    ttl: Duration,
}

impl ResultStore {
    /// A store whose results live `ttl`, keyed on the `declared` parameters only (all keys when `None`:
    /// a free-form input).
    pub fn new(ttl: Duration, declared: Option<Vec<String>>) -> Self {
        #[cfg(feature = "cache")]
        let entries = moka::sync::Cache::builder()
            .max_capacity(STORE_BYTES)
            .weigher(|(input, principal): &StoreKey, kept: &KeptResult| {
                let headers: usize = kept
                    .headers
                    .iter()
                    .map(|(name, value)| name.len() + value.len())
                    .sum();
                let bytes = input.len()
                    + principal.as_ref().map_or(0, String::len)
                    + kept.body.len()
                    + headers;
                u32::try_from(bytes).unwrap_or(u32::MAX)
            })
            .time_to_live(ttl)
            .build();
        Self {
            #[cfg(feature = "cache")]
            entries,
            declared: declared.map(Into::into),
            ttl,
        }
    }

    /// How long a result is kept.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// The key of `input`: its declared parameters in name order (unknown ones cannot make new
    /// entries), plus the parent of a nested action. `None` for input that is not a JSON object.
    pub fn key(&self, input: &Input) -> Option<Vec<u8>> {
        let Value::Object(object) = input.to_value().ok()? else {
            return None;
        };
        let kept: BTreeMap<&String, &Value> = object
            .iter()
            .filter(|(name, _)| {
                self.declared
                    .as_ref()
                    .is_none_or(|declared| declared.contains(*name))
            })
            .collect();
        let mut key = serde_json::to_vec(&kept).ok()?;
        if let Some(parent) = input.parent() {
            key.push(0);
            key.extend(serde_json::to_vec(parent).ok()?);
        }
        Some(key)
    }

    /// A kept result for this key and principal, if still fresh.
    pub fn get(&self, key: &[u8], principal: Option<&str>) -> Option<KeptResult> {
        #[cfg(feature = "cache")]
        return self
            .entries
            .get(&(key.to_vec(), principal.map(str::to_owned)));
        #[cfg(not(feature = "cache"))]
        {
            let _ = (key, principal);
            None
        }
    }

    /// Keeps a result for the store's TTL.
    pub fn put(&self, key: Vec<u8>, principal: Option<&str>, kept: KeptResult) {
        #[cfg(feature = "cache")]
        self.entries
            .insert((key, principal.map(str::to_owned)), kept);
        #[cfg(not(feature = "cache"))]
        let _ = (key, principal, kept);
    }

    /// Bytes held now (after pending evictions run).
    pub fn weighted_size(&self) -> u64 {
        #[cfg(feature = "cache")]
        {
            self.entries.run_pending_tasks();
            self.entries.weighted_size()
        }
        #[cfg(not(feature = "cache"))]
        0
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[cfg(feature = "cache")]
    fn kept(body: &'static [u8]) -> KeptResult {
        KeptResult {
            body: Bytes::from_static(body),
            headers: Arc::new([("Location".to_owned(), "/x".to_owned())]),
        }
    }

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

    fn store() -> ResultStore {
        ResultStore::new(Duration::from_secs(60), Some(vec!["name".into()]))
    }

    #[test]
    #[cfg(feature = "cache")]
    fn store_keeps_results_per_principal() {
        let store = store();
        let key = store
            .key(&Input::from_value(json!({"name": "a"})))
            .expect("an object");
        store.put(key.clone(), Some("root"), kept(b"1"));
        assert!(store.get(&key, Some("root")).is_some());
        assert!(store.get(&key, None).is_none());
    }

    #[test]
    fn unknown_parameters_do_not_make_new_keys() {
        let store = store();
        let plain = store.key(&Input::from_value(json!({"name": "a"})));
        let padded = store.key(&Input::from_json_bytes(
            r#"{"pad1": "xxxxxxxx", "name": "a", "pad2": [1, 2, 3]}"#,
        ));
        assert_eq!(plain, padded);
        assert_ne!(plain, store.key(&Input::from_value(json!({"name": "b"}))));
        assert_eq!(store.key(&Input::from_json_bytes("[1]")), None);
    }

    #[test]
    #[cfg(feature = "cache")]
    fn results_expire_on_time() {
        let store = ResultStore::new(Duration::from_millis(1), None);
        let key = store.key(&Input::empty()).expect("an object");
        store.put(key.clone(), None, kept(b"1"));
        std::thread::sleep(Duration::from_millis(20));
        assert!(store.get(&key, None).is_none());
    }

    #[test]
    #[cfg(feature = "cache")]
    fn the_store_stays_within_its_byte_budget() {
        let store = ResultStore::new(Duration::from_secs(60), None);
        let body = Bytes::from(vec![b'x'; 64 * 1024]);
        for index in 0..(2 * STORE_BYTES / body.len() as u64) {
            let key = store
                .key(&Input::from_value(json!({ "n": index })))
                .expect("an object");
            store.put(
                key,
                None,
                KeptResult {
                    body: body.clone(),
                    headers: Arc::new([]),
                },
            );
        }
        assert!(
            store.weighted_size() <= STORE_BYTES,
            "{}",
            store.weighted_size()
        );
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
