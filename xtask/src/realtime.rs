//! The realtime and GraphQL interop checks of `cargo xtask ci`, with tools nobody here wrote:
//! `@asyncapi/parser` on the tour app's AsyncAPI document (no error, no warning), and graphql-codegen's
//! TypeScript types from its SDL, type-checked with `tsc --strict` together with a file that uses them.
//! Both read the golden files (`examples/hello/golden/`), which the golden tests keep equal to what the
//! server serves. The npm tools are installed under `target/servey-tools/npm`, beside newman.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

use crate::{conduit, run};

/// The npm packages these checks use, pinned.
const PACKAGES: &[&str] = &[
    "@asyncapi/parser@3.6.6",
    "@graphql-codegen/cli@7.4.3",
    "@graphql-codegen/typescript@6.1.0",
    "graphql@16.15.0",
    "typescript@5.9.3",
];

/// Runs both checks; fails on the first finding.
pub(crate) fn check(root: &Path) -> Result<()> {
    let prefix = install(root)?;
    check_asyncapi(root, &prefix)?;
    check_codegen(root, &prefix)
}

/// Installs [`PACKAGES`] under `target/servey-tools/npm` unless this exact list is there already.
fn install(root: &Path) -> Result<PathBuf> {
    let prefix = conduit::target_dir(root).join("servey-tools/npm");
    let stamp = prefix.join("realtime.installed");
    let wanted = PACKAGES.join("\n");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) {
        return Ok(prefix);
    }
    if Command::new("npm").arg("--version").output().is_err() {
        println!("xtask: installing Debian's nodejs and npm (the AsyncAPI and GraphQL checkers)");
        crate::apt_install(&["nodejs", "npm"])?;
    }
    std::fs::create_dir_all(&prefix).with_context(|| format!("creating {}", prefix.display()))?;
    println!(
        "xtask: installing {} in {}",
        PACKAGES.join(" "),
        prefix.display()
    );
    run(Command::new("npm")
        .args(["install", "--prefix"])
        .arg(&prefix)
        .args(["--no-audit", "--no-fund", "--save-exact"])
        .args(PACKAGES))?;
    std::fs::write(&stamp, wanted)?;
    Ok(prefix)
}

/// `@asyncapi/parser` with its default rules on the tour app's `/asyncapi.json`.
fn check_asyncapi(root: &Path, prefix: &Path) -> Result<()> {
    // Next to node_modules, so that the script's import resolves there.
    let script = prefix.join("check-asyncapi.mjs");
    std::fs::write(&script, include_str!("../realtime/check-asyncapi.mjs"))?;
    run(Command::new("node")
        .arg(&script)
        .arg(root.join("examples/hello/golden/asyncapi.json")))
}

/// graphql-codegen's `typescript` plugin on the tour app's SDL, then `tsc --strict` on its output and a
/// file that uses it.
fn check_codegen(root: &Path, prefix: &Path) -> Result<()> {
    let out = conduit::target_dir(root).join("servey-tools/graphql-codegen");
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let types = out.join("types.ts");
    let _ = std::fs::remove_file(&types);
    let config = serde_json::json!({
        "overwrite": true,
        "schema": root.join("examples/hello/golden/schema.graphql"),
        "generates": {
            types.to_string_lossy(): {
                "plugins": ["typescript"],
                // The SDL's own scalars: BigInt is a JSON number, JSON any value.
                "config": {"scalars": {"BigInt": "number", "JSON": "unknown"}, "strictScalars": true},
            },
        },
    });
    let config_path = out.join("codegen.json");
    std::fs::write(&config_path, serde_json::to_string_pretty(&config)?)?;
    // From the prefix, where the plugins resolve.
    run(
        Command::new(prefix.join("node_modules/.bin/graphql-codegen"))
            .current_dir(prefix)
            .arg("--config")
            .arg(&config_path),
    )?;
    let usage = out.join("check.ts");
    std::fs::write(&usage, include_str!("../realtime/check.ts"))?;
    run(Command::new(prefix.join("node_modules/.bin/tsc"))
        .args([
            "--strict", "--noEmit", "--target", "es2022", "--module", "es2022",
        ])
        .args(["--moduleResolution", "bundler"])
        .arg(&types)
        .arg(&usage))
}
