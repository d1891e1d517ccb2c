//! The tour app over GraphQL: queries, mutations, nested actions, auth errors, limits, GET, the SDL
//! checked by graphql-core, and GraphiQL driven in headless Chromium.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use servey::Authorization;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio_tungstenite::tungstenite::Message;

use crate::server::{TestServer, start, start_with, test_config};

/// Posts `query` to `/graphql` (with a bearer token if given) and returns the JSON response.
async fn graphql(server: &TestServer, query: &str, token: Option<&str>) -> Value {
    let mut request = reqwest::Client::new()
        .post(server.url("/graphql"))
        .json(&json!({ "query": query }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("the request is sent");
    assert_eq!(response.status(), 200);
    response.json().await.expect("the response is JSON")
}

fn token(server: &TestServer, scopes: &[&str]) -> String {
    server
        .app
        .authorizer()
        .issue(
            &Authorization::new("tester", scopes.iter().copied()),
            Duration::from_secs(300),
        )
        .expect("a token is issued")
}

#[tokio::test]
async fn say_hello_is_a_query_field() {
    let server = start().await;
    assert_eq!(
        graphql(&server, r#"{ sayHello(name: "World") }"#, None).await,
        json!({"data": {"sayHello": "Hello World!"}})
    );
}

#[tokio::test]
async fn store_message_is_a_mutation_with_an_input_object() {
    let server = start().await;
    let query = r#"mutation { storeMessage(message: {sender: "ann", text: "hi"}, id: 7) {
        id length message { sender text } } }"#;
    assert_eq!(
        graphql(&server, query, None).await,
        json!({"data": {"storeMessage": {
            "id": 7, "length": 2, "message": {"sender": "ann", "text": "hi"}
        }}})
    );
}

#[tokio::test]
async fn nested_factorial_resolves_on_number_stats() {
    let server = start().await;
    assert_eq!(
        graphql(
            &server,
            "{ numberStats(value: 5) { value isEven factorial } }",
            None
        )
        .await,
        json!({"data": {"numberStats": {"value": 5, "isEven": false, "factorial": 120}}})
    );
}

#[tokio::test]
async fn only_for_root_without_token_is_unauthenticated_and_other_fields_resolve() {
    let server = start().await;
    let response = graphql(&server, r#"{ onlyForRoot sayHello(name: "A") }"#, None).await;
    assert_eq!(
        response,
        json!({
            "data": {"onlyForRoot": null, "sayHello": "Hello A!"},
            "errors": [{
                "message": "This action needs a bearer token.",
                "locations": [{"line": 1, "column": 3}],
                "path": ["onlyForRoot"],
                "extensions": {"code": "UNAUTHENTICATED", "status": 401}
            }]
        })
    );
}

#[tokio::test]
async fn only_for_root_with_a_token_lacking_the_scope_is_forbidden() {
    let server = start().await;
    let user = token(&server, &["user"]);
    let response = graphql(
        &server,
        r#"{ onlyForRoot sayHello(name: "B") }"#,
        Some(&user),
    )
    .await;
    assert_eq!(
        response["data"],
        json!({"onlyForRoot": null, "sayHello": "Hello B!"})
    );
    assert_eq!(
        response["errors"][0]["extensions"],
        json!({"code": "FORBIDDEN", "status": 403})
    );
    assert_eq!(response["errors"][0]["path"], json!(["onlyForRoot"]));

    let root = token(&server, &["root"]);
    assert_eq!(
        graphql(&server, "{ onlyForRoot }", Some(&root)).await,
        json!({"data": {"onlyForRoot": "Some Secret Data!"}})
    );
}

#[tokio::test]
async fn invalid_arguments_are_errors_with_their_path() {
    let server = start().await;
    // Type-correct GraphQL the action rejects: the field's path plus the bad argument's path.
    assert_eq!(
        graphql(&server, "{ numberStats(value: -1) { value } }", None).await,
        json!({
            "data": {"numberStats": null},
            "errors": [{
                "message": "1 invalid field",
                "locations": [{"line": 1, "column": 3}],
                "path": ["numberStats"],
                "extensions": {"code": "BAD_USER_INPUT", "status": 422, "errors": [
                    {"path": "value", "message": "invalid value: integer `-1`, expected u64"}
                ]}
            }]
        })
    );
    // Not GraphQL-valid: rejected before anything runs, pointing at the argument.
    let response = graphql(&server, "{ sayHello(name: 5) }", None).await;
    assert_eq!(response["data"], Value::Null);
    assert_eq!(
        response["errors"],
        json!([{
            "message": "Invalid value for argument \"name\", expected type \"String\"",
            "locations": [{"line": 1, "column": 12}]
        }])
    );
}

#[tokio::test]
async fn failures_are_internal_errors_with_a_generic_message() {
    let server = start().await;
    let response = graphql(&server, "{ failOnPurpose }", None).await;
    assert_eq!(response["data"], json!({"failOnPurpose": null}));
    assert_eq!(response["errors"][0]["message"], "The action failed.");
    assert_eq!(
        response["errors"][0]["extensions"],
        json!({"code": "INTERNAL_SERVER_ERROR", "status": 500})
    );
}

#[tokio::test]
async fn depth_and_complexity_limits_are_on_by_default() {
    let server = start().await;
    // 11 levels, and not introspection only (sayHello is selected too): over the default of 10.
    let deep = r#"{ sayHello(name: "x") __schema { types { fields { type { ofType { ofType {
        ofType { ofType { ofType { ofType { name } } } } } } } } } } }"#;
    assert_eq!(
        graphql(&server, deep, None).await,
        json!({"data": null, "errors": [{
            "message": "The query is nested 11 levels deep; the limit is 10.",
            "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}
        }]})
    );
    let many: String = (0..1001)
        .map(|i| format!("f{i}: sayHello(name: \"x\") "))
        .collect();
    assert_eq!(
        graphql(&server, &format!("{{ {many} }}"), None).await["errors"][0]["message"],
        "The query has a complexity of 1001; the limit is 1000."
    );
}

