//! `cargo xtask bench --instructions`: instructions per request, counted by callgrind inside the server
//! while a driver outside it (bench/src/bin/drive.rs, bench/src/bin/wsdrive.rs) sends a fixed number of
//! requests over one keep-alive connection. Unlike requests/s these counts repeat for the same binary and
//! input whatever else the machine does.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};

use super::{BASELINE_PORT, SCENARIOS, SERVEY_PORT, STACKED_PORT, Scenario, wait_ready};

/// Requests before counting starts (connection pools, lazy statics and caches settle).
const WARM_UP: u64 = 200;
/// Counted requests per window; two windows per app show the figure repeats.
const COUNTED: u64 = 500;
/// Broadcast rounds counted per window, per subscriber count.
const BROADCASTS: &[(usize, usize)] = &[(1_000, 20), (10_000, 4)];
/// Function lines of servey's own code kept from callgrind_annotate's inclusive listing.
const TOP_FUNCTIONS: usize = 25;

/// One scenario's counts: instructions per request (or per broadcast) in each counted window.
pub(super) struct Counts {
    pub(super) name: String,
    pub(super) servey: Result<[f64; 2], String>,
    pub(super) baseline: Result<[f64; 2], String>,
    /// The middleware baseline's counts, for the scenarios that measure it.
    pub(super) stacked: Option<Result<[f64; 2], String>>,
    /// servey's top functions by inclusive cost (callgrind_annotate lines), for the REST scenarios.
    pub(super) top: Vec<String>,
}

/// A server under callgrind with counting off; killed on drop.
struct Counted {
    child: Child,
    port: u16,
    dir: PathBuf,
    name: String,
}

