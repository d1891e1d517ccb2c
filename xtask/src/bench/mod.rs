//! `cargo xtask bench`: servey's tour app against a bare axum / static async-graphql baseline doing the same
//! work, measured in the same run with alternating A/B rounds so machine noise cancels. Writes BENCHMARKS.md.

mod answers;
mod batching;
mod build;
mod calls;
mod grpc;
mod instructions;
mod load;
mod report;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use answers::check_answers;
use load::{median, write_post_script, wrk};
use report::render;

pub(super) const SERVEY_PORT: u16 = 18_000;
pub(super) const BASELINE_PORT: u16 = 18_001;
/// The port of the second baseline: the bare axum routes inside the middleware servey gives every
/// request (`baseline --middleware`).
pub(super) const STACKED_PORT: u16 = 18_002;
pub(super) const ROUNDS: usize = 3;
pub(super) const ROUND_SECONDS: u32 = 5;

/// One HTTP scenario: a path and, for POST, a JSON body (every `{n}` in it becomes a per-request tag, so
/// no two requests send the same text).
pub(super) struct Scenario {
    pub(super) name: &'static str,
    pub(super) path: &'static str,
    pub(super) body: Option<&'static str>,
    /// Whether the middleware baseline is measured too (the REST scenarios).
    pub(super) stacked: bool,
}

