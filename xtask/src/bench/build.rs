//! `cargo xtask bench --build`: what an app costs to build. A cold debug build (a fresh target
//! directory, every dependency compiled) and a release build of three apps: a REST-only servey app
//! (`bench/build/servey-rest`, `features = ["web"]`), the tour (`examples/hello`), and the same routes
//! as the first on axum + utoipa + utoipa-swagger-ui (`bench/build/axum-utoipa`). Wall time, release
//! binary size and packages, each as a ratio to the axum app built in the same run.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

/// The heading of the build section of BENCHMARKS.md.
pub(super) const BUILD_HEADING: &str = "## Build cost (cold builds)";

/// One app to build: how cargo names it and where its binary lands.
struct App {
    name: &'static str,
    /// `-p hello` inside the workspace, or a manifest of its own.
    selector: Selector,
    binary: &'static str,
}

enum Selector {
    Package(&'static str),
    Manifest(&'static str),
}

/// One app's figures.
pub(super) struct Built {
    name: &'static str,
    packages: usize,
    debug_seconds: f64,
    release_seconds: f64,
    release_bytes: u64,
}

const APPS: [App; 3] = [
    App {
        name: "axum + utoipa + utoipa-swagger-ui (baseline)",
        selector: Selector::Manifest("bench/build/axum-utoipa/Cargo.toml"),
        binary: "axum-utoipa",
    },
    App {
        name: "servey, REST only (`features = [\"web\"]`)",
        selector: Selector::Manifest("bench/build/servey-rest/Cargo.toml"),
        binary: "servey-rest",
    },
    App {
        name: "servey, the tour (`examples/hello`)",
        selector: Selector::Package("hello"),
        binary: "hello",
    },
];

/// Builds each app cold, debug then release, one after another; the baseline first.
pub(super) fn measure(root: &Path) -> Result<Vec<Built>> {
    let mut built = Vec::new();
    for app in &APPS {
        let target = root.join("target/bench-build").join(app.binary);
        if target.exists() {
            std::fs::remove_dir_all(&target)
                .with_context(|| format!("removing {}", target.display()))?;
        }
        let debug_seconds = timed_build(root, app, &target, false)?;
        let release_seconds = timed_build(root, app, &target, true)?;
        let binary = target.join("release").join(app.binary);
        let release_bytes = std::fs::metadata(&binary)
            .with_context(|| format!("{} was not built", binary.display()))?
            .len();
        let packages = packages(root, app)?;
        println!(
            "xtask bench --build: {}: {packages} packages, debug {debug_seconds:.0} s, release \
             {release_seconds:.0} s, {:.1} MB",
            app.name,
            release_bytes as f64 / 1e6
        );
        built.push(Built {
            name: app.name,
            packages,
            debug_seconds,
            release_seconds,
            release_bytes,
        });
        // Only the binary size is kept; the build trees are gigabytes.
        std::fs::remove_dir_all(&target).ok();
    }
    Ok(built)
}

fn cargo_for(root: &Path, app: &App, subcommand: &str) -> Command {
    let mut command = super::super::cargo(root);
    command.arg(subcommand);
    match app.selector {
        Selector::Package(package) => command.args(["-p", package]),
        Selector::Manifest(manifest) => command.arg("--manifest-path").arg(root.join(manifest)),
    };
    command
}

/// The wall time of `cargo build` of `app` into `target` (everything compiled: the directory is new).
fn timed_build(root: &Path, app: &App, target: &PathBuf, release: bool) -> Result<f64> {
    let mut command = cargo_for(root, app, "build");
    command.arg("--target-dir").arg(target).arg("--locked");
    if release {
        command.arg("--release");
    }
    let started = Instant::now();
    let status = command.status().context("running cargo build")?;
    if !status.success() {
        bail!("cargo build of {} failed", app.name);
    }
    Ok(started.elapsed().as_secs_f64())
}

/// Distinct packages (name and version) in the app's normal dependency tree.
fn packages(root: &Path, app: &App) -> Result<usize> {
    let output = cargo_for(root, app, "tree")
        .args(["-e", "normal", "--prefix", "none", "--locked"])
        .output()
        .context("cargo tree")?;
    if !output.status.success() {
        bail!("cargo tree of {} failed", app.name);
    }
    let mut lines: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| line.split(" (").next().unwrap_or(line).to_owned())
        .collect();
    lines.sort();
    lines.dedup();
    Ok(lines.len())
}

/// The build section: one row per app, ratios to the baseline (the first row).
pub(super) fn section(built: &[Built]) -> String {
    let mut out = format!(
        "\n{BUILD_HEADING}\n\nCommand: `cargo xtask bench --build` (rewrites just this section). Each app is built \
         in a fresh target directory, so every dependency compiles: first a debug build, then a release build \
         (the two apps of their own with cargo's default release profile, the tour with the workspace's: thin LTO). The apps run one after another on \
         the same machine in the same run; ratios are to the axum app. Packages are the distinct name-version \
         pairs of `cargo tree -e normal`. Machine: {} cores.\n\n\
         | app | packages | cold debug build | ratio | release build | release binary | ratio |\n\
         |---|---|---|---|---|---|---|\n",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let Some(baseline) = built.first() else {
        return out;
    };
    for app in built {
        out.push_str(&format!(
            "| {} | {} | {:.0} s | {:.2}x | {:.0} s | {:.1} MB | {:.2}x |\n",
            app.name,
            app.packages,
            app.debug_seconds,
            app.debug_seconds / baseline.debug_seconds,
            app.release_seconds,
            app.release_bytes as f64 / 1e6,
            app.release_bytes as f64 / baseline.release_bytes as f64,
        ));
    }
    out
}

/// `document` with its section under `heading` replaced by `section` (which starts with a blank line
/// and the heading), or `section` put before `before` when it has none (at the end without `before`).
pub(super) fn splice(document: &str, heading: &str, section: &str, before: &str) -> String {
    if let Some(start) = document.find(heading) {
        let rest = &document[start + heading.len()..];
        let end = rest
            .find("\n## ")
            .map_or(document.len(), |at| start + heading.len() + at + 1);
        let head = document[..start].trim_end();
        return format!("{head}\n{section}\n{}", &document[end..])
            .trim_end()
            .to_owned()
            + "\n";
    }
    match document.find(before) {
        Some(at) => format!(
            "{}\n{section}\n{}",
            document[..at].trim_end(),
            &document[at..]
        ),
        None => format!("{}\n{section}", document.trim_end()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_section_is_replaced_in_place_or_put_before_the_next() {
        let section = format!("\n{BUILD_HEADING}\n\nnew\n");
        let with = format!("# B\n\nintro\n\n{BUILD_HEADING}\n\nold\n\n## Later\n\nx\n");
        assert_eq!(
            splice(&with, BUILD_HEADING, &section, "## Later"),
            format!("# B\n\nintro\n\n{BUILD_HEADING}\n\nnew\n\n## Later\n\nx\n")
        );
        let without = "# B\n\nintro\n\n## Later\n\nx\n";
        assert_eq!(
            splice(without, BUILD_HEADING, &section, "## Later"),
            format!("# B\n\nintro\n\n{BUILD_HEADING}\n\nnew\n\n## Later\n\nx\n")
        );
    }
}
