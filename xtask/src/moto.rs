//! The moto server the tests share during `cargo xtask ci` / `test` (from the checkers' venv): AWS's
//! DynamoDB and SQS for the serverless example's tests, started on a free port, handed to the tests as
//! `SERVEY_TEST_MOTO_URL`, and stopped when the run ends.

use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// A moto server this run started; stopped when dropped.
pub(crate) struct TestMoto {
    child: Child,
    port: u16,
}

impl TestMoto {
    /// Starts the venv's `moto_server` (beside `python`) and waits until it accepts connections.
    pub(crate) fn start(python: &Path) -> Result<Self> {
        let program = python.with_file_name("moto_server");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .context("finding a free port")?
            .port();
        let mut child = Command::new(&program)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", program.display()))?;
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if started.elapsed() > Duration::from_secs(30) || child.try_wait()?.is_some() {
                let _ = child.kill();
                bail!("moto_server on port {port} did not start within 30 s");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        println!("xtask: moto_server for the tests at http://127.0.0.1:{port}");
        Ok(Self { child, port })
    }

    /// `http://127.0.0.1:PORT`.
    pub(crate) fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for TestMoto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        println!("xtask: stopped the tests' moto_server");
    }
}