#[tokio::test]
async fn configured_depth_limit_rejects_deeper_queries() {
    let mut config = test_config();
    config.graphql_max_depth = 2;
    let server = start_with(config).await;
    assert_eq!(
        graphql(&server, "{ numberStats(value: 2) { value } }", None).await,
        json!({"data": {"numberStats": {"value": 2}}})
    );
    let deeper =
        r#"mutation { storeMessage(message: {sender: "a", text: "b"}) { message { sender } } }"#;
    assert_eq!(
        graphql(&server, deeper, None).await["errors"][0]["message"],
        "The query is nested 3 levels deep; the limit is 2."
    );
}

#[tokio::test]
async fn get_runs_queries_and_refuses_mutations() {
    let server = start().await;
    let client = reqwest::Client::new();
    let response = client
        .get(server.url("/graphql"))
        .query(&[("query", r#"{ sayHello(name: "Get") }"#)])
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body, json!({"data": {"sayHello": "Hello Get!"}}));

    let mutation = r#"mutation { storeMessage(message: {sender: "a", text: "b"}) { id } }"#;
    let response = client
        .get(server.url("/graphql"))
        .query(&[("query", mutation)])
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "POST");
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

/// The Python with graphql-core (`cargo xtask setup` makes it).
fn python() -> PathBuf {
    let python = std::env::var_os("SERVEY_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            crate::server::workspace_root().join("target/servey-tools/venv/bin/python")
        });
    assert!(
        python.exists(),
        "{} is missing: run `cargo xtask setup` to create the checkers' venv",
        python.display()
    );
    python
}

/// Validates the SDL with graphql-core, fetches the live schema with the standard introspection query
/// and compares the two as graphql-core prints them.
const CHECK_SCHEMA: &str = r#"
import json, sys, urllib.request
from graphql import (build_client_schema, build_schema, get_introspection_query, print_schema,
                     validate_schema)
sdl = build_schema(sys.stdin.read())
body = json.dumps({"query": get_introspection_query(descriptions=True)}).encode()
request = urllib.request.Request(sys.argv[1], data=body, headers={"Content-Type": "application/json"})
result = json.load(urllib.request.urlopen(request, timeout=30))
live = build_client_schema(result["data"])
same = print_schema(sdl) == print_schema(live)
print(json.dumps({
    "sdl_errors": [e.message for e in validate_schema(sdl)],
    "live_errors": [e.message for e in validate_schema(live)],
    "introspection_errors": result.get("errors", []),
    "same": same,
    "types": sorted(name for name in sdl.type_map if not name.startswith("__")),
    "diff": None if same else [print_schema(sdl), print_schema(live)],
}))
"#;

#[tokio::test]
async fn sdl_is_valid_and_is_what_the_server_serves() {
    let server = start().await;
    let sdl = servey::graphql::sdl(&server.app).expect("the SDL builds");
    let mut child = tokio::process::Command::new(python())
        .args(["-c", CHECK_SCHEMA, &server.url("/graphql")])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("python starts");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    stdin.write_all(sdl.as_bytes()).await.expect("SDL written");
    drop(stdin);
    let output = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("python finishes within a minute")
        .expect("python runs");
    assert!(
        output.status.success(),
        "graphql-core failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).expect("the checker prints JSON");
    assert_eq!(
        report,
        json!({
            "sdl_errors": [], "live_errors": [], "introspection_errors": [], "same": true,
            "types": ["Authorization", "BigInt", "Boolean", "JSON", "Message", "MessageInput",
                      "Mutation", "NumberStats", "Query", "StoredMessage", "String"],
            "diff": null
        })
    );
}

/// A headless Chromium driven over the DevTools protocol, killed when dropped.
struct Browser {
    child: tokio::process::Child,
    socket: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    profile: PathBuf,
    next_id: u64,
}

const BROWSER_WAIT: Duration = Duration::from_secs(30);

impl Browser {
    async fn launch() -> Self {
        let chromium = std::env::var_os("SERVEY_TEST_CHROMIUM")
            .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
        assert!(
            chromium.exists(),
            "{} is missing: run `cargo xtask setup` to install chromium",
            chromium.display()
        );
        let profile = std::env::temp_dir().join(format!(
            "servey-graphiql-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |elapsed| elapsed.as_nanos())
        ));
        let mut child = tokio::process::Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("chromium starts");
        let mut lines = BufReader::new(child.stderr.take().expect("stderr is piped")).lines();
        let endpoint = tokio::time::timeout(BROWSER_WAIT, async {
            while let Some(line) = lines.next_line().await.expect("stderr is readable") {
                if let Some(url) = line.strip_prefix("DevTools listening on ") {
                    return url.trim().to_owned();
                }
            }
            panic!("chromium exited before listening for DevTools");
        })
        .await
        .expect("chromium listens for DevTools within 30 s");
        // Keep draining stderr so that chromium never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let (socket, _) = tokio_tungstenite::connect_async(endpoint.as_str())
            .await
            .expect("connects to DevTools");
        Self {
            child,
            socket,
            profile,
            next_id: 0,
        }
    }

    /// Sends one DevTools command (to a page session if given) and returns its result.
    async fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        self.socket
            .send(Message::Text(message.to_string().into()))
            .await
            .expect("DevTools command sent");
        loop {
            let frame = tokio::time::timeout(BROWSER_WAIT, self.socket.next())
                .await
                .unwrap_or_else(|_| panic!("no answer to {method} within 30 s"))
                .expect("DevTools is connected")
                .expect("DevTools frame");
            let Message::Text(text) = frame else { continue };
            let reply: Value = serde_json::from_str(&text).expect("DevTools sends JSON");
            if reply["id"] == id {
                assert!(reply.get("error").is_none(), "{method} failed: {reply}");
                return reply["result"].clone();
            }
        }
    }

    /// Evaluates `expression` in the page and returns its value.
    async fn evaluate(&mut self, session: &str, expression: &str) -> Value {
        let result = self
            .call(
                Some(session),
                "Runtime.evaluate",
                json!({ "expression": expression, "returnByValue": true }),
            )
            .await;
        result["result"]["value"].clone()
    }

    /// Polls `expression` until it is a string containing `expected`; returns the last value.
    async fn wait_for_text(&mut self, session: &str, expression: &str, expected: &str) -> String {
        let deadline = tokio::time::Instant::now() + BROWSER_WAIT;
        loop {
            let text = self.evaluate(session, expression).await;
            let text = text.as_str().unwrap_or_default().to_owned();
            if text.contains(expected) {
                return text;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "`{expression}` never showed {expected:?} within 30 s; last: {text:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn close(mut self) {
        let _ = self.child.kill().await;
        let _ = std::fs::remove_dir_all(&self.profile);
    }
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
