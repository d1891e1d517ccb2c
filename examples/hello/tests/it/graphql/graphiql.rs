//! GraphiQL: its page and assets from the binary, the operations it opens on, and a typed query and a
//! subscription run in headless Chromium.

use std::time::Duration;

use serde_json::{Value, json};

use super::browser::Browser;
use crate::server::{TestServer, python, run_tool_with_input, start};

/// The settings the server wrote into the GraphiQL page.
async fn page_settings(server: &TestServer) -> Value {
    let html = reqwest::get(server.url("/graphiql"))
        .await
        .expect("sent")
        .text()
        .await
        .expect("text");
    let start = html
        .find(r#"<script id="servey-settings" type="application/json">"#)
        .expect("the settings element")
        + r#"<script id="servey-settings" type="application/json">"#.len();
    let end = start + html[start..].find("</script>").expect("its end");
    serde_json::from_str(&html[start..end]).expect("JSON settings")
}

/// graphql-core's validation errors of a document (stdin) against an SDL (argv[1]).
const VALIDATE_DOCUMENT: &str = r#"
import json, sys
from graphql import build_schema, parse, validate
errors = validate(build_schema(sys.argv[1]), parse(sys.stdin.read()))
print(json.dumps([e.message for e in errors]))
"#;

#[tokio::test]
async fn graphiql_opens_on_operations_built_from_the_examples() {
    let server = start().await;
    let document = page_settings(&server).await["defaultQuery"]
        .as_str()
        .expect("a default document")
        .to_owned();
    for part in [
        "query SayHello {\n  sayHello(name: \"Developer\")\n}",
        "query NumberStats {\n  numberStats(value: 5) {\n    value\n    isEven\n  }\n}",
        "subscription OnMessenger {\n  messenger {\n    sender\n    text\n  }\n}",
    ] {
        assert!(document.contains(part), "{part}\n---\n{document}");
    }
    let sdl = servey::graphql_sdl(&server.app).expect("the SDL builds");
    let output = run_tool_with_input(
        &mut python(&["-c", VALIDATE_DOCUMENT, &sdl]),
        document.as_bytes(),
        Duration::from_secs(60),
    )
    .await;
    assert!(
        output.status.success(),
        "graphql-core failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let errors: Value = serde_json::from_slice(&output.stdout).expect("a JSON list");
    assert_eq!(errors, json!([]), "{document}");
}

#[tokio::test]
async fn every_query_and_mutation_graphiql_opens_on_runs_within_the_limits() {
    let server = start().await;
    let document = page_settings(&server).await["defaultQuery"]
        .as_str()
        .expect("a default document")
        .to_owned();
    let operations: Vec<&str> = document
        .lines()
        .filter_map(|line| {
            let rest = line
                .strip_prefix("query ")
                .or_else(|| line.strip_prefix("mutation "))?;
            rest.split([' ', '(', '{']).next()
        })
        .collect();
    assert!(operations.len() >= 3, "{document}");
    for operation in operations {
        let answer: Value = reqwest::Client::new()
            .post(server.url("/graphql"))
            .json(&json!({"query": document, "operationName": operation}))
            .send()
            .await
            .expect("sent")
            .json()
            .await
            .expect("JSON");
        let codes: Vec<&Value> = answer["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|error| &error["extensions"]["code"])
            .collect();
        assert!(
            !codes.contains(&&json!("GRAPHQL_VALIDATION_FAILED"))
                && !codes.contains(&&json!("RESPONSE_TOO_LARGE")),
            "{operation}: {answer}"
        );
        assert!(answer["data"].is_object(), "{operation}: {answer}");
    }
}

#[tokio::test]
async fn graphiql_and_its_assets_are_served_from_the_binary() {
    let server = start().await;
    let page = reqwest::get(server.url("/graphiql")).await.expect("sent");
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    let html = page.text().await.expect("text");
    assert!(html.contains(r#"<script src="/graphiql/assets/graphiql.min.js"></script>"#));
    for (file, content_type) in [
        ("react.production.min.js", "text/javascript; charset=utf-8"),
        (
            "react-dom.production.min.js",
            "text/javascript; charset=utf-8",
        ),
        ("graphiql.min.js", "text/javascript; charset=utf-8"),
        ("graphiql.min.css", "text/css; charset=utf-8"),
    ] {
        let asset = reqwest::get(server.url(&format!("/graphiql/assets/{file}")))
            .await
            .expect("sent");
        assert_eq!((file, asset.status().as_u16()), (file, 200));
        assert_eq!(asset.headers()["content-type"], content_type);
        assert!(
            asset.bytes().await.expect("body").len() > 1000,
            "{file} has content"
        );
    }
    let missing = reqwest::get(server.url("/graphiql/assets/nope.js"))
        .await
        .expect("sent");
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn graphiql_runs_a_typed_query_in_headless_chromium() {
    let server = start().await;
    let mut browser = Browser::launch().await;
    let target = browser
        .call(None, "Target.createTarget", json!({ "url": "about:blank" }))
        .await;
    let attached = browser
        .call(
            None,
            "Target.attachToTarget",
            json!({ "targetId": target["targetId"], "flatten": true }),
        )
        .await;
    let session = attached["sessionId"]
        .as_str()
        .expect("a session id")
        .to_owned();
    let url = reqwest::Url::parse_with_params(
        &server.url("/graphiql"),
        [("query", r#"{ sayHello(name: "Browser") }"#)],
    )
    .expect("a valid URL");
    browser
        .call(
            Some(&session),
            "Page.navigate",
            json!({ "url": url.as_str() }),
        )
        .await;

    let editor = "document.querySelector('.graphiql-query-editor')?.innerText ?? ''";
    browser.wait_for_text(&session, editor, "sayHello").await;
    // The schema loaded through GraphiQL's own introspection query (within the limits).
    browser
        .evaluate(
            &session,
            "document.querySelector('[aria-label=\"Show Documentation Explorer\"]')?.click()",
        )
        .await;
    let docs = "document.querySelector('.graphiql-doc-explorer')?.innerText ?? ''";
    browser
        .wait_for_text(&session, docs, "mutation: Mutation")
        .await;

    browser
        .evaluate(
            &session,
            "document.querySelector('.graphiql-execute-button').click()",
        )
        .await;
    let response = "document.querySelector('.graphiql-response')?.innerText ?? ''";
    let text = browser
        .wait_for_text(&session, response, "Hello Browser!")
        .await;
    browser.close().await;
    assert!(
        text.contains(r#""sayHello": "Hello Browser!""#),
        "GraphiQL shows the data: {text}"
    );
}

#[tokio::test]
async fn graphiql_opens_on_the_examples_and_shows_a_subscriptions_events_in_headless_chromium() {
    let server = start().await;
    let mut browser = Browser::launch().await;
    let target = browser
        .call(None, "Target.createTarget", json!({ "url": "about:blank" }))
        .await;
    let attached = browser
        .call(
            None,
            "Target.attachToTarget",
            json!({ "targetId": target["targetId"], "flatten": true }),
        )
        .await;
    let session = attached["sessionId"]
        .as_str()
        .expect("a session id")
        .to_owned();
    // A first visit (a fresh profile) opens on the operations built from the examples.
    browser
        .call(
            Some(&session),
            "Page.navigate",
            json!({ "url": server.url("/graphiql") }),
        )
        .await;
    let editor = "document.querySelector('.graphiql-query-editor')?.innerText ?? ''";
    // The editor renders only its visible lines: the first operation (by action name) is the one shown.
    browser
        .wait_for_text(&session, editor, "query NumberRange {")
        .await;
    let url = reqwest::Url::parse_with_params(
        &server.url("/graphiql"),
        [("query", "subscription { messenger { sender text } }")],
    )
    .expect("a valid URL");
    browser
        .call(
            Some(&session),
            "Page.navigate",
            json!({ "url": url.as_str() }),
        )
        .await;
    browser
        .wait_for_text(&session, editor, "subscription { messenger")
        .await;
    browser
        .evaluate(
            &session,
            "document.querySelector('.graphiql-execute-button').click()",
        )
        .await;
    // GraphiQL subscribes over graphql-transport-ws at /graphql.
    let subscribers = servey::channels::Channels::of(&server.app)
        .expect("the tour app has channels")
        .subscribers();
    let subscribed = tokio::time::timeout(Duration::from_secs(30), async {
        while subscribers.count("messenger") == 0 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    assert!(subscribed.is_ok(), "GraphiQL subscribes to messenger");
    let published = reqwest::Client::new()
        .post(server.url("/actions/broadcast-message"))
        .json(&json!({"message": {"sender": "tester", "text": "seen in GraphiQL"}}))
        .send()
        .await
        .expect("answers");
    assert_eq!(published.status(), 200);
    let response = "document.querySelector('.graphiql-response')?.innerText ?? ''";
    let text = browser
        .wait_for_text(&session, response, "seen in GraphiQL")
        .await;
    browser.close().await;
    assert!(
        text.contains(r#""sender": "tester""#),
        "GraphiQL shows the event: {text}"
    );
}