pub(super) const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "REST GET hello",
        path: "/actions/say-hello?name=World",
        body: None,
        stacked: true,
    },
    Scenario {
        name: "REST POST struct body",
        path: "/actions/store-message",
        body: Some(r#"{"message": {"sender": "ann", "text": "hello there"}, "id": 7}"#),
        stacked: true,
    },
    Scenario {
        name: "GraphQL first query (new text each request)",
        path: "/graphql",
        body: Some(
            r#"{"query": "query Q{n} { numberStats(value: 20) { value isEven factorial } }"}"#,
        ),
        stacked: false,
    },
    Scenario {
        name: "GraphQL repeated query, nested field",
        path: "/graphql",
        body: Some(r#"{"query": "{ numberStats(value: 20) { value isEven factorial } }"}"#),
        stacked: false,
    },
    Scenario {
        name: "GraphQL list of 100, nested field",
        path: "/graphql",
        body: Some(r#"{"query": "{ numberRange(start: 1, count: 100) { value factorial } }"}"#),
        stacked: false,
    },
];

/// A started app and how to reach it.
pub(super) struct Server {
    name: &'static str,
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `cargo xtask bench [--instructions | --instructions-only | --build | --grpc]`: the wrk tables, and
/// with `--instructions` the callgrind counts too (`--instructions-only` replaces just that section of
/// the committed BENCHMARKS.md); `--build` replaces just the build-cost section (cold builds, binary
/// sizes), `--grpc` just the gRPC one.
/// A scenario an app answers wrongly is reported as failed and fails the command, after the file is written.
pub(crate) fn bench(root: &Path, args: impl Iterator<Item = String>) -> Result<()> {
    let args: Vec<String> = args.collect();
    let only = args.iter().any(|a| a == "--instructions-only");
    let counted = only || args.iter().any(|a| a == "--instructions");
    if let Some(unknown) = args.iter().find(|a| {
        !["--instructions", "--instructions-only", "--build", "--grpc"].contains(&a.as_str())
    }) {
        bail!(
            "unknown bench option {unknown}: use --instructions, --instructions-only, --build or --grpc"
        );
    }
    let committed = std::fs::read_to_string(root.join("BENCHMARKS.md")).unwrap_or_default();
    let build_section = committed.find(build::BUILD_HEADING).map(|start| {
        let rest = &committed[start..];
        let end = rest[1..].find("\n## ").map_or(rest.len(), |at| at + 1);
        format!("\n{}", rest[..end].trim_end())
    });
    if args.iter().any(|a| a == "--build") {
        let section = build::section(&build::measure(root)?);
        let report = build::splice(
            &committed,
            build::BUILD_HEADING,
            &section,
            report::INSTRUCTIONS_HEADING,
        );
        std::fs::write(root.join("BENCHMARKS.md"), &report)?;
        println!("{section}");
        return Ok(());
    }
    if args.iter().any(|a| a == "--grpc") {
        return grpc::rewrite(root, &committed);
    }
    if counted {
        instructions::ensure_valgrind()?;
    }
    if !only {
        ensure_wrk()?;
    }
    super::run(super::cargo(root).args([
        "build",
        "--release",
        "-p",
        "hello",
        "-p",
        "servey-bench",
    ]))?;
    let mut failures = Vec::new();
    let mut report = if only {
        match committed.find(report::INSTRUCTIONS_HEADING) {
            Some(at) => committed[..at].trim_end().to_owned() + "\n",
            None => committed,
        }
    } else {
        let report = wall_clock(root, &mut failures)?;
        // The build section is measured by `--build` alone; a wall-clock run keeps the committed one.
        match &build_section {
            Some(section) if !report.contains(build::BUILD_HEADING) => {
                format!("{}\n{section}\n", report.trim_end())
            }
            _ => report,
        }
    };
    if counted {
        let counts = instructions::count_all(root)?;
        for count in &counts {
            for (app, result) in [("servey", &count.servey), ("baseline", &count.baseline)] {
                if let Err(error) = result {
                    failures.push(format!("{} ({app}, instructions): {error}", count.name));
                }
            }
        }
        report.push_str(&report::instructions_section(&counts));
    }
    std::fs::write(root.join("BENCHMARKS.md"), &report)?;
    println!("{report}");
    if !failures.is_empty() {
        bail!("failed scenarios:\n{}", failures.join("\n"));
    }
    Ok(())
}

/// The wrk tables, broadcast latencies, process figures, scale-out and calls sections.
fn wall_clock(root: &Path, failures: &mut Vec<String>) -> Result<String> {
    let release = root.join("target/release");
    let servey_bin = release.join("hello");
    let baseline_bin = release.join("baseline");

    let cold_servey = cold_start(&servey_bin, SERVEY_PORT)?;
    let cold_baseline = cold_start(&baseline_bin, BASELINE_PORT)?;
    let servey = start(root, "servey", &servey_bin, SERVEY_PORT)?;
    let baseline = start(root, "baseline", &baseline_bin, BASELINE_PORT)?;
    let stacked_command = format!("{} --middleware", baseline_bin.display());
    let stacked = start_command(root, "axum + middleware", &stacked_command, STACKED_PORT)?;
    let idle = (rss_kib(&servey)?, rss_kib(&baseline)?);

    let scripts = tempdir()?;
    let mut rows = Vec::new();
    for scenario in SCENARIOS {
        let script = scenario
            .body
            .map(|body| write_post_script(&scripts, scenario.name, body))
            .transpose()?;
        let checked = check_answers(&servey, &baseline, scenario).and_then(|()| {
            if scenario.stacked {
                check_answers(&stacked, &baseline, scenario)?;
            }
            Ok(())
        });
        if let Err(error) = checked {
            println!("xtask bench: {}: FAILED: {error:#}", scenario.name);
            failures.push(format!("{}: {error:#}", scenario.name));
            continue;
        }
        let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
        for round in 0..ROUNDS {
            // Alternate which app goes first so drift in machine load hits all alike.
            let mut order: Vec<&Server> = if round % 2 == 0 {
                vec![&servey, &baseline]
            } else {
                vec![&baseline, &servey]
            };
            if scenario.stacked {
                order.insert(round % 3, &stacked);
            }
            for server in order {
                let load = wrk(server, scenario.path, script.as_deref())?;
                println!(
                    "xtask bench: {} / {} round {}: {:.0} req/s",
                    scenario.name,
                    server.name,
                    round + 1,
                    load.requests_per_second
                );
                match server.port {
                    SERVEY_PORT => a.push(load),
                    BASELINE_PORT => b.push(load),
                    _ => c.push(load),
                }
            }
        }
        let stacked = (!c.is_empty()).then(|| median(&c));
        rows.push((scenario.name, median(&a), median(&b), stacked));
    }
    let loaded = (peak_rss_kib(&servey)?, peak_rss_kib(&baseline)?);

    let mut broadcasts = Vec::new();
    for subscribers in [1_000_usize, 10_000] {
        let servey_latency = wsload(root, &servey, subscribers)?;
        let baseline_latency = wsload(root, &baseline, subscribers)?;
        broadcasts.push((subscribers, servey_latency, baseline_latency));
    }
    drop((servey, baseline, stacked));
    let rebuild = incremental_rebuild(root)?;
    let report = render(
        &rows,
        failures,
        &broadcasts,
        (cold_servey, cold_baseline),
        idle,
        loaded,
        rebuild,
    )?;
    let mut report = format!("{report}{}", scale_out(root)?);
    report.push_str(&calls::section(root)?);
    report.push_str(&grpc::section(root)?);
    report.push_str(&batching::section(root)?);
    Ok(report)
}

/// The Redis backend's throughput beside the in-process one (servey-redis's `scale_out` bench, which
/// starts its own redis-server), as a Markdown section.
fn scale_out(root: &Path) -> Result<String> {
    let redis_server = crate::redis::install()?;
    let output = super::cargo(root)
        .args(["bench", "-p", "servey-redis", "--bench", "scale_out"])
        .env("SERVEY_BENCH_REDIS_SERVER", redis_server)
        .output()?;
    if !output.status.success() {
        anyhow::bail!(
            "the scale-out bench failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let rows: Vec<&str> = std::str::from_utf8(&output.stdout)?
        .lines()
        .filter(|line| line.starts_with('|'))
        .collect();
    Ok(format!(
        "\n## Scale-out on Redis\n\nThree instances (three apps, each with its own Redis connections) on one \
         in-memory redis-server over loopback, beside one in-process app. Events are paced so that no \
         subscriber falls 128 behind; jobs are counted from the first publish to the last run.\n\n{}\n",
        rows.join("\n")
    ))
}

/// The debug rebuild of the tour app after touching the file that declares its actions.
fn incremental_rebuild(root: &Path) -> Result<Duration> {
    super::run(super::cargo(root).args(["build", "-p", "hello"]))?;
    let actions = root.join("examples/hello/src/actions.rs");
    std::fs::File::options()
        .append(true)
        .open(&actions)?
        .set_modified(std::time::SystemTime::now())?;
    let started = Instant::now();
    super::run(super::cargo(root).args(["build", "-p", "hello"]))?;
    Ok(started.elapsed())
}

fn ensure_wrk() -> Result<()> {
    if Command::new("wrk").arg("--version").output().is_ok() {
        return Ok(());
    }
    println!("xtask: installing Debian's wrk (load generator)");
    super::apt_install(&["wrk"])
}

fn start(root: &Path, name: &'static str, binary: &Path, port: u16) -> Result<Server> {
    start_command(root, name, &binary.display().to_string(), port)
}

fn start_command(root: &Path, name: &'static str, command: &str, port: u16) -> Result<Server> {
    let child = spawn_server(root, command, port).with_context(|| format!("starting {command}"))?;
    let server = Server { name, child, port };
    wait_ready(port, Duration::from_secs(20))?;
    Ok(server)
}

/// Runs `command` (a server binary, possibly behind a wrapper such as valgrind) on `port`, quiet, with
/// as many open files as allowed: a broadcast holds one socket per subscriber.
pub(super) fn spawn_server(root: &Path, command: &str, port: u16) -> std::io::Result<Child> {
    Command::new("bash")
        .arg("-c")
        .arg(format!(
            "ulimit -n 65535 2>/dev/null || ulimit -n $(ulimit -Hn); exec {command}"
        ))
        .current_dir(root)
        .env("SERVER_PORT", port.to_string())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
}

/// Median over five starts of the time from spawn to the first answered `GET /health`.
fn cold_start(binary: &Path, port: u16) -> Result<Duration> {
    let mut times = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let mut child = Command::new(binary)
            .env("SERVER_PORT", port.to_string())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let ready = wait_ready(port, Duration::from_secs(20));
        times.push(started.elapsed());
        let _ = child.kill();
        let _ = child.wait();
        ready?;
    }
    times.sort();
    Ok(times[times.len() / 2])
}

pub(super) fn wait_ready(port: u16, limit: Duration) -> Result<()> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if answers::http(port, "GET", "/health", None)
            .is_ok_and(|response| response.starts_with("HTTP/1.1 200"))
        {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    bail!("nothing answered GET /health on port {port} within {limit:?}")
}

fn wsload(root: &Path, server: &Server, subscribers: usize) -> Result<Option<(f64, f64)>> {
    let binary = root.join("target/release/wsload");
    let rounds = if subscribers > 1_000 { 10 } else { 30 };
    let output = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "ulimit -n 65535 2>/dev/null || ulimit -n $(ulimit -Hn); exec {} http://127.0.0.1:{} {subscribers} {rounds}",
            binary.display(),
            server.port
        ))
        .output()?;
    if !output.status.success() {
        println!(
            "xtask bench: websocket broadcast to {subscribers} on {} failed: {}",
            server.name,
            String::from_utf8_lossy(&output.stderr).trim()
        );
        return Ok(None);
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let numbers: Vec<f64> = text
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect();
    Ok(numbers.get(..2).map(|n| (n[0], n[1])))
}

fn rss_kib(server: &Server) -> Result<u64> {
    status_field(server, "VmRSS:")
}

fn peak_rss_kib(server: &Server) -> Result<u64> {
    status_field(server, "VmHWM:")
}

fn status_field(server: &Server, field: &str) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.child.id()))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .with_context(|| format!("no {field} for {}", server.name))
}

pub(super) fn tempdir() -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("servey-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
