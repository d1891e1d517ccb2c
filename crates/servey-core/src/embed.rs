//! Files built into the binary (`servey::embed_dir!`): an app's templates and static files travel with
//! it, so a container, a Lambda package or a binary started from any directory serves its pages.

/// A directory's files, built into the binary: each path relative to the directory (with `/`), sorted,
/// and its bytes.
#[derive(Clone, Copy)]
pub struct EmbeddedDir {
    files: &'static [(&'static str, &'static [u8])],
}

impl EmbeddedDir {
    /// The files `files`, sorted by path (as `embed_dir!` writes them).
    pub const fn new(files: &'static [(&'static str, &'static [u8])]) -> Self {
        Self { files }
    }

    /// The bytes of the file at `path` (relative, `/`-separated), if there is one.
    pub fn get(&self, path: &str) -> Option<&'static [u8]> {
        self.files
            .binary_search_by(|(name, _)| (*name).cmp(path))
            .ok()
            .map(|found| self.files[found].1)
    }

    /// Every file's path, in order.
    pub fn paths(&self) -> impl Iterator<Item = &'static str> {
        self.files.iter().map(|(name, _)| *name)
    }
}

impl std::fmt::Debug for EmbeddedDir {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.paths()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_found_by_their_relative_path() {
        static FILES: &[(&str, &[u8])] = &[("a.j2", b"A"), ("css/site.css", b"body{}"), ("z", b"")];
        let dir = EmbeddedDir::new(FILES);
        assert_eq!(dir.get("css/site.css"), Some(&b"body{}"[..]));
        assert_eq!(dir.get("a.j2"), Some(&b"A"[..]));
        assert_eq!(dir.get("missing"), None);
        assert_eq!(dir.get("/a.j2"), None, "paths are relative");
        assert_eq!(
            dir.paths().collect::<Vec<_>>(),
            ["a.j2", "css/site.css", "z"]
        );
    }
}
