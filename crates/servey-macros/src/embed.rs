//! `embed_dir!("templates")`: a directory of the app's crate (relative to its `Cargo.toml`) built into
//! the binary as a `servey::EmbeddedDir`, one `include_bytes!` per file, so that cargo rebuilds when a
//! file changes.

use std::path::{Path, PathBuf};

use proc_macro2::TokenStream;
use quote::quote;
use syn::LitStr;

/// The expansion for `input`, or the error pointing at it.
pub(crate) fn embed_dir(input: TokenStream) -> syn::Result<TokenStream> {
    let literal: LitStr = syn::parse2(input).map_err(|error| {
        syn::Error::new(
            error.span(),
            "`embed_dir!` takes a directory relative to the crate's Cargo.toml: `embed_dir!(\"templates\")`",
        )
    })?;
    let root = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_default();
    let dir = root.join(literal.value());
    if !dir.is_dir() {
        return Err(syn::Error::new(
            literal.span(),
            format!(
                "`{}` is not a directory next to the crate's Cargo.toml: create it, or name the \
                 directory, relative to Cargo.toml, that holds the files",
                literal.value()
            ),
        ));
    }
    let mut files = Vec::new();
    collect(&dir, &dir, &mut files).map_err(|message| syn::Error::new(literal.span(), message))?;
    files.sort();
    let entries = files.iter().map(|(name, path)| {
        let path = path.to_string_lossy();
        quote! { (#name, ::std::include_bytes!(#path)) }
    });
    Ok(quote! {
        ::servey::EmbeddedDir::new(&[#(#entries),*])
    })
}

/// Every file under `dir`, with its path relative to `root` (`/`-separated).
fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir)
        .map_err(|error| format!("cannot read {}: {error}", dir.display()))?;
    for entry in entries {
        let path = entry
            .map_err(|error| format!("cannot read {}: {error}", dir.display()))?
            .path();
        if path.is_dir() {
            collect(root, &path, files)?;
            continue;
        }
        let relative = path.strip_prefix(root).unwrap_or(&path);
        let name = relative
            .components()
            .map(|part| part.as_os_str().to_str())
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| format!("{} is not a UTF-8 name: rename it", path.display()))?
            .join("/");
        files.push((name, path));
    }
    Ok(())
}
