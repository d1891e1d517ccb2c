//! GraphQL over HTTP's status codes: with `Accept: application/graphql-response+json`, a document that
//! does not parse or validate is `400` in that media type with no `data`; a field error keeps `200` and
//! its data; `application/json` (and no `Accept`) keeps `200` for everything.

use serde_json::{Value, json};
use servey_core::{Action, ActionError, ErrorCode, Trigger};

use crate::support::{Server, action_schema, app};

fn actions() -> Vec<Action> {
    let string = || action_schema(json!({"type": "object"}), json!({"type": "string"}), &[]);
    let hello = Action::builder("hello", |_, _| async { Ok(json!("hi")) })
        .trigger(Trigger::web_get())
        .schema(string())
        .build();
    let denied = Action::builder("denied", |_, _| async {
        Err::<Value, _>(ActionError::new(ErrorCode::Forbidden, "No."))
    })
    .trigger(Trigger::web_get())
    .schema(string())
    .build();
    vec![hello, denied]
}

/// Posts `query` with `accept` (if any): status, content type and body.
async fn post(server: &Server, query: &str, accept: Option<&str>) -> (u16, String, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{}/graphql", server.base()))
        .json(&json!({ "query": query }));
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    let response = request.send().await.expect("sent");
    let status = response.status().as_u16();
    let content_type = response.headers()["content-type"]
        .to_str()
        .expect("text")
        .to_owned();
    (status, content_type, response.json().await.expect("JSON"))
}

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

#[tokio::test]
async fn request_errors_are_400_in_the_graphql_response_media_type() {
    let server = Server::start(&app(actions())).await;
    for query in [
        "{ hello ",
        "{ nope }",
        "query A { hello } query A { hello }",
    ] {
        let (status, content_type, body) = post(&server, query, Some(GRAPHQL_RESPONSE)).await;
        assert_eq!(
            (status, content_type.as_str()),
            (400, "application/graphql-response+json; charset=utf-8"),
            "{query}: {body}"
        );
        assert_eq!(body.get("data"), None, "{query}: {body}");
        assert!(body["errors"][0]["message"].is_string(), "{query}: {body}");
    }
}

#[tokio::test]
async fn field_errors_and_data_stay_200() {
    let server = Server::start(&app(actions())).await;
    let (status, content_type, body) =
        post(&server, "{ hello denied }", Some(GRAPHQL_RESPONSE)).await;
    assert_eq!(
        (status, content_type.as_str()),
        (200, "application/graphql-response+json; charset=utf-8")
    );
    assert_eq!(body["data"], json!({"hello": "hi", "denied": null}));
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
}

#[tokio::test]
async fn application_json_keeps_200_for_request_errors() {
    let server = Server::start(&app(actions())).await;
    for accept in [Some("application/json"), None] {
        let (status, content_type, body) = post(&server, "{ nope }", accept).await;
        assert_eq!((status, content_type.as_str()), (200, "application/json"));
        assert_eq!(body["data"], Value::Null);
        assert!(body["errors"][0]["message"].is_string(), "{body}");
    }
}
