//! `cargo xtask fuzz [--seconds N] [TARGET...]`: the fuzz targets of `fuzz/` under libFuzzer, bounded in
//! time. Provisions cargo-fuzz, replays the reproducers in `fuzz/regressions/`, then runs each target for
//! its share of N seconds (default 300, split evenly); fails on any crash. Not part of `ci`: too long.
//!
//! Built without a sanitizer: servey's crates forbid `unsafe`, and without ASan a run executes several
//! times more inputs. For memory errors in dependencies, run `cargo +nightly fuzz run requests` by hand.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::run;

/// Every target in `fuzz/fuzz_targets/`.
const TARGETS: &[&str] = &["requests", "inputs"];

/// The total run time when `--seconds` is not given.
const DEFAULT_SECONDS: u64 = 300;

/// The cargo-fuzz release known to build here.
const CARGO_FUZZ_VERSION: &str = "0.13.2";

/// libFuzzer's bound on one input: a slower one is reported as a timeout (a crash).
const INPUT_TIMEOUT_SECONDS: u64 = 10;

/// Runs the targets named in `args` (all by default) for `--seconds` in total.
pub(crate) fn fuzz(root: &Path, args: impl Iterator<Item = String>) -> Result<()> {
    let (seconds, targets) = parse_args(args)?;
    let per_target = (seconds / targets.len() as u64).max(1);
    nightly_available()?;
    provision_cargo_fuzz()?;
    run(nightly_fuzz(root).args(["build", "--sanitizer", "none"]))?;
    for target in &targets {
        replay_regressions(root, target)?;
    }
    for target in &targets {
        println!("xtask: fuzzing `{target}` for {per_target} s");
        let corpus = root.join("fuzz/corpus").join(target);
        std::fs::create_dir_all(&corpus)
            .with_context(|| format!("creating {}", corpus.display()))?;
        run(nightly_fuzz(root)
            .args(["run", "--sanitizer", "none", target])
            .arg("--")
            .arg(format!("-max_total_time={per_target}"))
            .arg(format!("-timeout={INPUT_TIMEOUT_SECONDS}"))
            .arg("-print_final_stats=1"))
        .with_context(|| {
            format!(
                "`{target}` found a crash: its input is in fuzz/artifacts/{target}/; minimize it with \
                 `cargo +nightly fuzz tmin --sanitizer none {target} <file>` and keep it in \
                 fuzz/regressions/{target}/"
            )
        })?;
    }
    println!("xtask: no crash in {per_target} s on each of {targets:?}");
    Ok(())
}

/// `--seconds N` and target names, checked against [`TARGETS`].
fn parse_args(mut args: impl Iterator<Item = String>) -> Result<(u64, Vec<&'static str>)> {
    let mut seconds = DEFAULT_SECONDS;
    let mut targets = Vec::new();
    while let Some(arg) = args.next() {
        if arg == "--seconds" {
            let value = args.next().context("`--seconds` needs a number")?;
            seconds = value
                .parse()
                .with_context(|| format!("`--seconds {value}` is not a number of seconds"))?;
        } else if let Some(target) = TARGETS.iter().find(|target| **target == arg) {
            targets.push(*target);
        } else {
            bail!("unknown argument `{arg}`; expected `--seconds N` or one of {TARGETS:?}");
        }
    }
    if targets.is_empty() {
        targets = TARGETS.to_vec();
    }
    Ok((seconds, targets))
}

/// `cargo +nightly fuzz` in `root`, through rustup's proxy (the `cargo` running xtask is stable's own).
fn nightly_fuzz(root: &Path) -> Command {
    let mut command = Command::new("cargo");
    command
        .arg("+nightly")
        .arg("fuzz")
        .current_dir(root)
        .env_remove("CARGO")
        .env_remove("RUSTUP_TOOLCHAIN");
    command
}

fn nightly_available() -> Result<()> {
    let works = Command::new("cargo")
        .args(["+nightly", "--version"])
        .env_remove("RUSTUP_TOOLCHAIN")
        .output()
        .is_ok_and(|output| output.status.success());
    if !works {
        bail!("libFuzzer needs the nightly toolchain: `rustup toolchain install nightly`");
    }
    Ok(())
}

/// Installs cargo-fuzz from crates.io when `cargo fuzz` is missing.
fn provision_cargo_fuzz() -> Result<()> {
    let installed = Command::new("cargo")
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|output| output.status.success());
    if installed {
        return Ok(());
    }
    println!("xtask: installing cargo-fuzz {CARGO_FUZZ_VERSION}");
    run(Command::new("cargo").args([
        "install",
        "cargo-fuzz",
        "--locked",
        "--version",
        CARGO_FUZZ_VERSION,
    ]))
}

/// Runs `target` once on each reproducer kept in `fuzz/regressions/<target>/`.
fn replay_regressions(root: &Path, target: &str) -> Result<()> {
    let dir = root.join("fuzz/regressions").join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(());
    };
    let mut inputs = entries
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("reading {}", dir.display()))?;
    if inputs.is_empty() {
        return Ok(());
    }
    inputs.sort();
    println!(
        "xtask: replaying {} reproducers of `{target}`",
        inputs.len()
    );
    run(nightly_fuzz(root)
        .args(["run", "--sanitizer", "none", target])
        .args(&inputs))
    .with_context(|| format!("a reproducer in {} fails again", dir.display()))
}