impl Drop for Counted {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(super) fn ensure_valgrind() -> Result<()> {
    if Command::new("valgrind").arg("--version").output().is_ok()
        && Command::new("callgrind_control").arg("-h").output().is_ok()
    {
        return Ok(());
    }
    println!("xtask: installing Debian's valgrind (instruction counts)");
    crate::apt_install(&["valgrind"])
}

/// Every scenario (and the broadcasts) for both apps.
pub(super) fn count_all(root: &Path) -> Result<Vec<Counts>> {
    let release = root.join("target/release");
    let dir = super::tempdir()?.join("callgrind");
    std::fs::create_dir_all(&dir)?;
    let mut all = Vec::new();
    for scenario in SCENARIOS {
        let annotate = true;
        let run = |name: &str, args: &str, port: u16| -> Result<([f64; 2], Vec<String>), String> {
            let binary = format!("{}{args}", release.join(name).display());
            let server = start(
                root,
                &binary,
                port,
                &dir,
                &format!("{name}{port}"),
                scenario.name,
            )
            .map_err(|e| format!("{e:#}"))?;
            request_windows(root, &server, scenario, annotate && name == "hello")
                .map_err(|e| format!("{e:#}"))
        };
        let servey = run("hello", "", SERVEY_PORT);
        let baseline = run("baseline", "", BASELINE_PORT).map(|(counts, _)| counts);
        let stacked = scenario
            .stacked
            .then(|| run("baseline", " --middleware", STACKED_PORT).map(|(counts, _)| counts));
        let (servey, top) = match servey {
            Ok((counts, top)) => (Ok(counts), top),
            Err(error) => (Err(error), Vec::new()),
        };
        print(scenario.name, &servey, &baseline);
        all.push(Counts {
            name: scenario.name.to_owned(),
            servey,
            baseline,
            stacked,
            top,
        });
    }
    for &(subscribers, rounds) in BROADCASTS {
        let name = format!("websocket broadcast to {subscribers} subscribers (per broadcast)");
        let run = |bin: &str, port: u16| -> Result<[f64; 2], String> {
            let binary = release.join(bin).display().to_string();
            let server =
                start(root, &binary, port, &dir, bin, &name).map_err(|e| format!("{e:#}"))?;
            broadcast_windows(root, &server, subscribers, rounds).map_err(|e| format!("{e:#}"))
        };
        let (servey, baseline) = (run("hello", SERVEY_PORT), run("baseline", BASELINE_PORT));
        print(&name, &servey, &baseline);
        all.push(Counts {
            name,
            servey,
            baseline,
            stacked: None,
            top: Vec::new(),
        });
    }
    Ok(all)
}

fn print(name: &str, servey: &Result<[f64; 2], String>, baseline: &Result<[f64; 2], String>) {
    let show = |r: &Result<[f64; 2], String>| match r {
        Ok([a, b]) => format!("{a:.0} / {b:.0}"),
        Err(e) => format!("FAILED: {e}"),
    };
    println!(
        "xtask bench --instructions: {name}: servey {} | baseline {}",
        show(servey),
        show(baseline)
    );
}

/// `command` (a binary and its arguments) under callgrind.
fn start(
    root: &Path,
    command: &str,
    port: u16,
    dir: &Path,
    bin: &str,
    scenario: &str,
) -> Result<Counted> {
    let name = format!(
        "{bin}-{}",
        scenario.replace(|c: char| !c.is_alphanumeric(), "_")
    );
    let out = dir.join(format!("{name}.out"));
    let wrapped = format!(
        "valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file={} {command}",
        out.display(),
    );
    let child = super::spawn_server(root, &wrapped, port)
        .with_context(|| format!("starting {command} under callgrind"))?;
    let server = Counted {
        child,
        port,
        dir: dir.to_owned(),
        name,
    };
    wait_ready(port, Duration::from_secs(120))?;
    Ok(server)
}

/// Warm up, then two counted windows of `COUNTED` requests: instructions per request in each.
fn request_windows(
    root: &Path,
    server: &Counted,
    scenario: &Scenario,
    annotate: bool,
) -> Result<([f64; 2], Vec<String>)> {
    drive(root, server, scenario, WARM_UP, "w")?;
    let mut counts = [0.0; 2];
    let mut last = PathBuf::new();
    for (window, count) in counts.iter_mut().enumerate() {
        control(server, &["-i", "on"])?;
        drive(root, server, scenario, COUNTED, &window.to_string())?;
        control(server, &["-i", "off"])?;
        last = dump(server)?;
        *count = total_ir(&std::fs::read_to_string(&last)?)
            .with_context(|| format!("no totals in {}", last.display()))? as f64
            / COUNTED as f64;
    }
    let top = if annotate {
        top_functions(&last)?
    } else {
        Vec::new()
    };
    Ok((counts, top))
}

/// Two counted windows of `rounds` broadcasts each, every one delivered to all subscribers.
fn broadcast_windows(
    root: &Path,
    server: &Counted,
    subscribers: usize,
    rounds: usize,
) -> Result<[f64; 2]> {
    // One driver for both windows: a driver per window would open twice the sockets, and loopback's
    // ephemeral ports (about 28k) run out while the last run's closed ones wait out TIME_WAIT.
    let mut driver = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "ulimit -n 65535 2>/dev/null || ulimit -n $(ulimit -Hn); exec {} http://127.0.0.1:{} {subscribers} {rounds}",
            root.join("target/release/wsdrive").display(),
            server.port
        ))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut lines = BufReader::new(driver.stdout.take().context("wsdrive's stdout")?).lines();
    let mut expect = |word: &str| -> Result<()> {
        match lines.next() {
            Some(Ok(line)) if line.trim() == word => Ok(()),
            other => bail!("wsdrive said {other:?} where it should say {word}"),
        }
    };
    expect("ready")?;
    let mut counts = [0.0; 2];
    for count in &mut counts {
        control(server, &["-i", "on"])?;
        writeln!(driver.stdin.as_mut().context("wsdrive's stdin")?, "go")?;
        expect("done")?;
        control(server, &["-i", "off"])?;
        let dumped = dump(server)?;
        *count = total_ir(&std::fs::read_to_string(&dumped)?)
            .with_context(|| format!("no totals in {}", dumped.display()))? as f64
            / rounds as f64;
    }
    drop(driver.stdin.take());
    let status = driver.wait()?;
    if !status.success() {
        bail!("wsdrive failed: {status}");
    }
    Ok(counts)
}

/// Sends `count` requests of `scenario`; each `{n}` of its body becomes `{tag}x` and the request's number, so
/// texts meant to be new are new in every window, not just within one.
fn drive(root: &Path, server: &Counted, scenario: &Scenario, count: u64, tag: &str) -> Result<()> {
    let method = if scenario.body.is_some() {
        "POST"
    } else {
        "GET"
    };
    let mut command = Command::new(root.join("target/release/drive"));
    command.args([
        &server.port.to_string(),
        &count.to_string(),
        method,
        scenario.path,
    ]);
    command.args(
        scenario
            .body
            .map(|body| body.replace("{n}", &format!("{tag}x{{n}}"))),
    );
    let output = command.output().context("running the drive bin")?;
    if !output.status.success() {
        bail!("{}", String::from_utf8_lossy(&output.stderr).trim());
    }
    Ok(())
}

