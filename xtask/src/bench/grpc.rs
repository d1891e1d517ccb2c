//! The gRPC section: unary `SayHello` calls per second on the tour app's gRPC face against a plain tonic
//! server doing the same work (`bench/src/bin/grpc_baseline.rs`), driven by h2load from Debian's
//! nghttp2-client, in alternating rounds. `cargo xtask bench --grpc` rewrites just this section.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use super::{ROUND_SECONDS, ROUNDS, SERVEY_PORT, Server, spawn_server, wait_ready};

/// The section's heading in BENCHMARKS.md.
pub(super) const GRPC_HEADING: &str = "## gRPC unary calls";
/// The plain tonic server's port.
const GRPC_BASELINE_PORT: u16 = 18_003;
/// The RPC both servers answer.
const PATH: &str = "/servey.Servey/SayHello";
/// Connections, and streams in flight on each.
const CONNECTIONS: u32 = 16;
const STREAMS: u32 = 16;

/// One h2load round: calls per second and the mean time per call.
struct Round {
    calls_per_second: f64,
    mean_ms: f64,
}

/// `--grpc`: builds the two servers, measures, and replaces just this section of BENCHMARKS.md.
pub(super) fn rewrite(root: &Path, committed: &str) -> Result<()> {
    crate::run(crate::cargo(root).args(["build", "--release", "-p", "hello"]))?;
    crate::run(crate::cargo(root).args([
        "build",
        "--release",
        "-p",
        "servey-bench",
        "--bin",
        "grpc_baseline",
    ]))?;
    let section = section(root)?;
    let report = super::build::splice(
        committed,
        GRPC_HEADING,
        &section,
        super::build::BUILD_HEADING,
    );
    std::fs::write(root.join("BENCHMARKS.md"), &report)?;
    println!("{section}");
    Ok(())
}

pub(super) fn section(root: &Path) -> Result<String> {
    ensure_h2load()?;
    let release = root.join("target/release");
    let dir = std::env::temp_dir().join(format!("servey-bench-grpc-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    // `SayHelloRequest { name: "Developer" }`, framed: no compression, then the length.
    let message = [b"\x0a\x09".as_slice(), b"Developer"].concat();
    let mut body = vec![0];
    body.extend_from_slice(&u32::try_from(message.len())?.to_be_bytes());
    body.extend_from_slice(&message);
    let body_path = dir.join("say-hello.bin");
    std::fs::write(&body_path, &body)?;

    let servey_command = release.join("hello").display().to_string();
    let servey = Server {
        name: "servey",
        child: spawn_server(root, &servey_command, SERVEY_PORT)?,
        port: SERVEY_PORT,
    };
    wait_ready(SERVEY_PORT, Duration::from_secs(20))?;
    let baseline_command = release.join("grpc_baseline").display().to_string();
    let baseline = Server {
        name: "tonic",
        child: spawn_server(root, &baseline_command, GRPC_BASELINE_PORT)?,
        port: GRPC_BASELINE_PORT,
    };
    wait_listening(GRPC_BASELINE_PORT, Duration::from_secs(20))?;

    let answers = [&servey, &baseline]
        .map(|server| call_once(server, &body_path).with_context(|| server.name));
    let [servey_answer, baseline_answer] = answers;
    let (servey_answer, baseline_answer) = (servey_answer?, baseline_answer?);
    if servey_answer != baseline_answer {
        bail!(
            "the two servers answer SayHello differently: {servey_answer:?} and {baseline_answer:?}"
        );
    }

    let (mut a, mut b) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let order = if round % 2 == 0 {
            [&servey, &baseline]
        } else {
            [&baseline, &servey]
        };
        for server in order {
            let load = h2load(server, &body_path)?;
            println!(
                "xtask bench: gRPC SayHello / {} round {}: {:.0} calls/s",
                server.name,
                round + 1,
                load.calls_per_second
            );
            if server.port == SERVEY_PORT {
                &mut a
            } else {
                &mut b
            }
            .push(load);
        }
    }
    drop((servey, baseline));
    let _ = std::fs::remove_dir_all(&dir);
    let (servey, tonic) = (median(a), median(b));
    Ok(format!(
        "\n{GRPC_HEADING}\n\nThe tour app's `SayHello` (its `say_hello` action through servey-grpc: dynamic messages, \
         the one invoke path) against a plain tonic server answering the same RPC with prost-generated \
         types on tonic's own transport (`bench/src/bin/grpc_baseline.rs`). h2load (nghttp2) over h2c, \
         {CONNECTIONS} connections with {STREAMS} streams each, {ROUND_SECONDS} s rounds after 1 s of \
         warm-up, {ROUNDS} alternating rounds, medians, release build.\n\n\
         | server | calls/s | mean ms per call |\n|---|---:|---:|\n\
         | servey (`grpc` feature) | {:.0} | {:.2} |\n| plain tonic | {:.0} | {:.2} |\n\n\
         servey / tonic: {:.2}x calls per second.\n",
        servey.calls_per_second,
        servey.mean_ms,
        tonic.calls_per_second,
        tonic.mean_ms,
        servey.calls_per_second / tonic.calls_per_second,
    ))
}

fn median(mut rounds: Vec<Round>) -> Round {
    rounds.sort_by(|x, y| x.calls_per_second.total_cmp(&y.calls_per_second));
    rounds.swap_remove(rounds.len() / 2)
}

fn ensure_h2load() -> Result<()> {
    if Command::new("h2load").arg("--version").output().is_ok() {
        return Ok(());
    }
    println!("xtask: installing Debian's nghttp2-client (h2load, the gRPC load generator)");
    crate::apt_install(&["nghttp2-client"])
}

fn wait_listening(port: u16, limit: Duration) -> Result<()> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    bail!("nothing listened on port {port} within {limit:?}")
}

