//! GraphiQL: its page and assets from the binary, and a typed query run in headless Chromium.

use serde_json::json;

use super::browser::Browser;
use crate::server::start;

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
