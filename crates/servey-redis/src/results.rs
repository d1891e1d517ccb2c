//! `RedisResults`: the server-side TTL result cache shared by the instances of an app, as Redis strings
//! that expire with the policy's TTL. A Redis that cannot be reached, or does not answer within the
//! backend's call timeout, is a miss (the action runs), never a failed call; while it is so, results
//! are not written (each write would wait out the timeout again), and the next read tries it again.

use std::sync::Arc;
use std::time::Duration;

use ::redis::AsyncCommands;
use bytes::Bytes;
use futures_util::future::BoxFuture;
use servey_core::backend::SharedResults;
use servey_core::cache::KeptResult;

use crate::outage::Outage;
use crate::{RedisBackend, within};

/// Results kept in Redis under `namespace:cache:`, shared by every instance.
#[derive(Debug)]
pub struct RedisResults {
    connection: crate::Connection,
    prefix: String,
    timeout: Duration,
    outage: Outage,
}

impl RedisResults {
    /// Results kept through `backend`.
    pub fn new(backend: &RedisBackend) -> Self {
        Self {
            connection: backend.connection.clone(),
            prefix: backend.key("cache"),
            timeout: backend.call_timeout,
            outage: Outage::new("shared result cache"),
        }
    }

    /// `prefix:action`, NUL, the principal, NUL, the input key (Redis keys are binary-safe).
    fn key(&self, action: &str, key: &[u8], principal: Option<&str>) -> Vec<u8> {
        let mut full = format!(
            "{}:{action}\0{}\0",
            self.prefix,
            principal.unwrap_or_default()
        )
        .into_bytes();
        full.extend_from_slice(key);
        full
    }
}

impl SharedResults for RedisResults {
    fn get<'a>(
        &'a self,
        action: &'a str,
        key: &'a [u8],
        principal: Option<&'a str>,
    ) -> BoxFuture<'a, Option<KeptResult>> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            let stored: Result<Option<Vec<u8>>, _> = within(
                self.timeout,
                connection.get(self.key(action, key, principal)),
            )
            .await;
            match stored {
                Ok(stored) => {
                    self.outage.recovered();
                    decode(stored?)
                }
                Err(error) => {
                    self.outage.failed(&error);
                    None
                }
            }
        })
    }

    fn put<'a>(
        &'a self,
        action: &'a str,
        key: &'a [u8],
        principal: Option<&'a str>,
        kept: &'a KeptResult,
        ttl: Duration,
    ) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            if self.outage.is_down() {
                return;
            }
            let mut connection = self.connection.clone();
            let millis = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
            let stored: Result<(), _> = within(
                self.timeout,
                connection.pset_ex(self.key(action, key, principal), encode(kept), millis),
            )
            .await;
            match stored {
                Ok(()) => {
                    self.outage.recovered();
                }
                Err(error) => {
                    self.outage.failed(&error);
                }
            }
        })
    }
}

/// The headers as a JSON list of pairs, a newline, then the body.
fn encode(kept: &KeptResult) -> Vec<u8> {
    let mut stored = serde_json::to_vec(&*kept.headers).expect("string pairs always serialize");
    stored.push(b'\n');
    stored.extend_from_slice(&kept.body);
    stored
}

fn decode(stored: Vec<u8>) -> Option<KeptResult> {
    let split = stored.iter().position(|byte| *byte == b'\n')?;
    let headers: Vec<(String, String)> = serde_json::from_slice(&stored[..split]).ok()?;
    Some(KeptResult {
        body: Bytes::copy_from_slice(&stored[split + 1..]),
        headers: Arc::from(headers),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_results_survive_redis() {
        let kept = KeptResult {
            body: Bytes::from_static(b"{\"a\":\"x\\ny\"}"),
            headers: Arc::from(vec![("Location".to_owned(), "/items/1".to_owned())]),
        };
        let decoded = decode(encode(&kept)).expect("decodes");
        assert_eq!(decoded.body, kept.body);
        assert_eq!(&*decoded.headers, &*kept.headers);
    }
}
