//! Jobs: several actions called serially in one request (PySOA's job), each answered by its result or
//! its error. `POST /jobs` and the client's local mode both run them here, so both answer alike.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::action::Action;
use crate::app::App;
use crate::context::Context;
use crate::error::{ActionError, ErrorCode, Problem};
use crate::input::Input;

/// How many actions one job may hold.
pub const MAX_JOB_ACTIONS: usize = 100;

/// A job: the actions to call, in order, and whether to go on past a failed one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JobRequest {
    /// The actions to call, in order (at most 100).
    pub actions: Vec<JobAction>,
    /// Whether the actions after a failed one still run (default: the job stops at the first error).
    #[serde(default)]
    pub continue_on_error: bool,
}

/// One action of a job, with its input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JobAction {
    /// The action's name (`say_hello`).
    pub action: String,
    /// Its input object, one key per parameter (default: `{}`); anything else is that action's own
    /// `malformed_input` error, as it would be on its own route.
    #[serde(default = "empty_object")]
    #[schema(value_type = Value)]
    pub body: Value,
}

fn empty_object() -> Value {
    Value::Object(Map::new())
}

/// What a job answers: one entry per action that ran, in order. A job that stopped at an error has
/// fewer entries than actions; the last one is the error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct JobResponse {
    /// The outcome of each action that ran.
    pub results: Vec<JobOutcome>,
}

/// The outcome of one action of a job: its result, or its error as RFC 9457 problem details, whatever
/// error body the app's REST routes use (a job answers the same shape in every app, which clients read).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum JobOutcome {
    /// The action failed.
    Error {
        /// The error as problem details (not the app's own REST error body, when it renders another).
        error: Problem,
    },
    /// The action succeeded.
    Result {
        /// The action's result, any JSON value (a string, an object, `null` for no content).
        #[schema(value_type = Value)]
        result: Value,
    },
}

impl JobOutcome {
    /// The result, or the error.
    pub fn into_result(self) -> Result<Value, Box<Problem>> {
        match self {
            Self::Result { result } => Ok(result),
            Self::Error { error } => Err(Box::new(error)),
        }
    }
}

/// Which actions a job may call: a transport exposes only what it serves (`POST /jobs`: the actions
/// with a web route), the local client every action.
pub type Reachable = fn(&Action) -> bool;

/// Every action is reachable (in-process callers).
pub fn every_action(_: &Action) -> bool {
    true
}

/// Runs `job` for the caller in `context`: each action through the one invoke path, in order, stopping
/// at the first error unless `continue_on_error`. A job with more than [`MAX_JOB_ACTIONS`] is refused.
/// Past the app's `jobs_timeout` the running action is stopped and the later ones do not run; each of
/// them is answered `504` (`timeout`).
pub async fn run_job(
    app: &App,
    job: JobRequest,
    context: Context,
    reachable: Reachable,
) -> Result<JobResponse, ActionError> {
    if job.actions.len() > MAX_JOB_ACTIONS {
        return Err(ActionError::new(
            ErrorCode::MalformedInput,
            format!(
                "A job holds at most {MAX_JOB_ACTIONS} actions; this one has {}.",
                job.actions.len()
            ),
        ));
    }
    let deadline = (app.config().limits.jobs_timeout)
        .map(|limit| (tokio::time::Instant::now() + limit, limit));
    let mut results = Vec::with_capacity(job.actions.len());
    for JobAction { action, body } in job.actions {
        let called = call(app, &action, body, context.clone(), reachable);
        let is_past_deadline = deadline.is_some_and(|(at, _)| tokio::time::Instant::now() >= at);
        let outcome = match deadline {
            Some((_, limit)) if is_past_deadline => {
                Err(job_timed_out(limit, &action, "did not run"))
            }
            // The action running at the deadline is dropped, as one past its own timeout is.
            Some((at, limit)) => tokio::time::timeout_at(at, called)
                .await
                .unwrap_or_else(|_| {
                    // The stopped call never returns to invoke, so its one log line is written here;
                    // the actions that never ran get none.
                    let error = job_timed_out(limit, &action, "was stopped");
                    crate::invoke::log_failure(&action, context.request_id(), &error);
                    Err(error)
                }),
            None => called.await,
        };
        let outcome = match outcome {
            Ok(result) => JobOutcome::Result { result },
            Err(error) => JobOutcome::Error {
                error: error.problem(),
            },
        };
        let failed = matches!(outcome, JobOutcome::Error { .. });
        results.push(outcome);
        if failed && !job.continue_on_error {
            break;
        }
    }
    Ok(JobResponse { results })
}

/// Calls the action named `name` with `body`, when `reachable` lets this caller see it.
pub async fn call(
    app: &App,
    name: &str,
    body: Value,
    context: Context,
    reachable: Reachable,
) -> Result<Value, ActionError> {
    let action = app
        .registry()
        .get(name)
        .filter(|action| reachable(action))
        .ok_or_else(|| unknown_action(name))?;
    crate::invoke::invoke(action, Input::from_value(body), context)
        .await?
        .to_value()
}

