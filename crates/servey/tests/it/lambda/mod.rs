//! The `lambda` feature: recorded API Gateway REST (v1) and HTTP (v2) events and a function URL
//! request, each fed to the Lambda handler in-process, get the status, headers and body the server on a
//! socket gives for the same request; EventBridge's scheduled events run the action their rule names,
//! once, whether the rule is one `--run=sam` wrote or a plain one named after the action.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};
use servey::lambda::{Handler, LambdaContext, LambdaError};
use servey::{Action, ActionError, ActionOutput, Builder, Method, Reply, Scope, Trigger, Ttl};

use crate::support::{builder, config, start, web};

mod events;
mod runtime;

use events::{Case, Shape};

/// The request id both sides are sent, so that the echoed `X-Request-Id` matches too.
const REQUEST_ID: &str = "lambda-test-request";

/// An app with a cached GET, a POST, a protected GET, a GET answering repeated headers (two `Link`, two
/// `Set-Cookie`), a scheduled action counting its runs and one that always fails (`store_down`).
fn app(runs: Arc<AtomicUsize>) -> Builder {
    let greet = Action::builder("greet", |input: Value, _| async move {
        Ok(json!(format!(
            "hello {}",
            input["name"].as_str().unwrap_or("you")
        )))
    })
    .trigger(web(Method::Get, "/greet"))
    .cache_control(Ttl {
        seconds: 60,
        server_cache: true,
    })
    .build();
    let echo = Action::builder("echo", |input: Value, _| async move { Ok(input) })
        .trigger(web(Method::Post, "/echo"))
        .build();
    let admin = Action::builder("admin_only", |_, _| async { Ok(json!("secret")) })
        .trigger(web(Method::Get, "/admin"))
        .access_control(Scope("admin".into()))
        .build();
    let tick = Action::builder("tick", move |_, _| {
        let runs = runs.clone();
        async move { Ok(json!(runs.fetch_add(1, Ordering::SeqCst) + 1)) }
    })
    .trigger(Trigger::FixedRate { seconds: 60 })
    .trigger(Trigger::Cron("0 0 3 * * *".into()))
    .build();
    let links = Action::output_builder("links", |_, _| async {
        let reply = Reply::new(json!("linked"))
            .header("link", "</a>; rel=\"first\"")
            .header("link", "</b>; rel=\"next\"")
            .header("set-cookie", "a=1")
            .header("set-cookie", "b=2");
        Ok(ActionOutput::from_reply(reply))
    })
    .trigger(web(Method::Get, "/links"))
    .build();
    let expire = Action::builder("expire", |_, _| async {
        Err::<Value, _>(ActionError::custom(503, "store_down", "The store is down."))
    })
    .trigger(Trigger::FixedRate { seconds: 3600 })
    .build();
    builder([greet, echo, admin, tick, links, expire])
        .config(config(&[("CORS_ALLOWED_ORIGINS", "https://example.com")]))
}

