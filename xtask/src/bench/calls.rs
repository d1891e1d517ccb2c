//! Service calls per second (`servey::Client`): in-process, HTTP JSON, HTTP MessagePack, measured by
//! the `calls` driver of servey-bench against the tour app, as a section of BENCHMARKS.md.

use std::path::Path;

use anyhow::{Context, Result, bail};

/// Seconds each mode is measured.
const SECONDS: u32 = 3;

/// The section: one row per mode, calls per second.
pub(super) fn section(root: &Path) -> Result<String> {
    let output = std::process::Command::new(root.join("target/release/calls"))
        .arg(SECONDS.to_string())
        .output()
        .context("running the calls driver")?;
    if !output.status.success() {
        bail!(
            "the calls driver failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let mut section = format!(
        "\n## Service calls\n\n`servey::Client` calling the tour app's `store_message` (a struct in, a struct \
         out), 16 calls in flight, {SECONDS} s per mode, release build. The HTTP modes go through `POST /jobs` \
         on a real socket.\n\n| mode | calls/s |\n|---|---:|\n"
    );
    for line in String::from_utf8(output.stdout)?.lines() {
        let (mode, rate) = line
            .split_once('\t')
            .with_context(|| format!("a `mode<TAB>rate` line, not `{line}`"))?;
        println!("xtask bench: service calls / {mode}: {rate} calls/s");
        section.push_str(&format!("| {mode} | {rate} |\n"));
    }
    Ok(section)
}
