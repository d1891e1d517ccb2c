//! MessagePack in the OpenAPI document: every JSON request body and JSON result of an action is also
//! offered as `application/msgpack`, with the same schema (what the routes accept and answer).

use servey_core::format::MSGPACK_CONTENT_TYPE;
use utoipa::openapi::path::Operation;
use utoipa::openapi::{Content, ContentBuilder, RefOr};

/// Adds `application/msgpack` beside `application/json` to `operation`'s body and success results.
pub(crate) fn offer_msgpack(operation: &mut Operation) {
    if let Some(RefOr::T(body)) = &mut operation.request_body
        && let Some(msgpack) = msgpack_twin(body.content.get(JSON))
    {
        body.content
            .insert(MSGPACK_CONTENT_TYPE.to_owned(), msgpack);
    }
    for (status, response) in &mut operation.responses.responses {
        if let (true, RefOr::T(response)) = (status.starts_with('2'), response)
            && let Some(msgpack) = msgpack_twin(response.content.get(JSON))
        {
            response
                .content
                .insert(MSGPACK_CONTENT_TYPE.to_owned(), msgpack);
        }
    }
}

const JSON: &str = "application/json";

/// The MessagePack content of a JSON content: its schema, without the JSON examples.
fn msgpack_twin(json: Option<&RefOr<Content>>) -> Option<RefOr<Content>> {
    match json? {
        RefOr::T(json) => Some(RefOr::T(
            ContentBuilder::new().schema(json.schema.clone()).build(),
        )),
        RefOr::Ref(reference) => Some(RefOr::Ref(reference.clone())),
    }
}
