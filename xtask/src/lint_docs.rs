//! `cargo xtask lint-docs` (also part of `ci`): the OpenAPI documents of the tour app and Conduit, as
//! their binaries write them (`--run=openapi`, the function that serves `/openapi.json`), linted by
//! Redocly CLI (`recommended`) and Spectral (`spectral:oas`) with the rulesets in `xtask/lint-docs/`.
//! Any error fails; warnings are printed.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

use crate::conduit::target_dir;
use crate::{cargo, run};

/// The npm linters, pinned.
const NPM_TOOLS: [&str; 2] = ["@redocly/cli@2.77.0", "@stoplight/spectral-cli@6.16.3"];

/// The apps whose documents are linted (their binaries' names).
const APPS: [&str; 2] = ["hello", "conduit"];

/// Writes each app's document and lints it with both tools; fails on any error.
pub(crate) fn lint_docs(root: &Path) -> Result<()> {
    let bin = install_tools(root)?;
    let out = target_dir(root).join("lint-docs");
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let config = root.join("xtask/lint-docs");
    for app in APPS {
        run(cargo(root).args(["build", "-p", app]))?;
        let document = out.join(format!("{app}-openapi.json"));
        run(Command::new(target_dir(root).join("debug").join(app))
            .current_dir(root)
            .arg("--run=openapi")
            .arg(format!("--output={}", document.display())))?;
        run(Command::new(bin.join("redocly"))
            .arg("lint")
            .arg(&document)
            .arg("--config")
            .arg(config.join("redocly.yaml"))
            .env("REDOCLY_TELEMETRY", "off")
            .env("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true"))?;
        run(Command::new(bin.join("spectral"))
            .arg("lint")
            .arg(&document)
            .arg("--ruleset")
            .arg(config.join("spectral.yaml"))
            .args(["--fail-severity", "error"]))?;
    }
    println!("xtask: no lint errors in the OpenAPI documents of {APPS:?}");
    Ok(())
}

/// Installs the pinned linters under `target/servey-tools/npm-lint-docs` unless they are there.
fn install_tools(root: &Path) -> Result<PathBuf> {
    let prefix = target_dir(root).join("servey-tools/npm-lint-docs");
    let bin = prefix.join("node_modules/.bin");
    let stamp = prefix.join("tools.installed");
    let wanted = NPM_TOOLS.join(" ");
    if bin.join("redocly").exists()
        && std::fs::read_to_string(&stamp).ok().as_deref() == Some(&wanted)
    {
        return Ok(bin);
    }
    std::fs::create_dir_all(&prefix).with_context(|| format!("creating {}", prefix.display()))?;
    std::fs::write(prefix.join("package.json"), r#"{"private": true}"#)?;
    run(Command::new("npm")
        .args(["install", "--prefix"])
        .arg(&prefix)
        .args(["--no-audit", "--no-fund", "--save-exact"])
        .args(NPM_TOOLS))?;
    std::fs::write(&stamp, &wanted)?;
    Ok(bin)
}
