//! External truth: openapi-spec-validator (nobody here wrote it) accepts the document of an app
//! that uses every real-API switch at once.

use std::path::PathBuf;
use std::time::Duration;

use crate::auth::whoami;
use crate::errors::{RealWorld, register};
use crate::responses::{create_thing, delete_thing};
use crate::support::{builder, config, start};

/// The Python that has the checkers: `SERVEY_TEST_PYTHON` (what `cargo xtask ci` sets), else the
/// venv `cargo xtask setup` makes under the target directory.
pub(crate) fn checker_python() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    std::env::var_os("SERVEY_TEST_PYTHON")
        .map(PathBuf::from)
        .into_iter()
        .chain([target.join("servey-tools/venv/bin/python")])
        .find(|python| python.exists())
        .unwrap_or_else(|| {
            panic!(
                "the external checkers are missing: run `cargo xtask setup` (it creates \
                 target/servey-tools/venv), or set SERVEY_TEST_PYTHON to a Python that has them"
            )
        })
}

#[tokio::test]
async fn openapi_spec_validator_accepts_a_real_api_document() {
    let app = builder([whoami(), register(), create_thing(), delete_thing()])
        .config(config(&[("SERVEY_DEBUG_AUTHENTICATOR_PASSWORD", "secret")]))
        .bearer_schemes(["Token"])
        .error_renderer(RealWorld)
        .path_prefix("/api")
        .debug_login(true);
    let document = start(app).await.openapi().await;
    let file = std::env::temp_dir().join(format!("servey-it-openapi-{}.json", std::process::id()));
    std::fs::write(&file, document.to_string()).expect("the document is written");
    let run = tokio::process::Command::new(checker_python())
        .args(["-m", "openapi_spec_validator", "--schema", "3.1"])
        .arg(&file)
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(60), run)
        .await
        .expect("the validator finishes within a minute")
        .expect("the validator runs");
    let _ = std::fs::remove_file(&file);
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success() && text.contains("OK"), "{text}");
}
