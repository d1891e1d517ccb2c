//! The app being worked on, as `cargo metadata` describes it: its package, the binary that serves it,
//! and the directories `cargo servey dev` watches.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

/// One binary package of the workspace, the app that `dev` serves and the pass-through commands run.
#[derive(Debug, Clone)]
pub(crate) struct App {
    /// The package name, for `cargo build -p`.
    pub(crate) package: String,
    /// The binary target's name, for `--bin`.
    pub(crate) binary: String,
    /// The directory of the package's `Cargo.toml`.
    pub(crate) directory: PathBuf,
    /// The workspace's packages the app depends on by path (directly or through one another), by
    /// name and directory: their sources are the app's too.
    pub(crate) path_dependencies: Vec<(String, PathBuf)>,
}

#[derive(Debug, Deserialize)]
struct Metadata {
    packages: Vec<Package>,
    workspace_members: Vec<String>,
    workspace_root: PathBuf,
}

#[derive(Debug, Deserialize)]
struct Package {
    id: String,
    name: String,
    manifest_path: PathBuf,
    targets: Vec<Target>,
    #[serde(default)]
    dependencies: Vec<Dependency>,
}

#[derive(Debug, Deserialize)]
struct Dependency {
    /// `dev`, `build`, or none for a normal dependency.
    kind: Option<String>,
    /// Where a path dependency is.
    path: Option<PathBuf>,
}

impl Package {
    fn directory(&self) -> Option<&Path> {
        self.manifest_path.parent()
    }
}

#[derive(Debug, Deserialize)]
struct Target {
    name: String,
    kind: Vec<String>,
}

