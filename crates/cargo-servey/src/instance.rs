//! The app's processes under `cargo servey dev`: each is started on the one listening socket the dev
//! process bound (handed down as fd 3 with `LISTEN_FDS=1`, systemfd's convention), says when it is
//! ready on a unix datagram socket (`NOTIFY_SOCKET`, systemd's convention), and is stopped with
//! SIGTERM, which servey takes as a graceful stop.

use std::net::TcpListener;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use anyhow::{Context, Result};
use command_fds::{CommandFdExt, FdMapping};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use tokio::net::UnixDatagram;
use tokio::process::Child;

/// How long a new build may take to say it is ready before it takes over anyway (an app built with a
/// servey that does not notify, or one whose setup is slow).
const READY_PATIENCE: Duration = Duration::from_secs(30);

/// How long a stopped build may drain before it is killed: past servey's default grace period
/// (`SERVEY_SHUTDOWN_GRACE`, 30 s) and the half second after it in which servey ends a process itself.
const STOP_PATIENCE: Duration = Duration::from_secs(35);

/// Starts app processes on one listening socket and hears when each is ready.
#[derive(Debug)]
pub(crate) struct Launcher {
    listener: TcpListener,
    notify: UnixDatagram,
    notify_directory: PathBuf,
    notify_path: PathBuf,
}

/// One running build of the app.
#[derive(Debug)]
pub(crate) struct Instance {
    /// Which build this is (1 for the first).
    pub(crate) generation: u32,
    child: Child,
    pid: u32,
}

/// How a new build's start ended.
#[derive(Debug)]
pub(crate) enum Start {
    /// It said `READY=1`: it serves.
    Ready,
    /// It said nothing within [`READY_PATIENCE`] but runs.
    Silent,
    /// It exited before it was ready.
    Exited(ExitStatus),
}

impl Launcher {
    /// A launcher handing `listener` to every process it starts.
    pub(crate) fn new(listener: TcpListener) -> Result<Self> {
        let notify_directory =
            std::env::temp_dir().join(format!("cargo-servey-{}", std::process::id()));
        std::fs::create_dir_all(&notify_directory)
            .with_context(|| format!("creating {}", notify_directory.display()))?;
        let notify_path = notify_directory.join("notify.sock");
        let _ = std::fs::remove_file(&notify_path);
        let notify = UnixDatagram::bind(&notify_path)
            .with_context(|| format!("binding the notify socket {}", notify_path.display()))?;
        Ok(Self {
            listener,
            notify,
            notify_directory,
            notify_path,
        })
    }

    /// Starts `executable` as build `generation`, serving the shared socket, in dev mode.
    pub(crate) fn start(&self, executable: &Path, generation: u32) -> Result<Instance> {
        let socket = OwnedFd::from(
            self.listener
                .try_clone()
                .context("duplicating the listening socket")?,
        );
        let mut command = std::process::Command::new(executable);
        command
            .env("LISTEN_FDS", "1")
            .env_remove("LISTEN_PID")
            .env("NOTIFY_SOCKET", &self.notify_path)
            .env("SERVEY_DEV", "1")
            .stdin(Stdio::null());
        command
            .fd_mappings(vec![FdMapping {
                parent_fd: socket,
                child_fd: 3,
            }])
            .context("mapping the listening socket to fd 3")?;
        let mut command = tokio::process::Command::from(command);
        command.kill_on_drop(true);
        let child = command
            .spawn()
            .with_context(|| format!("starting {}", executable.display()))?;
        let pid = child.id().context("the new app process has no id")?;
        Ok(Instance {
            generation,
            child,
            pid,
        })
    }

    /// Waits until `instance` says it is ready, exits, or stays silent too long.
    pub(crate) async fn ready(&self, instance: &mut Instance) -> Result<Start> {
        let expected = format!("MAINPID={}", instance.pid);
        let deadline = tokio::time::sleep(READY_PATIENCE);
        let mut deadline = std::pin::pin!(deadline);
        let mut buffer = [0; 512];
        loop {
            tokio::select! {
                received = self.notify.recv(&mut buffer) => {
                    let message = String::from_utf8_lossy(&buffer[..received?]);
                    // Other builds speak on the same socket (STOPPING=1 from the one going away).
                    if message.lines().any(|line| line == "READY=1")
                        && message.lines().any(|line| line == expected)
                    {
                        return Ok(Start::Ready);
                    }
                }
                status = instance.child.wait() => return Ok(Start::Exited(status?)),
                () = &mut deadline => return Ok(Start::Silent),
            }
        }
    }
}

impl Drop for Launcher {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.notify_directory);
    }
}

impl Instance {
    /// Resolves when the process exits by itself.
    pub(crate) async fn exited(&mut self) -> std::io::Result<ExitStatus> {
        self.child.wait().await
    }

    /// Stops the process gracefully (SIGTERM: it stops accepting, finishes its requests, closes its
    /// websockets with 1012), killing it if it outlives [`STOP_PATIENCE`].
    pub(crate) async fn stop(mut self) -> Result<ExitStatus> {
        if let Ok(pid) = i32::try_from(self.pid) {
            // Already gone is fine: the wait below reports how it ended.
            let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
        }
        match tokio::time::timeout(STOP_PATIENCE, self.child.wait()).await {
            Ok(status) => Ok(status?),
            Err(_) => {
                eprintln!(
                    "cargo servey dev: build {} did not stop within {STOP_PATIENCE:?}; killing it",
                    self.generation
                );
                self.child.kill().await?;
                Ok(self.child.wait().await?)
            }
        }
    }
}
