//! The redis-server the tests share during `cargo xtask ci` / `test`: Debian's, installed when missing,
//! started on a free port in memory only, handed to the tests as `SERVEY_TEST_REDIS_URL`, and stopped
//! when the run ends (tests that restart Redis start their own from `SERVEY_TEST_REDIS_SERVER`).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::apt_install;

/// Debian's redis-server.
pub(crate) const REDIS_SERVER: &str = "/usr/bin/redis-server";

/// Installs redis-server when it is missing; its path.
pub(crate) fn install() -> Result<PathBuf> {
    let path = PathBuf::from(REDIS_SERVER);
    if !path.exists() {
        println!("xtask: installing Debian's redis-server (the scale-out tests)");
        apt_install(&["redis-server"])?;
    }
    Ok(path)
}

/// A redis-server this run started; stopped when dropped.
pub(crate) struct TestRedis {
    child: Child,
    port: u16,
}

impl TestRedis {
    /// Starts `program` on a free port and waits until it accepts connections.
    pub(crate) fn start(program: &PathBuf) -> Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .context("finding a free port")?
            .port();
        let mut child = Command::new(program)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", program.display()))?;
        let stdout = child.stdout.take().context("redis-server's stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let ready = lines
            .by_ref()
            .map_while(Result::ok)
            .any(|line| line.contains("Ready to accept connections"));
        if !ready {
            let _ = child.kill();
            bail!("redis-server on port {port} exited before it was ready");
        }
        std::thread::spawn(move || lines.for_each(drop));
        println!("xtask: redis-server for the tests at redis://127.0.0.1:{port}");
        Ok(Self { child, port })
    }

    /// `redis://127.0.0.1:PORT`.
    pub(crate) fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }
}

impl Drop for TestRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        println!("xtask: stopped the tests' redis-server");
    }
}
