//! `cargo servey dev`: binds the port once, builds the app, serves it, and on every saved source file
//! rebuilds and swaps the new build in on the same socket: the new process starts, says it is ready,
//! and only then is the old one stopped (gracefully), so no connection is refused. A build that does
//! not compile leaves the last good one serving. Templates and static files need no rebuild.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::ExitStatus;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use tokio::signal::unix::{Signal, SignalKind, signal};

use crate::compile;
use crate::instance::{Instance, Launcher, Start};
use crate::project::App;
use crate::watch::{Change, Watched};

/// Serves `app` until Ctrl-C or SIGTERM, rebuilding and restarting it on every source change.
pub(crate) async fn run(app: App) -> Result<()> {
    let host = setting("SERVER_HOST").unwrap_or_else(|| "127.0.0.1".to_owned());
    let port = setting("SERVER_PORT").unwrap_or_else(|| "8000".to_owned());
    let port: u16 = port
        .parse()
        .with_context(|| format!("SERVER_PORT `{port}` is not a port number"))?;
    let listener = TcpListener::bind((host.as_str(), port)).with_context(|| {
        format!("cannot listen on {host}:{port} (set SERVER_PORT to use another port)")
    })?;
    let address = listener.local_addr()?;
    let assets = [
        setting("SERVEY_TEMPLATES").unwrap_or_else(|| "templates".to_owned()),
        setting("SERVEY_STATIC").unwrap_or_else(|| "static".to_owned()),
    ]
    .map(PathBuf::from);
    let packages: Vec<&Path> = std::iter::once(app.directory.as_path())
        .chain(app.path_dependencies.iter().map(|(_, path)| path.as_path()))
        .collect();
    let watched = Watched::new(&packages, &assets)?;
    let (_watcher, mut changes) = watched.start()?;
    let launcher = Launcher::new(listener)?;
    let mut stops = Stops::new()?;
    let dependencies = if app.path_dependencies.is_empty() {
        String::new()
    } else {
        let names: Vec<&str> = app
            .path_dependencies
            .iter()
            .map(|(name, _)| name.as_str())
            .collect();
        format!(" (or of {})", names.join(", "))
    };
    say(&format!(
        "serving `{}` on http://{address}; a saved source file of `{}`{dependencies} rebuilds and \
         restarts it, {} are read live; Ctrl-C stops",
        app.package,
        app.package,
        if watched.assets.is_empty() {
            "templates/ and static/ (none yet)".to_owned()
        } else {
            list(&watched.assets)
        }
    ));

    let mut current: Option<Instance> = None;
    let mut generation = 0;
    let mut rebuild_since = Some(Instant::now());
    loop {
        if let Some(since) = rebuild_since.take() {
            let built = tokio::select! {
                built = compile::build(&app) => built?,
                () = stops.recv() => return stop(current).await,
            };
            match built {
                Some(executable) => {
                    generation += 1;
                    let next = launcher.start(&executable, generation)?;
                    let started = tokio::select! {
                        started = take_over(&launcher, next, &mut current, since) => started?,
                        () = stops.recv() => return stop(current).await,
                    };
                    if !started && current.is_none() {
                        say("waiting for a change to try again");
                    }
                }
                None => match &current {
                    Some(serving) => say(&format!(
                        "the build failed (errors above); build {} keeps serving",
                        serving.generation
                    )),
                    None => say("the build failed (errors above); waiting for a change"),
                },
            }
        }
        tokio::select! {
            change = changes.recv() => match change {
                Some(Change::Code(mut paths)) => {
                    // Saves made while the last build ran: one rebuild for all of them.
                    while let Ok(Change::Code(more) | Change::Assets(more)) = changes.try_recv() {
                        paths.extend(more);
                    }
                    say(&format!("{} changed: rebuilding", list(&paths)));
                    rebuild_since = Some(Instant::now());
                }
                Some(Change::Assets(paths)) => {
                    say(&format!("{} changed: served as is, no rebuild", list(&paths)));
                }
                None => bail!("the file watcher stopped"),
            },
            status = exited(&mut current) => {
                let status = status?;
                say(&format!("the app exited ({status}); save a source file to rebuild and start it"));
                current = None;
            }
            () = stops.recv() => return stop(current).await,
        }
    }
}

/// Starts `next` beside `current` and, once `next` is ready, stops `current`: both accept from the
/// same socket meanwhile, so connections wait in its queue rather than being refused. Whether `next`
/// took over.
async fn take_over(
    launcher: &Launcher,
    mut next: Instance,
    current: &mut Option<Instance>,
    since: Instant,
) -> Result<bool> {
    let start = launcher.ready(&mut next).await?;
    if let Start::Exited(status) = start {
        match current {
            Some(serving) => say(&format!(
                "build {} exited at start ({status}); build {} keeps serving",
                next.generation, serving.generation
            )),
            None => say(&format!(
                "build {} exited at start ({status})",
                next.generation
            )),
        }
        return Ok(false);
    }
    if let Start::Silent = start {
        say(&format!(
            "build {} has not said it is ready (NOTIFY_SOCKET); it takes over anyway",
            next.generation
        ));
    }
    let ready_after = since.elapsed();
    if let Some(previous) = current.take() {
        let generation = previous.generation;
        let status = previous.stop().await?;
        if !status.success() {
            say(&format!("build {generation} stopped ({status})"));
        }
    }
    let cause = if next.generation == 1 {
        "start"
    } else {
        "the change"
    };
    say(&format!(
        "build {} serves ({:.1} s after {cause})",
        next.generation,
        ready_after.as_secs_f64()
    ));
    *current = Some(next);
    Ok(true)
}

/// Stops the serving build, if any, and ends the dev loop.
async fn stop(current: Option<Instance>) -> Result<()> {
    if let Some(serving) = current {
        serving.stop().await?;
    }
    say("stopped");
    Ok(())
}

/// Resolves when the serving build exits by itself; never while none serves.
async fn exited(current: &mut Option<Instance>) -> std::io::Result<ExitStatus> {
    match current {
        Some(serving) => serving.exited().await,
        None => std::future::pending().await,
    }
}

/// Ctrl-C and SIGTERM: the dev loop's own stop.
struct Stops {
    interrupt: Signal,
    terminate: Signal,
}

impl Stops {
    fn new() -> Result<Self> {
        Ok(Self {
            interrupt: signal(SignalKind::interrupt()).context("listening for Ctrl-C")?,
            terminate: signal(SignalKind::terminate()).context("listening for SIGTERM")?,
        })
    }

    async fn recv(&mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
    }
}

/// A setting of the environment, unless empty.
fn setting(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

/// `paths` for a message, relative to the current directory where they are under it; those gone
/// already (an editor's or `sed -i`'s temporary file) are left out, unless all are.
fn list(paths: &[PathBuf]) -> String {
    let here = std::env::current_dir().ok();
    let existing: Vec<&PathBuf> = paths.iter().filter(|path| path.exists()).collect();
    let shown = if existing.is_empty() {
        paths.iter().collect()
    } else {
        existing
    };
    shown
        .into_iter()
        .map(|path| {
            here.as_ref()
                .and_then(|here| path.strip_prefix(here).ok())
                .unwrap_or(path)
                .display()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// One line of the dev loop's own, told apart from the app's log lines.
fn say(message: &str) {
    eprintln!("cargo servey dev: {message}");
}
