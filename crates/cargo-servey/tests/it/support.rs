//! What the tests share: where the generated apps and their builds live, a process whose output is
//! collected line by line, and a one-request HTTP client on a fresh connection.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The `cargo-servey` binary under test.
pub(crate) fn cargo_servey() -> Command {
    Command::new(env!("CARGO_BIN_EXE_cargo-servey"))
}

/// The servey checkout these tests are part of.
pub(crate) fn servey_checkout() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/cargo-servey sits two levels under the checkout")
        .to_path_buf()
}

/// `target/cargo-servey-tests`, beside the test's own build: the generated apps, and one target
/// directory they all build into, so that a second run compiles only the app itself.
pub(crate) fn scratch() -> PathBuf {
    let executable = std::env::current_exe().expect("the test binary's path");
    // target/debug/deps/it-HASH
    let target = executable
        .ancestors()
        .nth(3)
        .expect("the test binary sits in target/PROFILE/deps");
    let scratch = target.join("cargo-servey-tests");
    std::fs::create_dir_all(&scratch).expect("the scratch directory is created");
    scratch
}

/// A port nobody listens on right now.
pub(crate) fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}

/// A running process whose stdout and stderr lines are collected (and echoed, for a failing test's
/// log).
pub(crate) struct Watched {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Watched {
    /// Starts `command` with its output collected.
    pub(crate) fn start(mut command: Command) -> Self {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the process starts");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        collect(stdout, lines.clone());
        collect(stderr, lines.clone());
        Self { child, lines }
    }

    /// How many lines so far.
    pub(crate) fn line_count(&self) -> usize {
        self.lines
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// The lines from the `from`th on.
    pub(crate) fn lines_from(&self, from: usize) -> Vec<String> {
        let lines = self.lines.lock().unwrap_or_else(PoisonError::into_inner);
        lines.get(from..).unwrap_or_default().to_vec()
    }

    /// Waits until a line from the `from`th on contains `wanted`; its index. Panics at `deadline`.
    pub(crate) fn wait_for(&self, from: usize, wanted: &str, patience: Duration) -> usize {
        let deadline = Instant::now() + patience;
        loop {
            if let Some(found) = self
                .lines_from(from)
                .iter()
                .position(|line| line.contains(wanted))
            {
                return from + found;
            }
            assert!(
                Instant::now() < deadline,
                "no line containing `{wanted}` within {patience:?}; output since:\n{}",
                self.lines_from(from).join("\n")
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Sends SIGTERM and waits for the exit, at most `patience`.
    pub(crate) fn terminate(&mut self, patience: Duration) -> ExitStatus {
        let pid = nix::unistd::Pid::from_raw(i32::try_from(self.child.id()).expect("a pid"));
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).expect("signalled");
        let deadline = Instant::now() + patience;
        loop {
            if let Some(status) = self.child.try_wait().expect("waited") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "still running {patience:?} after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Watched {
    fn drop(&mut self) {
        // A failed test must not leave a server holding the port.
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn collect(output: impl Read + Send + 'static, lines: Arc<Mutex<Vec<String>>>) {
    std::thread::spawn(move || {
        for line in BufReader::new(output).lines() {
            let Ok(line) = line else { return };
            eprintln!("| {line}");
            lines
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(line);
        }
    });
}

/// A response: status and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: String,
}

/// `GET path` on a fresh connection to `port` (`Connection: close`), or why it failed.
pub(crate) fn get(port: u16, path: &str) -> Result<Answer, String> {
    let mut stream =
        TcpStream::connect(("127.0.0.1", port)).map_err(|error| format!("connect: {error}"))?;
    let timeout = Some(Duration::from_secs(10));
    stream
        .set_read_timeout(timeout)
        .map_err(|e| e.to_string())?;
    stream
        .set_write_timeout(timeout)
        .map_err(|e| e.to_string())?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .map_err(|error| format!("write: {error}"))?;
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .map_err(|error| format!("read: {error}"))?;
    let (head, body) = response
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("not an HTTP response: {response:?}"))?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|status| status.parse().ok())
        .ok_or_else(|| format!("no status in {head:?}"))?;
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        unchunk(body)
    } else {
        body.to_owned()
    };
    Ok(Answer { status, body })
}

/// A chunked body, joined.
fn unchunk(mut body: &str) -> String {
    let mut joined = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if size == 0 || rest.len() < size {
            break;
        }
        joined.push_str(&rest[..size]);
        body = rest[size..].trim_start_matches("\r\n");
    }
    joined
}
