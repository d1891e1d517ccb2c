//! `cargo servey new NAME`: a new app crate, ready for `cargo servey dev` and `cargo test`: three
//! actions with examples (a GET, a POST, a page at `/`), its template and stylesheet, and a README
//! that says how to run and test it.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// The files of a new app, with `__APP_NAME__` and `__SERVEY_DEPENDENCY__` to fill in.
const SCAFFOLD: &[(&str, &str)] = &[
    ("Cargo.toml", include_str!("../scaffold/Cargo.toml.in")),
    ("README.md", include_str!("../scaffold/README.md.in")),
    ("src/main.rs", include_str!("../scaffold/src/main.rs.in")),
    (
        "templates/home.j2",
        include_str!("../scaffold/templates/home.j2"),
    ),
    (
        "static/site.css",
        include_str!("../scaffold/static/site.css"),
    ),
    (".gitignore", "/target\n"),
];

/// Where the new app's servey comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ServeySource {
    /// A checkout: the `servey` crate's directory, and the checkout's `Cargo.lock` when it has one.
    Path {
        /// The directory of servey's `Cargo.toml`.
        crate_directory: PathBuf,
        /// The checkout's lock file, copied so the app builds with the versions servey is tested with.
        lock_file: Option<PathBuf>,
    },
    /// crates.io, at this version requirement.
    Version(String),
}

/// What the new app asks of servey's cargo features.
#[derive(Debug, Clone, Default)]
pub(crate) struct Features {
    /// Without servey's default features.
    pub(crate) no_default: bool,
    /// servey's features to turn on.
    pub(crate) wanted: Vec<String>,
}

impl ServeySource {
    /// The checkout at `directory` (its root, or its `crates/servey`).
    pub(crate) fn checkout(directory: &Path) -> Result<Self> {
        let crate_directory = if directory.join("crates/servey/Cargo.toml").is_file() {
            directory.join("crates/servey")
        } else if is_servey_crate(directory) {
            directory.to_path_buf()
        } else {
            bail!(
                "{} is not a servey checkout (no crates/servey/Cargo.toml, and not the servey crate itself)",
                directory.display()
            );
        };
        let crate_directory = crate_directory
            .canonicalize()
            .with_context(|| format!("resolving {}", crate_directory.display()))?;
        let lock_file = crate_directory
            .ancestors()
            .nth(2)
            .map(|root| root.join("Cargo.lock"))
            .filter(|lock| lock.is_file());
        Ok(Self::Path {
            crate_directory,
            lock_file,
        })
    }

    /// The checkout around `directory` (it or one of its parents), if any.
    pub(crate) fn around(directory: &Path) -> Option<Self> {
        directory
            .ancestors()
            .find(|ancestor| ancestor.join("crates/servey/Cargo.toml").is_file())
            .and_then(|root| Self::checkout(root).ok())
    }

    /// The dependency line of `Cargo.toml`: `{ path = "...", ... }` or `{ version = "...", ... }`.
    fn dependency(&self, features: &Features) -> String {
        let mut parts = vec![match self {
            Self::Path {
                crate_directory, ..
            } => format!("path = {:?}", crate_directory.display().to_string()),
            Self::Version(version) => format!("version = {version:?}"),
        }];
        if features.no_default {
            parts.push("default-features = false".to_owned());
        }
        if !features.wanted.is_empty() {
            let wanted: Vec<String> = features.wanted.iter().map(|f| format!("{f:?}")).collect();
            parts.push(format!("features = [{}]", wanted.join(", ")));
        }
        format!("{{ {} }}", parts.join(", "))
    }
}

/// Whether `directory` holds the `servey` crate itself.
fn is_servey_crate(directory: &Path) -> bool {
    std::fs::read_to_string(directory.join("Cargo.toml")).is_ok_and(|manifest| {
        manifest
            .lines()
            .any(|line| line.trim() == "name = \"servey\"")
    })
}

/// Creates the app `name` in `parent/name`; the directory created.
pub(crate) fn create(
    parent: &Path,
    name: &str,
    source: &ServeySource,
    features: &Features,
) -> Result<PathBuf> {
    check_name(name)?;
    let directory = parent.join(name);
    if directory.exists() {
        bail!(
            "{} already exists; pick another name or remove it",
            directory.display()
        );
    }
    let dependency = source.dependency(features);
    for (path, text) in SCAFFOLD {
        let file = directory.join(path);
        if let Some(folder) = file.parent() {
            std::fs::create_dir_all(folder)
                .with_context(|| format!("creating {}", folder.display()))?;
        }
        let text = text
            .replace("__APP_NAME__", name)
            .replace("__SERVEY_DEPENDENCY__", &dependency);
        std::fs::write(&file, text).with_context(|| format!("writing {}", file.display()))?;
    }
    if let ServeySource::Path {
        lock_file: Some(lock),
        ..
    } = source
    {
        // Cargo keeps what the app uses from it and resolves the rest.
        std::fs::copy(lock, directory.join("Cargo.lock"))
            .with_context(|| format!("copying {}", lock.display()))?;
    }
    Ok(directory)
}

/// A name cargo accepts for a package (and a directory).
fn check_name(name: &str) -> Result<()> {
    let is_valid = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && name.starts_with(|c: char| c.is_ascii_alphabetic());
    if !is_valid {
        bail!(
            "`{name}` cannot name a package: use letters, digits, `-` and `_`, starting with a letter"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dependency_line_carries_the_source_and_the_features() {
        let source = ServeySource::Version("0.1".to_owned());
        assert_eq!(
            source.dependency(&Features::default()),
            r#"{ version = "0.1" }"#
        );
        let source = ServeySource::Path {
            crate_directory: "/src/servey/crates/servey".into(),
            lock_file: None,
        };
        let features = Features {
            no_default: true,
            wanted: vec!["web".to_owned()],
        };
        assert_eq!(
            source.dependency(&features),
            r#"{ path = "/src/servey/crates/servey", default-features = false, features = ["web"] }"#
        );
    }

    #[test]
    fn names_cargo_refuses_are_refused_with_the_rule() {
        assert!(check_name("my-app_2").is_ok());
        let error = check_name("2app").expect_err("starts with a digit");
        assert_eq!(
            error.to_string(),
            "`2app` cannot name a package: use letters, digits, `-` and `_`, starting with a letter"
        );
        assert!(check_name("a/b").is_err());
    }
}
