//! `POST /jobs` runs each action under that action's own access control and rate limit: a job is no
//! way around the checks of the actions it holds.

use reqwest::header::AUTHORIZATION;
use serde_json::{Value, json};
use servey::{Action, Authenticator, Authorization, JwtBearer, Method, RateLimit};

use crate::auth::whoami;
use crate::support::{JWT_SECRET, builder, json_parts, send, start, web};

/// `GET /hello`: open to anyone.
fn hello() -> Action {
    Action::builder("hello", |_, _| async { Ok(json!("hi")) })
        .trigger(web(Method::Get, "/hello"))
        .build()
}

/// `GET /scarce`: at most two calls a minute per caller.
fn scarce() -> Action {
    Action::builder("scarce", |_, _| async { Ok(json!("ok")) })
        .trigger(web(Method::Get, "/scarce"))
        .rate_limit(RateLimit::per_minute(2))
        .build()
}

/// The job of `names`, each with an empty body, going on past errors.
fn job(names: &[&str]) -> Value {
    let actions: Vec<Value> = names.iter().map(|name| json!({ "action": name })).collect();
    json!({ "actions": actions, "continue_on_error": true })
}

/// The (status, code) of each failed outcome, `(200, "")` for each result.
fn outcomes(answer: &Value) -> Vec<(u64, String)> {
    answer["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|outcome| match outcome.get("error") {
            Some(error) => (
                error["status"].as_u64().expect("a status"),
                error["code"].as_str().expect("a code").to_owned(),
            ),
            None => (200, String::new()),
        })
        .collect()
}

#[tokio::test]
async fn a_protected_action_in_a_job_answers_its_own_401_and_403() {
    let server = start(builder([hello(), whoami()])).await;
    let (status, _, anonymous) =
        json_parts(server.post("/jobs", &job(&["whoami", "hello"])).await).await;
    assert_eq!(status, 200);
    assert_eq!(
        outcomes(&anonymous),
        [(401, "unauthenticated".to_owned()), (200, String::new())]
    );
    assert_eq!(anonymous["results"][1], json!({ "result": "hi" }));

    let bystander = JwtBearer::new(JWT_SECRET)
        .issue(&Authorization::new("bob", ["guest"]))
        .expect("issued");
    let request = server
        .request(reqwest::Method::POST, "/jobs")
        .header(AUTHORIZATION, format!("Bearer {bystander}"))
        .json(&job(&["whoami", "hello"]));
    let (_, _, forbidden) = json_parts(send(request).await).await;
    assert_eq!(
        outcomes(&forbidden),
        [(403, "forbidden".to_owned()), (200, String::new())]
    );

    let user = JwtBearer::new(JWT_SECRET)
        .issue(&Authorization::new("ann", ["user"]))
        .expect("issued");
    let request = server
        .request(reqwest::Method::POST, "/jobs")
        .header(AUTHORIZATION, format!("Bearer {user}"))
        .json(&job(&["whoami"]));
    let (_, _, allowed) = json_parts(send(request).await).await;
    assert_eq!(
        allowed,
        json!({ "results": [{ "result": { "subject": "ann" } }] })
    );
}

#[tokio::test]
async fn a_job_past_an_actions_rate_limit_gets_429_for_the_extra_calls() {
    let server = start(builder([hello(), scarce()])).await;
    let (status, _, answer) = json_parts(
        server
            .post(
                "/jobs",
                &job(&["scarce", "hello", "scarce", "scarce", "hello"]),
            )
            .await,
    )
    .await;
    assert_eq!(status, 200);
    let ok = || (200, String::new());
    assert_eq!(
        outcomes(&answer),
        [ok(), ok(), ok(), (429, "rate_limited".to_owned()), ok()]
    );
    assert_eq!(
        answer["results"][3]["error"]["detail"],
        "Too many calls: the limit is 2 per 60 s; try again in 30 s."
    );
    // The job spent the caller's calls: the route itself is now refused too.
    assert_eq!(server.get("/scarce").await.status(), 429);
}
