//! `key = value, key(..)` lists through syn's `parse_nested_meta`, driven by a table of [`Key`]s so that
//! each key is named in one place. Unknown and repeated keys are reported, and parsing goes on after a
//! bad value so that every mistake in the list is reported at once.

use proc_macro2::{TokenStream, TokenTree};
use syn::meta::ParseNestedMeta;
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Error, LitBool, LitInt, LitStr, Token};

use super::Errors;

/// One key of a list: its name, how it is written (for messages), and how its value is read into `T`.
pub(super) struct Key<T> {
    pub(super) name: &'static str,
    /// Whether the key may be given more than once (`example`).
    pub(super) repeatable: bool,
    pub(super) parse: fn(&ParseNestedMeta<'_>, &mut T, &mut Errors) -> syn::Result<()>,
}

/// The names of `keys`, for "expected one of" messages.
pub(super) fn names<T>(keys: &[Key<T>]) -> String {
    keys.iter()
        .map(|key| key.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads a `key = value, ..` list (the attribute's own arguments, or what follows a positional one).
pub(super) fn parse_list<T>(
    tokens: TokenStream,
    what: &str,
    keys: &[Key<T>],
    target: &mut T,
    errors: &mut Errors,
) {
    if let Err(error) = syn::meta::parser(entries(what, keys, target, errors)).parse2(tokens) {
        errors.push(error);
    }
}

/// The callback for `parse_nested_meta` that reads each entry of a list through `keys` into `target`;
/// `what` names an entry in messages ("attribute key", "example key").
pub(super) fn entries<'a, T>(
    what: &'a str,
    keys: &'a [Key<T>],
    target: &'a mut T,
    errors: &'a mut Errors,
) -> impl FnMut(ParseNestedMeta<'_>) -> syn::Result<()> + 'a {
    let mut seen = Vec::new();
    move |meta| each_key(meta, what, keys, &mut seen, target, errors)
}

fn each_key<T>(
    meta: ParseNestedMeta<'_>,
    what: &str,
    keys: &[Key<T>],
    seen: &mut Vec<&'static str>,
    target: &mut T,
    errors: &mut Errors,
) -> syn::Result<()> {
    let name = meta
        .path
        .get_ident()
        .map(ToString::to_string)
        .unwrap_or_default();
    let Some(key) = keys.iter().find(|key| key.name == name) else {
        let written = quote::ToTokens::to_token_stream(&meta.path).to_string();
        let hint = closest(&written, keys.iter().map(|key| key.name));
        errors.push(Error::new_spanned(
            &meta.path,
            format!(
                "unknown {what} `{written}`{hint}; expected one of {}",
                names(keys)
            ),
        ));
        return skip_value(meta.input);
    };
    if !key.repeatable {
        if seen.contains(&key.name) {
            errors.push(Error::new_spanned(
                &meta.path,
                format!("`{name}` is given twice; remove one"),
            ));
        }
        seen.push(key.name);
    }
    if let Err(error) = (key.parse)(&meta, target, errors) {
        errors.push(error);
        return skip_value(meta.input);
    }
    Ok(())
}

/// Skips what is left of a bad entry, up to the next `,` of the list, so the next entries are still read.
pub(super) fn skip_value(input: ParseStream<'_>) -> syn::Result<()> {
    input.step(|cursor| {
        let mut rest = *cursor;
        while let Some((tree, next)) = rest.token_tree() {
            if matches!(&tree, TokenTree::Punct(punct) if punct.as_char() == ',') {
                return Ok(((), rest));
            }
            rest = next;
        }
        Ok(((), rest))
    })
}

/// The tokens of `key = <value>` up to the next `,` (a JSON value, written inline).
pub(super) fn value_tokens(meta: &ParseNestedMeta<'_>, form: &str) -> syn::Result<TokenStream> {
    let input = expect_eq(meta, form)?;
    let tokens = input.step(|cursor| {
        let mut tokens = TokenStream::new();
        let mut rest = *cursor;
        while let Some((tree, next)) = rest.token_tree() {
            if matches!(&tree, TokenTree::Punct(punct) if punct.as_char() == ',') {
                break;
            }
            tokens.extend([tree]);
            rest = next;
        }
        Ok((tokens, rest))
    })?;
    if tokens.is_empty() {
        return Err(meta.error(format!("expected a value: write `{form}`")));
    }
    Ok(tokens)
}

/// The stream after `key =`, or an error that shows how the key is written.
pub(super) fn expect_eq<'a>(
    meta: &'a ParseNestedMeta<'_>,
    form: &str,
) -> syn::Result<ParseStream<'a>> {
    if meta.input.peek(Token![=]) {
        meta.value()
    } else {
        Err(meta.error(format!("expected `=`: write `{form}`")))
    }
}

/// `key = "text"`.
pub(super) fn string(meta: &ParseNestedMeta<'_>, form: &str) -> syn::Result<LitStr> {
    let input = expect_eq(meta, form)?;
    input
        .parse::<LitStr>()
        .map_err(|error| Error::new(error.span(), format!("expected a string: write `{form}`")))
}

/// `key = ["a", "b"]`: a list of strings, maybe empty.
pub(super) fn strings(meta: &ParseNestedMeta<'_>, form: &str) -> syn::Result<Vec<LitStr>> {
    let input = expect_eq(meta, form)?;
    let expected = |span| Error::new(span, format!("expected a list of strings: write `{form}`"));
    if !input.peek(syn::token::Bracket) {
        return Err(expected(input.span()));
    }
    let list;
    syn::bracketed!(list in input);
    match Punctuated::<LitStr, Token![,]>::parse_terminated(&list) {
        Ok(strings) => Ok(strings.into_iter().collect()),
        Err(error) => {
            // The rest is consumed so that syn does not report it again as "unexpected token".
            let _ = list.parse::<TokenStream>();
            Err(expected(error.span()))
        }
    }
}

/// A bare `key`, or `key = true | false`.
pub(super) fn flag(meta: &ParseNestedMeta<'_>, name: &str) -> syn::Result<bool> {
    if meta.input.is_empty() || meta.input.peek(Token![,]) {
        return Ok(true);
    }
    boolean(meta, &format!("{name}` or `{name} = true"))
}

/// `key = true | false`.
pub(super) fn boolean(meta: &ParseNestedMeta<'_>, form: &str) -> syn::Result<bool> {
    let input = expect_eq(meta, form)?;
    input
        .parse::<LitBool>()
        .map(|literal| literal.value)
        .map_err(|error| {
            Error::new(
                error.span(),
                format!("expected `true` or `false`: write `{form}`"),
            )
        })
}

/// A whole number of seconds, at least 1, read from `input`; `what` names it in messages.
pub(super) fn seconds(input: ParseStream<'_>, what: &str, form: &str) -> syn::Result<u64> {
    let literal = input.parse::<LitInt>().map_err(|error| {
        Error::new(
            error.span(),
            format!("`{what}` takes a whole number of seconds: write `{form}`"),
        )
    })?;
    match literal.base10_parse::<u64>() {
        Ok(0) => Err(Error::new(
            literal.span(),
            format!("`{what}` must be at least 1 second"),
        )),
        Ok(seconds) => Ok(seconds),
        Err(_) => Err(Error::new(
            literal.span(),
            format!("`{what}` is too large for a number of seconds; write one like `{form}`"),
        )),
    }
}

/// ` (did you mean `x`?)` when a known word is one or two edits away.
pub(super) fn closest<'a>(word: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    known
        .into_iter()
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
