//! The REST routes: one endpoint per web trigger, built once at start, each calling its action through
//! the one invoke path and answering plain JSON (with cache headers) or a problem document.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{FromRequestParts, Query, RawPathParams, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::{MethodFilter, MethodRouter};
use serde_json::{Map, Value};
use servey_core::cache::if_none_match_matches;
use servey_core::context::Client;
use servey_core::input::QueryToJson;
use servey_core::route::{PathTemplate, ReservedRoute, reserved_route};
use servey_core::{
    Action, ActionError, ActionOutput, App, BodyFormat, Context, Credentials, ErrorCode, Input,
    Method, Origin,
};

use crate::endpoints::endpoints;
use crate::error::WebError;
use crate::problem::{error_response, status_response, too_large_detail};
use crate::query::{coerce_pairs, coerce_segment, is_simple_query, query_to_json};
use crate::shape::Shape;

/// The routes the REST adapter serves itself, for every method: no action may take them.
pub const RESERVED_ROUTES: &[ReservedRoute] = &[
    ReservedRoute::exact("/health", "the health check"),
    ReservedRoute::exact("/health/live", "the liveness probe"),
    ReservedRoute::exact(
        "/health/ready",
        "the readiness probe (every required backend answers)",
    ),
    ReservedRoute::exact("/actions", "the action list"),
    ReservedRoute::exact("/metrics", "the metrics (Prometheus text format)"),
    ReservedRoute::exact("/openapi.json", "the OpenAPI document"),
    ReservedRoute::prefix("/docs", "the docs page (Swagger UI)"),
    ReservedRoute::exact("/login", "the login route").answering("POST"),
    ReservedRoute::prefix("/static", "the static files"),
    ReservedRoute::exact("/jobs", "the jobs endpoint").answering("POST"),
];

/// The REST routes of `app` (to be merged with the other adapters' and then passed to [`envelop`](crate::envelop)).
pub fn router(app: &App) -> Result<Router, WebError> {
    let mut table = RouteTable::default();
    #[cfg(feature = "pages")]
    let pages = crate::templates::Pages::new(app);
    for route in endpoints(app)? {
        let owner = format!("action `{}`", route.endpoint.action.name);
        table.claim(&route.endpoint.template, route.method, &route.path, &owner)?;
        let methods = match route.page {
            None => route.endpoint.into_method_router(),
            #[cfg(feature = "pages")]
            Some(template) => pages.method_router(route.endpoint, template),
            #[cfg(not(feature = "pages"))]
            Some(_) => unreachable!("endpoints refuse pages without the `pages` feature"),
        };
        table.add(&route.path, methods);
    }
    let router = table
        .routes
        .into_iter()
        .fold(Router::new(), |router, (path, methods)| {
            router.route(&path, methods)
        });
    let mut router = router
        .merge(crate::catalog::router(app))
        .merge(crate::metrics::router(app))
        .merge(crate::jobs::router(app));
    if app.serves("/login") {
        router = router.merge(crate::login::router(app));
    }
    router = router.merge(crate::docs::router(app));
    if app.serves("/static") {
        router = router.nest_service("/static", crate::files::static_files(app));
    }
    Ok(router)
}

/// Routes by path, and who claimed each method on each route shape (to report conflicts).
#[derive(Default)]
struct RouteTable {
    routes: BTreeMap<String, MethodRouter>,
    claims: BTreeMap<(String, &'static str), String>,
}

impl RouteTable {
    fn claim(
        &mut self,
        template: &PathTemplate,
        method: Method,
        path: &str,
        owner: &str,
    ) -> Result<(), WebError> {
        let shape = template.route_shape();
        let key = (shape, method.as_str());
        if let Some(first) = self.claims.get(&key) {
            return Err(WebError::RouteConflict {
                method: method.as_str().to_owned(),
                path: path.to_owned(),
                first: first.clone(),
                second: owner.to_owned(),
            });
        }
        self.claims.insert(key, owner.to_owned());
        Ok(())
    }

