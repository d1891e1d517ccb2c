//! The OpenAPI document says what the server does: `/jobs` takes the app's token, examples are whole
//! results, an operation lists only the errors it can answer, a body only when there is one to send,
//! a server to call, and only the components it refers to.

use serde_json::{Value, json};
use servey::{AccessControl, Action, ActionError, ActionSchema, Authorization, Example, Method};
use utoipa::openapi::{RefOr, Schema};

use crate::errors::{RealWorld, register};
use crate::support::{builder, config, json_parts, start, web};

fn schema(value: Value) -> RefOr<Schema> {
    serde_json::from_value(value).expect("a schema")
}

/// Any authenticated caller (what an action that takes `Authorization` gets): never a 403.
struct SignedIn;

impl AccessControl for SignedIn {
    fn check(&self, authorization: Option<&Authorization>) -> Result<(), ActionError> {
        match authorization {
            Some(_) => Ok(()),
            None => Err(ActionError::new(
                servey::ErrorCode::Unauthenticated,
                "This action needs credentials.",
            )),
        }
    }

    fn may_forbid(&self) -> bool {
        false
    }
}

/// `POST /profiles/{username}/follow`: its only input is in the path; needs credentials.
fn follow() -> Action {
    Action::builder("follow", |input: Value, _| async move {
        Ok(json!({ "username": input["username"], "following": true }))
    })
    .trigger(web(Method::Post, "/profiles/{username}/follow"))
    .schema(ActionSchema::new(
        schema(json!({
            "type": "object",
            "required": ["username"],
            "properties": { "username": { "type": "string" } }
        })),
        schema(json!({ "$ref": "#/components/schemas/Profile" })),
        [
            (
                "Profile".to_owned(),
                schema(json!({
                    "type": "object",
                    "required": ["username", "following"],
                    "properties": {
                        "username": { "type": "string" },
                        "following": { "type": "boolean" }
                    }
                })),
            ),
            ("Unused".to_owned(), schema(json!({ "type": "string" }))),
        ]
        .into_iter()
        .collect(),
    ))
    .access_control(SignedIn)
    .example(Example {
        name: Some("whole".to_owned()),
        ..Example::new(
            json!({ "username": "ann" }),
            json!({ "username": "ann", "following": true }),
        )
    })
    .example(Example {
        name: Some("partial".to_owned()),
        partial: true,
        ..Example::new(json!({ "username": "ann" }), json!({ "following": true }))
    })
    .build()
}

/// `GET /tags`: takes nothing.
fn tags() -> Action {
    Action::builder("tags", |_, _| async { Ok(json!(["rust"])) })
        .trigger(web(Method::Get, "/tags"))
        .schema(ActionSchema::new(
            schema(json!({ "type": "object", "properties": {} })),
            schema(json!({ "type": "array", "items": { "type": "string" } })),
            Default::default(),
        ))
        .build()
}

/// The statuses an operation documents, in order.
fn statuses(operation: &Value) -> Vec<&str> {
    let responses = operation["responses"].as_object().expect("responses");
    responses.keys().map(String::as_str).collect()
}

#[tokio::test]
async fn jobs_takes_no_credentials_or_the_apps_token() {
    let server = start(builder([tags()]).bearer_schemes(["Token"])).await;
    let document = server.openapi().await;
    assert_eq!(
        document["paths"]["/jobs"]["post"]["security"],
        json!([{}, { "token": [] }])
    );
}

#[tokio::test]
async fn only_examples_of_the_whole_result_are_published() {
    let document = start(builder([follow()])).await.openapi().await;
    let content = &document["paths"]["/profiles/{username}/follow"]["post"]["responses"]["200"]["content"]
        ["application/json"];
    assert_eq!(
        content["examples"],
        json!({ "whole": {
            "summary": "The result for {\"username\":\"ann\"}",
            "value": { "username": "ann", "following": true }
        } })
    );
}

#[tokio::test]
async fn an_operation_documents_only_the_errors_it_can_answer() {
    let document = start(builder([follow(), tags()])).await.openapi().await;
    // No input: nothing to refuse as unfit (422) or in the wrong format (415).
    assert_eq!(
        statuses(&document["paths"]["/tags"]["get"]),
        ["200", "401", "500"]
    );
    // Credentials only, no scope: no 403; the input is in the path: no body, no 415.
    let follow = &document["paths"]["/profiles/{username}/follow"]["post"];
    assert_eq!(statuses(follow), ["200", "401", "422", "500"]);
    // And credentials stay required.
    assert_eq!(follow["security"], json!([{ "bearer": [] }]));
}

#[tokio::test]
async fn an_input_wholly_in_the_path_has_no_request_body() {
    let server = start(builder([follow()])).await;
    let document = server.openapi().await;
    let operation = &document["paths"]["/profiles/{username}/follow"]["post"];
    assert_eq!(operation.get("requestBody"), None);
    assert_eq!(document["components"]["schemas"].get("FollowBody"), None);
    // And a call without a body is what the server takes.
    let answer = server
        .request(reqwest::Method::POST, "/profiles/ann/follow")
        .bearer_auth(crate::auth::ann_jwt())
        .send()
        .await
        .expect("sent");
    assert_eq!(
        json_parts(answer).await,
        (
            200,
            "application/json".to_owned(),
            json!({ "username": "ann", "following": true })
        )
    );
}

#[tokio::test]
async fn the_server_is_relative_unless_a_public_url_is_configured() {
    let relative = start(builder([tags()])).await.openapi().await;
    assert_eq!(relative["servers"], json!([{ "url": "/" }]));
    let public =
        builder([tags()]).config(config(&[("SERVEY_PUBLIC_URL", "https://api.example.com")]));
    let public = start(public).await.openapi().await;
    assert_eq!(
        public["servers"],
        json!([{ "url": "https://api.example.com" }])
    );
}

#[tokio::test]
async fn only_the_components_the_document_refers_to_are_published() {
    let document = start(builder([follow(), tags()])).await.openapi().await;
    let schemas = document["components"]["schemas"]
        .as_object()
        .expect("components");
    assert!(schemas.contains_key("Profile"), "{schemas:?}");
    let text = document.to_string();
    let unused: Vec<&String> = schemas
        .keys()
        .filter(|name| !text.contains(&format!("\"#/components/schemas/{name}\"")))
        .collect();
    assert_eq!(unused, Vec::<&String>::new());
}

#[tokio::test]
async fn job_errors_are_documented_and_answered_as_problem_details() {
    let server = start(builder([register()]).error_renderer(RealWorld)).await;
    let document = server.openapi().await;
    let error = &document["components"]["schemas"]["JobOutcome"]["oneOf"][0]["properties"]["error"];
    assert_eq!(
        *error,
        json!({
            "$ref": "#/components/schemas/Problem",
            "description": "The error as problem details (not the app's own REST error body, when it \
                            renders another)."
        })
    );
    let job =
        json!({ "actions": [{ "action": "register", "body": { "email": "ann@example.com" } }] });
    let (status, _, answer) = json_parts(server.post("/jobs", &job).await).await;
    assert_eq!(status, 200);
    // Problem details (`errors` a list of fields), not RealWorld's `{"errors": {"email": [..]}}`.
    let problem = &answer["results"][0]["error"];
    assert_eq!(
        (
            &problem["status"],
            &problem["code"],
            &problem["errors"][0]["path"]
        ),
        (&json!(422), &json!("invalid_input"), &json!("email"))
    );
}
