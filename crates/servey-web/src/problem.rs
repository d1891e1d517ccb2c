//! Error responses: an `ActionError` rendered by the app's error renderer (problem details unless the app
//! plugs in its own), the 404 fallback, and the middleware that turns the bare error responses of axum
//! and tower-http (405, 413, ...) into the same body.

use axum::body::Body;
use axum::extract::OriginalUri;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use servey_core::error::PROBLEM_CONTENT_TYPE;
use servey_core::{ActionError, App, ErrorCode, ErrorRendering, Problem};

/// The response for `error`: the app's error body and status, and for a 401 that asks for credentials
/// (`ErrorCode::Unauthenticated`: none sent, or rejected) the authenticator's `WWW-Authenticate`
/// challenge. A 401 an action answers itself (`ActionError::custom(401, ...)`, a wrong password at a
/// login) is about the request, not the auth scheme, and gets none.
///
/// `token_rejected` tells "no token" from "a token that was sent and rejected" in the challenge.
pub(crate) fn error_response(app: &App, error: &ActionError, token_rejected: bool) -> Response {
    let mut response = rendered_response(app.errors(), error);
    if response.status() == StatusCode::UNAUTHORIZED
        && error.code() == ErrorCode::Unauthenticated
        && let Ok(challenge) = HeaderValue::from_str(&app.authenticator().challenge(token_rejected))
    {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, challenge);
    }
    if let Some(retry) = error.retry_after() {
        // RFC 9110's Retry-After, and the IETF draft's RateLimit-Policy / RateLimit fields.
        let limit = retry.limit;
        let headers = response.headers_mut();
        for (name, value) in [
            (header::RETRY_AFTER, retry.seconds.to_string()),
            (
                HeaderName::from_static("ratelimit-policy"),
                format!("\"default\";q={};w={}", limit.count, limit.period_secs()),
            ),
            (
                HeaderName::from_static("ratelimit"),
                format!("\"default\";r=0;t={}", retry.seconds),
            ),
        ] {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(name, value);
            }
        }
    }
    response
}

/// `error` as the renderer's body, with its status and media type.
pub(crate) fn rendered_response(errors: &ErrorRendering, error: &ActionError) -> Response {
    let rendered = errors.render(error);
    let status = StatusCode::from_u16(rendered.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = Response::new(Body::from(rendered.body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(rendered.content_type),
    );
    response
}

/// A transport-level error (no action involved: 404, 405, 413, 503, ...) in the app's error body.
pub(crate) fn status_response(
    errors: &ErrorRendering,
    status: StatusCode,
    detail: impl Into<String>,
) -> Response {
    let problem = status_problem(status, detail);
    if errors.is_problem_details() {
        return problem_response(&problem);
    }
    rendered_response(
        errors,
        &ActionError::custom(problem.status, problem.code, problem.detail),
    )
}

/// A problem document as a response with its status.
pub(crate) fn problem_response(problem: &Problem) -> Response {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(problem).unwrap_or_default();
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(PROBLEM_CONTENT_TYPE),
        )],
        body,
    )
        .into_response()
}

/// A problem for a transport-level status (no action involved).
pub(crate) fn status_problem(status: StatusCode, detail: impl Into<String>) -> Problem {
    let code = match status {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::REQUEST_TIMEOUT => "request_timeout",
        StatusCode::URI_TOO_LONG => "uri_too_long",
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => "request_header_fields_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid_input",
        StatusCode::UNAUTHORIZED => "unauthenticated",
        StatusCode::INTERNAL_SERVER_ERROR => "internal_error",
        StatusCode::SERVICE_UNAVAILABLE => "service_unavailable",
        StatusCode::NOT_IMPLEMENTED => "not_built",
        StatusCode::TOO_MANY_REQUESTS => "rate_limited",
        _ if status.is_client_error() => "client_error",
        _ => "server_error",
    };
    Problem {
        kind: "about:blank".to_owned(),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        code: code.to_owned(),
        detail: detail.into(),
        errors: Vec::new(),
    }
}

