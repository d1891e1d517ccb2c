//! Shared state: declared by an action, given to the builder or made by its setup, checked at
//! start.

use serde_json::json;
use servey::{Action, AppError, Context, Extensions, Method, StartError, StateNeed};

use crate::support::{builder, json_parts, start, web};

/// A shared value the actions read.
struct Counter {
    count: u64,
}

/// `GET /counter`: the shared counter's value.
fn read_counter() -> Action {
    Action::builder("read_counter", |_, context: Context| async move {
        let counter = context.shared::<Counter>()?;
        Ok(json!({ "count": counter.count }))
    })
    .trigger(web(Method::Get, "/counter"))
    .needs_state(StateNeed::of::<Counter>())
    .build()
}

#[tokio::test]
async fn state_is_injected() {
    let server = start(builder([read_counter()]).state(Counter { count: 7 })).await;
    assert_eq!(
        json_parts(server.get("/counter").await).await,
        (200, "application/json".into(), json!({ "count": 7 }))
    );
}

#[tokio::test]
async fn missing_state_is_a_start_up_error_naming_the_action_and_the_type() {
    let error = builder([read_counter()])
        .build()
        .await
        .expect_err("the counter is missing");
    let StartError::App(AppError::MissingState {
        action, type_name, ..
    }) = &error
    else {
        panic!("not a missing-state error: {error}");
    };
    assert_eq!(
        (action.as_str(), *type_name),
        ("read_counter", "it::state::Counter")
    );
    assert_eq!(
        error.to_string(),
        "action `read_counter` (at (registered at run time)) takes `State<it::state::Counter>`, \
         but the app has no shared value of that type; add one with the builder's `state(..)`"
    );
}

#[tokio::test]
async fn setup_makes_state_at_start() {
    let app = builder([read_counter()]).setup(|config| async move {
        // What setup makes can depend on the settings read at start.
        let count = if config.jwt_secret_key.is_some() {
            42
        } else {
            0
        };
        Ok::<_, std::io::Error>(Extensions::new().with(Counter { count }))
    });
    let server = start(app).await;
    assert_eq!(
        json_parts(server.get("/counter").await).await,
        (200, "application/json".into(), json!({ "count": 42 }))
    );
    // The app's other ways in (the CLI, tests) reach the same value through its contexts.
    let context = server.app.context();
    assert_eq!(
        context.state::<Counter>().map(|counter| counter.count),
        Some(42)
    );
}

#[tokio::test]
async fn a_failed_setup_stops_the_start_with_its_message() {
    let error = builder([read_counter()])
        .setup(|_| async { Err::<Extensions, _>(std::io::Error::other("the database is down")) })
        .build()
        .await
        .expect_err("setup fails");
    assert!(matches!(error, StartError::Setup(_)), "{error:?}");
    assert_eq!(error.to_string(), "setup: the database is down");
}
