//! Success responses: a declared status (201, 204) and the headers an action sets, on the wire
//! and in the OpenAPI document.

use serde_json::{Value, json};
use servey::{Action, ActionError, ActionOutput, ErrorCode, Method, Reply};

use crate::support::{builder, header, json_parts, send, start, web};

/// `POST /things`: 201 with the new thing and its `Location`.
pub(crate) fn create_thing() -> Action {
    Action::output_builder("create_thing", |_, _| async {
        let reply = Reply::new(json!({ "id": 1 })).header("Location", "/things/1");
        Ok(ActionOutput::from_reply(reply))
    })
    .trigger(web(Method::Post, "/things"))
    .status(201)
    .response_header("Location")
    .build()
}

/// `DELETE /things/{id}`: 204 once the thing is gone.
pub(crate) fn delete_thing() -> Action {
    Action::builder("delete_thing", |input: Value, _| async move {
        match input["id"].as_u64() {
            Some(1) => Ok(Value::Null),
            _ => Err(ActionError::new(ErrorCode::NotFound, "no such thing")),
        }
    })
    .trigger(web(Method::Delete, "/things/{id}"))
    .status(204)
    .build()
}

#[tokio::test]
async fn a_created_status_and_its_location_reach_the_wire() {
    let server = start(builder([create_thing()])).await;
    let response = server.post("/things", &json!({ "name": "lamp" })).await;
    assert_eq!(header(&response, "location"), "/things/1");
    assert_eq!(
        json_parts(response).await,
        (201, "application/json".into(), json!({ "id": 1 }))
    );
}

#[tokio::test]
async fn a_created_status_and_its_location_are_documented() {
    let server = start(builder([create_thing()])).await;
    let document = server.openapi().await;
    let responses = &document["paths"]["/things"]["post"]["responses"];
    assert_eq!(responses.get("200"), None, "{responses}");
    let created = &responses["201"];
    assert_eq!(
        created["headers"],
        json!({ "Location": {
            "schema": { "type": "string" },
            "description": "Set by the action (`Location`)."
        } })
    );
    assert!(
        created["content"]["application/json"].is_object(),
        "{created}"
    );
}

#[tokio::test]
async fn no_content_has_no_body_and_no_content_type() {
    let server = start(builder([delete_thing()])).await;
    let response = send(server.request(reqwest::Method::DELETE, "/things/1")).await;
    assert_eq!(response.status(), 204);
    assert_eq!(response.headers().get("content-type"), None);
    assert_eq!(response.bytes().await.expect("a body").len(), 0);
}

#[tokio::test]
async fn no_content_is_documented_without_content() {
    let server = start(builder([delete_thing()])).await;
    let document = server.openapi().await;
    let responses = &document["paths"]["/things/{id}"]["delete"]["responses"];
    assert_eq!(responses.get("200"), None, "{responses}");
    assert_eq!(
        responses["204"],
        json!({ "description": "Done; no content." })
    );
}
