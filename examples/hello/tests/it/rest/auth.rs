//! Auth: bearer challenges, every kind of bad token, scopes, and tokens from `/login`.

use std::time::Duration;

use reqwest::{Response, StatusCode, header};
use serde_json::{Value, json};
use servey::{Authorization, ServeyConfig};

use super::{bearer, client, get, get_with_token, json_body, problem, problem_body, send, token};
use crate::server::{JWT_SECRET, PASSWORD, TestServer, python, run_tool, start};

/// The 401 problem with `detail`.
fn unauthenticated(detail: &str) -> Value {
    problem(401, "Unauthenticated", "unauthenticated", detail)
}

#[tokio::test]
async fn no_token_is_401_with_a_bearer_challenge() {
    let server = start().await;
    let response = get(&server, "/actions/only-for-root").await;
    assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
    assert_eq!(
        problem_body(response, StatusCode::UNAUTHORIZED).await,
        unauthenticated("This action needs credentials.")
    );
}

/// A token with `header` and `claims` (JSON), signed with the server's own secret by Python's standard
/// library with `hash` (`sha256` for HS256, `sha512` for HS512): tokens servey itself would never issue.
async fn python_token(hash: &str, header: &str, claims: &str) -> String {
    let script = r#"
import base64, hashlib, hmac, sys
b64 = lambda data: base64.urlsafe_b64encode(data).rstrip(b"=")
head, body = b64(sys.argv[3].encode()), b64(sys.argv[4].encode())
signature = b64(hmac.new(sys.argv[1].encode(), head + b"." + body, getattr(hashlib, sys.argv[2])).digest())
print((head + b"." + body + b"." + signature).decode())
"#;
    let output = run_tool(
        &mut python(&["-c", script, JWT_SECRET, hash, header, claims]),
        Duration::from_secs(30),
    )
    .await;
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout)
        .expect("utf-8")
        .trim()
        .to_owned()
}

const ROOT_CLAIMS: &str = r#"{"sub": "root", "scope": "root", "exp": 9999999999}"#;

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
        .authenticator()
        .issue(&Authorization::new("root", ["root"]))
        .expect("issued");
    // {"alg":"none","typ":"JWT"} . {"sub":"root","scope":"root","exp":9999999999} . (no signature)
    let alg_none = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJyb290Iiwic2NvcGUiOiJyb290IiwiZXhwIjo5OTk5OTk5OTk5fQ.";
    let cases = [
        (bearer(alg_none), "the token is malformed"),
        (
            bearer(&python_token("sha512", r#"{"alg": "HS512", "typ": "JWT"}"#, ROOT_CLAIMS).await),
            "the token's algorithm is not HS256",
        ),
        (
            bearer(
                &python_token(
                    "sha256",
                    r#"{"alg": "HS256", "typ": "JWT", "crit": ["exp"]}"#,
                    ROOT_CLAIMS,
                )
                .await,
            ),
            "the token names critical header extensions (`crit`)",
        ),
        (
            bearer(
                &python_token(
                    "sha256",
                    r#"{"alg": "HS256", "typ": "JWT"}"#,
                    &format!(
                        r#"{{"sub": "root", "scope": "root", "exp": 9999999999, "iat": {}}}"#,
                        now + 86_400
                    ),
                )
                .await,
            ),
            "the token is issued in the future",
        ),
        (
            bearer(
                &python_token(
                    "sha256",
                    r#"{"alg": "HS256", "typ": "JWT"}"#,
                    r#"{"sub": "root"}"#,
                )
                .await,
            ),
            "the token has no `exp` claim",
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
        (bearer("garbage"), "the token is malformed"),
    ];
    // A presented token is checked whatever the action: protected, optional (`Option<Authorization>`)
    // or public, a bad one is never taken as anonymous.
    let paths = [
        "/actions/only-for-root",
        "/actions/echo-authorization",
        "/actions/say-hello?name=x",
    ];
    for (authorization, reason) in cases {
        for path in paths {
            let response = get_with_token(&server, path, &authorization).await;
            assert_eq!(
                response.headers()[header::WWW_AUTHENTICATE],
                r#"Bearer error="invalid_token""#,
                "{path}: {reason}"
            );
            assert_eq!(
                problem_body(response, StatusCode::UNAUTHORIZED).await,
                unauthenticated(&format!("The credentials were rejected: {reason}."))
            );
        }
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
    send(client().post(server.url("/login")).form(form)).await
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
    assert_eq!(answer.as_object().map(|o| o.len()), Some(4));
    let access_token = answer["access_token"].as_str().expect("a token");
    let granted = server
        .app
        .authenticator()
        .verify_token(access_token)
        .authorization()
        .expect("valid")
        .cloned()
        .expect("a grant");
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
async fn a_wrong_password_is_400_invalid_grant() {
    let server = start().await;
    let form = [
        ("grant_type", "password"),
        ("username", "root"),
        ("password", "guess"),
    ];
    let response = login(&server, &form).await;
    assert_eq!(
        json_body(response, StatusCode::BAD_REQUEST).await,
        json!({"error": "invalid_grant", "error_description": "Wrong username or password."})
    );
}
