//! Token helpers: splitting at top-level commas, `key = value` lists, numbers, and "did you mean".

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use syn::{Error, Ident, LitInt};

use super::Errors;

pub(super) fn positive_int(value: TokenStream, what: &str) -> Result<u64, Error> {
    let literal = syn::parse2::<LitInt>(value.clone()).map_err(|_| {
        Error::new_spanned(
            &value,
            format!("`{what}` takes a whole number of seconds, like `{what}(30)`"),
        )
    })?;
    match literal.base10_parse::<u64>()? {
        0 => Err(Error::new(
            literal.span(),
            format!("`{what}` must be at least 1 second"),
        )),
        n => Ok(n),
    }
}

pub(super) fn comma() -> Option<TokenTree> {
    Some(TokenTree::Punct(proc_macro2::Punct::new(
        ',',
        proc_macro2::Spacing::Alone,
    )))
}

/// Splits at top-level commas (groups are single trees, so their commas do not count).
pub(super) fn split_commas(tokens: TokenStream) -> Vec<Vec<TokenTree>> {
    let mut chunks = vec![Vec::new()];
    for tree in tokens {
        match &tree {
            TokenTree::Punct(punct) if punct.as_char() == ',' => chunks.push(Vec::new()),
            _ => chunks.last_mut().expect("starts with one chunk").push(tree),
        }
    }
    chunks.retain(|chunk| !chunk.is_empty());
    chunks
}

/// `key = value` pairs, each key one of `allowed`.
pub(super) fn key_values(
    tokens: TokenStream,
    allowed: &[&str],
) -> Result<Vec<(Ident, TokenStream)>, Error> {
    let mut pairs = Vec::new();
    let mut errors = Errors::default();
    for chunk in split_commas(tokens) {
        let Some(TokenTree::Ident(key)) = chunk.first() else {
            errors.push(Error::new(
                chunk[0].span(),
                format!(
                    "expected `key = value` with a key among {}",
                    allowed.join(", ")
                ),
            ));
            continue;
        };
        if !allowed.contains(&key.to_string().as_str()) {
            let hint = closest(&key.to_string(), allowed);
            errors.push(Error::new(
                key.span(),
                format!(
                    "unknown key `{key}`{hint}; expected one of {}",
                    allowed.join(", ")
                ),
            ));
            continue;
        }
        if let Some(value) = errors.ok(value_after_eq(&chunk, key)) {
            pairs.push((key.clone(), value));
        }
    }
    errors.finish().map(|()| pairs)
}

pub(super) fn value_after_eq(chunk: &[TokenTree], key: &Ident) -> Result<TokenStream, Error> {
    match chunk.get(1) {
        Some(TokenTree::Punct(eq)) if eq.as_char() == '=' && chunk.len() > 2 => {
            Ok(chunk[2..].iter().cloned().collect())
        }
        _ => Err(Error::new(key.span(), format!("expected `{key} = ..`"))),
    }
}

pub(super) fn single_group(
    rest: &[TokenTree],
    key: &Ident,
    delimiter: Delimiter,
    hint: &str,
) -> Result<TokenStream, Error> {
    match rest {
        [TokenTree::Group(group)] if group.delimiter() == delimiter => Ok(group.stream()),
        _ => Err(Error::new(key.span(), hint.to_owned())),
    }
}

pub(super) fn single_group_stream(
    value: &TokenStream,
    key: &Ident,
    delimiter: Delimiter,
    hint: &str,
) -> Result<TokenStream, Error> {
    let trees: Vec<TokenTree> = value.clone().into_iter().collect();
    single_group(&trees, key, delimiter, hint)
}

/// `; did you mean `x`?` when a known word is one or two edits away.
pub(super) fn closest(word: &str, known: &[&str]) -> String {
    known
        .iter()
        .map(|candidate| (edit_distance(word, candidate), candidate))
        .filter(|(distance, _)| *distance <= 2)
        .min()
        .map(|(_, candidate)| format!(" (did you mean `{candidate}`?)"))
        .unwrap_or_default()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = (previous + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(current + 1);
            previous = current;
        }
    }
    row[b.len()]
}
