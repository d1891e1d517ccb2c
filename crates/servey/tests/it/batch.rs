//! Batched nested actions over real HTTP: a list of parents selecting a batched field runs the batch
//! form once (and the single form never), with the list or, inside fragments, gathered by the loader; a
//! longer list than the batch limit one call per 1000 parents,
//! results follow the parents' order, a batch that answers with
//! the wrong number of results is an error on each field, and access control still applies.

use std::sync::atomic::{AtomicUsize, Ordering};

use reqwest::header::AUTHORIZATION;
use serde_json::{Value, json};
use servey::{Authenticator, Authorization, JwtBearer};

use crate::support::{JWT_SECRET, Server, config, send, start};

/// A number whose `double` is batched. Its counters belong to the one test that queries it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
struct Counted {
    n: u64,
}

static COUNTED_SINGLE: AtomicUsize = AtomicUsize::new(0);
static COUNTED_BATCH: AtomicUsize = AtomicUsize::new(0);

#[servey::actions]
impl Counted {
    /// Twice the number.
    #[action(batch = Self::doubles)]
    async fn double(&self) -> u64 {
        COUNTED_SINGLE.fetch_add(1, Ordering::SeqCst);
        self.n * 2
    }

    /// Twice each number, in order.
    async fn doubles(parents: &[Self]) -> Vec<u64> {
        COUNTED_BATCH.fetch_add(1, Ordering::SeqCst);
        parents.iter().map(|parent| parent.n * 2).collect()
    }
}

/// `count` numbers, in descending order (so that order is not an accident of sorting).
#[servey::action(triggers = [web_get])]
fn counted_list(count: u64) -> Vec<Counted> {
    (0..count).rev().map(|n| Counted { n }).collect()
}

/// A number whose `triple` is batched and selected through fragments (gathered by the per-request
/// loader rather than resolved with its list). Its counters belong to the one test that queries it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
struct Fragmented {
    n: u64,
}

static FRAGMENTED_SINGLE: AtomicUsize = AtomicUsize::new(0);
static FRAGMENTED_BATCH: AtomicUsize = AtomicUsize::new(0);

#[servey::actions]
impl Fragmented {
    /// Three times the number.
    #[action(batch = Self::triples)]
    async fn triple(&self) -> u64 {
        FRAGMENTED_SINGLE.fetch_add(1, Ordering::SeqCst);
        self.n * 3
    }

    /// Three times each number, in order.
    async fn triples(parents: &[Self]) -> Vec<u64> {
        FRAGMENTED_BATCH.fetch_add(1, Ordering::SeqCst);
        parents.iter().map(|parent| parent.n * 3).collect()
    }
}

/// `count` numbers from 0.
#[servey::action(triggers = [web_get])]
fn fragmented_list(count: u64) -> Vec<Fragmented> {
    (0..count).map(|n| Fragmented { n }).collect()
}

/// A number whose batch form records the size of each batch it is called with.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
struct Batched {
    n: u64,
}

static SIZED_BATCHES: std::sync::Mutex<Vec<usize>> = std::sync::Mutex::new(Vec::new());

#[servey::actions]
impl Batched {
    /// The number plus one.
    #[action(batch = Self::nexts)]
    fn next(&self) -> u64 {
        self.n + 1
    }

    /// Each number plus one, in order.
    fn nexts(parents: &[Self]) -> Vec<u64> {
        SIZED_BATCHES.lock().expect("the sizes").push(parents.len());
        parents.iter().map(|parent| parent.n + 1).collect()
    }
}

/// `count` numbers from 0.
#[servey::action(triggers = [web_get])]
fn sized_list(count: u64) -> Vec<Batched> {
    (0..count).map(|n| Batched { n }).collect()
}

/// A number whose batch form forgets the last parent.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
struct Short {
    n: u64,
}

#[servey::actions]
impl Short {
    /// The number itself.
    #[action(batch = Self::sames)]
    fn same(&self) -> u64 {
        self.n
    }

    /// One result too few.
    fn sames(parents: &[Self]) -> Result<Vec<u64>, servey::ActionError> {
        Ok(parents.iter().skip(1).map(|parent| parent.n).collect())
    }
}

/// Three `Short` numbers.
#[servey::action(triggers = [web_get])]
fn short_list() -> Vec<Short> {
    (1..=3).map(|n| Short { n }).collect()
}

/// A number whose batched `secret` needs the `root` scope.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
struct Guarded {
    n: u64,
}

static GUARDED_BATCH: AtomicUsize = AtomicUsize::new(0);

#[servey::actions]
impl Guarded {
    /// The number, for `root` only.
    #[action(batch = Self::secrets, access_control = scope("root"))]
    fn secret(&self) -> u64 {
        self.n
    }

    /// The numbers, for `root` only.
    fn secrets(parents: &[Self]) -> Vec<u64> {
        GUARDED_BATCH.fetch_add(1, Ordering::SeqCst);
        parents.iter().map(|parent| parent.n).collect()
    }
}

/// Three `Guarded` numbers; the list itself is open.
#[servey::action(triggers = [web_get])]
fn guarded_list() -> Vec<Guarded> {
    (1..=3).map(|n| Guarded { n }).collect()
}

