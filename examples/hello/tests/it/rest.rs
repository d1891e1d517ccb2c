//! The tour app over REST: every row of the contract's REST section against a real server, plus external
//! checkers (openapi-spec-validator, schemathesis, headless Chromium on Swagger UI).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use reqwest::{Response, StatusCode, header};
use serde_json::{Value, json};
use servey::{Authorization, ServeyConfig};

use crate::server::{
    JWT_SECRET, PASSWORD, TestServer, run_tool, scratch_dir, serve_router, start, start_with,
    start_with_actions, test_chromium, test_config, test_python, workspace_root,
};

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

async fn get(server: &TestServer, path: &str) -> Response {
    client()
        .get(server.url(path))
        .send()
        .await
        .expect("the server answers")
}

async fn get_with_token(server: &TestServer, path: &str, authorization: &str) -> Response {
    client()
        .get(server.url(path))
        .header(header::AUTHORIZATION, authorization)
        .send()
        .await
        .expect("the server answers")
}

/// The body of a JSON response, checking its status and media type.
async fn json_body(response: Response, status: StatusCode) -> Value {
    assert_eq!(response.status(), status);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
    response.json().await.expect("a JSON body")
}

/// The body of a problem-details response, checking its status and media type.
async fn problem_body(response: Response, status: StatusCode) -> Value {
    assert_eq!(response.status(), status);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    response.json().await.expect("a problem document")
}

fn problem(status: u16, title: &str, code: &str, detail: &str) -> Value {
    json!({"type": "about:blank", "title": title, "status": status, "code": code, "detail": detail})
}

fn invalid(path: &str, message: &str) -> Value {
    json!({
        "type": "about:blank", "title": "Invalid input", "status": 422, "code": "invalid_input",
        "detail": "1 invalid field", "errors": [{"path": path, "message": message}]
    })
}

