//! What happens to a GraphQL request before async-graphql runs it: its persisted query is resolved, its
//! document is taken from the app's cache (or parsed once and cached), servey's own checks read that
//! same document (a variable of an unknown type, a mutation sent over GET), and the request is handed
//! on with the parsed document, so neither servey nor async-graphql parses it again.

use std::collections::HashSet;
use std::sync::Arc;

use async_graphql::ServerError;
use axum::Json;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::cost::Costs;
use crate::document::selects_mutation;
use crate::documents::Documents;
use crate::extension::Cost;
use crate::persisted::{PersistedError, PersistedQueries};

/// The per-app state that prepares requests: the schema's type names, documents, persisted queries
/// and the costs of its fields.
#[derive(Clone)]
pub(crate) struct Preparation {
    type_names: Arc<HashSet<String>>,
    documents: Documents,
    persisted: PersistedQueries,
    costs: Arc<Costs>,
}

/// The HTTP method a request came with: mutations are refused over GET.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    /// `GET /graphql`, queries only.
    Get,
    /// `POST /graphql`.
    Post,
}

/// Why a request is answered without running.
pub(crate) enum Refusal {
    /// A request error: this status, and a body with only this error.
    Request {
        status: StatusCode,
        message: String,
        code: Option<&'static str>,
    },
    /// A mutation sent over GET: 405 with `Allow: POST`.
    MutationOverGet,
    /// An error answered as a GraphQL response (a syntax error, an unknown persisted query).
    // Boxed: a response is large, and refusals are the rare path.
    Graphql(Box<async_graphql::Response>),
}

impl Preparation {
    /// The preparation of requests to the schema defining `type_names`, with `documents`, a
    /// persisted-query store of `capacity` queries and the `costs` of its fields.
    pub(crate) fn new(
        type_names: HashSet<String>,
        documents: Documents,
        capacity: usize,
        costs: Arc<Costs>,
    ) -> Self {
        Self {
            type_names: Arc::new(type_names),
            documents,
            persisted: PersistedQueries::new(capacity),
            costs,
        }
    }

    /// `request` ready to execute and what it costs, or why it is answered without running.
    pub(crate) fn prepare(
        &self,
        mut request: async_graphql::Request,
        method: Method,
    ) -> Result<(async_graphql::Request, usize), Refusal> {
        let to_store = self
            .persisted
            .resolve(&mut request)
            .map_err(Refusal::persisted)?;
        let parsed = self
            .documents
            .parse(&request.query, &self.type_names, to_store.is_some())
            .map_err(|error| {
                Refusal::Graphql(Box::new(async_graphql::Response::from_errors(vec![error])))
            })?;
        if let Some(hash) = to_store {
            self.persisted.store(hash, &parsed.query);
        }
        if let Some(message) = &parsed.refusal {
            return Err(Refusal::Request {
                status: StatusCode::BAD_REQUEST,
                message: message.clone(),
                code: None,
            });
        }
        if method == Method::Get
            && selects_mutation(&parsed.document, request.operation_name.as_deref())
        {
            return Err(Refusal::MutationOverGet);
        }
        let cost = parsed.cost(request.operation_name.as_deref(), |document| {
            self.costs.of_operation(
                document,
                request.operation_name.as_deref(),
                &request.variables,
            )
        });
        let request = self.documents.attach(parsed, request).data(Cost(cost));
        Ok((request, cost))
    }
}

impl Refusal {
    fn persisted(error: PersistedError) -> Self {
        match error {
            PersistedError::NotFound => {
                let mut error_value = ServerError::new(error.message(), None);
                let mut extensions = async_graphql::ErrorExtensionValues::default();
                extensions.set("code", error.code());
                error_value.extensions = Some(extensions);
                Self::Graphql(Box::new(async_graphql::Response::from_errors(vec![
                    error_value,
                ])))
            }
            PersistedError::HashMismatch | PersistedError::Malformed => Self::Request {
                status: StatusCode::BAD_REQUEST,
                message: error.message().to_owned(),
                code: Some(error.code()),
            },
        }
    }

    /// The refusal as one operation's response inside a batch.
    pub(crate) fn into_graphql(self) -> async_graphql::Response {
        match self {
            Self::Graphql(response) => *response,
            Self::Request { message, code, .. } => {
                let mut error = ServerError::new(message, None);
                if let Some(code) = code {
                    let mut extensions = async_graphql::ErrorExtensionValues::default();
                    extensions.set("code", code);
                    error.extensions = Some(extensions);
                }
                async_graphql::Response::from_errors(vec![error])
            }
            Self::MutationOverGet => async_graphql::Response::from_errors(vec![ServerError::new(
                MUTATION_OVER_GET,
                None,
            )]),
        }
    }

    /// The refusal as the HTTP response to a request of one operation.
    pub(crate) fn into_response(self, headers: &HeaderMap) -> Response {
        match self {
            Self::Graphql(response) => {
                crate::media::ResponseMedia::accepted_by(headers).respond(*response)
            }
            Self::Request {
                status,
                message,
                code,
            } => request_error(status, &message, code),
            Self::MutationOverGet => {
                let mut response =
                    request_error(StatusCode::METHOD_NOT_ALLOWED, MUTATION_OVER_GET, None);
                response
                    .headers_mut()
                    .insert(header::ALLOW, HeaderValue::from_static("POST"));
                response
            }
        }
    }
}

const MUTATION_OVER_GET: &str = "Mutations must be sent with POST.";

/// A request that could not be run at all: a GraphQL response with only `errors`.
pub(crate) fn request_error(status: StatusCode, message: &str, code: Option<&str>) -> Response {
    let mut error = serde_json::json!({ "message": message });
    if let Some(code) = code {
        error["extensions"] = serde_json::json!({ "code": code });
    }
    (status, Json(serde_json::json!({ "errors": [error] }))).into_response()
}