/// This binary's actions (the `#[action]`s above among them), served.
async fn server() -> Server {
    let registry = servey::Registry::builder().collected();
    // Complexity counts list sizes: the lists here (up to 2,500 parents) are over the default budget.
    let config = config(&[("SERVEY_GRAPHQL_MAX_COMPLEXITY", "10000")]);
    start(servey::Builder::new(registry).config(config)).await
}

/// `POST /graphql` with `query`, as the caller `authorization` (a header value) when given.
async fn graphql(server: &Server, query: &str, authorization: Option<&str>) -> Value {
    let mut request = server
        .request(reqwest::Method::POST, "/graphql")
        .json(&json!({ "query": query }));
    if let Some(value) = authorization {
        request = request.header(AUTHORIZATION, value);
    }
    let response = send(request).await;
    assert_eq!(response.status().as_u16(), 200);
    response.json().await.expect("a JSON response")
}

#[tokio::test]
async fn a_list_of_parents_runs_the_batch_form_once_in_order() {
    let server = server().await;
    let query = "{ countedList(count: 100) { n double twice: double } }";
    let answer = graphql(&server, query, None).await;
    assert_eq!(answer.get("errors"), None, "{answer}");
    let expected: Vec<Value> = (0..100_u64)
        .rev()
        .map(|n| json!({ "n": n, "double": n * 2, "twice": n * 2 }))
        .collect();
    assert_eq!(answer["data"]["countedList"], Value::Array(expected));
    assert_eq!(
        (
            COUNTED_BATCH.load(Ordering::SeqCst),
            COUNTED_SINGLE.load(Ordering::SeqCst)
        ),
        (1, 0)
    );
}

#[tokio::test]
async fn a_batched_field_inside_a_fragment_is_gathered_into_one_call() {
    let server = server().await;
    let query = "{ fragmentedList(count: 100) { n ... on Fragmented { triple } } }";
    let answer = graphql(&server, query, None).await;
    assert_eq!(answer.get("errors"), None, "{answer}");
    let expected: Vec<Value> = (0..100_u64)
        .map(|n| json!({ "n": n, "triple": n * 3 }))
        .collect();
    assert_eq!(answer["data"]["fragmentedList"], Value::Array(expected));
    // One round for the 100 fields, never the single form.
    assert_eq!(
        (
            FRAGMENTED_BATCH.load(Ordering::SeqCst),
            FRAGMENTED_SINGLE.load(Ordering::SeqCst)
        ),
        (1, 0)
    );
}

#[tokio::test]
async fn a_list_longer_than_the_batch_limit_runs_one_call_per_thousand_parents() {
    let server = server().await;
    let answer = graphql(&server, "{ sizedList(count: 2500) { next } }", None).await;
    assert_eq!(answer.get("errors"), None, "{answer}");
    let nexts = answer["data"]["sizedList"].as_array().expect("a list");
    assert_eq!(nexts.len(), 2500);
    assert!(
        nexts
            .iter()
            .enumerate()
            .all(|(n, item)| item["next"] == n as u64 + 1)
    );
    let mut sizes = SIZED_BATCHES.lock().expect("the sizes").clone();
    sizes.sort_unstable();
    assert_eq!(sizes, [500, 1000, 1000]);
}

#[tokio::test]
async fn a_batch_with_the_wrong_number_of_results_is_an_error_on_each_field() {
    let server = server().await;
    let answer = graphql(&server, "{ shortList { n same } }", None).await;
    assert_eq!(
        answer["data"]["shortList"],
        json!([
            { "n": 1, "same": null },
            { "n": 2, "same": null },
            { "n": 3, "same": null }
        ])
    );
    let errors = answer["errors"].as_array().expect("errors");
    let paths: Vec<&Value> = errors.iter().map(|error| &error["path"]).collect();
    assert_eq!(
        paths,
        [
            &json!(["shortList", 0, "same"]),
            &json!(["shortList", 1, "same"]),
            &json!(["shortList", 2, "same"])
        ]
    );
    for error in errors {
        assert_eq!(
            error["message"],
            "the batch form of `short_same` returned 2 results for 3 parents; it must return one result per parent, in order",
            "{error}"
        );
    }
}

#[tokio::test]
async fn access_control_applies_to_the_batch_call() {
    let server = server().await;
    let query = "{ guardedList { n secret } }";
    let anonymous = graphql(&server, query, None).await;
    assert_eq!(
        anonymous["data"]["guardedList"],
        json!([
            { "n": 1, "secret": null },
            { "n": 2, "secret": null },
            { "n": 3, "secret": null }
        ])
    );
    let codes: Vec<&Value> = anonymous["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|error| &error["extensions"]["code"])
        .collect();
    assert_eq!(codes.len(), 3, "{anonymous}");
    assert_eq!(GUARDED_BATCH.load(Ordering::SeqCst), 0);

    let root = JwtBearer::new(JWT_SECRET)
        .issue(&Authorization::new("ann", ["root"]))
        .expect("issued");
    let allowed = graphql(&server, query, Some(&format!("Bearer {root}"))).await;
    assert_eq!(allowed.get("errors"), None, "{allowed}");
    assert_eq!(
        allowed["data"]["guardedList"],
        json!([
            { "n": 1, "secret": 1 },
            { "n": 2, "secret": 2 },
            { "n": 3, "secret": 3 }
        ])
    );
    assert_eq!(GUARDED_BATCH.load(Ordering::SeqCst), 1);
}
