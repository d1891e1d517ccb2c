//! BENCHMARKS.md: the tables, the machine, and the targets met or not.

use std::process::Command;
use std::time::Duration;

use anyhow::Result;

use super::load::Load;
use super::{ROUND_SECONDS, ROUNDS};

pub(super) type Broadcast = (usize, Option<(f64, f64)>, Option<(f64, f64)>);

pub(super) fn render(
    rows: &[(&str, Load, Load)],
    broadcasts: &[Broadcast],
    cold: (Duration, Duration),
    idle: (u64, u64),
    loaded: (u64, u64),
    rebuild: Duration,
) -> Result<String> {
    let mut out = String::from(
        "# Benchmarks\n\nservey's tour app (`examples/hello`) against a baseline doing the same work with bare axum\nhandlers and a static async-graphql schema (`bench/src/bin/baseline.rs`), measured in one run.\n\n",
    );
    out.push_str(&format!(
        "Machine: {} ({} cores), {}.\n",
        cpu_model(),
        cores(),
        rustc_version()
    ));
    out.push_str(&format!(
        "Command: `cargo xtask bench` (release build; wrk -t2 -c64, {ROUND_SECONDS} s rounds, {ROUNDS} alternating A/B rounds per scenario, medians shown).\nwrk and both servers share the 2 cores: ratios move by about +/-0.08 from run to run, so compare several runs before concluding.\n\n"
    ));
    out.push_str("| scenario | servey req/s | baseline req/s | ratio | servey p50 / p99 ms | baseline p50 / p99 ms | p99 ratio |\n|---|---|---|---|---|---|---|\n");
    for (name, a, b) in rows {
        out.push_str(&format!(
            "| {name} | {:.0} | {:.0} | {:.2}x | {:.2} / {:.2} | {:.2} / {:.2} | {:.2}x |\n",
            a.requests_per_second,
            b.requests_per_second,
            a.requests_per_second / b.requests_per_second,
            a.p50_ms,
            a.p99_ms,
            b.p50_ms,
            b.p99_ms,
            a.p99_ms / b.p99_ms
        ));
    }
    out.push_str("\n| websocket broadcast (publish -> last subscriber) | servey p50 / p99 ms | baseline p50 / p99 ms |\n|---|---|---|\n");
    let show = |v: &Option<(f64, f64)>| {
        v.map_or("failed".to_owned(), |(p50, p99)| {
            format!("{p50:.2} / {p99:.2}")
        })
    };
    for (subscribers, a, b) in broadcasts {
        out.push_str(&format!(
            "| {subscribers} subscribers | {} | {} |\n",
            show(a),
            show(b)
        ));
    }
    out.push_str(&format!(
        "\n| process | servey | baseline |\n|---|---|---|\n| cold start to first response (median of 5) | {:.1} ms | {:.1} ms |\n| idle RSS | {:.1} MiB | {:.1} MiB |\n| peak RSS after the load | {:.1} MiB | {:.1} MiB |\n",
        cold.0.as_secs_f64() * 1000.0,
        cold.1.as_secs_f64() * 1000.0,
        idle.0 as f64 / 1024.0,
        idle.1 as f64 / 1024.0,
        loaded.0 as f64 / 1024.0,
        loaded.1 as f64 / 1024.0
    ));
    out.push_str(&format!(
        "\nIncremental debug rebuild of `examples/hello` after touching `src/actions.rs`: {:.1} s.\n",
        rebuild.as_secs_f64()
    ));
    out.push_str("\n## Targets (this machine)\n\n| target | measured | met |\n|---|---|---|\n");
    let mut target = |name: &str, measured: String, met: bool| {
        out.push_str(&format!(
            "| {name} | {measured} | {} |\n",
            if met { "yes" } else { "no" }
        ));
    };
    let ratio =
        |index: usize| rows[index].1.requests_per_second / rows[index].2.requests_per_second;
    target(
        "REST GET hello >= 0.95x bare axum req/s",
        format!("{:.2}x", ratio(0)),
        ratio(0) >= 0.95,
    );
    target(
        "GraphQL >= 0.9x the static schema",
        format!("{:.2}x", ratio(2)),
        ratio(2) >= 0.9,
    );
    for (name, a, b) in rows {
        let p99 = a.p99_ms / b.p99_ms;
        target(
            &format!("{name}: p99 within 1.2x"),
            format!("{p99:.2}x"),
            p99 <= 1.2,
        );
    }
    let cold_ms = cold.0.as_secs_f64() * 1000.0;
    target(
        "cold start < 50 ms",
        format!("{cold_ms:.1} ms"),
        cold_ms < 50.0,
    );
    let idle_mib = idle.0 as f64 / 1024.0;
    target(
        "idle RSS < 20 MB",
        format!("{idle_mib:.1} MiB"),
        idle_mib < 20.0,
    );
    Ok(out)
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines().find_map(|l| {
                l.strip_prefix("model name")
                    .map(|m| m.trim_start_matches([' ', '\t', ':']).to_owned())
            })
        })
        .unwrap_or_else(|| "unknown CPU".to_owned())
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

fn rustc_version() -> String {
    Command::new("rustc").arg("--version").output().map_or_else(
        |_| "rustc ?".to_owned(),
        |o| String::from_utf8_lossy(&o.stdout).trim().to_owned(),
    )
}