    fn add(&mut self, path: &str, route: MethodRouter) {
        let entry = self.routes.remove(path).unwrap_or_default();
        self.routes.insert(path.to_owned(), entry.merge(route));
    }
}

/// What one route of one action needs per request, resolved at start.
pub(crate) struct Endpoint {
    app: App,
    pub(crate) action: Arc<Action>,
    method: Method,
    input: Shape,
    /// The JSON object of a simple query string, by the input's shape (see [`Input::from_query`]).
    query_json: QueryToJson,
    has_path_params: bool,
    template: PathTemplate,
}

impl Endpoint {
    /// The endpoint of `action` for `method` on `path`, checked against the reserved routes and its parameters.
    pub(crate) fn new(
        app: &App,
        action: &Arc<Action>,
        method: Method,
        path: &str,
        input: &Shape,
    ) -> Result<Arc<Self>, WebError> {
        let invalid = |reason: String| WebError::InvalidPath {
            action: action.name.clone(),
            path: path.to_owned(),
            reason,
        };
        let template = PathTemplate::parse(path).map_err(invalid)?;
        // This adapter's own routes are refused even in an app built without reserving them.
        let reserved = reserved_route(RESERVED_ROUTES, path).or_else(|| app.reserved_route(path));
        if let Some(reserved) = reserved {
            return Err(invalid(format!(
                "{} serves; give the action another `path`",
                reserved.owner
            )));
        }
        if let Some(name) = template.params().find(|name| !input.allows_property(name)) {
            return Err(invalid(format!(
                "names `{{{name}}}`, which is not one of the action's parameters"
            )));
        }
        let has_path_params = template.params().next().is_some();
        Ok(Arc::new(Self {
            app: app.clone(),
            action: action.clone(),
            method,
            input: input.clone(),
            query_json: query_to_json(input.clone()),
            has_path_params,
            template,
        }))
    }

    /// Whether the route's path has parameters (`/items/{id}`).
    pub(crate) fn has_path_params(&self) -> bool {
        self.has_path_params
    }

    #[cfg(feature = "pages")]
    /// The app the endpoint serves.
    pub(crate) fn app(&self) -> &App {
        &self.app
    }

    fn into_method_router(self: Arc<Self>) -> MethodRouter {
        let filter = match self.method {
            Method::Get => MethodFilter::GET,
            Method::Post => MethodFilter::POST,
            Method::Put => MethodFilter::PUT,
            Method::Patch => MethodFilter::PATCH,
            Method::Delete => MethodFilter::DELETE,
        };
        axum::routing::on(filter, move |request: Request| {
            let endpoint = self.clone();
            async move { endpoint.handle(request, None, None).await }
        })
    }

    /// Answers one request; `request_id` is the one the envelope settled, else it is read from the
    /// request's headers, and `client` the connection's, else the one the request carries.
    pub(crate) async fn handle(
        &self,
        request: Request,
        request_id: Option<Arc<str>>,
        client: Option<Client>,
    ) -> Response {
        let if_none_match = request.headers().get(header::IF_NONE_MATCH).cloned();
        // A caller that accepts no format this build writes is refused before the action runs.
        let format = match BodyFormat::of_answer(header_str(request.headers(), &header::ACCEPT)) {
            Ok(format) => format,
            Err(refusal) => {
                return status_response(self.app.errors(), StatusCode::NOT_ACCEPTABLE, refusal.0);
            }
        };
        match self.call_with_id(request, request_id, client).await {
            Ok(output) => self.success(&output, if_none_match.as_ref(), format),
            Err(response) => response,
        }
    }

    /// Calls the action for one request: its output, or the error response to send.
    #[cfg(feature = "pages")]
    pub(crate) async fn call(&self, request: Request) -> Result<ActionOutput, Response> {
        self.call_with_id(request, None, None).await
    }

    /// [`call`](Self::call) with the request id and client the envelope settled, if it did.
    async fn call_with_id(
        &self,
        request: Request,
        request_id: Option<Arc<str>>,
        client: Option<Client>,
    ) -> Result<ActionOutput, Response> {
        let (mut parts, body) = request.into_parts();
        let context = rest_context(&self.app, &parts, request_id, client);
        let token_rejected = matches!(context.raw_credentials(), Credentials::Rejected(_));
        // `invoke` opens the action's span; decoding the input belongs to the request's.
        let input = self.input(&mut parts, body).await?;
        servey_core::invoke(&self.action, input, context)
            .await
            .map_err(|error| error_response(&self.app, &error, token_rejected))
    }

