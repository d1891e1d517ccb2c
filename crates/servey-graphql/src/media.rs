//! The media type of a `/graphql` response, as the GraphQL-over-HTTP spec has it: `application/json`
//! answers `200` whatever the errors (what clients written before the spec expect), while a client that
//! accepts `application/graphql-response+json` gets that type, and a request error (the document does not
//! parse or validate, or cannot run: a response without `data`) is `400` with no `data` member.

use axum::Json;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// GraphQL over HTTP's own media type.
const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

/// How one response is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ResponseMedia {
    /// `application/json`: always `200`.
    Json,
    /// `application/graphql-response+json`: a request error is `400`.
    GraphqlResponse,
}

impl ResponseMedia {
    /// `GraphqlResponse` when the request's `Accept` lists `application/graphql-response+json` (with a
    /// non-zero quality), else `Json`.
    pub(crate) fn accepted_by(headers: &HeaderMap) -> Self {
        let accepts = headers
            .get_all(header::ACCEPT)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .any(|item| {
                let mut parts = item.split(';').map(str::trim);
                let is_ours = parts
                    .next()
                    .is_some_and(|media| media.eq_ignore_ascii_case(GRAPHQL_RESPONSE_JSON));
                let refused = parts.any(|parameter| {
                    parameter
                        .strip_prefix("q=")
                        .and_then(|q| q.parse::<f32>().ok())
                        .is_some_and(|q| q == 0.0)
                });
                is_ours && !refused
            });
        if accepts {
            Self::GraphqlResponse
        } else {
            Self::Json
        }
    }

    /// `response` in this media type.
    pub(crate) fn respond(self, response: async_graphql::Response) -> Response {
        match self {
            Self::Json => Json(response).into_response(),
            Self::GraphqlResponse => {
                let is_request_error =
                    response.data == async_graphql::Value::Null && !response.errors.is_empty();
                let mut body = serde_json::to_value(&response).unwrap_or_default();
                let status = if is_request_error {
                    if let Some(body) = body.as_object_mut() {
                        body.remove("data");
                    }
                    StatusCode::BAD_REQUEST
                } else {
                    StatusCode::OK
                };
                let mut response = (status, body.to_string()).into_response();
                response.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/graphql-response+json; charset=utf-8"),
                );
                response
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn media(accept: &str) -> ResponseMedia {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_str(accept).expect("a value"),
        );
        ResponseMedia::accepted_by(&headers)
    }

    #[test]
    fn the_accept_header_chooses() {
        assert_eq!(media("application/json"), ResponseMedia::Json);
        assert_eq!(
            media("application/graphql-response+json, application/json;q=0.9"),
            ResponseMedia::GraphqlResponse
        );
        assert_eq!(
            media("application/json, Application/GraphQL-Response+JSON; charset=utf-8"),
            ResponseMedia::GraphqlResponse
        );
        assert_eq!(
            media("application/graphql-response+json;q=0, application/json"),
            ResponseMedia::Json
        );
        assert_eq!(
            ResponseMedia::accepted_by(&HeaderMap::new()),
            ResponseMedia::Json
        );
    }
}
