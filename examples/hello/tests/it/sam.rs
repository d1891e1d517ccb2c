//! `--run=sam`: the tour app's AWS SAM template is what the command line writes, and `cfn-lint` (AWS's
//! CloudFormation linter, with the SAM transform) finds nothing in it: no error, warning or note.

use std::process::ExitCode;

use crate::server::{test_config, test_python, tour_app};

#[tokio::test]
async fn run_sam_writes_the_template() {
    let output = std::env::temp_dir().join(format!("servey-sam-cli-{}.json", std::process::id()));
    let args = [
        "hello",
        "--run=sam",
        &format!("--output={}", output.display()),
    ];
    let code = servey::run(tour_app(test_config()).await, args.map(Into::into)).await;
    assert_eq!(code, ExitCode::SUCCESS);
    let written = std::fs::read_to_string(&output).expect("the template was written");
    let _ = std::fs::remove_file(&output);
    assert_eq!(
        written,
        servey::sam::template_json(&tour_app(test_config()).await)
    );
}

/// cfn-lint's own entry point (its package has no `__main__`).
const LINT: &str =
    "import sys; from cfnlint.runner import main; sys.argv[0] = 'cfn-lint'; sys.exit(main())";

#[tokio::test]
async fn the_tour_template_passes_cfn_lint() {
    let template = servey::sam::template_json(&tour_app(test_config()).await);
    let path = std::env::temp_dir().join(format!("servey-sam-lint-{}.json", std::process::id()));
    std::fs::write(&path, &template).expect("the template is writable");
    let linted = std::process::Command::new(test_python())
        .args(["-c", LINT, "--format", "parseable", "--"])
        .arg(&path)
        .output()
        .expect("cfn-lint starts");
    let _ = std::fs::remove_file(&path);
    let findings = String::from_utf8_lossy(&linted.stdout);
    assert!(
        linted.status.success(),
        "cfn-lint ({}) finds:\n{findings}{}",
        linted.status,
        String::from_utf8_lossy(&linted.stderr)
    );
}