fn control(server: &Counted, args: &[&str]) -> Result<()> {
    let output = Command::new("callgrind_control")
        .args(args)
        .arg(server.child.id().to_string())
        .output()
        .context("running callgrind_control")?;
    if !output.status.success() {
        bail!(
            "callgrind_control {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

/// Dump the counters (callgrind zeroes them) and return the newest dump file.
fn dump(server: &Counted) -> Result<PathBuf> {
    control(server, &["-d"])?;
    let prefix = format!("{}.out.", server.name);
    let mut newest: Option<(u32, PathBuf)> = None;
    for entry in std::fs::read_dir(&server.dir)? {
        let path = entry?.path();
        let number = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_prefix(&prefix))
            .and_then(|n| n.parse::<u32>().ok());
        if let Some(number) = number
            && newest.as_ref().is_none_or(|(best, _)| number > *best)
        {
            newest = Some((number, path));
        }
    }
    newest
        .map(|(_, path)| path)
        .context("callgrind wrote no dump")
}

fn top_functions(dump: &Path) -> Result<Vec<String>> {
    let output = Command::new("callgrind_annotate")
        // Every function: by default the listing stops once 99% of the (inclusive, so overlapping) cost is shown.
        .args(["--inclusive=yes", "--threshold=100"])
        .arg(dump)
        .output()
        .context("running callgrind_annotate")?;
    Ok(annotated_functions(
        &String::from_utf8_lossy(&output.stdout),
        TOP_FUNCTIONS,
        COUNTED,
    ))
}

/// The event total of a callgrind dump: its `totals:` line, else its `summary:` line.
pub(super) fn total_ir(dump: &str) -> Option<u64> {
    let find = |key: &str| {
        dump.lines()
            .find_map(|line| line.strip_prefix(key))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
    };
    find("totals:").or_else(|| find("summary:"))
}

/// The first `limit` lines of servey's own functions (the tour app's and servey's crates) in
/// callgrind_annotate's inclusive listing, as instructions per request (the dump counted `requests`)
/// and function name: where servey's instructions go, callees included.
pub(super) fn annotated_functions(text: &str, limit: usize, requests: u64) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let number = words.next()?;
            let percent = words.next()?;
            if !percent.starts_with('(') || !number.chars().all(|c| c.is_ascii_digit() || c == ',')
            {
                return None;
            }
            let total: u64 = number.replace(',', "").parse().ok()?;
            let function = line.split_once(")  ")?.1;
            let function = match function.rfind(" [") {
                Some(at) if function.ends_with(']') => &function[..at],
                _ => function,
            };
            let function = function.trim().trim_start_matches("???:");
            let own = function.contains("servey") || function.starts_with("hello::");
            own.then(|| format!("{:>9}  {function}", total / requests.max(1)))
        })
        .take(limit)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_totals_line_of_a_dump() {
        let dump = "# callgrind format\nversion: 1\ncreator: callgrind-3.19.0\npid: 42\ncmd: hello\npart: 1\n\n\
                    desc: I1 cache: \nevents: Ir\n\nfl=(1) x.rs\nfn=(1) main\n3 12\n\nsummary: 987654321\n\n\ntotals: 123456789\n";
        assert_eq!(total_ir(dump), Some(123_456_789));
        assert_eq!(total_ir("events: Ir\nsummary: 77\n"), Some(77));
        assert_eq!(total_ir("events: Ir\n"), None);
    }

    #[test]
    fn keeps_the_function_lines_of_an_inclusive_listing() {
        let text = "\
--------------------------------------------------------------------------------
Profile data file 'hello.out.1' (creator: callgrind-3.19.0)
--------------------------------------------------------------------------------
I1 cache:
Events recorded:  Ir
Thresholds:       99
Include dirs:
Events shown:     Ir
--------------------------------------------------------------------------------
Ir
--------------------------------------------------------------------------------
96,532,120 (100.0%)  PROGRAM TOTALS

--------------------------------------------------------------------------------
Ir                   file:function
--------------------------------------------------------------------------------
96,532,120 (100.0%)  ???:start_thread [/usr/lib/x86_64-linux-gnu/libc.so.6]
40,100,000 (41.54%)  ???:servey_web::routes::rest [/work/target/release/hello]
 1,000 ( 0.00%)  ???:tiny
12,000 ( 0.01%)  ???:hello::actions::say_hello [/work/target/release/hello]
";
        let lines = annotated_functions(text, 2, 1000);
        assert_eq!(
            lines,
            [
                "    40100  servey_web::routes::rest",
                "       12  hello::actions::say_hello"
            ]
        );
        assert_eq!(annotated_functions(text, 1, 1000).len(), 1);
    }
}
