//! Building the app's binary with cargo: the compiler's messages go to the terminal as cargo renders
//! them, and the path of the built binary is read from cargo's JSON artifacts.

use std::path::PathBuf;
use std::process::Stdio;

use anyhow::{Context, Result};
use serde::Deserialize;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::project::{App, cargo};

/// What cargo says on stdout with `--message-format=json-render-diagnostics`, the parts read here.
#[derive(Debug, Deserialize)]
struct Message {
    reason: String,
    target: Option<ArtifactTarget>,
    executable: Option<PathBuf>,
    success: Option<bool>,
}

#[derive(Debug, Deserialize)]
struct ArtifactTarget {
    name: String,
    kind: Vec<String>,
}

/// Builds `app`'s binary: its path, or `None` when it does not compile (cargo has printed why).
pub(crate) async fn build(app: &App) -> Result<Option<PathBuf>> {
    let mut command = tokio::process::Command::new(cargo());
    command
        .args(["build", "--message-format=json-render-diagnostics"])
        .args(["-p", &app.package, "--bin", &app.binary])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    let mut child = command.spawn().context("starting `cargo build`")?;
    let stdout = child
        .stdout
        .take()
        .context("reading the output of `cargo build`")?;
    let mut lines = BufReader::new(stdout).lines();
    let mut executable = None;
    let mut succeeded = false;
    while let Some(line) = lines.next_line().await? {
        let Ok(message) = serde_json::from_str::<Message>(&line) else {
            // Anything that is not cargo's JSON: shown, on stderr, so that stdout stays the app's own
            // (`cargo servey openapi > openapi.json`).
            eprintln!("{line}");
            continue;
        };
        match message.reason.as_str() {
            "compiler-artifact" => {
                let is_ours = message.target.as_ref().is_some_and(|target| {
                    target.name == app.binary && target.kind.iter().any(|kind| kind == "bin")
                });
                if is_ours && message.executable.is_some() {
                    executable = message.executable;
                }
            }
            "build-finished" => succeeded = message.success == Some(true),
            _ => {}
        }
    }
    let status = child.wait().await.context("waiting for `cargo build`")?;
    Ok(executable.filter(|_| succeeded && status.success()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_artifact_message_names_the_executable() {
        let line = r#"{"reason":"compiler-artifact","package_id":"x","target":{"name":"app","kind":["bin"],"src_path":"/a/src/main.rs"},"executable":"/t/debug/app","fresh":false}"#;
        let message: Message = serde_json::from_str(line).expect("parses");
        assert_eq!(message.reason, "compiler-artifact");
        assert_eq!(message.executable, Some(PathBuf::from("/t/debug/app")));
        assert_eq!(message.target.expect("a target").kind, ["bin"]);
    }
}
