//! What wraps every route of every adapter: the static-site or 404 fallback, problem details for bare
//! errors, the body limit, panic catching, the request span, CORS and the `X-Request-Id` echo.

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::any;
use servey_core::App;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

use crate::problem::{not_found, panic_response, problem_for_bare_errors};

/// The largest request body accepted (1 MiB); larger ones are answered `413`.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// The header a request id travels in.
const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Applies what wraps every route: the static-site or 404 fallback, problem details for 405/413/...,
/// the body limit, panic catching, tracing with the request id, CORS and the `X-Request-Id` echo.
pub fn finish(router: Router, app: &App) -> Router {
    let config = app.config();
    let router = if config.static_site_dir.is_dir() {
        let site = ServeDir::new(&config.static_site_dir)
            .append_index_html_on_directories(true)
            .fallback(any(not_found));
        router.fallback_service(site)
    } else {
        router.fallback(not_found)
    };
    let router = router
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(middleware::from_fn(problem_for_bare_errors))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(TraceLayer::new_for_http().make_span_with(request_span));
    let router = match cors(&config.cors_allowed_origins) {
        Some(cors) => router.layer(cors),
        None => router,
    };
    router.layer(middleware::from_fn(request_id))
}

fn request_span(request: &Request) -> tracing::Span {
    let request_id = request
        .headers()
        .get(X_REQUEST_ID)
        .and_then(|id| id.to_str().ok())
        .unwrap_or_default();
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        request_id,
    )
}

/// Keeps the caller's `X-Request-Id` (when usable) or makes one, so the request span, the action's
/// context and the response all carry the same id.
async fn request_id(mut request: Request, next: Next) -> Response {
    let given = request
        .headers()
        .get(X_REQUEST_ID)
        .filter(|id| is_usable_request_id(id.as_bytes()))
        .cloned();
    let id = match given {
        Some(id) => id,
        None => {
            let fresh = servey_core::context::new_request_id();
            let id = HeaderValue::from_str(&fresh).unwrap_or(HeaderValue::from_static("unknown"));
            request.headers_mut().insert(X_REQUEST_ID, id.clone());
            id
        }
    };
    let mut response = next.run(request).await;
    response.headers_mut().insert(X_REQUEST_ID, id);
    response
}

/// The same rule `App::context` applies: 1 to 128 visible ASCII characters.
fn is_usable_request_id(id: &[u8]) -> bool {
    !id.is_empty() && id.len() <= 128 && id.iter().all(u8::is_ascii_graphic)
}

/// CORS for the configured origins (`*` allows any); `None` when none are configured.
fn cors(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let allow_origin = if origins.iter().any(|origin| origin == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            origins
                .iter()
                .filter_map(|origin| HeaderValue::from_str(origin).ok()),
        )
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow_origin)
            .allow_methods([
                Method::GET,
                Method::HEAD,
                Method::POST,
                Method::PUT,
                Method::PATCH,
                Method::DELETE,
            ])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::IF_NONE_MATCH,
                X_REQUEST_ID,
            ])
            .expose_headers([X_REQUEST_ID, header::ETAG, header::WWW_AUTHENTICATE]),
    )
}
