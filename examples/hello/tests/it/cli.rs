//! The tour app's binary from the command line: one action, stdin events, errors, the list.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

pub(crate) fn hello(args: &[&str], stdin: Option<&str>) -> Output {
    hello_logging(args, stdin, "off")
}

/// Runs the binary with `RUST_LOG=log_filter`.
fn hello_logging(args: &[&str], stdin: Option<&str>, log_filter: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hello"))
        .args(args)
        .env("RUST_LOG", log_filter)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the hello binary starts");
    let mut input = child.stdin.take().expect("stdin is piped");
    input
        .write_all(stdin.unwrap_or_default().as_bytes())
        .expect("stdin takes the event");
    drop(input);
    child.wait_with_output().expect("the hello binary finishes")
}

fn problem(output: &Output) -> Value {
    assert_eq!(
        output.status.code(),
        Some(1),
        "stdout: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    serde_json::from_slice(&output.stderr).unwrap_or_else(|e| {
        panic!(
            "stderr is problem JSON ({e}): {}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

#[test]
fn action_prints_the_result_json() {
    let output = hello(
        &[
            "--run=action",
            "--action=say_hello",
            r#"--event={"name":"World"}"#,
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "\"Hello World!\"\n"
    );
}

#[test]
fn background_events_an_action_publishes_run_before_the_call_exits() {
    let output = hello_logging(
        &[
            "--run=action",
            "--action=sign_up",
            r#"--event={"member":"Ann"}"#,
        ],
        None,
        "hello=info",
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "\"Ann signed up\"\n"
    );
    // `sign_up` published to the `welcomes` background channel, whose action logs the note it sent.
    assert!(
        stderr.contains("sent a welcome note: Welcome aboard, Ann!"),
        "{stderr}"
    );
}

#[test]
fn event_dash_reads_stdin() {
    let output = hello(
        &["--run=action", "--action=store_message", "--event=-"],
        Some(r#"{"message": {"sender": "a", "text": "héllo"}}"#),
    );
    assert_eq!(output.status.code(), Some(0));
    let result: Value = serde_json::from_slice(&output.stdout).expect("JSON result");
    assert_eq!(
        result,
        serde_json::json!({"id": 1, "message": {"sender": "a", "text": "héllo"}, "length": 5})
    );
}

#[test]
fn wrong_type_is_a_422_naming_the_field() {
    let problem = problem(&hello(
        &[
            "--run=action",
            "--action=say_hello",
            r#"--event={"name": 5}"#,
        ],
        None,
    ));
    assert_eq!(problem["status"], 422);
    assert_eq!(problem["code"], "invalid_input");
    assert_eq!(problem["errors"][0]["path"], "name");
    assert_eq!(problem["errors"][0]["code"], "type");
    assert_eq!(
        problem["errors"][0]["message"],
        "must be a string, not an integer"
    );
}

#[test]
fn missing_field_is_a_422_naming_the_field() {
    let problem = problem(&hello(
        &["--run=action", "--action=say_hello", "--event={}"],
        None,
    ));
    assert_eq!(
        (
            problem["status"].as_u64(),
            problem["errors"][0]["path"].as_str()
        ),
        (Some(422), Some("name"))
    );
}

#[test]
fn malformed_event_is_a_422() {
    let problem = problem(&hello(
        &["--run=action", "--action=say_hello", "--event=not json"],
        None,
    ));
    assert_eq!(
        (problem["status"].as_u64(), problem["code"].as_str()),
        (Some(422), Some("malformed_input"))
    );
}

#[test]
fn unknown_action_lists_the_known_ones() {
    let problem = problem(&hello(&["--run=action", "--action=say_helo"], None));
    assert_eq!(problem["status"], 404);
    let detail = problem["detail"].as_str().expect("a detail");
    assert!(
        detail.contains("`say_helo`")
            && detail.contains("say_hello")
            && detail.contains("generated_3"),
        "{detail}"
    );
}

#[test]
fn failures_and_panics_are_opaque_500s() {
    let failed = problem(&hello(&["--run=action", "--action=fail_on_purpose"], None));
    assert_eq!(
        (failed["status"].as_u64(), failed["detail"].as_str()),
        (Some(500), Some("The action failed."))
    );
    let panicked = problem(&hello(
        &[
            "--run=action",
            "--action=fail_on_purpose",
            r#"--event={"panic": true}"#,
        ],
        None,
    ));
    assert_eq!(panicked["status"], 500);
}

#[test]
fn protected_actions_need_a_token() {
    let problem = problem(&hello(&["--run=action", "--action=only_for_root"], None));
    assert_eq!(
        (problem["status"].as_u64(), problem["code"].as_str()),
        (Some(401), Some("unauthenticated"))
    );
}

#[test]
fn list_shows_triggers_summaries_and_schemas() {
    let output = hello(&["--run=list"], None);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("say_hello\n  summary:  Greet a user!\n  triggers: GET /actions/say-hello\n"),
        "{text}"
    );
    assert!(text.contains(r#"input:    {"type":"object","properties":[{"name":"name","required":true,"schema":{"type":"string"}}]}"#), "{text}");
    assert!(
        text.contains("number_stats_factorial\n")
            && text.contains("field of: NumberStats (as `factorial`)"),
        "{text}"
    );
    assert!(
        text.contains("tick\n") && text.contains("every 10s"),
        "{text}"
    );
}

#[test]
fn run_client_writes_the_typed_client_the_golden_holds() {
    let output = hello(&["--run=client"], None);
    assert_eq!(output.status.code(), Some(0));
    let golden = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("golden/client.rs"),
    )
    .expect("the golden client is committed");
    assert_eq!(String::from_utf8_lossy(&output.stdout), golden);
}

/// Writing a document or listing the actions never connects to the Redis of `SERVEY_REDIS_URL`
/// (a build machine has none); running an action or serving does, and says so when it cannot.
#[test]
fn documents_are_written_without_the_redis_of_the_environment() {
    let with_unreachable_redis = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_hello"))
            .args(args)
            .env("RUST_LOG", "off")
            .env("SERVEY_REDIS_URL", "redis://127.0.0.1:1")
            .output()
            .expect("the hello binary runs")
    };
    for mode in [
        "openapi",
        "graphql-schema",
        "asyncapi",
        "list",
        "client",
        "sam",
    ] {
        let output = with_unreachable_redis(&[&format!("--run={mode}")]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "--run={mode}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!output.stdout.is_empty(), "--run={mode} wrote its document");
    }
    let action = with_unreachable_redis(&["--run=action", "--action=say_hello"]);
    assert_eq!(action.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&action.stderr).contains("cannot use Redis at redis://127.0.0.1:1"),
        "{}",
        String::from_utf8_lossy(&action.stderr)
    );
}
