//! The `/graphql` endpoint: POST (JSON body) and GET (query string, queries only). Each request gets
//! its `Context` from the `Authorization` and `X-Request-Id` headers, and runs in a span with its id.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use async_graphql::dynamic::Schema;
use async_graphql::parser::parse_query;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json};
use servey_core::App;
use servey_core::context::Client;
use tracing::Instrument;

use crate::document::{selects_mutation, type_names, unknown_variable_type};

#[derive(Clone)]
struct Endpoint {
    schema: Schema,
    app: App,
    type_names: Arc<HashSet<String>>,
}

/// The `/graphql` route over an already-built schema.
pub(crate) fn routes(schema: Schema, app: App) -> Router {
    let type_names = Arc::new(type_names(&schema.sdl()));
    Router::new()
        .route("/graphql", get(get_graphql).post(post_graphql))
        .with_state(Endpoint {
            schema,
            app,
            type_names,
        })
}

async fn post_graphql(
    State(endpoint): State<Endpoint>,
    client: Option<Extension<Client>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok());
    if let Err(error) = servey_core::input::check_json_media_type(content_type) {
        return request_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, error.detail());
    }
    match serde_json::from_slice::<async_graphql::Request>(&body) {
        Ok(request) => execute(&endpoint, client, &headers, request).await,
        Err(error) => request_error(
            StatusCode::BAD_REQUEST,
            &format!("The body must be a JSON GraphQL request ({{\"query\": \"...\"}}): {error}."),
        ),
    }
}

async fn get_graphql(
    State(endpoint): State<Endpoint>,
    client: Option<Extension<Client>>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let Some(query) = params.get("query") else {
        return request_error(
            StatusCode::BAD_REQUEST,
            "Send the query in the `query` parameter.",
        );
    };
    let mut request = async_graphql::Request::new(query.as_str());
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
                );
            }
        }
    }
    if parse_query(query)
        .is_ok_and(|document| selects_mutation(&document, request.operation_name.as_deref()))
    {
        let mut response = request_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "Mutations must be sent with POST.",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    execute(&endpoint, client, &headers, request).await
}

async fn execute(
    endpoint: &Endpoint,
    client: Option<Extension<Client>>,
    headers: &HeaderMap,
    request: async_graphql::Request,
) -> Response {
    // Only a document that declares variables can name an unknown type: most skip the second parse.
    if request.query.contains('$')
        && let Ok(document) = parse_query(&request.query)
        && let Some((variable, ty)) = unknown_variable_type(&document, &endpoint.type_names)
    {
        return request_error(
            StatusCode::BAD_REQUEST,
            &format!(
                "The variable `${variable}` has the type `{ty}`, which the schema does not define."
            ),
        );
    }
    let context = endpoint
        .app
        .request_context(headers)
        .with_transport(servey_core::Transport::Graphql)
        .client(client.map(|Extension(client)| client).unwrap_or_default());
    let span = tracing::info_span!(
        "graphql",
        request_id = %context.request_id(),
        operation = request.operation_name.as_deref().unwrap_or_default(),
    );
    let response = endpoint
        .schema
        .execute(request.data(context))
        .instrument(span)
        .await;
    Json(response).into_response()
}

/// A request that could not be run at all: a GraphQL response with only `errors`.
fn request_error(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({ "errors": [{ "message": message }] });
    (status, Json(body)).into_response()
}
