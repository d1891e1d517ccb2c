//! The properties every response must have, whatever the request was. A broken one panics, which libFuzzer
//! reports as a crash with the input that broke it.

use serde::Deserialize;
use serde_json::Value;
use servey::axum::body::Bytes;
use servey::axum::http::{HeaderMap, StatusCode, header};

use crate::Harness;
use crate::known::known_issue;
use crate::request::Sent;

/// The GraphQL field of the failing action (its only way to a 500 over GraphQL).
const FAILING_FIELD: &str = "failOnPurpose";

/// Checks one response to `sent`.
///
/// - no 5xx, except from the deliberately failing action;
/// - every 4xx/5xx is a problem document (`application/problem+json`, its `status` the response's), or
///   on `/graphql` a JSON GraphQL response;
/// - `/graphql` always answers JSON, and reports no internal error unless the failing field was asked for;
/// - an action route answers JSON on success, and an access-controlled action succeeds only for root;
/// - `/static/` serves nothing but `static/hello.css`;
/// - 304 only answers a request that sent `If-None-Match`.
pub fn check_response(
    harness: &Harness,
    sent: &Sent,
    status: StatusCode,
    headers: &HeaderMap,
    body: &Bytes,
) {
    if known_issue(sent, status).is_some() {
        return;
    }
    let route = sent.route;
    let context = || {
        format!(
            "{} {} (route {}, said {:?}) answered {}: {:?} {}",
            sent.method,
            sent.uri,
            route.template,
            sent.text,
            status,
            headers,
            String::from_utf8_lossy(body)
        )
    };
    assert!(
        !status.is_server_error() || route.may_fail(),
        "server error: {}",
        context()
    );
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let is_json = content_type.starts_with("application/json");
    if status.is_client_error() || status.is_server_error() {
        let is_problem = content_type == "application/problem+json";
        assert!(
            is_problem || (route.is_graphql() && is_json),
            "error without a problem document: {}",
            context()
        );
        if is_problem && !sent.is_head {
            let problem: Value = serde_json::from_slice(body)
                .unwrap_or_else(|error| panic!("problem is not JSON ({error}): {}", context()));
            assert_eq!(
                problem["status"].as_u64(),
                Some(u64::from(status.as_u16())),
                "problem status differs: {}",
                context()
            );
        }
    }
    if route.is_graphql() && is_json && !sent.is_head {
        let response: Value = serde_json::from_slice(body)
            .unwrap_or_else(|error| panic!("GraphQL answer is not JSON ({error}): {}", context()));
        let internal = response["errors"].as_array().is_some_and(|errors| {
            errors
                .iter()
                .any(|error| error["extensions"]["code"] == "INTERNAL_SERVER_ERROR")
        });
        assert!(
            !internal || sent.text.contains(FAILING_FIELD),
            "GraphQL internal error: {}",
            context()
        );
    }
    if status == StatusCode::NOT_MODIFIED {
        assert!(sent.has_if_none_match, "304 unasked: {}", context());
    }
    if !status.is_success() {
        return;
    }
    if let Some(action) = &route.action {
        if !route.is_page && !sent.is_head {
            assert!(is_json, "action answered non-JSON: {}", context());
            is_json_document(body).unwrap_or_else(|error| {
                panic!("action answer is not JSON ({error}): {}", context())
            });
        }
        assert!(
            action.access_control.is_none() || sent.is_root,
            "access-controlled action answered without the root token: {}",
            context()
        );
    }
    if route.template.starts_with("/static/") && !sent.is_head {
        assert_eq!(
            body.as_ref(),
            harness.static_file.as_slice(),
            "/static/ served another file: {}",
            context()
        );
    }
}

/// `Ok` when `body` is one JSON document, however deep (an action that echoes its input answers deeper
/// than serde_json's default limit of 128 levels when the input is that deep).
fn is_json_document(body: &[u8]) -> Result<(), serde_json::Error> {
    let mut reader = serde_json::Deserializer::from_slice(body);
    reader.disable_recursion_limit();
    serde::de::IgnoredAny::deserialize(&mut reader)?;
    reader.end()
}
