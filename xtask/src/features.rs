//! The facade's cargo features in CI: read from its manifest (so a new feature is checked the day it is
//! added), then linted with none, each alone, the defaults and all.

use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::{cargo, run};

/// The features `servey` declares, `default` aside, in manifest order.
pub(crate) fn facade_features(root: &Path) -> Result<Vec<String>> {
    let output = cargo(root)
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .output()
        .context("cargo metadata")?;
    if !output.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    let facade = metadata["packages"]
        .as_array()
        .and_then(|packages| packages.iter().find(|package| package["name"] == "servey"))
        .context("the servey package")?;
    let features = facade["features"]
        .as_object()
        .context("servey's features")?;
    Ok(features
        .keys()
        .filter(|name| *name != "default")
        .cloned()
        .collect())
}

/// `clippy -D warnings` on the facade with no feature, each feature alone, the defaults, and all of
/// them; `--all-targets` for none, the defaults and all (the tests' own cfgs), the library alone for
/// each single feature (what an app compiles).
pub(crate) fn lint_each(root: &Path) -> Result<()> {
    let features = facade_features(root)?;
    // With `--all-targets` the tests' dev-dependencies turn core's defaults back on: the library
    // alone is what an app without them compiles.
    let mut sets: Vec<(Vec<&str>, bool)> = vec![
        (vec!["--no-default-features"], false),
        (vec!["--no-default-features"], true),
        (vec![], true),
        (vec!["--all-features"], true),
    ];
    for feature in &features {
        sets.push((vec!["--no-default-features", "--features", feature], false));
    }
    for (args, all_targets) in sets {
        let mut clippy = cargo(root);
        clippy.args(["clippy", "-p", "servey"]).args(&args);
        if all_targets {
            clippy.arg("--all-targets");
        }
        println!("xtask: clippy -p servey {}", args.join(" "));
        run(clippy.args(["--", "-D", "warnings"]))?;
    }
    Ok(())
}

/// The apps `bench --build` builds resolve with their committed lock files (kept with the workspace's
/// versions): a dependency change that would silently move them fails here, not in a bench run.
pub(crate) fn bench_apps_locked(root: &Path) -> Result<()> {
    for manifest in [
        "bench/build/servey-rest/Cargo.toml",
        "bench/build/axum-utoipa/Cargo.toml",
    ] {
        run(cargo(root)
            .args([
                "metadata",
                "--format-version",
                "1",
                "--locked",
                "--manifest-path",
            ])
            .arg(root.join(manifest))
            .stdout(std::process::Stdio::null()))?;
    }
    Ok(())
}

/// The adapters' own features off: core, the client and the schedule linted and tested without their
/// defaults (what the facade's features turn off), so each "off" answer is proven where it is decided.
pub(crate) fn crates_without_defaults(root: &Path) -> Result<()> {
    for package in [
        "servey-core",
        "servey-client",
        "servey-schedule",
        "servey-web",
    ] {
        println!("xtask: clippy -p {package} --no-default-features --all-targets");
        run(cargo(root).args([
            "clippy",
            "-p",
            package,
            "--no-default-features",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))?;
    }
    run(cargo(root).args(["test", "-p", "servey-core", "--no-default-features"]))?;
    run(cargo(root).args([
        "test",
        "-p",
        "servey-client",
        "--no-default-features",
        "--doc",
    ]))?;
    run(cargo(root).args([
        "test",
        "-p",
        "servey-schedule",
        "--no-default-features",
        "--test",
        "it",
        "webhook_off",
    ]))
}
