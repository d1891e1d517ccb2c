//! `cargo xtask docs` (and a step of `ci`): rustdoc for the workspace with every warning denied (broken
//! intra-doc links among them), and no doctest left out: a code block marked `ignore` anywhere in the
//! crates' sources or docs fails the task, so every example in the docs is compiled by `cargo test`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::{cargo, run};

/// What a doctest that is never compiled looks like in a fence's info string.
const IGNORED_FENCES: &[&str] = &["```ignore", "```rust,ignore", "```rust, ignore"];

/// Denies rustdoc warnings and ignored doctests.
pub(crate) fn docs(root: &Path) -> Result<()> {
    let ignored = ignored_doctests(&root.join("crates"))?;
    if !ignored.is_empty() {
        bail!(
            "doctests marked `ignore` are never compiled; make them compile (`no_run` where they would \
             serve):\n  {}",
            ignored.join("\n  ")
        );
    }
    run(cargo(root)
        .args(["doc", "--workspace", "--no-deps"])
        .env("RUSTDOCFLAGS", "-D warnings"))
}

/// `file:line` of every fence marked `ignore` in the `.rs` and `.md` files under `dir`.
fn ignored_doctests(dir: &Path) -> Result<Vec<String>> {
    let mut found = Vec::new();
    for file in files(dir)? {
        let text = std::fs::read_to_string(&file)
            .with_context(|| format!("reading {}", file.display()))?;
        for (index, line) in text.lines().enumerate() {
            let fence = line
                .trim_start()
                .trim_start_matches("//!")
                .trim_start_matches("///")
                .trim();
            if IGNORED_FENCES
                .iter()
                .any(|ignored| fence.starts_with(ignored))
            {
                found.push(format!("{}:{}", file.display(), index + 1));
            }
        }
    }
    Ok(found)
}

/// Every `.rs` and `.md` file under `dir`, outside `target/` and the UI tests' fixtures.
fn files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in
            std::fs::read_dir(&dir).with_context(|| format!("listing {}", dir.display()))?
        {
            let path = entry?.path();
            let name = path
                .file_name()
                .and_then(|name| name.to_str())
                .unwrap_or("");
            if path.is_dir() {
                if name != "target" && name != "ui" {
                    pending.push(path);
                }
            } else if name.ends_with(".rs") || name.ends_with(".md") {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}
