//! BENCHMARKS.md: the tables, the machine, and the targets met or not.

use std::process::Command;
use std::time::Duration;

use anyhow::Result;

use super::load::Load;
use super::{ROUND_SECONDS, ROUNDS};

pub(super) type Broadcast = (usize, Option<(f64, f64)>, Option<(f64, f64)>);
/// One scenario under wrk: servey, the bare baseline, and the middleware baseline when measured.
pub(super) type Row<'a> = (&'a str, Load, Load, Option<Load>);

pub(super) fn render(
    rows: &[Row],
    failures: &[String],
    broadcasts: &[Broadcast],
    cold: (Duration, Duration),
    idle: (u64, u64),
    loaded: (u64, u64),
    rebuild: Duration,
) -> Result<String> {
    let mut out = String::from(
        "# Benchmarks\n\nservey's tour app (`examples/hello`) against a baseline doing the same work with bare axum\nhandlers and a static async-graphql schema (`bench/src/bin/baseline`), measured in one run. For the REST\nscenarios, a second baseline runs the same axum routes inside the middleware servey gives every request,\nassembled from tower-http, tower and axum-prometheus (`baseline --middleware`: request id set and echoed, trace\nspan, catch-panic, timeout, global concurrency limit, CORS, Prometheus metrics).\n\n",
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
    for (name, a, b, _) in rows {
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
    for failure in failures {
        out.push_str(&format!(
            "| FAILED: {} | | | | | | |\n",
            failure.replace('|', "/")
        ));
    }
    out.push_str("\n| scenario | servey req/s | axum + middleware req/s | ratio | servey p50 / p99 ms | axum + middleware p50 / p99 ms |\n|---|---|---|---|---|---|\n");
    for (name, a, _, c) in rows {
        if let Some(c) = c {
            out.push_str(&format!(
                "| {name} | {:.0} | {:.0} | {:.2}x | {:.2} / {:.2} | {:.2} / {:.2} |\n",
                a.requests_per_second,
                c.requests_per_second,
                a.requests_per_second / c.requests_per_second,
                a.p50_ms,
                a.p99_ms,
                c.p50_ms,
                c.p99_ms,
            ));
        }
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
    let row = |name: &str| rows.iter().find(|(n, ..)| *n == name);
    let ratio =
        |name: &str| row(name).map(|(_, a, b, _)| a.requests_per_second / b.requests_per_second);
    let stacked_ratio = |name: &str| {
        row(name).and_then(|(_, a, _, c)| {
            c.as_ref()
                .map(|c| a.requests_per_second / c.requests_per_second)
        })
    };
    let p99 = |name: &str| row(name).map(|(_, a, b, _)| a.p99_ms / b.p99_ms);
    let show = |value: Option<f64>| value.map_or("failed".to_owned(), |v| format!("{v:.2}x"));
    for (target_name, scenario, floor) in [
        (
            "REST GET hello >= 0.9x bare axum req/s",
            "REST GET hello",
            0.9,
        ),
        (
            "REST POST struct body >= 0.9x bare axum req/s",
            "REST POST struct body",
            0.9,
        ),
        (
            "GraphQL first query >= 0.8x the static schema",
            "GraphQL first query (new text each request)",
            0.8,
        ),
        (
            "GraphQL list of 100, nested field >= 1.0x the static schema",
            "GraphQL list of 100, nested field",
            1.0,
        ),
        (
            "GraphQL repeated query >= 1.0x the static schema",
            "GraphQL repeated query, nested field",
            1.0,
        ),
    ] {
        let value = ratio(scenario);
        target(target_name, show(value), value.is_some_and(|v| v >= floor));
    }
    for scenario in ["REST GET hello", "REST POST struct body"] {
        let value = stacked_ratio(scenario);
        target(
            &format!("{scenario} >= 1.0x axum + middleware req/s"),
            show(value),
            value.is_some_and(|v| v >= 1.0),
        );
    }
    let value = p99("GraphQL repeated query, nested field");
    target(
        "GraphQL repeated query: p99 <= 1.2x",
        show(value),
        value.is_some_and(|v| v <= 1.2),
    );
    let ten_k = broadcasts
        .iter()
        .find(|(subscribers, _, _)| *subscribers == 10_000)
        .and_then(|(_, servey, _)| *servey);
    target(
        "websocket broadcast to 10k subscribers: p99 < 100 ms",
        ten_k.map_or("failed".to_owned(), |(_, p99)| format!("{p99:.1} ms")),
        ten_k.is_some_and(|(_, p99)| p99 < 100.0),
    );
    let cold_ms = cold.0.as_secs_f64() * 1000.0;
    target(
        "cold start < 50 ms",
        format!("{cold_ms:.1} ms"),
        cold_ms < 50.0,
    );
    let idle_mib = idle.0 as f64 / 1024.0;
    target(
        "idle RSS <= 8 MiB",
        format!("{idle_mib:.1} MiB"),
        idle_mib <= 8.0,
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

/// The heading that starts the instruction-count section (always the last section of BENCHMARKS.md).
pub(super) const INSTRUCTIONS_HEADING: &str = "## Instructions per request (callgrind)";

/// The instruction-count table, its targets and servey's top functions by inclusive cost.
pub(super) fn instructions_section(counts: &[super::instructions::Counts]) -> String {
    let mut out = format!(
        "\n{INSTRUCTIONS_HEADING}\n\nCommand: `cargo xtask bench --instructions` (`--instructions-only` rewrites just this section). \
         Each server runs under `valgrind --tool=callgrind --instr-atstart=no`; a driver outside it \
         (`bench/src/bin/drive.rs`) warms it up, then counting is switched on with `callgrind_control -i on`, a fixed \
         number of requests is sent one after another over one keep-alive connection, counting is switched off and \
         dumped: instructions (Ir) over requests. Broadcasts are driven by `bench/src/bin/wsdrive.rs` (subscribers \
         connected and one broadcast delivered before counting; then each broadcast waited for until every \
         subscriber has it). Every figure is measured in two windows of the same process, shown as `first / second`: \
         for requests they agree within a fraction of a percent whatever else the machine does; a broadcast's \
         count also depends on how many deliveries each wake-up happens to find queued, so it spreads more (the \
         spread of the windows is shown).\n\n\
         | scenario | servey instructions | baseline instructions | ratio | spread of the two windows |\n|---|---|---|---|---|\n"
    );
    let mean = |w: &[f64; 2]| (w[0] + w[1]) / 2.0;
    let spread = |w: &[f64; 2]| (w[0] - w[1]).abs() / mean(w) * 100.0;
    for count in counts {
        let show = |r: &Result<[f64; 2], String>| match r {
            Ok(w) => format!("{:.0} / {:.0}", w[0], w[1]),
            Err(e) => format!("FAILED: {}", e.replace('|', "/").replace('\n', " ")),
        };
        let (ratio, spread) = match (&count.servey, &count.baseline) {
            (Ok(a), Ok(b)) => (
                format!("{:.2}x", mean(a) / mean(b)),
                format!("{:.2}% / {:.2}%", spread(a), spread(b)),
            ),
            _ => ("-".to_owned(), "-".to_owned()),
        };
        out.push_str(&format!(
            "| {} | {} | {} | {ratio} | {spread} |\n",
            count.name,
            show(&count.servey),
            show(&count.baseline)
        ));
    }
    out.push_str("\n| scenario | servey instructions | axum + middleware instructions | ratio |\n|---|---|---|---|\n");
    for count in counts {
        if let (Ok(a), Some(Ok(c))) = (&count.servey, &count.stacked) {
            out.push_str(&format!(
                "| {} | {:.0} / {:.0} | {:.0} / {:.0} | {:.2}x |\n",
                count.name,
                a[0],
                a[1],
                c[0],
                c[1],
                mean(a) / mean(c)
            ));
        }
    }
    out.push_str("\n| target | measured | met |\n|---|---|---|\n");
    let ratio = |name: &str, stacked: bool| {
        let count = counts.iter().find(|c| c.name.starts_with(name))?;
        let a = count.servey.as_ref().ok()?;
        let b = match stacked {
            true => count.stacked.as_ref()?.as_ref().ok()?,
            false => count.baseline.as_ref().ok()?,
        };
        Some(mean(a) / mean(b))
    };
    for (target, name, stacked, ceiling) in [
        (
            "REST GET hello <= 1.25x bare axum",
            "REST GET hello",
            false,
            1.25,
        ),
        (
            "REST POST struct body <= 1.15x bare axum",
            "REST POST struct body",
            false,
            1.15,
        ),
        (
            "REST GET hello <= 1.0x axum + middleware",
            "REST GET hello",
            true,
            1.0,
        ),
        (
            "REST POST struct body <= 1.0x axum + middleware",
            "REST POST struct body",
            true,
            1.0,
        ),
        (
            "GraphQL list of 100 <= 1.0x the static schema",
            "GraphQL list of 100",
            false,
            1.0,
        ),
        (
            "websocket broadcast to 10000 subscribers <= 1.2x the baseline",
            "websocket broadcast to 10000",
            false,
            1.2,
        ),
    ] {
        let value = ratio(name, stacked);
        out.push_str(&format!(
            "| {target} (instructions) | {} | {} |\n",
            value.map_or("failed".to_owned(), |r| format!("{r:.2}x")),
            if value.is_some_and(|r| r <= ceiling) {
                "yes"
            } else {
                "no"
            }
        ));
    }
    for count in counts.iter().filter(|c| !c.top.is_empty()) {
        out.push_str(&format!(
            "\n<details><summary>servey, {}: its own functions by inclusive instructions per request (second window; callees included, so nested ones repeat their callers' share)</summary>\n\n```text\n{}\n```\n</details>\n",
            count.name,
            count.top.join("\n")
        ));
    }
    out
}