    /// The input object of one request: the query string or the body, plus the path parameters.
    async fn input(&self, parts: &mut Parts, body: Body) -> Result<Input, Response> {
        let path_params = if self.has_path_params {
            match RawPathParams::from_request_parts(parts, &()).await {
                Ok(params) => params
                    .iter()
                    .map(|(name, value)| {
                        let coerced = coerce_segment(value, self.input.property(name));
                        (name.to_owned(), coerced)
                    })
                    .collect(),
                Err(rejection) => return Err(self.malformed(&rejection.body_text())),
            }
        } else {
            Vec::new()
        };
        if self.method.reads_query() && path_params.is_empty() {
            let query = parts.uri.query().unwrap_or_default();
            if is_simple_query(query, &self.input) {
                return Ok(Input::from_query(query, self.query_json.clone()));
            }
        }
        if self.method.reads_query() {
            let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(&parts.uri)
                .map_err(|rejection| self.malformed(&rejection.body_text()))?;
            let mut value = coerce_pairs(&pairs, &self.input)
                .map_err(|error| error_response(&self.app, &error, false))?;
            if let Value::Object(object) = &mut value {
                object.extend(path_params);
            }
            return Ok(Input::from_value(value));
        }
        let body_limit = self.app.config().limits.body_bytes;
        let bytes = axum::body::to_bytes(body, body_limit).await.map_err(|_| {
            status_response(
                self.app.errors(),
                StatusCode::PAYLOAD_TOO_LARGE,
                too_large_detail(body_limit),
            )
        })?;
        let format = if bytes.is_empty() {
            BodyFormat::Json
        } else {
            BodyFormat::of_request(header_str(&parts.headers, &header::CONTENT_TYPE))
                .map_err(|error| error_response(&self.app, &error, false))?
        };
        if format == BodyFormat::MessagePack {
            let mut value = format
                .decode_value(&bytes)
                .map_err(|error| error_response(&self.app, &error, false))?;
            if let Value::Object(object) = &mut value {
                object.extend(path_params);
            }
            return Ok(Input::from_value(value));
        }
        match (bytes.is_empty(), path_params.is_empty()) {
            (true, true) => Ok(Input::empty()),
            (false, true) => Ok(Input::from_json_bytes(bytes)),
            (is_empty, false) => {
                let mut object = if is_empty {
                    Map::new()
                } else {
                    match Input::from_json_bytes(bytes).to_value() {
                        Ok(Value::Object(object)) => object,
                        Ok(_) => {
                            return Err(self.malformed(
                                "The body must be a JSON object with one key per parameter.",
                            ));
                        }
                        Err(error) => return Err(error_response(&self.app, &error, false)),
                    }
                };
                object.extend(path_params);
                Ok(Input::from_value(Value::Object(object)))
            }
        }
    }

    /// The malformed-input error response.
    fn malformed(&self, detail: &str) -> Response {
        error_response(
            &self.app,
            &ActionError::new(ErrorCode::MalformedInput, detail.to_owned()),
            false,
        )
    }

    /// The action's success status (200, 201, 204, ...) with the result in `format` (none for 204),
    /// the headers the action set and its cache headers, or 304 when the client's copy is current.
    fn success(
        &self,
        output: &ActionOutput,
        if_none_match: Option<&HeaderValue>,
        format: BodyFormat,
    ) -> Response {
        let status = self.action.status;
        let mut response = if status == 204 {
            Response::new(Body::empty())
        } else {
            let body = match output.to_bytes_in(format) {
                Ok(body) => body,
                Err(error) => return error_response(&self.app, &error, false),
            };
            // Headers go straight into the response: a separate map would cost an allocation per
            // request.
            let mut response = Response::new(Body::from(body));
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(format.content_type()),
            );
            response
        };
        if status != 200 {
            *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
        }
        let headers = response.headers_mut();
        for (name, value) in output.headers() {
            match (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                (Ok(name), Ok(value)) => {
                    headers.append(name, value);
                }
                _ => tracing::warn!(
                    action = %self.action.name,
                    header = %name,
                    "a response header the action set is not a valid HTTP header; it is dropped"
                ),
            }
        }
        let Some(cache) = output.cache() else {
            return response;
        };
        // Another representation, another strong validator: the MessagePack body's ETag is marked.
        let etag = match (format, &cache.etag) {
            (BodyFormat::MessagePack, Some(etag)) => {
                Some(format!("{}-msgpack\"", etag.trim_end_matches('"')))
            }
            (_, etag) => etag.clone(),
        };
        if format == BodyFormat::MessagePack {
            headers.insert(header::VARY, HeaderValue::from_static("accept"));
        }
        for (name, value) in [
            (header::CACHE_CONTROL, &cache.cache_control),
            (header::ETAG, &etag),
            (header::LAST_MODIFIED, &cache.last_modified),
        ] {
            if let Some(value) = value.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
                headers.insert(name, value);
            }
        }
        let is_current = self.method == Method::Get
            && matches!(
                (if_none_match.and_then(|v| v.to_str().ok()), &etag),
                (Some(wanted), Some(etag)) if if_none_match_matches(wanted, etag)
            );
        if is_current {
            headers.remove(header::CONTENT_TYPE);
            *response.status_mut() = StatusCode::NOT_MODIFIED;
            *response.body_mut() = Body::empty();
        }
        response
    }
}

fn header_str<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

/// The context of a REST request (an action's route or `POST /jobs`): its headers' credentials, request
/// id (`request_id` when the envelope settled it) and switches, and the connection's peer (`client` when
/// the envelope was told it, else the one the request carries).
pub(crate) fn rest_context(
    app: &App,
    parts: &Parts,
    request_id: Option<Arc<str>>,
    client: Option<Client>,
) -> Context {
    match request_id {
        Some(request_id) => app.request_context_with_id(&parts.headers, request_id),
        None => app.request_context(&parts.headers),
    }
    .with_origin(Origin::Rest)
    .client(
        client
            .or_else(|| parts.extensions.get::<Client>().cloned())
            .unwrap_or_default(),
    )
}
