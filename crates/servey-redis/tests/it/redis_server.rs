//! A real `redis-server` for one test: the one `cargo xtask ci` started (`SERVEY_TEST_REDIS_URL`), under
//! a namespace of the test's own, or else one of the test's own on a free port, stopped when dropped: in
//! memory only, or with an append-only file (fsync on every write) for the tests that restart it.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// A running redis-server of this test.
pub(crate) struct RedisServer {
    child: Option<Child>,
    port: u16,
    /// The append-only file's directory, when it keeps data across restarts.
    durable: Option<PathBuf>,
    /// The shared server's URL, when the test uses the one xtask started.
    shared: Option<String>,
    namespace: String,
}

impl RedisServer {
    /// The shared server under a new namespace, or a server of this test keeping everything in memory.
    pub(crate) fn start() -> Self {
        match std::env::var("SERVEY_TEST_REDIS_URL") {
            Ok(url) => Self {
                child: None,
                port: 0,
                durable: None,
                shared: Some(url),
                namespace: format!("test-{:08x}", rand::random::<u32>()),
            },
            Err(_) => Self::launch(free_port(), None),
        }
    }

    /// A server of this test's own, started with `settings` besides the usual ones (`--name value`).
    pub(crate) fn start_with(settings: &[&str]) -> Self {
        Self::launch_with(free_port(), None, settings)
    }

    /// The port of a server of the test's own.
    pub(crate) fn port(&self) -> u16 {
        assert!(self.shared.is_none(), "a server of the test's own");
        self.port
    }

    /// The prefix of this test's keys and channels.
    pub(crate) fn namespace(&self) -> &str {
        &self.namespace
    }

    /// A server writing every change to an append-only file before answering.
    pub(crate) fn start_durable() -> Self {
        let directory = std::env::temp_dir().join(format!(
            "servey-redis-{}-{:08x}",
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(&directory).expect("a temporary directory");
        Self::launch(free_port(), Some(directory))
    }

    /// `redis://127.0.0.1:PORT`.
    pub(crate) fn url(&self) -> String {
        match &self.shared {
            Some(url) => url.clone(),
            None => format!("redis://127.0.0.1:{}", self.port),
        }
    }

    /// Kills the server (SIGKILL: no goodbye to clients) and starts it again on the same port and files.
    pub(crate) fn restart(&mut self) {
        assert!(
            self.shared.is_none(),
            "restart only a server of the test's own"
        );
        self.stop();
        let restarted = Self::launch(self.port, self.durable.take());
        *self = restarted;
    }

    /// Freezes the server (SIGSTOP: its connections stay open and unanswered) until the guard returned
    /// is dropped, which thaws it (SIGCONT), on a failed assertion too.
    pub(crate) fn freeze(&self) -> Frozen {
        let pid = self
            .child
            .as_ref()
            .expect("freeze only a server of the test's own")
            .id();
        signal(pid, "-STOP");
        Frozen { pid }
    }

    /// Kills the server and waits for it to be gone.
    pub(crate) fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn launch(port: u16, durable: Option<PathBuf>) -> Self {
        Self::launch_with(port, durable, &[])
    }

    fn launch_with(port: u16, durable: Option<PathBuf>, settings: &[&str]) -> Self {
        let program =
            std::env::var("SERVEY_TEST_REDIS_SERVER").unwrap_or_else(|_| "redis-server".to_owned());
        let mut command = Command::new(&program);
        command
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        match &durable {
            Some(directory) => command
                .args(["--appendonly", "yes", "--appendfsync", "always", "--dir"])
                .arg(directory),
            None => command.args(["--appendonly", "no"]),
        };
        command.args(settings);
        let mut child = command.spawn().unwrap_or_else(|error| {
            panic!(
                "cannot start `{program}` ({error}): install redis-server (`cargo xtask ci` does), or \
                 point SERVEY_TEST_REDIS_SERVER at it"
            )
        });
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut lines = BufReader::new(stdout).lines();
        let ready = lines
            .by_ref()
            .map_while(Result::ok)
            .any(|line| line.contains("Ready to accept connections"));
        assert!(
            ready,
            "redis-server on port {port} exited before it was ready"
        );
        // Keep draining its log so that it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Self {
            child: Some(child),
            port,
            durable,
            shared: None,
            namespace: "servey".to_owned(),
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
        if let Some(directory) = &self.durable {
            let _ = std::fs::remove_dir_all(directory);
        }
    }
}

/// A port nobody listens on right now.
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}

/// A frozen server; dropping it thaws the server.
pub(crate) struct Frozen {
    pid: u32,
}

impl Frozen {
    /// Whether the server is still stopped (its state in `/proc` is `T`).
    pub(crate) fn is_still_frozen(&self) -> bool {
        std::fs::read_to_string(format!("/proc/{}/stat", self.pid))
            .ok()
            .and_then(|stat| {
                let (_, after_name) = stat.rsplit_once(')')?;
                after_name
                    .split_whitespace()
                    .next()
                    .map(|state| state == "T")
            })
            .unwrap_or(false)
    }
}

impl Drop for Frozen {
    fn drop(&mut self) {
        signal(self.pid, "-CONT");
    }
}

/// Sends `signal` (`-STOP`, `-CONT`) to process `pid`.
fn signal(pid: u32, signal: &str) {
    let sent = Command::new("kill")
        .args([signal, &pid.to_string()])
        .status()
        .is_ok_and(|status| status.success());
    assert!(sent, "kill {signal} {pid} failed");
}