fn token(server: &TestServer, authorization: &Authorization) -> String {
    server
        .app
        .authorizer()
        .issue(authorization, Duration::from_secs(600))
        .expect("a token is issued")
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

// --- inputs and results -------------------------------------------------------------------------

#[tokio::test]
async fn get_reads_the_query_coerced_by_the_schema() {
    let server = start().await;
    let hello = get(&server, "/actions/say-hello?name=true").await;
    assert_eq!(json_body(hello, StatusCode::OK).await, json!("Hello true!"));
    let stats = get(&server, "/actions/number-stats?value=5").await;
    assert_eq!(
        json_body(stats, StatusCode::OK).await,
        json!({"value": 5, "is_even": false})
    );
}

#[tokio::test]
async fn dotted_query_keys_build_nested_objects() {
    let server = start().await;
    let response = get(&server, "/actions/generated-1?a.b=1&a.c=x&d=true").await;
    assert_eq!(
        json_body(response, StatusCode::OK).await,
        json!({"generated": 1, "input": {"a": {"b": 1, "c": "x"}, "d": true}})
    );
}

#[tokio::test]
async fn post_reads_a_struct_body() {
    let server = start().await;
    let response = client()
        .post(server.url("/actions/store-message"))
        .body(r#"{"message": {"sender": "ann", "text": "héllo"}, "id": 7}"#)
        .send()
        .await
        .expect("answers");
    assert_eq!(
        json_body(response, StatusCode::OK).await,
        json!({"id": 7, "message": {"sender": "ann", "text": "héllo"}, "length": 5})
    );
}

#[tokio::test]
async fn head_answers_like_get_without_a_body() {
    let server = start().await;
    let response = client()
        .head(server.url("/actions/say-hello?name=World"))
        .send()
        .await
        .expect("answers");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
    assert_eq!(response.bytes().await.expect("body").len(), 0);
}

#[tokio::test]
async fn results_are_plain_json_without_an_envelope() {
    let server = start().await;
    let response = get(&server, "/actions/say-hello?name=World").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.expect("text"), r#""Hello World!""#);
}

// --- errors -------------------------------------------------------------------------------------

#[tokio::test]
async fn a_wrong_type_is_422_with_the_field_path() {
    let server = start().await;
    let query = get(&server, "/actions/number-stats?value=abc").await;
    assert_eq!(
        problem_body(query, StatusCode::UNPROCESSABLE_ENTITY).await,
        invalid("value", "invalid type: string \"abc\", expected u64")
    );
    let body = client()
        .post(server.url("/actions/store-message"))
        .body(r#"{"message": {"sender": 1, "text": "x"}}"#)
        .send()
        .await
        .expect("answers");
    assert_eq!(
        problem_body(body, StatusCode::UNPROCESSABLE_ENTITY).await,
        invalid(
            "message.sender",
            "invalid type: integer `1`, expected a string"
        )
    );
}

#[tokio::test]
async fn a_missing_parameter_is_422_with_its_name() {
    let server = start().await;
    let query = get(&server, "/actions/say-hello").await;
    assert_eq!(
        problem_body(query, StatusCode::UNPROCESSABLE_ENTITY).await,
        invalid("name", "missing required field")
    );
    let empty_body = client()
        .post(server.url("/actions/store-message"))
        .send()
        .await
        .expect("answers");
    assert_eq!(
        problem_body(empty_body, StatusCode::UNPROCESSABLE_ENTITY).await,
        invalid("message", "missing required field")
    );
}

#[tokio::test]
async fn a_malformed_body_is_422_malformed_input() {
    let server = start().await;
    let response = client()
        .post(server.url("/actions/store-message"))
        .body("not json")
        .send()
        .await
        .expect("answers");
    assert_eq!(
        problem_body(response, StatusCode::UNPROCESSABLE_ENTITY).await,
        problem(
            422,
            "Malformed input",
            "malformed_input",
            "The input is not valid JSON: expected ident at line 1 column 2."
        )
    );
}

#[tokio::test]
async fn an_unknown_route_is_404() {
    let server = start().await;
    assert_eq!(
        problem_body(get(&server, "/nope").await, StatusCode::NOT_FOUND).await,
        problem(404, "Not Found", "not_found", "No route matches GET /nope.")
    );
}

#[tokio::test]
async fn a_wrong_method_is_405_with_allow() {
    let server = start().await;
    let response = client()
        .post(server.url("/actions/say-hello"))
        .send()
        .await
        .expect("answers");
    assert_eq!(response.headers()[header::ALLOW], "GET,HEAD");
    assert_eq!(
        problem_body(response, StatusCode::METHOD_NOT_ALLOWED).await,
        problem(
            405,
            "Method Not Allowed",
            "method_not_allowed",
            "/actions/say-hello does not answer POST; the `Allow` header lists what it answers."
        )
    );
}

#[tokio::test]
async fn a_body_over_one_mib_is_413() {
    let server = start().await;
    let response = client()
        .post(server.url("/actions/store-message"))
        .body(vec![b' '; 1024 * 1024 + 1])
        .send()
        .await
        .expect("answers");
    assert_eq!(
        problem_body(response, StatusCode::PAYLOAD_TOO_LARGE).await,
        problem(
            413,
            "Payload Too Large",
            "payload_too_large",
            "The request body is larger than the limit of 1048576 bytes."
        )
    );
}

#[tokio::test]
async fn an_action_failure_is_an_opaque_500() {
    let server = start().await;
    let expected = problem(
        500,
        "Internal error",
        "internal_error",
        "The action failed.",
    );
    for path in [
        "/actions/fail-on-purpose",
        "/actions/fail-on-purpose?panic=true",
    ] {
        let response = get(&server, path).await;
        assert_eq!(
            problem_body(response, StatusCode::INTERNAL_SERVER_ERROR).await,
            expected
        );
    }
    let after = get(&server, "/actions/say-hello?name=again").await;
    assert_eq!(
        json_body(after, StatusCode::OK).await,
        json!("Hello again!")
    );
}

/// A user's own route that panics (outside any action's invoke path).
async fn panicking_handler() -> &'static str {
    panic!("a composed route panics")
}

#[tokio::test]
async fn a_panic_outside_an_action_is_500_and_the_server_keeps_serving() {
    let server = start().await;
    let routes = servey::web::router(&server.app)
        .expect("routes build")
        .route("/boom", servey::web::axum::routing::get(panicking_handler));
    let base = serve_router(servey::web::finish(routes, &server.app)).await;
    let boom = client()
        .get(format!("{base}/boom"))
        .send()
        .await
        .expect("answers");
    assert_eq!(
        problem_body(boom, StatusCode::INTERNAL_SERVER_ERROR).await,
        problem(
            500,
            "Internal Server Error",
            "internal_error",
            "The server failed to answer this request."
        )
    );
    let health = client()
        .get(format!("{base}/health"))
        .send()
        .await
        .expect("answers");
    assert_eq!(
        json_body(health, StatusCode::OK).await,
        json!({"status": "ok"})
    );
}

// --- auth ---------------------------------------------------------------------------------------

#[tokio::test]
async fn no_token_is_401_with_a_bearer_challenge() {
    let server = start().await;
    let response = get(&server, "/actions/only-for-root").await;
    assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
    assert_eq!(
        problem_body(response, StatusCode::UNAUTHORIZED).await,
        problem(
            401,
            "Unauthenticated",
            "unauthenticated",
            "This action needs a bearer token."
        )
    );
}

/// An HS512 token signed with the server's own secret, by Python's standard library.
async fn hs512_token() -> String {
    let script = r#"
import base64, hashlib, hmac, json, sys
b64 = lambda data: base64.urlsafe_b64encode(data).rstrip(b"=")
head = b64(json.dumps({"alg": "HS512", "typ": "JWT"}).encode())
body = b64(json.dumps({"sub": "root", "scope": "root", "exp": 9999999999}).encode())
signature = b64(hmac.new(sys.argv[1].encode(), head + b"." + body, hashlib.sha512).digest())
print((head + b"." + body + b"." + signature).decode())
"#;
    let output = run_tool(
        tokio::process::Command::new(test_python()).args(["-c", script, JWT_SECRET]),
        Duration::from_secs(30),
    )
    .await;
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout)
        .expect("utf-8")
        .trim()
        .to_owned()
}

#[tokio::test]
async fn every_kind_of_bad_token_is_401_invalid_token() {
    let server = start().await;
    let now = unix_now();
    let expired = Authorization {
        expire_at: Some(now - 10),
        ..Authorization::new("root", ["root"])
    };
    let not_yet_valid = Authorization {
        not_before: Some(now + 3600),
        ..Authorization::new("root", ["root"])
    };
    let other_key = servey::App::new(
        servey::Registry::builder().build().expect("empty registry"),
        ServeyConfig::from_lookup(|key| (key == "JWT_SECRET_KEY").then(|| "other-secret".into())),
    );
    let foreign = other_key
        .authorizer()
        .issue(
            &Authorization::new("root", ["root"]),
            Duration::from_secs(600),
        )
        .expect("issued");
    // {"alg":"none","typ":"JWT"} . {"sub":"root","scope":"root","exp":9999999999} . (no signature)
    let alg_none = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJyb290Iiwic2NvcGUiOiJyb290IiwiZXhwIjo5OTk5OTk5OTk5fQ.";
    let cases = [
        (
            bearer(alg_none),
            "the token is malformed (JSON error: unknown variant `none`, expected one of `HS256`, \
             `HS384`, `HS512`, `ES256`, `ES384`, `RS256`, `RS384`, `RS512`, `PS256`, `PS384`, \
             `PS512`, `EdDSA` at line 1 column 13)",
        ),
        (
            bearer(&hs512_token().await),
            "the token's algorithm is not HS256",
        ),
        (bearer(&foreign), "the token's signature is invalid"),
        (bearer(&token(&server, &expired)), "the token has expired"),
        (
            bearer(&token(&server, &not_yet_valid)),
            "the token is not valid yet",
        ),
        (
            "Basic cm9vdDpwdw==".to_owned(),
            "the Authorization header is not `Bearer <token>`",
        ),
        (bearer("garbage"), "the token is malformed (InvalidToken)"),
    ];
    for (authorization, reason) in cases {
        let response = get_with_token(&server, "/actions/only-for-root", &authorization).await;
        assert_eq!(
            response.headers()[header::WWW_AUTHENTICATE],
            r#"Bearer error="invalid_token""#,
            "{reason}"
        );
        assert_eq!(
            problem_body(response, StatusCode::UNAUTHORIZED).await,
            problem(
                401,
                "Unauthenticated",
                "unauthenticated",
                &format!("The bearer token was rejected: {reason}.")
            )
        );
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after the epoch")
        .as_secs()
}

#[tokio::test]
async fn a_missing_scope_is_403() {
    let server = start().await;
    let user = token(&server, &Authorization::new("bob", ["user"]));
    let response = get_with_token(&server, "/actions/only-for-root", &bearer(&user)).await;
    assert_eq!(
        problem_body(response, StatusCode::FORBIDDEN).await,
        problem(
            403,
            "Forbidden",
            "forbidden",
            "This action needs the scope `root`."
        )
    );
}

async fn login(server: &TestServer, form: &[(&str, &str)]) -> Response {
    client()
        .post(server.url("/login"))
        .form(form)
        .send()
        .await
        .expect("answers")
}

#[tokio::test]
async fn a_root_token_from_login_opens_only_for_root() {
    let server = start().await;
    // What Swagger UI's password flow sends.
    let form = [
        ("grant_type", "password"),
        ("username", "root"),
        ("password", PASSWORD),
        ("scope", "root"),
    ];
    let answer = json_body(login(&server, &form).await, StatusCode::OK).await;
    assert_eq!(answer["token_type"], "bearer");
    assert_eq!(answer.as_object().map(|o| o.len()), Some(2));
    let access_token = answer["access_token"].as_str().expect("a token");
    let granted = server.app.authorizer().verify(access_token).expect("valid");
    assert_eq!(
        (granted.subject.as_deref(), granted.scopes.len()),
        (Some("root"), 1)
    );
    let secret = get_with_token(&server, "/actions/only-for-root", &bearer(access_token)).await;
    assert_eq!(
        json_body(secret, StatusCode::OK).await,
        json!("Some Secret Data!")
    );
}

#[tokio::test]
async fn a_wrong_password_is_401() {
    let server = start().await;
    let response = login(&server, &[("username", "root"), ("password", "guess")]).await;
    assert_eq!(
        problem_body(response, StatusCode::UNAUTHORIZED).await,
        problem(
            401,
            "Unauthenticated",
            "unauthenticated",
            "Wrong username or password."
        )
    );
}

// --- caching ------------------------------------------------------------------------------------

#[tokio::test]
async fn ttl_actions_send_cache_control_and_etag_and_304_when_current() {
    let server = start().await;
    let first = get(&server, "/actions/slow-get-with-ttl?seconds=0").await;
    assert_eq!(first.headers()[header::CACHE_CONTROL], "public, max-age=30");
    let etag = first.headers()[header::ETAG]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
    assert_eq!(
        json_body(first, StatusCode::OK).await,
        json!("Waited 0s. You should see this cached.")
    );
    let revalidated = client()
        .get(server.url("/actions/slow-get-with-ttl?seconds=0"))
        .header(header::IF_NONE_MATCH, &etag)
        .send()
        .await
        .expect("answers");
    assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(revalidated.headers()[header::ETAG], etag.as_str());
    assert_eq!(revalidated.bytes().await.expect("body").len(), 0);
}

/// A run-time action that counts its runs and keeps results 30 s (optionally behind a scope).
fn counting_action(name: &str, runs: Arc<AtomicU64>, scope: Option<&str>) -> servey::Action {
    let builder = servey::Action::builder(name, move |input, _| {
        let runs = runs.clone();
        async move { Ok(json!({"run": runs.fetch_add(1, Ordering::SeqCst) + 1, "input": input})) }
    })
    .trigger(servey::Trigger::web_get())
    .cache_control(servey::Ttl {
        seconds: 30,
        server_cache: true,
    });
    match scope {
        Some(scope) => builder.access_control(servey::Scope(scope.to_owned())),
        None => builder,
    }
    .build()
}

#[tokio::test]
async fn ttl_results_are_reused_per_input_from_the_server_store() {
    let runs = Arc::new(AtomicU64::new(0));
    let server = start_with_actions(
        test_config(),
        vec![counting_action("count_runs", runs.clone(), None)],
    )
    .await;
    let first = json_body(
        get(&server, "/actions/count-runs?k=1").await,
        StatusCode::OK,
    )
    .await;
    let again = json_body(
        get(&server, "/actions/count-runs?k=1").await,
        StatusCode::OK,
    )
    .await;
    let fresh = json_body(
        get(&server, "/actions/count-runs?k=2").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(first, json!({"run": 1, "input": {"k": 1}}));
    assert_eq!(again, first, "the second call answers from the store");
    assert_eq!(fresh, json!({"run": 2, "input": {"k": 2}}));
    assert_eq!(runs.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn authorized_ttl_results_are_private() {
    let runs = Arc::new(AtomicU64::new(0));
    let server = start_with_actions(
        test_config(),
        vec![counting_action("count_secrets", runs, Some("root"))],
    )
    .await;
    let root = token(&server, &Authorization::new("root", ["root"]));
    let response = get_with_token(&server, "/actions/count-secrets", &bearer(&root)).await;
    assert_eq!(
        response.headers()[header::CACHE_CONTROL],
        "private, max-age=30"
    );
    assert_eq!(
        json_body(response, StatusCode::OK).await,
        json!({"run": 1, "input": {}})
    );
}

// --- self-description, pages, files, headers ----------------------------------------------------

#[tokio::test]
async fn health_is_ok() {
    let server = start().await;
    assert_eq!(
        json_body(get(&server, "/health").await, StatusCode::OK).await,
        json!({"status": "ok"})
    );
}

#[tokio::test]
async fn actions_lists_every_action_with_triggers_and_links() {
    let server = start().await;
    let listed = json_body(get(&server, "/actions").await, StatusCode::OK).await;
    let entries = listed.as_array().expect("a list");
    assert_eq!(entries.len(), server.app.registry().len());
    let hello = entries
        .iter()
        .find(|entry| entry["name"] == "say_hello")
        .expect("say_hello is listed");
    assert_eq!(
        hello,
        &json!({
            "name": "say_hello", "summary": "Greet a user!",
            "triggers": ["GET /actions/say-hello"],
            "links": [{"method": "GET", "href": "/actions/say-hello", "rel": "action"}]
        })
    );
    let page = entries
        .iter()
        .find(|entry| entry["name"] == "current_time_page")
        .expect("the page is listed");
    assert_eq!(
        page["links"],
        json!([{"method": "GET", "href": "/current-time-page", "rel": "page"}])
    );
}

#[tokio::test]
async fn openapi_json_is_what_openapi_json_prints() {
    let server = start().await;
    let response = get(&server, "/openapi.json").await;
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
    let served = response.text().await.expect("text");
    assert_eq!(served, servey::web::openapi_json(&server.app));
    let document: Value = serde_json::from_str(&served).expect("JSON");
    assert_eq!(document["openapi"], "3.1.0");
    let get_hello = &document["paths"]["/actions/say-hello"]["get"];
    assert_eq!(get_hello["operationId"], "say_hello");
    assert_eq!(
        get_hello["parameters"],
        json!([{"name": "name", "in": "query", "required": true, "schema": {"type": "string"},
                "example": "Developer"}])
    );
    let root = &document["paths"]["/actions/only-for-root"]["get"];
    assert_eq!(root["security"], json!([{"oauth2": ["root"]}]));
    assert_eq!(
        root["responses"]["403"]["content"]["application/problem+json"]["schema"],
        json!({"$ref": "#/components/schemas/Problem"})
    );
    assert_eq!(
        document["components"]["securitySchemes"]["oauth2"]["flows"]["password"]["tokenUrl"],
        "/login"
    );
}

#[tokio::test]
async fn a_web_page_renders_its_template_with_the_result() {
    let server = start().await;
    let response = get(&server, "/current-time-page").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/html; charset=utf-8"
    );
    let html = response.text().await.expect("text");
    let now = html
        .split("<time datetime=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the page shows model.now");
    assert!(
        chrono::DateTime::parse_from_rfc3339(now).is_ok(),
        "{now} is the result's RFC 3339 time"
    );
}

#[tokio::test]
async fn a_missing_template_is_a_500_naming_it() {
    let mut config = test_config();
    config.templates_dir = workspace_root().join("templates/does-not-exist");
    let server = start_with(config).await;
    assert_eq!(
        problem_body(
            get(&server, "/current-time-page").await,
            StatusCode::INTERNAL_SERVER_ERROR
        )
        .await,
        problem(
            500,
            "Internal Server Error",
            "internal_error",
            "The page template `current_time_page.j2` was not found in the templates directory."
        )
    );
}

#[tokio::test]
async fn static_files_are_served_under_static() {
    let server = start().await;
    let response = get(&server, "/static/hello.css").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "text/css");
    let expected =
        std::fs::read_to_string(workspace_root().join("examples/hello/static/hello.css"))
            .expect("the stylesheet exists");
    assert_eq!(response.text().await.expect("text"), expected);
    assert_eq!(
        get(&server, "/static/missing.css").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn x_request_id_is_echoed_or_made() {
    let server = start().await;
    let given = client()
        .get(server.url("/health"))
        .header("x-request-id", "trace-42")
        .send()
        .await
        .expect("answers");
    assert_eq!(given.headers()["x-request-id"], "trace-42");
    let unusable = "x".repeat(200);
    let mut made = Vec::new();
    for id in [None, Some(unusable.as_str())] {
        let mut request = client().get(server.url("/nope"));
        if let Some(id) = id {
            request = request.header("x-request-id", id);
        }
        let response = request.send().await.expect("answers");
        let echoed = response.headers()["x-request-id"].to_str().expect("ascii");
        made.push(echoed.to_owned());
    }
    assert!(
        made.iter().all(|id| !id.is_empty() && id.len() <= 128),
        "{made:?}"
    );
    assert_ne!(made[0], made[1], "each request gets its own id");
}

#[tokio::test]
async fn cors_headers_appear_only_when_configured() {
    let origin = "https://app.example";
    let mut config = test_config();
    config.cors_allowed_origins = vec![origin.to_owned()];
    let server = start_with(config).await;
    let response = client()
        .get(server.url("/health"))
        .header(header::ORIGIN, origin)
        .send()
        .await
        .expect("answers");
    assert_eq!(
        response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        origin
    );
    let preflight = client()
        .request(
            reqwest::Method::OPTIONS,
            server.url("/actions/store-message"),
        )
        .header(header::ORIGIN, origin)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .send()
        .await
        .expect("answers");
    assert_eq!(preflight.status(), StatusCode::OK);
    assert_eq!(
        preflight.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        origin
    );
    let plain = start().await;
    let response = client()
        .get(plain.url("/health"))
        .header(header::ORIGIN, origin)
        .send()
        .await
        .expect("answers");
    assert!(
        !response
            .headers()
            .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN)
    );
}

// --- external checkers --------------------------------------------------------------------------

fn output_text(output: &std::process::Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_spec_validator_accepts_the_document() {
    let server = start().await;
    let dir = scratch_dir("openapi");
    let file = dir.join("openapi.json");
    let served = get(&server, "/openapi.json")
        .await
        .text()
        .await
        .expect("text");
    std::fs::write(&file, served).expect("written");
    let output = run_tool(
        tokio::process::Command::new(test_python())
            .args(["-m", "openapi_spec_validator", "--schema", "3.1"])
            .arg(&file),
        Duration::from_secs(60),
    )
    .await;
    assert!(output.status.success(), "{}", output_text(&output));
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("OK"),
        "{}",
        output_text(&output)
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_server_error_or_schema_violation() {
    let server = start().await;
    let root = token(&server, &Authorization::new("root", ["root"]));
    let dir = scratch_dir("schemathesis");
    let output = run_tool(
        tokio::process::Command::new(test_python())
            .args(["-m", "schemathesis.cli", "run"])
            .arg(server.url("/openapi.json"))
            .args(["--url", &server.base])
            .args([
                "--checks",
                "not_a_server_error,status_code_conformance,content_type_conformance,\
                 response_schema_conformance",
            ])
            // Fails on purpose / sleeps on purpose.
            .args(["--exclude-operation-id", "fail_on_purpose"])
            .args(["--exclude-operation-id", "slow_get_with_ttl"])
            .args(["--header", &format!("Authorization: Bearer {root}")])
            .args(["--max-examples", "10", "--seed", "7"])
            .args(["--workers", "2", "--no-shrink", "--request-timeout", "10"])
            .current_dir(&dir),
        Duration::from_secs(120),
    )
    .await;
    assert!(output.status.success(), "{}", output_text(&output));
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swagger_ui_lists_the_operations_in_a_headless_browser() {
    let server = start().await;
    let profile = scratch_dir("chromium");
    let output = run_tool(
        tokio::process::Command::new(test_chromium())
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .args(["--virtual-time-budget=10000", "--dump-dom"])
            .arg(server.url("/docs/")),
        Duration::from_secs(90),
    )
    .await;
    let dom = String::from_utf8_lossy(&output.stdout);
    for rendered in [
        "operations-default-say_hello",
        r#"data-path="/actions/say-hello""#,
        "operations-default-only_for_root",
        "btn authorize",
    ] {
        assert!(
            dom.contains(rendered),
            "Swagger UI did not render `{rendered}`:\n{}",
            output_text(&output)
        );
    }
    let _ = std::fs::remove_dir_all(profile);
}
