//! schemathesis (an external checker) against the served Conduit app: every check it has (`--checks
//! all`: no 5xx, documented statuses, content types and bodies, schema-valid requests accepted and
//! invalid ones refused, auth enforced, ...) over every phase, the stateful one included (sequences of
//! calls linked through the OpenAPI document's inferred links).

use crate::served::{python, register, serve};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_failure_but_realworlds_duplicate_user() {
    let base = serve().await;
    let token = register(&base, "fuzzer").await;
    let dir = std::env::temp_dir().join(format!("conduit-schemathesis-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let mut command = tokio::process::Command::new(python());
    command
        .args(["-m", "schemathesis.cli", "run"])
        .arg(format!("{base}/openapi.json"))
        .args(["--url", &base])
        .args(["--checks", "all"])
        .args(["--phases", "examples,coverage,fuzzing,stateful"])
        .args(["--header", &format!("Authorization: Token {token}")])
        .args(["--max-examples", "10", "--seed", "7"])
        .args(["--workers", "2", "--no-shrink", "--request-timeout", "10"])
        .current_dir(&dir)
        .kill_on_drop(true);
    let output = tokio::time::timeout(std::time::Duration::from_secs(240), command.output())
        .await
        .expect("schemathesis finishes within 4 minutes")
        .expect("schemathesis runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let _ = std::fs::remove_dir_all(dir);
    assert!(
        text.contains("API Links:"),
        "the stateful phase ran:\n{text}"
    );
    let unexpected = unexpected_failures(&text);
    assert!(
        unexpected.is_empty(),
        "{}\n\n{text}",
        unexpected.join("\n---\n")
    );
    // A "Runtime Error" inside schemathesis itself (a known, rare CPython `ast` error while it
    // generates a case) is not the server's fault, and is let through with a note.
    let tool_errors = text.matches("\nRuntime Error\n").count();
    if tool_errors > 0 {
        assert_eq!(
            tool_errors,
            errors_section(&text).matches("\n____").count(),
            "{text}"
        );
        eprintln!("schemathesis itself failed on some operations; no check failed:\n{text}");
    }
    assert!(
        output.status.success() || text.contains("FAILURES") || tool_errors > 0,
        "{text}"
    );
}

/// The failed test cases of a report, but those where the only failed check is "schema-valid
/// request rejected" because the user already exists: RealWorld answers 422 "has already been
/// taken" for that, which schemathesis expects as 409.
fn unexpected_failures(text: &str) -> Vec<&str> {
    let Some((_, failures)) = text.split_once("= FAILURES =") else {
        return Vec::new();
    };
    let failures = failures.split("\n=====").next().unwrap_or(failures);
    failures
        .split("Test Case ID:")
        .skip(1)
        .filter(|case| {
            let checks: Vec<&str> = case.lines().filter(|line| line.starts_with("- ")).collect();
            let duplicate_user = !checks.is_empty()
                && checks.iter().all(|check| check.starts_with("- ST202 "))
                && case.contains("[422]")
                && case.contains("has already been taken");
            !duplicate_user
        })
        .collect()
}

/// The part of a report that lists errors of the tool itself, if any.
fn errors_section(text: &str) -> &str {
    text.split_once("= ERRORS =")
        .map(|(_, rest)| rest.split("\n=====").next().unwrap_or(rest))
        .unwrap_or("")
}

#[test]
fn only_the_duplicate_user_is_forgiven() {
    let report = "x\n= FAILURES =\n__ POST /api/users __\n1. Test Case ID: a\n\n- ST202 Schema-valid request rejected\n\n[422] Unprocessable Content:\n\n    `{\"errors\":{\"email\":[\"has already been taken\"]}}`\n\n__ GET /api/x __\n1. Test Case ID: b\n\n- Server error\n\n[500] Internal Server Error\n\n===== SUMMARY\n";
    let unexpected = unexpected_failures(report);
    assert_eq!(unexpected.len(), 1);
    assert!(unexpected[0].contains("Server error"));
    assert!(unexpected_failures("all passed").is_empty());
}