/// One call with curl: the response's bytes and its `grpc-status` (which must be 0).
fn call_once(server: &Server, body: &Path) -> Result<Vec<u8>> {
    let output = Command::new("curl")
        .args([
            "--silent",
            "--show-error",
            "--http2-prior-knowledge",
            "--max-time",
            "10",
        ])
        .args(["-H", "content-type: application/grpc", "-H", "te: trailers"])
        .args(["--dump-header", "/dev/stderr", "--data-binary"])
        .arg(format!("@{}", body.display()))
        .arg(format!("http://127.0.0.1:{}{PATH}", server.port))
        .output()
        .context("running curl")?;
    let headers = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() || !headers.contains("grpc-status: 0") {
        bail!("SayHello failed: {headers}");
    }
    Ok(output.stdout)
}

fn h2load(server: &Server, body: &Path) -> Result<Round> {
    let output = Command::new("h2load")
        .args([
            "-t",
            "2",
            "-c",
            &CONNECTIONS.to_string(),
            "-m",
            &STREAMS.to_string(),
        ])
        .args(["-D", &ROUND_SECONDS.to_string(), "--warm-up-time", "1"])
        .args([
            "-H",
            "content-type: application/grpc",
            "-H",
            "te: trailers",
            "-d",
        ])
        .arg(body)
        .arg(format!("http://127.0.0.1:{}{PATH}", server.port))
        .output()
        .context("running h2load")?;
    let text = String::from_utf8_lossy(&output.stdout);
    parse(&text).with_context(|| format!("reading h2load's report on {}:\n{text}", server.name))
}

/// Calls per second from `finished in ..., N req/s, ...` and the mean from `time for request:`; every
/// request must have succeeded.
fn parse(text: &str) -> Result<Round> {
    let calls_per_second = text
        .lines()
        .find_map(|line| line.strip_prefix("finished in "))
        .and_then(|rest| rest.split(", ").nth(1))
        .and_then(|rate| rate.strip_suffix(" req/s"))
        .and_then(|rate| rate.trim().parse().ok())
        .context("no `finished in` line")?;
    let requests = text
        .lines()
        .find(|line| line.starts_with("requests: "))
        .context("no `requests:` line")?;
    if !requests.contains(" 0 failed, 0 errored") {
        bail!("some calls failed: {requests}");
    }
    let mean = text
        .lines()
        .find_map(|line| line.trim().strip_prefix("time for request:"))
        .and_then(|rest| rest.split_whitespace().nth(2))
        .context("no `time for request:` line")?;
    Ok(Round {
        calls_per_second,
        mean_ms: duration_ms(mean).context("an unreadable mean")?,
    })
}

fn duration_ms(value: &str) -> Option<f64> {
    let (number, factor) = if let Some(us) = value.strip_suffix("us") {
        (us, 0.001)
    } else if let Some(ms) = value.strip_suffix("ms") {
        (ms, 1.0)
    } else {
        (value.strip_suffix('s')?, 1000.0)
    };
    number.parse::<f64>().ok().map(|number| number * factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_h2load_report() {
        let report = "finished in 5.00s, 41234.60 req/s, 2.31MB/s\n\
                      requests: 206173 total, 206429 started, 206173 done, 206173 succeeded, 0 failed, 0 errored, 0 timeout\n\
                      status codes: 206173 2xx, 0 3xx, 0 4xx, 0 5xx\n\
                      time for request:      325us     18.80ms      6.19ms      1.77ms    70.13%\n";
        let round = parse(report).expect("a round");
        assert!((round.calls_per_second - 41234.6).abs() < 0.01);
        assert!((round.mean_ms - 6.19).abs() < 1e-9);
        assert!(parse(&report.replace(" 0 failed", " 3 failed")).is_err());
    }
}
