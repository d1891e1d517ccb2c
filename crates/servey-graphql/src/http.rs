//! The `/graphql` endpoint: POST (JSON body: one request object, or a batch as an array of them) and GET
//! (query string, queries only). Each HTTP request gets its `Context` from the `Authorization` and
//! `X-Request-Id` headers, shared by every operation of a batch, and each operation runs in a span with
//! the request's id.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dynamic::Schema;
use axum::Router;
use axum::body::Bytes;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::{Query, State, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json};
use servey_core::App;
use servey_core::context::Client;
use tracing::Instrument;

use crate::answer::AnswerBudget;
use crate::documents::Documents;
use crate::limits::GraphqlLimits;
use crate::prepare::{Method, Preparation, Refusal, request_error};

/// What `/graphql` serves with; one instance, shared by reference (each request raises one count).
struct Endpoint {
    schema: Schema,
    app: App,
    preparation: Preparation,
    limits: GraphqlLimits,
}

/// The `/graphql` route over an already-built schema whose validation step uses `documents`, and
/// whose fields cost what `costs` says, within `limits`.
pub(crate) fn routes(
    built: crate::schema::Built,
    app: App,
    documents: Documents,
    limits: GraphqlLimits,
) -> Router {
    let crate::schema::Built {
        schema,
        costs,
        type_names,
        ..
    } = built;
    let preparation = Preparation::new(type_names, documents, limits.document_cache, costs);
    Router::new()
        .route("/graphql", get(get_graphql).post(post_graphql))
        .with_state(Arc::new(Endpoint {
            schema,
            app,
            preparation,
            limits,
        }))
}

async fn post_graphql(
    State(endpoint): State<Arc<Endpoint>>,
    client: Option<Extension<Client>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok());
    if let Err(error) = servey_core::input::check_json_media_type(content_type) {
        return request_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, error.detail(), None);
    }
    match read_body(&body) {
        Ok(Posted::Single(request)) => execute(&endpoint, client, &headers, *request).await,
        Ok(Posted::Batch(requests)) => execute_batch(&endpoint, client, &headers, requests).await,
        Err(message) => request_error(StatusCode::BAD_REQUEST, &message, None),
    }
}

/// The most operations one batch may carry: a batch is one HTTP request, so the limit on concurrent
/// requests does not bound the work it asks for.
pub(crate) const MAX_BATCH_OPERATIONS: usize = 32;

/// What a POST body holds: one GraphQL request, or a batch of them (a JSON array).
enum Posted {
    // Boxed: a request is large, and a batch holds its requests on the heap anyway.
    Single(Box<async_graphql::Request>),
    Batch(Vec<async_graphql::Request>),
}

/// The GraphQL request or batch in a POST body, or why there is none.
fn read_body(body: &[u8]) -> Result<Posted, String> {
    let is_batch = body.iter().find(|byte| !byte.is_ascii_whitespace()) == Some(&b'[');
    if !is_batch {
        return serde_json::from_slice(body)
            .map(|request| Posted::Single(Box::new(request)))
            .map_err(|error| {
                format!(
                    "The body must be a JSON GraphQL request ({{\"query\": \"...\"}}): {error}."
                )
            });
    }
    let requests: Vec<async_graphql::Request> =
        serde_json::from_slice(body).map_err(|error| {
            format!(
                "A batch must be a JSON array of GraphQL requests ([{{\"query\": \"...\"}}, ...]): {error}."
            )
        })?;
    match requests.len() {
        0 => Err("The batch is empty: send at least one GraphQL request in the array.".to_owned()),
        n if n > MAX_BATCH_OPERATIONS => Err(format!(
            "The batch has {n} operations; the limit is {MAX_BATCH_OPERATIONS}."
        )),
        _ => Ok(Posted::Batch(requests)),
    }
}

