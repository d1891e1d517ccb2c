//! External checkers: openapi-spec-validator, schemathesis, and Swagger UI in headless Chromium.

use std::time::Duration;

use servey::Authorization;

use super::{get, token};
use crate::server::{headless_chromium, output_text, python, run_tool, scratch_dir, start};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_spec_validator_accepts_the_document() {
    let server = start().await;
    let dir = scratch_dir("openapi");
    let file = dir.join("openapi.json");
    let served = get(&server, "/openapi.json")
        .await
        .text()
        .await
        .expect("text");
    std::fs::write(&file, served).expect("written");
    let output = run_tool(
        python(&["-m", "openapi_spec_validator", "--schema", "3.1"]).arg(&file),
        Duration::from_secs(60),
    )
    .await;
    assert!(output.status.success(), "{}", output_text(&output));
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("OK"),
        "{}",
        output_text(&output)
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_with_every_check_finds_only_the_deliberate_failure() {
    let server = start().await;
    let root = token(&server, &Authorization::new("root", ["root"]));
    let dir = scratch_dir("schemathesis");
    let output = run_tool(
        python(&["-m", "schemathesis.cli", "run"])
            .arg(server.url("/openapi.json"))
            .args(["--url", &server.base])
            // Every check: negative data rejection, positive data acceptance, response conformance,
            // missing-auth and ignored-auth included.
            .args(["--checks", "all"])
            // Sleeps on purpose (up to 5 s a call).
            .args(["--exclude-operation-id", "slow_get_with_ttl"])
            .args(["--header", &format!("Authorization: Bearer {root}")])
            .args(["--max-examples", "20", "--seed", "7"])
            .args(["--workers", "2", "--no-shrink", "--request-timeout", "30"])
            // MessagePack bodies and answers, which the document offers beside JSON.
            .env(
                "SCHEMATHESIS_HOOKS",
                concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/tests/it/rest/schemathesis_hooks.py"
                ),
            )
            .current_dir(&dir),
        Duration::from_secs(240),
    )
    .await;
    let text = output_text(&output);
    let failed_operations = failure_sections(&text);
    // `fail_on_purpose` answers 500 on purpose: the one failure there is, and the proof the checks ran.
    assert_eq!(
        failed_operations,
        ["GET /actions/fail-on-purpose"],
        "{text}"
    );
    let summary = text.split("\nFailures:\n").nth(1).unwrap_or_default();
    let kinds: Vec<&str> = summary
        .lines()
        .take_while(|line| !line.trim().is_empty())
        .collect();
    assert!(
        !kinds.is_empty() && kinds.iter().all(|line| line.contains("ST101 Server error")),
        "{text}"
    );
    // A "Runtime Error" inside schemathesis itself (CPython 3.11's rare `AST constructor recursion
    // depth mismatch` while Hypothesis describes a strategy) is not the server's fault; anything else
    // in ERRORS is.
    if let Some(errors) = errors_section(&text) {
        let errors = errors.split("SUMMARY").next().unwrap_or_default();
        assert_eq!(
            errors.matches("\nRuntime Error\n").count(),
            errors.matches("\n____").count(),
            "{text}"
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// The operations schemathesis lists under FAILURES (`____ GET /path ____` headings).
fn failure_sections(text: &str) -> Vec<String> {
    let Some(failures) = text.split(" FAILURES ").nth(1) else {
        return Vec::new();
    };
    let failures = failures
        .split(" WARNINGS ")
        .next()
        .and_then(|part| part.split(" ERRORS ").next())
        .and_then(|part| part.split(" SUMMARY ").next())
        .unwrap_or_default();
    failures
        .lines()
        .filter(|line| line.starts_with("___") && line.ends_with("___"))
        .map(|line| line.trim_matches(|c| c == '_' || c == ' ').to_owned())
        .collect()
}

/// The ERRORS section, when schemathesis printed one.
fn errors_section(text: &str) -> Option<&str> {
    let errors = text.split(" ERRORS ").nth(1)?;
    // It ends where the next section begins: FAILURES when an operation failed too, else the summary.
    let end = [" FAILURES ", "SUMMARY"]
        .iter()
        .filter_map(|next| errors.find(next))
        .min()
        .unwrap_or(errors.len());
    Some(&errors[..end])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swagger_ui_lists_the_operations_in_a_headless_browser() {
    let server = start().await;
    let profile = scratch_dir("chromium");
    let output = run_tool(
        headless_chromium(&profile)
            .args(["--virtual-time-budget=10000", "--dump-dom"])
            .arg(server.url("/docs/")),
        Duration::from_secs(90),
    )
    .await;
    let dom = String::from_utf8_lossy(&output.stdout);
    for rendered in [
        "operations-greetings-say_hello",
        r#"data-path="/actions/say-hello""#,
        "operations-auth-only_for_root",
        "btn authorize",
    ] {
        assert!(
            dom.contains(rendered),
            "Swagger UI did not render `{rendered}`:\n{}",
            output_text(&output)
        );
    }
    let _ = std::fs::remove_dir_all(profile);
}
