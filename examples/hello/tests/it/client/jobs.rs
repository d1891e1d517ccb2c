//! Jobs: several actions in one request, stopping at the first error unless told to continue, alike
//! in-process and over `POST /jobs`; and the route's own refusals.

use serde_json::{Value, json};
use servey::Client;

use crate::server::{start, start_with, test_config};

fn codes(outcomes: &[Result<Value, servey::ClientError>]) -> Vec<String> {
    outcomes
        .iter()
        .map(|outcome| match outcome {
            Ok(value) => value.to_string(),
            Err(error) => error.code().unwrap_or("no problem").to_owned(),
        })
        .collect()
}

#[tokio::test]
async fn a_job_stops_at_the_first_error_unless_told_to_continue() {
    let server = start().await;
    for client in [
        Client::local(&server.app),
        Client::http(&server.base),
        Client::http(&server.base).msgpack(),
    ] {
        let actions = || {
            [
                ("say_hello", json!({"name": "a"})),
                ("only_for_root", json!({})),
                ("number_stats", json!({"value": 2})),
            ]
        };
        let stopped = client.job(actions()).send().await.expect("the job runs");
        assert_eq!(codes(&stopped), [r#""Hello a!""#, "unauthenticated"]);
        let continued = client
            .job(actions())
            .continue_on_error(true)
            .send()
            .await
            .expect("the job runs");
        assert_eq!(
            codes(&continued),
            [
                r#""Hello a!""#,
                "unauthenticated",
                r#"{"is_even":true,"value":2}"#
            ]
        );
    }
}

#[tokio::test]
async fn post_jobs_answers_one_outcome_per_action() {
    let server = start().await;
    let response = reqwest::Client::new()
        .post(server.url("/jobs"))
        .json(&json!({
            "actions": [
                {"action": "say_hello", "body": {"name": "World"}},
                {"action": "say_hello", "body": {"name": 1}},
                {"action": "number_stats", "body": {"value": 1}}
            ],
            "continue_on_error": true
        }))
        .send()
        .await
        .expect("answers");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(
        body,
        json!({"results": [
            {"result": "Hello World!"},
            {"error": {
                "type": "about:blank", "title": "Invalid input", "status": 422,
                "code": "invalid_input", "detail": "1 invalid field",
                "errors": [{"path": "name", "code": "type", "message": "must be a string, not an integer"}]
            }},
            {"result": {"value": 1, "is_even": false}}
        ]})
    );
}

#[tokio::test]
async fn malformed_jobs_are_refused_whole() {
    let server = start().await;
    let http = reqwest::Client::new();
    let post = |body: Value| http.post(server.url("/jobs")).json(&body).send();
    let no_actions = post(json!({"continue_on_error": true}))
        .await
        .expect("answers");
    assert_eq!(no_actions.status(), 422);
    let problem: Value = no_actions.json().await.expect("problem");
    assert_eq!(problem["code"], "malformed_input");
    let too_many = vec![json!({"action": "say_hello", "body": {"name": "x"}}); 101];
    let refused = post(json!({"actions": too_many})).await.expect("answers");
    assert_eq!(refused.status(), 422);
    let text = http
        .post(server.url("/jobs"))
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .expect("answers");
    assert_eq!(text.status(), 415);
    let get = http.get(server.url("/jobs")).send().await.expect("answers");
    assert_eq!(get.status(), 405);
}

#[tokio::test]
async fn a_job_past_its_deadline_answers_the_rest_as_timed_out() {
    let mut config = test_config();
    config.limits.jobs_timeout = Some(std::time::Duration::from_millis(300));
    let server = start_with(config).await;
    let wait = json!({"action": "slow_get_with_ttl", "body": {"seconds": 10}});
    let response = reqwest::Client::new()
        .post(server.url("/jobs"))
        .json(&json!({
            "actions": [
                {"action": "say_hello", "body": {"name": "World"}},
                wait, wait, wait
            ],
            "continue_on_error": true
        }))
        .send()
        .await
        .expect("answers");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("JSON");
    let timed_out = |what: &str| {
        json!({"error": {
            "type": "about:blank", "title": "Timeout", "status": 504, "code": "timeout",
            "detail": format!("The job did not finish within 0.3 s; `slow_get_with_ttl` {what}.")
        }})
    };
    assert_eq!(
        body,
        json!({"results": [
            {"result": "Hello World!"},
            timed_out("was stopped"),
            timed_out("did not run"),
            timed_out("did not run")
        ]})
    );
}