/// The answer for paths no route matches: a 404 in the app's error body.
/// The path is the one the caller sent, also under a nested service (`/static/...`).
pub(crate) fn not_found(
    errors: &ErrorRendering,
    method: &Method,
    OriginalUri(uri): OriginalUri,
) -> Response {
    status_response(
        errors,
        StatusCode::NOT_FOUND,
        format!("No route matches {method} {}.", uri.path()),
    )
}

/// The detail of a `413`.
pub(crate) fn too_large_detail(body_limit: usize) -> String {
    format!("The request body is larger than the limit of {body_limit} bytes.")
}

/// The `503` of a server with every request slot taken: try again in a second.
pub(crate) fn overloaded_response(errors: &ErrorRendering) -> Response {
    let mut response = status_response(
        errors,
        StatusCode::SERVICE_UNAVAILABLE,
        "The server is answering as many requests as it allows; try again shortly.",
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

/// The answer to a panic outside the invoke path: an opaque 500 problem (the server keeps serving).
pub(crate) fn panic_response(
    errors: &ErrorRendering,
    panic: Box<dyn std::any::Any + Send + 'static>,
) -> Response {
    let message = servey_core::error::panic_message(&*panic);
    tracing::error!(panic = %message, "a request handler panicked");
    status_response(
        errors,
        StatusCode::INTERNAL_SERVER_ERROR,
        "The server failed to answer this request.",
    )
}

/// Turns error responses without a body type (axum's 405, tower-http's 413, `ServeDir`'s 404, ...) into
/// the app's error body, so that every error a client sees has the same shape.
pub(crate) fn problem_for_bare_error(
    errors: &ErrorRendering,
    method: &Method,
    path: &str,
    body_limit: usize,
    response: Response,
) -> Response {
    let status = response.status();
    let is_bare = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_none_or(|kind| kind.as_bytes().starts_with(b"text/plain"));
    if !(status.is_client_error() || status.is_server_error()) || !is_bare {
        return response;
    }
    let detail = match status {
        StatusCode::NOT_FOUND => format!("No route matches {method} {path}."),
        // The detail points at axum's `Allow` header rather than repeating it.
        StatusCode::METHOD_NOT_ALLOWED => {
            format!("{path} does not answer {method}; the `Allow` header lists what it answers.")
        }
        StatusCode::PAYLOAD_TOO_LARGE => too_large_detail(body_limit),
        _ => format!(
            "The request failed: {}.",
            status.canonical_reason().unwrap_or("error")
        ),
    };
    let (mut parts, _) = response.into_parts();
    let problem = status_response(errors, status, detail);
    let (problem_parts, body) = problem.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.extend(problem_parts.headers);
    Response::from_parts(parts, Body::new(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app() -> App {
        App::new(
            servey_core::Registry::default(),
            servey_core::ServeyConfig::default(),
        )
    }

    #[test]
    fn unauthenticated_errors_carry_a_bearer_challenge() {
        let error = ActionError::new(ErrorCode::Unauthenticated, "no token");
        let app = app();
        let anonymous = error_response(&app, &error, false);
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(anonymous.headers()[header::WWW_AUTHENTICATE], "Bearer");
        assert_eq!(
            anonymous.headers()[header::CONTENT_TYPE],
            "application/problem+json"
        );
        let rejected = error_response(&app, &error, true);
        assert_eq!(
            rejected.headers()[header::WWW_AUTHENTICATE],
            r#"Bearer error="invalid_token""#
        );
    }

    #[test]
    fn an_actions_own_401_carries_no_challenge() {
        let error = ActionError::custom(401, "wrong_password", "The password is wrong.");
        let response = error_response(&app(), &error, false);
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers().get(header::WWW_AUTHENTICATE), None);
    }

    #[test]
    fn invalid_custom_statuses_fall_back_to_500() {
        let error = ActionError::custom(1000, "odd", "odd status");
        assert_eq!(
            error_response(&app(), &error, false).status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
