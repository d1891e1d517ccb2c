//! The app's own error body: an `ErrorRenderer` shapes every error on the wire (an action's, a
//! missing route's) and is the error schema of the OpenAPI document.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::json;
use servey::{Action, ActionError, ErrorRenderer, FieldError, Method, Scope};

use crate::support::{builder, header, json_parts, start, web};

/// RealWorld's error body: messages by field.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct MyErrors {
    errors: BTreeMap<String, Vec<String>>,
}

/// Renders every error as [`MyErrors`]; an error without fields under `body`.
pub(crate) struct RealWorld;

impl ErrorRenderer for RealWorld {
    type Body = MyErrors;

    fn body(&self, error: &ActionError) -> MyErrors {
        let mut errors = BTreeMap::new();
        for field in error.field_errors() {
            errors
                .entry(field.path.clone())
                .or_insert_with(Vec::new)
                .push(field.message.clone());
        }
        if errors.is_empty() {
            errors.insert("body".to_owned(), vec![error.detail().to_owned()]);
        }
        MyErrors { errors }
    }
}

/// `POST /users`: the email is always taken.
pub(crate) fn register() -> Action {
    Action::builder("register", |_, _| async {
        Err(ActionError::invalid_input(vec![FieldError::new(
            "email",
            "taken",
            "has already been taken",
        )]))
    })
    .trigger(web(Method::Post, "/users"))
    .build()
}

#[tokio::test]
async fn an_action_error_leaves_in_the_apps_body() {
    let server = start(builder([register()]).error_renderer(RealWorld)).await;
    let response = server
        .post("/users", &json!({ "email": "ann@example.com" }))
        .await;
    assert_eq!(
        json_parts(response).await,
        (
            422,
            "application/json".into(),
            json!({ "errors": { "email": ["has already been taken"] } })
        )
    );
}

#[tokio::test]
async fn a_refused_call_keeps_its_challenge_in_the_apps_body() {
    let private = Action::builder("private", |_, _| async { Ok(json!("secret")) })
        .trigger(web(Method::Get, "/private"))
        .access_control(Scope("user".into()))
        .build();
    let server = start(builder([private]).error_renderer(RealWorld)).await;
    let refused = server.get("/private").await;
    assert_eq!(header(&refused, "www-authenticate"), "Bearer");
    assert_eq!(
        json_parts(refused).await,
        (
            401,
            "application/json".into(),
            json!({ "errors": { "body": ["This action needs credentials."] } })
        )
    );
}

#[tokio::test]
async fn transport_errors_leave_in_the_apps_body() {
    let server = start(builder([register()]).error_renderer(RealWorld)).await;
    assert_eq!(
        json_parts(server.get("/nowhere").await).await,
        (
            404,
            "application/json".into(),
            json!({ "errors": { "body": ["No route matches GET /nowhere."] } })
        )
    );
    let wrong_method = server.get("/users").await;
    assert_eq!(
        json_parts(wrong_method).await,
        (
            405,
            "application/json".into(),
            json!({ "errors": { "body": [
                "/users does not answer GET; the `Allow` header lists what it answers."
            ] } })
        )
    );
}

#[tokio::test]
async fn the_apps_body_is_the_documented_error_schema() {
    let server = start(builder([register()]).error_renderer(RealWorld)).await;
    let document = server.openapi().await;
    assert_eq!(
        document["paths"]["/users"]["post"]["responses"]["422"]["content"],
        json!({ "application/json": {
            "schema": { "$ref": "#/components/schemas/MyErrors" }
        } })
    );
    let schemas = &document["components"]["schemas"];
    assert_eq!(
        schemas["MyErrors"]["required"],
        json!(["errors"]),
        "{schemas}"
    );
    // The outcomes of `POST /jobs` are problem details whatever the renderer (clients read their
    // status and code): that is the one place the document names `Problem`.
    let mut others = document.clone();
    others["paths"]
        .as_object_mut()
        .expect("paths")
        .remove("/jobs");
    others["components"]["schemas"]
        .as_object_mut()
        .expect("schemas")
        .remove("JobOutcome");
    let text = others.to_string();
    assert!(!text.contains("#/components/schemas/Problem"), "{text}");
    assert_eq!(
        schemas["JobOutcome"]["oneOf"][0]["properties"]["error"]["$ref"],
        "#/components/schemas/Problem"
    );
}
