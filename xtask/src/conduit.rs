//! `cargo xtask conduit`: the official RealWorld API suite (`examples/conduit/api/`) under newman, against
//! the `conduit` example started on a free port with an in-memory database. Fails unless every assertion
//! passed; the full report is `target/conduit-newman.json`, the server's output `target/conduit-server.log`.

use std::fs::File;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::{apt_install, cargo, run};

/// The newman release the suite is run with (6.2 rejects `--delay-request 0`, so none is passed).
const NEWMAN_VERSION: &str = "6.2.2";

/// How often, and how many times, to ask a starting server for `GET /health` before giving up.
pub(crate) const HEALTH_POLL_INTERVAL: Duration = Duration::from_millis(100);
pub(crate) const HEALTH_POLL_TRIES: u32 = 300;

/// Builds and starts the conduit server, runs the suite against it, stops it, and checks the report.
pub(crate) fn conduit(root: &Path) -> Result<()> {
    let newman = install_newman(root)?;
    run(cargo(root).args(["build", "-p", "conduit"]))?;
    let report = target_dir(root).join("conduit-newman.json");
    if report.exists() {
        std::fs::remove_file(&report)
            .with_context(|| format!("removing the old {}", report.display()))?;
    }
    {
        let server = Server::start(root)?;
        let user = format!("conduit{}", unix_millis());
        let status = Command::new(&newman)
            .arg("run")
            .arg(root.join("examples/conduit/api/Conduit.postman_collection.json"))
            .args([
                "--global-var",
                &format!("APIURL=http://{}/api", server.address),
            ])
            .args(["--global-var", &format!("USERNAME={user}")])
            .args(["--global-var", &format!("EMAIL={user}@example.com")])
            .args(["--global-var", "PASSWORD=conduit-password"])
            .args(["--reporters", "cli,json", "--reporter-json-export"])
            .arg(&report)
            .status()
            .with_context(|| format!("starting {}", newman.display()))?;
        println!("xtask: newman exited with {status}");
    }
    check_report(&report)
}

/// Installs newman under `target/servey-tools/npm` unless that exact version is there; its executable.
pub(crate) fn install_newman(root: &Path) -> Result<PathBuf> {
    let prefix = target_dir(root).join("servey-tools/npm");
    let newman = prefix.join("node_modules/.bin/newman");
    let stamp = prefix.join("newman.installed");
    let wanted = format!("newman@{NEWMAN_VERSION}");
    if newman.exists() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) {
        return Ok(newman);
    }
    if Command::new("npm").arg("--version").output().is_err() {
        println!("xtask: installing Debian's nodejs and npm (newman runs the Conduit suite)");
        apt_install(&["nodejs", "npm"])?;
    }
    println!("xtask: installing {wanted} in {}", prefix.display());
    std::fs::create_dir_all(&prefix).with_context(|| format!("creating {}", prefix.display()))?;
    run(Command::new("npm")
        .args(["install", "--prefix"])
        .arg(&prefix)
        .args(["--no-audit", "--no-fund", "--save-exact", &wanted]))?;
    std::fs::write(&stamp, &wanted)?;
    Ok(newman)
}

/// The conduit server as a child process, killed when this is dropped (on every path out).
struct Server {
    child: Child,
    address: SocketAddr,
}

impl Server {
    /// Starts `target/debug/conduit` on a free port and waits until `GET /health` answers 200.
    fn start(root: &Path) -> Result<Self> {
        let address = free_address()?;
        let log_path = target_dir(root).join("conduit-server.log");
        let log =
            File::create(&log_path).with_context(|| format!("creating {}", log_path.display()))?;
        let binary = target_dir(root).join("debug/conduit");
        println!("xtask: starting {} on {address}", binary.display());
        let child = Command::new(&binary)
            .env("SERVER_PORT", address.port().to_string())
            .env("DATABASE_URL", "sqlite::memory:")
            .env("JWT_SECRET_KEY", random_secret()?)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let mut server = Self { child, address };
        server
            .wait_until_healthy()
            .with_context(|| format!("the server's output is in {}", log_path.display()))?;
        Ok(server)
    }

    fn wait_until_healthy(&mut self) -> Result<()> {
        for _ in 0..HEALTH_POLL_TRIES {
            if let Some(status) = self.child.try_wait()? {
                bail!("the conduit server exited with {status} before answering GET /health");
            }
            if health_is_ok(self.address) {
                return Ok(());
            }
            std::thread::sleep(HEALTH_POLL_INTERVAL);
        }
        bail!(
            "the conduit server did not answer GET /health with 200 within {} s",
            (HEALTH_POLL_INTERVAL * HEALTH_POLL_TRIES).as_secs()
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Already gone is fine; anything else has no better handling than trying.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether `GET /health` on `address` answers with status 200 (a minimal HTTP/1.1 exchange, no client).
pub(crate) fn health_is_ok(address: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&address, HEALTH_POLL_INTERVAL) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = format!("GET /health HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut status_line = [0u8; 12];
    stream.read_exact(&mut status_line).is_ok()
        && status_line.starts_with(b"HTTP/1.")
        && &status_line[8..] == b" 200"
}

/// Fails unless the newman report shows requests, test scripts and assertions all without a failure.
fn check_report(path: &Path) -> Result<()> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("newman wrote no report to {}", path.display()))?;
    let report: Value =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    let stats = &report["run"]["stats"];
    let count = |kind: &str, field: &str| stats[kind][field].as_u64().unwrap_or(0);
    let (total, failed) = (count("assertions", "total"), count("assertions", "failed"));
    println!(
        "xtask: Conduit suite: {failed} of {total} assertions failed; {} of {} requests and {} of {} \
         test scripts failed",
        count("requests", "failed"),
        count("requests", "total"),
        count("testScripts", "failed"),
        count("testScripts", "total"),
    );
    let failures = report["run"]["failures"]
        .as_array()
        .map_or(&[][..], Vec::as_slice);
    for failure in failures.iter().take(20) {
        let error = &failure["error"];
        println!(
            "  - {} / {}: {}",
            failure["source"]["name"].as_str().unwrap_or("?"),
            error["test"].as_str().unwrap_or("(no assertion)"),
            error["message"].as_str().unwrap_or("?")
        );
    }
    if failed > 0
        || total == 0
        || count("requests", "failed") > 0
        || count("testScripts", "failed") > 0
    {
        bail!(
            "the RealWorld API suite failed: {failed} of {total} assertions failed (report: {})",
            path.display()
        );
    }
    println!("xtask: the RealWorld API suite passed: {total} assertions");
    Ok(())
}

/// A loopback address whose port was free a moment ago (the OS picks it; the server binds it next).
pub(crate) fn free_address() -> Result<SocketAddr> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("finding a free port")?;
    Ok(listener.local_addr()?)
}

/// 32 random bytes from the OS, hex-encoded: a JWT secret nobody can guess, fresh for each run.
pub(crate) fn random_secret() -> Result<String> {
    let mut bytes = [0u8; 32];
    File::open("/dev/urandom")
        .and_then(|mut random| random.read_exact(&mut bytes))
        .context("reading /dev/urandom")?;
    Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}

fn unix_millis() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_millis())
}

/// Where cargo puts its builds: `CARGO_TARGET_DIR` when set, else `target/` in the workspace.
pub(crate) fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from)
}