impl App {
    /// The app named `package`, or, without a name, the package whose directory holds the current
    /// one, or the workspace's only binary package.
    pub(crate) fn find(package: Option<&str>) -> Result<Self> {
        let output = Command::new(cargo())
            .args(["metadata", "--no-deps", "--format-version", "1"])
            .output()
            .context("running `cargo metadata`")?;
        if !output.status.success() {
            bail!(
                "`cargo metadata` failed (is there a Cargo.toml here or above?):\n{}",
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        let metadata: Metadata = serde_json::from_slice(&output.stdout)
            .context("reading the output of `cargo metadata`")?;
        let current = std::env::current_dir().context("reading the current directory")?;
        choose(metadata, package, &current)
    }
}

/// The package `wanted` names, or the one the current directory is in, or the only binary one.
fn choose(metadata: Metadata, wanted: Option<&str>, current: &Path) -> Result<App> {
    let workspace_root = metadata.workspace_root.clone();
    let members: Vec<Package> = metadata
        .packages
        .into_iter()
        .filter(|package| metadata.workspace_members.contains(&package.id))
        .collect();
    let binaries: Vec<(&Package, String)> = members
        .iter()
        .filter_map(|package| {
            let binary = package
                .targets
                .iter()
                .find(|target| target.kind.iter().any(|kind| kind == "bin"))?
                .name
                .clone();
            Some((package, binary))
        })
        .collect();
    let names = || {
        binaries
            .iter()
            .map(|(package, _)| package.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let chosen = match wanted {
        Some(name) => binaries
            .iter()
            .find(|(package, _)| package.name == name)
            .with_context(|| {
                format!(
                    "no package `{name}` with a binary in this workspace; its binary packages: {}",
                    names()
                )
            })?,
        None => {
            let containing = binaries.iter().find(|(package, _)| {
                package
                    .manifest_path
                    .parent()
                    .is_some_and(|directory| current.starts_with(directory))
            });
            match (containing, binaries.as_slice()) {
                (Some(found), _) => found,
                (None, [only]) => only,
                (None, []) => bail!("this workspace has no package with a binary to serve"),
                (None, _) => bail!(
                    "which app? name it with `-p PACKAGE`; this workspace's binary packages: {}",
                    names()
                ),
            }
        }
    };
    let (package, binary) = chosen;
    Ok(App {
        package: package.name.clone(),
        binary: binary.clone(),
        directory: package
            .directory()
            .map(Path::to_path_buf)
            .unwrap_or(workspace_root),
        path_dependencies: path_dependencies(package, &members),
    })
}

/// The `members` that `package` depends on by path, directly or through one another (not as a
/// dev-dependency: those are not in the binary).
fn path_dependencies(package: &Package, members: &[Package]) -> Vec<(String, PathBuf)> {
    let mut found: Vec<(String, PathBuf)> = Vec::new();
    let mut waiting = vec![package];
    while let Some(next) = waiting.pop() {
        let paths = next
            .dependencies
            .iter()
            .filter(|dependency| dependency.kind.as_deref() != Some("dev"))
            .filter_map(|dependency| dependency.path.as_deref());
        for path in paths {
            let Some(member) = members
                .iter()
                .find(|member| member.directory() == Some(path))
            else {
                continue;
            };
            if member.id != package.id && !found.iter().any(|(name, _)| *name == member.name) {
                found.push((member.name.clone(), path.to_path_buf()));
                waiting.push(member);
            }
        }
    }
    found.sort();
    found
}

/// The cargo that started this subcommand (`CARGO`), else the one on the `PATH`.
pub(crate) fn cargo() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metadata() -> Metadata {
        serde_json::from_value(serde_json::json!({
            "workspace_root": "/w",
            "workspace_members": ["a", "b", "lib", "core", "tools"],
            "packages": [
                {"id": "a", "name": "app-a", "manifest_path": "/w/a/Cargo.toml",
                 "targets": [{"name": "app-a", "kind": ["bin"]}],
                 "dependencies": [
                     {"kind": null, "path": "/w/lib"},
                     {"kind": "dev", "path": "/w/tools"},
                     {"kind": null, "path": null}
                 ]},
                {"id": "b", "name": "app-b", "manifest_path": "/w/b/Cargo.toml",
                 "targets": [{"name": "b-lib", "kind": ["lib"]}, {"name": "serve-b", "kind": ["bin"]}]},
                {"id": "lib", "name": "only-lib", "manifest_path": "/w/lib/Cargo.toml",
                 "targets": [{"name": "only-lib", "kind": ["lib"]}],
                 "dependencies": [{"kind": null, "path": "/w/core"}]},
                {"id": "core", "name": "core", "manifest_path": "/w/core/Cargo.toml",
                 "targets": [{"name": "core", "kind": ["lib"]}]},
                {"id": "tools", "name": "tools", "manifest_path": "/w/tools/Cargo.toml",
                 "targets": [{"name": "tools", "kind": ["lib"]}]}
            ]
        }))
        .expect("metadata")
    }

    #[test]
    fn a_named_package_is_chosen_with_its_binary() {
        let app = choose(metadata(), Some("app-b"), Path::new("/w")).expect("found");
        assert_eq!(
            (app.package.as_str(), app.binary.as_str()),
            ("app-b", "serve-b")
        );
        assert_eq!(app.directory, Path::new("/w/b"));
    }

    #[test]
    fn the_workspace_path_dependencies_are_found_through_one_another_but_not_dev_ones() {
        let app = choose(metadata(), Some("app-a"), Path::new("/w")).expect("found");
        assert_eq!(
            app.path_dependencies,
            [
                ("core".to_owned(), PathBuf::from("/w/core")),
                ("only-lib".to_owned(), PathBuf::from("/w/lib"))
            ]
        );
    }

    #[test]
    fn without_a_name_the_package_around_the_current_directory_is_chosen() {
        let app = choose(metadata(), None, Path::new("/w/a/src")).expect("found");
        assert_eq!(app.package, "app-a");
    }

    #[test]
    fn an_ambiguous_or_unknown_choice_names_the_candidates() {
        let ambiguous = choose(metadata(), None, Path::new("/w")).expect_err("two apps");
        assert_eq!(
            ambiguous.to_string(),
            "which app? name it with `-p PACKAGE`; this workspace's binary packages: app-a, app-b"
        );
        let unknown = choose(metadata(), Some("only-lib"), Path::new("/w")).expect_err("no binary");
        assert_eq!(
            unknown.to_string(),
            "no package `only-lib` with a binary in this workspace; its binary packages: app-a, app-b"
        );
    }
}
