//! What wraps every route of every adapter: the static-site or 404 fallback, the envelope (request id,
//! span, panics, problem details for bare errors), CORS and the body limit.

use std::convert::Infallible;

use axum::Router;
use axum::extract::{DefaultBodyLimit, OriginalUri, Request};
use axum::http::{HeaderValue, Method, header};
use axum::response::Response;
use servey_core::{App, TracePropagation};
use tower::layer::util::{Identity, Stack};
use tower::util::Either;
use tower::{Service, ServiceBuilder};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::direct::DirectRoutes;
use crate::envelope::{Answer, EnvelopeLayer, ForClient, X_REQUEST_ID};
use crate::problem::not_found;

/// What wraps every route of every adapter, as one service around the whole router: the static-site or
/// 404 fallback, problem details for 405/413/..., the body limit, the request-slot limit (`503`), panic
/// catching, tracing with the request id, CORS and the `X-Request-Id` echo; the `direct` routes are
/// answered without the router. Serve it as it is, or make it a router's fallback
/// (`Router::new().fallback_service(..)`) to merge it.
pub fn envelop(
    router: Router,
    app: &App,
    direct: DirectRoutes,
) -> impl Service<Request, Response = Response, Error = Infallible, Future: Send>
+ Answer
+ ForClient
+ Clone
+ Send
+ Sync
+ 'static {
    // With its state settled once, the router keeps each handler as a route instead of making one
    // per request.
    stack(app, direct).service(with_fallback(router, app).with_state(()))
}

/// `router` answering unmatched paths from the static site directory when there is one, else with a
/// 404 problem.
fn with_fallback(router: Router, app: &App) -> Router {
    let config = app.config();
    if config.static_site_dir.is_dir() {
        router.fallback_service(crate::files::files(app, &config.static_site_dir, true))
    } else {
        let errors = app.errors().clone();
        router.fallback(move |method: Method, uri: OriginalUri| {
            let errors = errors.clone();
            async move { not_found(&errors, &method, uri) }
        })
    }
}

/// The layers [`stack`] builds, in the order tower's types nest them (the first added is outermost).
type Layers =
    Stack<DefaultBodyLimit, Stack<Either<CorsLayer, Identity>, Stack<EnvelopeLayer, Identity>>>;

/// The envelope, CORS when configured, and the body limit, outermost first.
fn stack(app: &App, direct: DirectRoutes) -> ServiceBuilder<Layers> {
    let config = app.config();
    let limits = &config.limits;
    ServiceBuilder::new()
        .layer(
            EnvelopeLayer::new(
                limits.body_bytes,
                limits.body_read_timeout,
                app.request_slots().clone(),
                app.errors().clone(),
            )
            .trace(app.state::<TracePropagation>().cloned())
            .direct(direct),
        )
        .option_layer(cors(&config.cors_allowed_origins))
        .layer(DefaultBodyLimit::max(limits.body_bytes))
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