/// The cases compared on both sides, after a first `GET /greet` whose ETag the conditional one sends.
fn cases(etag: &str) -> Vec<Case> {
    vec![
        Case::get("/greet", "name=Ann"),
        Case::get("/greet", "name=Ann").header("if-none-match", etag),
        Case::get("/greet", "name=Bo").header("origin", "https://example.com"),
        Case::new("OPTIONS", "/echo", "", "")
            .header("origin", "https://example.com")
            .header("access-control-request-method", "POST"),
        Case::get("/admin", ""),
        Case::get("/admin", "").header("authorization", "Bearer not-a-token"),
        Case::get("/nowhere", ""),
        Case::get("/health", ""),
        Case::get("/links", ""),
        Case::get("/openapi.json", ""),
        Case::post("/echo", r#"{"a": 1, "b": [true, null]}"#),
        Case::post("/echo", r#"{"a": "#),
        Case::post("/graphql", r#"{"query": "{ __typename }"}"#),
        Case::new("DELETE", "/echo", "", ""),
    ]
}

/// Every case through `shape`'s recorded event, against a server of the same app at `prefix`.
async fn compare(shape: Shape, prefix: &str) {
    let server = start(app(Arc::default()).path_prefix(prefix)).await;
    let lambda = app(Arc::default())
        .path_prefix(prefix)
        .build()
        .await
        .expect("the app builds");
    let handler = Handler::new(&lambda).expect("the routes build");
    let first = Case::get("/greet", "name=Ann").send(&server, prefix).await;
    let etag = first.header("etag").expect("a cached action has an ETag");
    for case in cases(&etag) {
        let expected = case.send(&server, prefix).await;
        let event = case.event(shape, prefix);
        let answer = handler
            .handle_event(event, LambdaContext::default())
            .await
            .unwrap_or_else(|error| panic!("{case:?} through {shape:?}: {error}"));
        let actual = events::answered(shape, &answer);
        assert_eq!(actual, expected, "{case:?} through {shape:?}");
    }
}

#[tokio::test]
async fn api_gateway_rest_events_are_answered_like_the_server() {
    // A REST API puts its stage in front of the path (lambda_http keeps it): the app is served there.
    compare(Shape::RestV1, "/testStage").await;
}

#[tokio::test]
async fn api_gateway_http_events_are_answered_like_the_server() {
    compare(Shape::HttpV2, "").await;
}

#[tokio::test]
async fn function_url_requests_are_answered_like_the_server() {
    compare(Shape::FunctionUrl, "").await;
}

/// The handler of a fresh app, with the counter of its `tick` runs.
async fn scheduled_app() -> (Handler, Arc<AtomicUsize>, servey::App) {
    let runs = Arc::new(AtomicUsize::new(0));
    let app = app(runs.clone()).build().await.expect("the app builds");
    (Handler::new(&app).expect("the routes build"), runs, app)
}

// The rules come from the SAM template, written with the `codegen` feature.
#[cfg(feature = "codegen")]
#[tokio::test]
async fn the_input_of_a_generated_rule_runs_its_action_once() {
    let (handler, runs, app) = scheduled_app().await;
    let template = servey::sam::template(&app);
    let rule = &template["Resources"]["App"]["Properties"]["Events"]["ScheduleTick"];
    assert_eq!(rule["Type"], "Schedule");
    assert_eq!(rule["Properties"]["Schedule"], "rate(1 minute)");
    let input = rule["Properties"]["Input"]
        .as_str()
        .expect("the input is a JSON string");
    let answer = handler
        .handle_event(events::raw(input), LambdaContext::default())
        .await
        .expect("the run succeeds");
    assert_eq!(answer, json!(1), "the action's result");
    assert_eq!(runs.load(Ordering::SeqCst), 1, "run once");
}

// The rules come from the SAM template, written with the `codegen` feature.
#[cfg(feature = "codegen")]
#[tokio::test]
async fn a_scheduled_event_of_a_generated_rule_name_runs_its_action_once() {
    let (handler, runs, app) = scheduled_app().await;
    let template = servey::sam::template(&app);
    let events = &template["Resources"]["App"]["Properties"]["Events"];
    for (event, expected_runs) in [("ScheduleTick", 1), ("ScheduleTick2", 2)] {
        let name = events[event]["Properties"]["Name"]["Fn::Sub"]
            .as_str()
            .expect("the rule is named after the stack and the action")
            .replace("${AWS::StackName}", "my-stack");
        let scheduled = events::scheduled_event(&format!(
            "arn:aws:events:us-east-1:123456789012:rule/{name}"
        ));
        let answer = handler
            .handle_event(scheduled, LambdaContext::default())
            .await
            .expect("the run succeeds");
        assert_eq!(answer, json!(expected_runs));
        assert_eq!(runs.load(Ordering::SeqCst), expected_runs);
    }
    assert_eq!(
        events["ScheduleTick2"]["Properties"]["Schedule"],
        "cron(0 3 * * ? *)"
    );
}

#[tokio::test]
async fn events_naming_no_scheduled_action_run_nothing() {
    let (handler, runs, _app) = scheduled_app().await;
    let unknown =
        events::scheduled_event("arn:aws:events:us-east-1:123456789012:rule/my-scheduled-rule");
    let error = handler
        .handle_event(unknown, LambdaContext::default())
        .await
        .expect_err("no action is named by that rule");
    assert!(matches!(error, LambdaError::UnknownSchedule(_)), "{error}");
    let not_scheduled = events::raw(r#"{"source": "servey.schedule", "action": "greet"}"#);
    let error = handler
        .handle_event(not_scheduled, LambdaContext::default())
        .await
        .expect_err("greet has no schedule");
    assert!(matches!(error, LambdaError::UnknownSchedule(_)), "{error}");
    let error = handler
        .handle_event(events::raw(r#"{"hello": 1}"#), LambdaContext::default())
        .await
        .expect_err("not an event servey answers");
    assert!(matches!(error, LambdaError::UnknownEvent), "{error}");
    assert_eq!(runs.load(Ordering::SeqCst), 0);
}

// The rules come from the SAM template, written with the `codegen` feature.
#[cfg(feature = "codegen")]
#[tokio::test]
async fn a_failed_scheduled_run_is_the_invocation_error() {
    let failing = Action::builder("fail", |_, _| async {
        Err(servey::ActionError::internal("the job broke"))
    })
    .trigger(Trigger::FixedRate { seconds: 60 })
    .build();
    let app = builder([failing]).build().await.expect("the app builds");
    let handler = Handler::new(&app).expect("the routes build");
    let input = servey::sam::template(&app)["Resources"]["App"]["Properties"]["Events"]["ScheduleFail"]
        ["Properties"]["Input"]
        .as_str()
        .expect("an input")
        .to_owned();
    let error = handler
        .handle_event(events::raw(&input), LambdaContext::default())
        .await
        .expect_err("the action failed");
    assert!(
        matches!(&error, LambdaError::Run { action, .. } if action == "fail"),
        "{error}"
    );
}
