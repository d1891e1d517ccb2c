//! What `cargo servey dev` watches, and what a change means: under the `src/` of the app's package or
//! of a workspace package it depends on by path (or their `Cargo.toml`, `build.rs`) a rebuild; under the templates or static directories nothing to do but say
//! so, since the app in dev mode recompiles a changed template on its next render (and static files are
//! always read from disk).

use std::path::{Path, PathBuf};
use std::time::Duration;

use std::sync::mpsc::{Receiver, RecvTimeoutError};

use anyhow::{Context, Result};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

/// How long the files must be quiet before a change is acted on: an editor's save is often several
/// writes (a temporary file, a rename), and `cargo fmt` touches many files at once.
const QUIET: Duration = Duration::from_millis(100);

/// A batch of changed files, by what they need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Change {
    /// Source files: the app must be rebuilt.
    Code(Vec<PathBuf>),
    /// Templates or static files only: served as they are now, no rebuild.
    Assets(Vec<PathBuf>),
}

/// The watched places: code (a change rebuilds) and assets (a change does not).
#[derive(Debug, Clone)]
pub(crate) struct Watched {
    /// The package's `src/`, `Cargo.toml` and `build.rs`, those that exist.
    pub(crate) code: Vec<PathBuf>,
    /// The templates and static directories, those that exist.
    pub(crate) assets: Vec<PathBuf>,
}

impl Watched {
    /// The code of the packages in `package_directories`, and the assets the app reads from
    /// `asset_directories` (relative to the current directory, where the app runs).
    pub(crate) fn new(
        package_directories: &[&Path],
        asset_directories: &[PathBuf],
    ) -> Result<Self> {
        let code = package_directories
            .iter()
            .flat_map(|directory| {
                ["src", "Cargo.toml", "build.rs"].map(|name| directory.join(name))
            })
            .filter(|path| path.exists())
            .map(|path| canonical(&path))
            .collect::<Result<_>>()?;
        let assets = asset_directories
            .iter()
            .filter(|path| path.is_dir())
            .map(|path| canonical(path))
            .collect::<Result<_>>()?;
        Ok(Self { code, assets })
    }

    /// What `paths` changing needs: a rebuild when any is code; `None` when none is watched here
    /// (an editor's backup file, say).
    pub(crate) fn classify(&self, paths: Vec<PathBuf>) -> Option<Change> {
        let paths: Vec<PathBuf> = paths
            .into_iter()
            .filter(|path| !is_editor_scratch(path))
            .collect();
        let is_code = |path: &PathBuf| self.code.iter().any(|code| path.starts_with(code));
        let is_asset = |path: &PathBuf| self.assets.iter().any(|asset| path.starts_with(asset));
        if paths.iter().any(is_code) {
            Some(Change::Code(paths.into_iter().filter(is_code).collect()))
        } else if paths.iter().any(is_asset) {
            Some(Change::Assets(paths.into_iter().filter(is_asset).collect()))
        } else {
            None
        }
    }

    /// Starts watching: each quiet batch of changes arrives on the receiver, classified. The
    /// watching stops when the returned watcher is dropped.
    pub(crate) fn start(&self) -> Result<(RecommendedWatcher, UnboundedReceiver<Change>)> {
        let (raw, batches) = std::sync::mpsc::channel::<Vec<PathBuf>>();
        let mut watcher = notify::recommended_watcher(move |result: notify::Result<Event>| {
            match result {
                // Reads are not changes: cargo reading the sources, the app reading its templates.
                Ok(event) if matches!(event.kind, EventKind::Access(_)) => {}
                Ok(event) => {
                    let _ = raw.send(event.paths);
                }
                Err(error) => eprintln!("cargo servey dev: watching files failed: {error}"),
            }
        })
        .context("starting the file watcher")?;
        for path in self.code.iter().chain(&self.assets) {
            watcher
                .watch(path, RecursiveMode::Recursive)
                .with_context(|| format!("watching {}", path.display()))?;
        }
        let (send, receive) = unbounded_channel();
        let watched = self.clone();
        std::thread::Builder::new()
            .name("cargo-servey-watch".into())
            .spawn(move || {
                while let Some(paths) = next_quiet_batch(&batches) {
                    if let Some(change) = watched.classify(paths)
                        && send.send(change).is_err()
                    {
                        return;
                    }
                }
            })
            .context("starting the file watcher's thread")?;
        Ok((watcher, receive))
    }
}

/// The paths of the events from the next one until none came for [`QUIET`]; `None` once the watcher
/// is gone.
fn next_quiet_batch(batches: &Receiver<Vec<PathBuf>>) -> Option<Vec<PathBuf>> {
    let mut paths = batches.recv().ok()?;
    loop {
        match batches.recv_timeout(QUIET) {
            Ok(more) => paths.extend(more),
            Err(RecvTimeoutError::Timeout) => break,
            Err(RecvTimeoutError::Disconnected) => return None,
        }
    }
    paths.sort();
    paths.dedup();
    Some(paths)
}

/// `path`, absolute and with links resolved, as the watcher reports paths.
fn canonical(path: &Path) -> Result<PathBuf> {
    path.canonicalize()
        .with_context(|| format!("resolving {}", path.display()))
}

/// Files editors write beside the real one: swap files, backups, hidden temporaries.
fn is_editor_scratch(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy())
        .unwrap_or_default();
    name.starts_with('.') || name.ends_with('~') || name.ends_with(".swp") || name == "4913"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn watched() -> Watched {
        Watched {
            code: vec!["/app/src".into(), "/app/Cargo.toml".into()],
            assets: vec!["/app/templates".into(), "/app/static".into()],
        }
    }

    #[test]
    fn a_source_change_rebuilds_even_beside_a_template_change() {
        let change = watched().classify(vec![
            "/app/templates/home.j2".into(),
            "/app/src/main.rs".into(),
        ]);
        assert_eq!(change, Some(Change::Code(vec!["/app/src/main.rs".into()])));
        let manifest = watched().classify(vec!["/app/Cargo.toml".into()]);
        assert_eq!(manifest, Some(Change::Code(vec!["/app/Cargo.toml".into()])));
    }

    #[test]
    fn template_and_static_changes_alone_do_not_rebuild() {
        let change = watched().classify(vec![
            "/app/templates/home.j2".into(),
            "/app/static/site.css".into(),
        ]);
        assert_eq!(
            change,
            Some(Change::Assets(vec![
                "/app/templates/home.j2".into(),
                "/app/static/site.css".into()
            ]))
        );
    }

    #[test]
    fn editor_scratch_files_and_unwatched_paths_are_ignored() {
        let change = watched().classify(vec![
            "/app/src/.main.rs.swp".into(),
            "/app/src/main.rs~".into(),
            "/app/target/debug/app".into(),
        ]);
        assert_eq!(change, None);
    }
}