/// The outcome of `action` in a job that ran out of time (`what` happened to it).
fn job_timed_out(limit: std::time::Duration, action: &str, what: &str) -> ActionError {
    let shown: String = action.chars().take(64).collect();
    ActionError::new(
        ErrorCode::Timeout,
        format!(
            "The job did not finish within {} s; `{shown}` {what}.",
            limit.as_secs_f64()
        ),
    )
}

/// The error for a name no reachable action has.
pub fn unknown_action(name: &str) -> ActionError {
    let shown: String = name.chars().take(64).collect();
    ActionError::new(
        ErrorCode::NotFound,
        format!("There is no action `{shown}`."),
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::config::ServeyConfig;
    use crate::registry::Registry;

    fn app() -> App {
        let echo = Action::builder("echo", |input, _| async move { Ok(input) }).build();
        let fail = Action::builder("fail", |_, _| async {
            Err::<Value, _>(ActionError::custom(409, "taken", "That one is taken."))
        })
        .build();
        let registry = Registry::builder()
            .action(echo)
            .action(fail)
            .build()
            .expect("registry");
        App::new(registry, ServeyConfig::default())
    }

    fn job(continue_on_error: bool) -> JobRequest {
        let action = |name: &str, body: Value| JobAction {
            action: name.into(),
            body,
        };
        JobRequest {
            actions: vec![
                action("echo", json!({"a": 1})),
                action("fail", json!({})),
                action("nope", json!({})),
                action("echo", json!({"b": 2})),
            ],
            continue_on_error,
        }
    }

    #[tokio::test]
    async fn a_job_stops_at_the_first_error_unless_told_to_continue() {
        let app = app();
        let stopped = run_job(&app, job(false), app.context(), every_action)
            .await
            .expect("runs");
        let codes: Vec<_> = stopped
            .results
            .iter()
            .map(|outcome| match outcome {
                JobOutcome::Result { result } => result.to_string(),
                JobOutcome::Error { error } => error.code.clone(),
            })
            .collect();
        assert_eq!(codes, [r#"{"a":1}"#, "taken"]);
        let continued = run_job(&app, job(true), app.context(), every_action)
            .await
            .expect("runs");
        let json = serde_json::to_value(&continued).expect("serializes");
        assert_eq!(json["results"][0], json!({"result": {"a": 1}}));
        assert_eq!(json["results"][1]["error"]["status"], 409);
        assert_eq!(json["results"][2]["error"]["code"], "not_found");
        assert_eq!(json["results"][3], json!({"result": {"b": 2}}));
        let back: JobResponse = serde_json::from_value(json).expect("reads back");
        assert_eq!(back, continued);
    }

    #[tokio::test]
    async fn a_job_past_its_deadline_answers_the_rest_as_timed_out() {
        // Long enough that the job's deadline comes first; without one the test fails, slowly.
        let wait = Action::builder("wait", |_, _| async {
            tokio::time::sleep(std::time::Duration::from_secs(10)).await;
            Ok(json!("woke"))
        })
        .build();
        let echo = Action::builder("echo", |input, _| async move { Ok(input) }).build();
        let registry = Registry::builder()
            .action(wait)
            .action(echo)
            .build()
            .expect("registry");
        let config = ServeyConfig::from_lookup(|key| {
            (key == "SERVEY_JOBS_TIMEOUT").then(|| "0.05".to_owned())
        });
        let app = App::new(registry, config);
        let action = |name: &str| JobAction {
            action: name.into(),
            body: json!({"a": 1}),
        };
        let job = JobRequest {
            actions: vec![action("echo"), action("wait"), action("echo")],
            continue_on_error: true,
        };
        let answered = run_job(&app, job, app.context(), every_action)
            .await
            .expect("runs");
        let json = serde_json::to_value(&answered).expect("serializes");
        assert_eq!(json["results"][0], json!({"result": {"a": 1}}));
        for (at, what) in [(1, "`wait` was stopped"), (2, "`echo` did not run")] {
            assert_eq!(
                json["results"][at]["error"],
                json!({
                    "type": "about:blank", "title": "Timeout", "status": 504, "code": "timeout",
                    "detail": format!("The job did not finish within 0.05 s; {what}.")
                })
            );
        }
    }

    #[tokio::test]
    async fn oversized_jobs_and_unreachable_actions_are_refused() {
        let app = app();
        let many = JobRequest {
            actions: vec![
                JobAction {
                    action: "echo".into(),
                    body: json!({})
                };
                MAX_JOB_ACTIONS + 1
            ],
            continue_on_error: false,
        };
        let refused = run_job(&app, many, app.context(), every_action)
            .await
            .expect_err("too many");
        assert_eq!(
            (refused.status(), refused.code_str()),
            (422, "malformed_input")
        );
        let hidden = call(&app, "echo", json!({}), app.context(), |_| false)
            .await
            .expect_err("unreachable");
        assert_eq!(hidden.detail(), "There is no action `echo`.");
    }
}
