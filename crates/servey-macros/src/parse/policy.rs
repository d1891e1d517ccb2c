//! The policy keys of `#[action(..)]`: `rate_limit`, `cache_control` and `access_control`, each a path
//! with optional arguments in parentheses.

use proc_macro2::TokenStream;
use syn::meta::ParseNestedMeta;
use syn::parse::{ParseStream, Parser};
use syn::{Error, LitStr, Path, token};

use super::Errors;
use super::attribute::Arguments;
use super::keys::{self, Key};
use crate::model::{AccessModel, CacheModel};

const RATE_LIMITS: &str = "a rate: `per_second(N)`, `per_minute(N)` or `per_hour(N)`";

/// `rate_limit = per_minute(60)`: calls per period, per caller.
pub(super) fn rate_limit(
    meta: &ParseNestedMeta<'_>,
    args: &mut Arguments,
    _: &mut Errors,
) -> syn::Result<()> {
    let input = keys::expect_eq(meta, "rate_limit = per_minute(60)")?;
    let (path, content) = policy(input, RATE_LIMITS)?;
    let word = path
        .get_ident()
        .map(ToString::to_string)
        .unwrap_or_default();
    let periods = [("per_second", 1), ("per_minute", 60), ("per_hour", 3600)];
    let Some((_, period)) = periods.iter().find(|(name, _)| *name == word) else {
        let hint = keys::closest(&word, periods.iter().map(|(name, _)| *name));
        return Err(Error::new_spanned(
            &path,
            format!("unknown rate `{word}`{hint}; expected {RATE_LIMITS}"),
        ));
    };
    let Some(content) = content else {
        return Err(Error::new_spanned(
            &path,
            format!("`{word}` takes the number of calls: write `{word}(60)`"),
        ));
    };
    let count = syn::parse2::<syn::LitInt>(content.clone())
        .ok()
        .and_then(|literal| literal.base10_parse::<u32>().ok())
        .filter(|count| *count > 0)
        .ok_or_else(|| {
            Error::new_spanned(
                &content,
                format!("`{word}` takes a whole number of calls from 1 up: write `{word}(60)`"),
            )
        })?;
    args.rate_limit = Some((count, *period));
    Ok(())
}

/// A policy as written after `=`: a path, and what is in the parentheses after it if any (`ttl(30)`),
/// taken whole so that a mistake inside them is reported once.
fn policy(input: ParseStream<'_>, expected: &str) -> syn::Result<(Path, Option<TokenStream>)> {
    let path = input
        .parse::<Path>()
        .map_err(|error| Error::new(error.span(), format!("expected {expected}")))?;
    if !input.peek(token::Paren) {
        return Ok((path, None));
    }
    let content;
    syn::parenthesized!(content in input);
    Ok((path, Some(content.parse()?)))
}

const CACHE_POLICIES: &str = "a cache policy: `ttl(SECONDS)`, `etag`, `last_modified(\"field\")` or a type implementing `CacheControl + Default`";

pub(super) fn cache_control(
    meta: &ParseNestedMeta<'_>,
    args: &mut Arguments,
    errors: &mut Errors,
) -> syn::Result<()> {
    let input = keys::expect_eq(meta, "cache_control = ttl(30)")?;
    let (path, arguments) = policy(input, CACHE_POLICIES)?;
    let word = path.get_ident().map(ToString::to_string);
    args.cache_control = Some(match (word.as_deref(), arguments) {
        (Some("ttl"), Some(arguments)) => {
            (|input: ParseStream<'_>| ttl(input, errors)).parse2(arguments)?
        }
        (Some("last_modified"), Some(arguments)) => {
            let field = syn::parse2::<LitStr>(arguments).map_err(|error| {
                Error::new(
                    error.span(),
                    "`last_modified` takes the result field that holds the date: `last_modified(\"updated_at\")`",
                )
            })?;
            CacheModel::LastModified(field.value())
        }
        (Some(word @ ("ttl" | "last_modified")), None) => {
            return Err(Error::new_spanned(
                &path,
                format!("`{word}` needs an argument: `ttl(30)` or `last_modified(\"updated_at\")`"),
            ));
        }
        (Some("etag"), None) => CacheModel::ETag,
        (_, None) => CacheModel::Custom(path),
        (_, Some(_)) => {
            return Err(Error::new_spanned(
                &path,
                format!(
                    "expected {CACHE_POLICIES}; a custom policy is built with `Default`, so it takes no arguments"
                ),
            ));
        }
    });
    Ok(())
}

struct TtlOptions {
    server_cache: bool,
}

const TTL_KEYS: &[Key<TtlOptions>] = &[Key {
    name: "server_cache",
    repeatable: false,
    parse: |meta, options, _| {
        options.server_cache = keys::boolean(meta, "server_cache = false")?;
        Ok(())
    },
}];

/// `ttl(30)` or `ttl(30, server_cache = false)`.
fn ttl(arguments: ParseStream<'_>, errors: &mut Errors) -> syn::Result<CacheModel> {
    let seconds = keys::seconds(arguments, "ttl", "ttl(30)")?;
    let mut options = TtlOptions { server_cache: true };
    if !arguments.is_empty() {
        arguments.parse::<syn::Token![,]>()?;
        keys::parse_list(
            arguments.parse()?,
            "`ttl` option",
            TTL_KEYS,
            &mut options,
            errors,
        );
    }
    Ok(CacheModel::Ttl {
        seconds,
        server_cache: options.server_cache,
    })
}

const ACCESS_POLICIES: &str =
    "an access policy: `scope(\"name\")` or a type implementing `AccessControl + Default`";

pub(super) fn access_control(
    meta: &ParseNestedMeta<'_>,
    args: &mut Arguments,
    _: &mut Errors,
) -> syn::Result<()> {
    let input = keys::expect_eq(meta, "access_control = scope(\"name\")")?;
    let (path, arguments) = policy(input, ACCESS_POLICIES)?;
    args.access_control = Some(match (path.is_ident("scope"), arguments) {
        (true, Some(arguments)) => {
            let scope = syn::parse2::<LitStr>(arguments).map_err(|error| {
                Error::new(
                    error.span(),
                    "`scope` takes the scope's name: `scope(\"root\")`",
                )
            })?;
            AccessModel::Scope(scope.value())
        }
        (true, None) => {
            return Err(Error::new_spanned(
                &path,
                "`scope` needs the scope's name: `scope(\"root\")`",
            ));
        }
        (false, None) => AccessModel::Custom(path),
        (false, Some(_)) => {
            return Err(Error::new_spanned(
                &path,
                format!(
                    "expected {ACCESS_POLICIES}; a custom policy is built with `Default`, so it takes no arguments"
                ),
            ));
        }
    });
    Ok(())
}
