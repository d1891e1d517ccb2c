//! Apollo's automatic persisted queries, over POST and GET: an unknown hash is `PersistedQueryNotFound`,
//! a hash sent with its query is kept and answered, then the hash alone is answered; a hash that does
//! not match its query is refused and never kept.

use std::sync::Arc;

use serde_json::{Value, json};
use servey_core::ServeyConfig;
use sha2::{Digest, Sha256};

use crate::documents::serve;

const QUERY: &str = "{ greet(name: \"Ada\") }";

fn sha256(text: &str) -> String {
    format!("{:x}", Sha256::digest(text.as_bytes()))
}

fn persisted(hash: &str) -> Value {
    json!({"persistedQuery": {"version": 1, "sha256Hash": hash}})
}

fn not_found() -> Value {
    json!({"data": null, "errors": [{
        "message": "PersistedQueryNotFound",
        "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}
    }]})
}

#[tokio::test]
async fn a_hash_is_answered_once_sent_with_its_query() {
    let (server, stats) = serve(Arc::default(), ServeyConfig::default()).await;
    let hash = sha256(QUERY);
    let bare = json!({"extensions": persisted(&hash)});
    assert_eq!(server.post_json(&bare, &[]).await, (200, not_found()));

    let full = json!({"query": QUERY, "extensions": persisted(&hash)});
    let answer = json!({"data": {"greet": "Hello, Ada!"}});
    assert_eq!(server.post_json(&full, &[]).await, (200, answer.clone()));
    assert_eq!(server.post_json(&bare, &[]).await, (200, answer.clone()));

    let get = |extensions: Value| {
        let url = reqwest::Url::parse_with_params(
            &format!("{}/graphql", server.base()),
            [("extensions", extensions.to_string())],
        )
        .expect("a URL");
        async move {
            let response = reqwest::get(url).await.expect("sent");
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.expect("JSON"))
        }
    };
    assert_eq!(get(persisted(&hash)).await, (200, answer));
    assert_eq!(
        (stats.parses(), stats.validations()),
        (1, 1),
        "the hash reaches the cached document"
    );

    let unknown = sha256("{ greet(name: \"Bob\") }");
    assert_eq!(get(persisted(&unknown)).await, (200, not_found()));
}

#[tokio::test]
async fn a_hash_that_does_not_match_its_query_is_refused_and_not_kept() {
    let (server, _) = serve(Arc::default(), ServeyConfig::default()).await;
    let wrong = sha256("{ something else }");
    let full = json!({"query": QUERY, "extensions": persisted(&wrong)});
    assert_eq!(
        server.post_json(&full, &[]).await,
        (
            400,
            json!({"errors": [{
                "message": "provided sha does not match query",
                "extensions": {"code": "PERSISTED_QUERY_HASH_MISMATCH"}
            }]})
        )
    );
    let bare = json!({"extensions": persisted(&wrong)});
    assert_eq!(server.post_json(&bare, &[]).await, (200, not_found()));

    let (status, body) = server
        .post_json(
            &json!({"query": QUERY, "extensions": {"persistedQuery": {"version": 2, "sha256Hash": sha256(QUERY)}}}),
            &[],
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_REQUEST");
}

#[tokio::test]
async fn a_persisted_query_in_a_batch_answers_in_its_place() {
    let (server, _) = serve(Arc::default(), ServeyConfig::default()).await;
    let hash = sha256(QUERY);
    let batch = json!([
        {"extensions": persisted(&hash)},
        {"query": QUERY, "extensions": persisted(&hash)},
        {"extensions": persisted(&hash)},
    ]);
    let answer = json!({"data": {"greet": "Hello, Ada!"}});
    assert_eq!(
        server.post_json(&batch, &[]).await,
        (200, json!([not_found(), answer.clone(), answer]))
    );
}