/// `GET /graphql`: a websocket upgrade is a subscription connection (graphql-transport-ws), any other
/// request a query in the query string.
async fn get_graphql(
    State(endpoint): State<Arc<Endpoint>>,
    client: Option<Extension<Client>>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    if let Ok(upgrade) = upgrade {
        let Some(protocol) = crate::socket::protocol(&headers) else {
            return request_error(
                StatusCode::BAD_REQUEST,
                "A GraphQL websocket needs the subprotocol `graphql-transport-ws` (or `graphql-ws`) in `Sec-WebSocket-Protocol`.",
                None,
            );
        };
        let context = request_context(&endpoint, client, &headers);
        return crate::socket::serve(
            &endpoint.app,
            endpoint.schema.clone(),
            protocol,
            upgrade,
            context,
            endpoint.limits.connection_init_timeout,
        );
    }
    let query = params.get("query").map(String::as_str).unwrap_or_default();
    let extensions = params.get("extensions").filter(|e| !e.is_empty());
    if query.is_empty() && extensions.is_none() {
        return request_error(
            StatusCode::BAD_REQUEST,
            "Send the query in the `query` parameter.",
            None,
        );
    }
    let mut request = async_graphql::Request::new(query);
    if let Some(name) = params.get("operationName").filter(|name| !name.is_empty()) {
        request = request.operation_name(name.as_str());
    }
    if let Some(variables) = params.get("variables").filter(|v| !v.is_empty()) {
        match serde_json::from_str(variables) {
            Ok(variables) => {
                request = request.variables(async_graphql::Variables::from_json(variables));
            }
            Err(error) => {
                return request_error(
                    StatusCode::BAD_REQUEST,
                    &format!("The `variables` parameter is not JSON: {error}."),
                    None,
                );
            }
        }
    }
    if let Some(extensions) = extensions {
        match serde_json::from_str(extensions) {
            Ok(extensions) => request.extensions = extensions,
            Err(error) => {
                return request_error(
                    StatusCode::BAD_REQUEST,
                    &format!("The `extensions` parameter is not a JSON object: {error}."),
                    None,
                );
            }
        }
    }
    match endpoint.preparation.prepare(request, Method::Get) {
        Ok((request, _)) => run_one(&endpoint, client, &headers, request).await,
        Err(refusal) => refusal.into_response(&headers),
    }
}

async fn execute(
    endpoint: &Endpoint,
    client: Option<Extension<Client>>,
    headers: &HeaderMap,
    request: async_graphql::Request,
) -> Response {
    match endpoint.preparation.prepare(request, Method::Post) {
        Ok((request, _)) => run_one(endpoint, client, headers, request).await,
        Err(refusal) => refusal.into_response(headers),
    }
}

async fn run_one(
    endpoint: &Endpoint,
    client: Option<Extension<Client>>,
    headers: &HeaderMap,
    request: async_graphql::Request,
) -> Response {
    let context = request_context(endpoint, client, headers);
    let response = run(endpoint, &context, request).await;
    crate::media::ResponseMedia::accepted_by(headers).respond(response)
}

/// Runs the operations of a batch one after the other, in the order sent, each with the same request
/// context; answers their responses as an array in that order. An operation that cannot run (an unknown
/// variable type) has only `errors` in its place; the others still run. The operations share one
/// complexity limit, checked before any runs, and one answer-size limit.
async fn execute_batch(
    endpoint: &Endpoint,
    client: Option<Extension<Client>>,
    headers: &HeaderMap,
    requests: Vec<async_graphql::Request>,
) -> Response {
    let limits = &endpoint.limits;
    let mut cost = 0_usize;
    let prepared: Vec<_> = requests
        .into_iter()
        .map(|request| {
            let prepared = endpoint.preparation.prepare(request, Method::Post)?;
            cost = cost.saturating_add(prepared.1);
            Ok(prepared.0)
        })
        .collect();
    if cost > limits.max_complexity {
        return request_error(
            StatusCode::BAD_REQUEST,
            &format!(
                "The batch has a complexity of {cost} (its operations' added up); the limit is {}.",
                limits.max_complexity
            ),
            Some("GRAPHQL_VALIDATION_FAILED"),
        );
    }
    let context = request_context(endpoint, client, headers);
    let answer = AnswerBudget::new(limits.max_response_bytes);
    let mut responses = Vec::with_capacity(prepared.len());
    for request in prepared {
        let response = match request {
            Ok(request) => run(endpoint, &context, request.data(answer.clone())).await,
            Err(refusal) => Refusal::into_graphql(refusal),
        };
        responses.push(response);
    }
    Json(responses).into_response()
}

/// The context of one HTTP request: its credentials, request id and client.
fn request_context(
    endpoint: &Endpoint,
    client: Option<Extension<Client>>,
    headers: &HeaderMap,
) -> servey_core::Context {
    endpoint
        .app
        .request_context(headers)
        .with_origin(servey_core::Origin::Graphql)
        .client(client.map(|Extension(client)| client).unwrap_or_default())
}

/// Runs one operation with `context`, in a span carrying the request id and the operation's name.
async fn run(
    endpoint: &Endpoint,
    context: &servey_core::Context,
    request: async_graphql::Request,
) -> async_graphql::Response {
    let span = tracing::info_span!(
        "graphql",
        request_id = %context.request_id(),
        operation = request.operation_name.as_deref().unwrap_or_default(),
    );
    endpoint
        .schema
        .execute(
            request
                .data(context.clone())
                .data(crate::batch::loader(context)),
        )
        .instrument(span)
        .await
}
