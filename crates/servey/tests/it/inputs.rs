//! Input checks decided in core, over real HTTP: the unknown-field policy (app-wide, per action, and an
//! action opting out of the app's), and a declared pattern that is no regular expression stopping the
//! start.

use serde_json::{Value, json};
use servey::{Action, AppError, Method, StartError};
use servey_core::schema::action_schema;

use crate::support::{builder, send, start, web};

/// What the test actions take.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[allow(dead_code)]
struct Greeting {
    name: String,
}

/// An action at `/{name}` that greets, with `deny` as its own unknown-field policy, if any.
fn greeter(name: &str, deny: Option<bool>) -> Action {
    let action = Action::builder(name, |input: Value, _| async move {
        Ok(json!(format!(
            "Hello {}!",
            input["name"].as_str().unwrap_or_default()
        )))
    })
    .trigger(web(Method::Post, &format!("/{name}")))
    .schema(action_schema::<Greeting, String>());
    match deny {
        Some(deny) => action.deny_unknown_fields(deny).build(),
        None => action.build(),
    }
}

fn actions() -> Vec<Action> {
    vec![
        greeter("strict", Some(true)),
        greeter("lenient", None),
        greeter("open", Some(false)),
    ]
}

#[tokio::test]
async fn unknown_fields_are_refused_by_the_actions_or_the_apps_policy() {
    let body = json!({"name": "Ann", "nmae": "typo"});
    let unknown = json!([{
        "path": "nmae", "code": "unknown_field",
        "message": "is not a field here; the fields are `name`"
    }]);
    for (deny_by_default, expected) in [
        (false, [("strict", 422), ("lenient", 200), ("open", 200)]),
        (true, [("strict", 422), ("lenient", 422), ("open", 200)]),
    ] {
        let server = start(builder(actions()).deny_unknown_fields(deny_by_default)).await;
        for (action, status) in expected {
            let response = send(
                server
                    .request(reqwest::Method::POST, &format!("/{action}"))
                    .json(&body),
            )
            .await;
            assert_eq!(
                response.status().as_u16(),
                status,
                "{action}, app denies: {deny_by_default}"
            );
            let answer: Value = response.json().await.expect("JSON");
            match status {
                200 => assert_eq!(answer, json!("Hello Ann!")),
                _ => assert_eq!(answer["errors"], unknown, "{action}"),
            }
        }
    }
}

#[tokio::test]
async fn a_pattern_that_is_no_regular_expression_stops_the_start() {
    #[derive(serde::Deserialize, utoipa::ToSchema)]
    #[allow(dead_code)]
    struct Code {
        #[schema(pattern = "[A-Z")]
        code: String,
    }
    let action = Action::builder("coded", |_, _| async { Ok(Value::Null) })
        .trigger(web(Method::Post, "/coded"))
        .schema(action_schema::<Code, ()>())
        .build();
    let error = builder([action])
        .build()
        .await
        .expect_err("the pattern does not compile");
    let StartError::App(AppError::BadPattern {
        action, pattern, ..
    }) = &error
    else {
        panic!("not a pattern error: {error}");
    };
    assert_eq!((action.as_str(), pattern.as_str()), ("coded", "[A-Z"));
}
