//! The document cache: a query sent again is kept from its second send on (parsed and validated twice,
//! then never again), a query sent once is not kept, while a bad query, a bad variable value or a
//! query past the limits is refused on every send.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};
use servey_core::{Action, App, Registry, ServeyConfig, Trigger};

use crate::support::{Server, action_schema};

/// `greet(name: String!)` answers `Hello, {name}!` and counts its calls.
pub(crate) fn greet(calls: Arc<AtomicUsize>) -> Action {
    Action::builder("greet", move |input: Value, _| {
        calls.fetch_add(1, Ordering::SeqCst);
        async move {
            Ok(json!(format!(
                "Hello, {}!",
                input["name"].as_str().unwrap_or("?")
            )))
        }
    })
    .trigger(Trigger::web_get())
    .schema(action_schema(
        json!({"type": "object", "required": ["name"],
               "properties": {"name": {"type": "string"}}}),
        json!({"type": "string"}),
        &[],
    ))
    .build()
}

/// `greet`, served with `config`, with the counters of its document cache.
pub(crate) async fn serve(
    calls: Arc<AtomicUsize>,
    config: ServeyConfig,
) -> (Server, servey_graphql::DocumentStats) {
    let registry = Registry::builder()
        .action(greet(calls))
        .build()
        .expect("unique names");
    let (router, stats) =
        servey_graphql::router_with_stats(&App::new(registry, config)).expect("the schema builds");
    (Server::serve(router).await, stats)
}

#[tokio::test]
async fn a_repeated_query_is_kept_from_its_second_send() {
    let (server, stats) = serve(Arc::default(), ServeyConfig::default()).await;
    for _ in 0..4 {
        let body = server.post("{ greet(name: \"Ada\") }", &[]).await;
        assert_eq!(body, json!({"data": {"greet": "Hello, Ada!"}}));
    }
    assert_eq!((stats.parses(), stats.validations()), (2, 2));

    // Variables take part in validation: the same values reuse it, new values are validated anew.
    let query = "query Greet($name: String!) { greet(name: $name) }";
    for name in ["Ada", "Ada", "Ada", "Bob"] {
        let request = json!({"query": query, "variables": {"name": name}});
        let (status, body) = server.post_json(&request, &[]).await;
        assert_eq!(status, 200);
        assert_eq!(body, json!({"data": {"greet": format!("Hello, {name}!")}}));
    }
    assert_eq!((stats.parses(), stats.validations()), (4, 5));

    // GET reads the same cache.
    let url = format!(
        "{}/graphql?query={{%20greet(name:%20%22Ada%22)%20}}",
        server.base()
    );
    let body: Value = reqwest::get(url)
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    assert_eq!(body, json!({"data": {"greet": "Hello, Ada!"}}));
    assert_eq!((stats.parses(), stats.validations()), (4, 5));
}

#[tokio::test]
async fn queries_sent_once_are_not_kept() {
    let (server, stats) = serve(Arc::default(), ServeyConfig::default()).await;
    for name in ["Ada", "Bob", "Cy"] {
        let body = server
            .post(&format!("{{ greet(name: \"{name}\") }}"), &[])
            .await;
        assert_eq!(body, json!({"data": {"greet": format!("Hello, {name}!")}}));
    }
    assert_eq!((stats.parses(), stats.validations()), (3, 3));
    // Each was seen once: the next send of one is kept, the one after answered from the cache.
    for _ in 0..3 {
        server.post("{ greet(name: \"Bob\") }", &[]).await;
    }
    assert_eq!((stats.parses(), stats.validations()), (4, 4));
}

#[tokio::test]
async fn an_invalid_query_is_refused_on_every_send() {
    let calls = Arc::new(AtomicUsize::new(0));
    let (server, stats) = serve(calls.clone(), ServeyConfig::default()).await;
    for send in 1..=2 {
        let body = server.post("{ greet }", &[]).await;
        assert_eq!(body["data"], Value::Null, "send {send}: {body}");
        let message = body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("\"name\"") && message.contains("required"),
            "send {send}: {body}"
        );
    }
    assert_eq!((stats.parses(), stats.validations()), (2, 2));

    // A document validated with good variable values still refuses a bad value.
    let query = "query Greet($name: String!) { greet(name: $name) }";
    let good = json!({"query": query, "variables": {"name": "Ada"}});
    assert_eq!(server.post_json(&good, &[]).await.0, 200);
    for send in 1..=2 {
        let bad = json!({"query": query, "variables": {"name": 5}});
        let (status, body) = server.post_json(&bad, &[]).await;
        assert_eq!(status, 200);
        assert_eq!(body["data"], Value::Null, "send {send}: {body}");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .is_some_and(|message| message.contains("Invalid value")),
            "send {send}: {body}"
        );
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1, "only the good request ran");

    // A syntax error is reported each time too.
    for _ in 0..2 {
        let body = server.post("{ greet(", &[]).await;
        assert!(body["errors"][0]["locations"].is_array(), "{body}");
    }
}

#[tokio::test]
async fn the_limits_apply_to_a_cached_validation() {
    let config = ServeyConfig::from_lookup(|key| {
        (key == "SERVEY_GRAPHQL_MAX_COMPLEXITY").then(|| "1".to_owned())
    });
    let (server, stats) = serve(Arc::default(), config).await;
    for _ in 0..3 {
        let body = server
            .post("{ a: greet(name: \"a\") b: greet(name: \"b\") }", &[])
            .await;
        assert_eq!(
            body,
            json!({"data": null, "errors": [{
                "message": "The query has a complexity of 2; the limit is 1.",
                "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}
            }]})
        );
    }
    assert_eq!(
        (stats.parses(), stats.validations()),
        (2, 2),
        "the third send's is cached"
    );
}

#[tokio::test]
async fn a_cache_of_size_zero_parses_every_time() {
    let config = ServeyConfig::from_lookup(|key| {
        (key == "SERVEY_GRAPHQL_DOCUMENT_CACHE").then(|| "0".to_owned())
    });
    let (server, stats) = serve(Arc::default(), config).await;
    for _ in 0..2 {
        let body = server.post("{ greet(name: \"Ada\") }", &[]).await;
        assert_eq!(body, json!({"data": {"greet": "Hello, Ada!"}}));
    }
    assert_eq!((stats.parses(), stats.validations()), (2, 2));
}
