//! The `#[action(..)]` arguments: each key is named once, in [`KEYS`], with the function that reads it.
//! Checks that involve several keys or the signature are in `parse/mod.rs`.

use proc_macro2::{Span, TokenStream};
use syn::meta::ParseNestedMeta;
use syn::parse::{ParseStream, Parser};
use syn::{Error, LitStr, Path, token};

use super::keys::{self, Key};
use super::{Errors, example, response, tags, trigger};
use crate::model::{AccessModel, CacheModel, ExampleModel, TriggerModel};

/// The arguments as written, before they are checked against each other and the signature.
#[derive(Default)]
pub(super) struct Arguments {
    pub(super) name: Option<(String, Span)>,
    pub(super) triggers: Vec<TriggerModel>,
    pub(super) examples: Vec<ExampleModel>,
    pub(super) cache_control: Option<CacheModel>,
    pub(super) access_control: Option<AccessModel>,
    pub(super) timeout: Option<(u64, Span)>,
    pub(super) blocking: Option<(bool, Span)>,
    pub(super) rate_limit: Option<(u32, u64)>,
    pub(super) status: Option<u16>,
    /// The header names, and where `headers` is written.
    pub(super) headers: Option<(Vec<String>, Span)>,
    /// `errors = [404]`: the error statuses to document.
    pub(super) errors: Vec<u16>,
    /// `tags = ["shop"]`: the groups to list the action under.
    pub(super) tags: Vec<String>,
    /// `batch = Self::factorials`: a nested action's batch form.
    pub(super) batch: Option<Path>,
}

const KEYS: &[Key<Arguments>] = &[
    Key {
        name: "name",
        repeatable: false,
        parse: name,
    },
    Key {
        name: "triggers",
        repeatable: false,
        parse: triggers,
    },
    Key {
        name: "example",
        repeatable: true,
        parse: example,
    },
    Key {
        name: "cache_control",
        repeatable: false,
        parse: cache_control,
    },
    Key {
        name: "access_control",
        repeatable: false,
        parse: access_control,
    },
    Key {
        name: "timeout",
        repeatable: false,
        parse: timeout,
    },
    Key {
        name: "blocking",
        repeatable: false,
        parse: blocking,
    },
    Key {
        name: "rate_limit",
        repeatable: false,
        parse: rate_limit,
    },
    Key {
        name: "status",
        repeatable: false,
        parse: response::status,
    },
    Key {
        name: "headers",
        repeatable: false,
        parse: response::headers,
    },
    Key {
        name: "errors",
        repeatable: false,
        parse: response::errors,
    },
    Key {
        name: "tags",
        repeatable: false,
        parse: tags::tags,
    },
    Key {
        name: "batch",
        repeatable: false,
        parse: super::batch::key,
    },
];

/// Reads the attribute's arguments; every mistake goes to `errors`.
pub(super) fn parse(tokens: TokenStream, errors: &mut Errors) -> Arguments {
    let mut arguments = Arguments::default();
    keys::parse_list(tokens, "attribute key", KEYS, &mut arguments, errors);
    arguments
}

fn name(meta: &ParseNestedMeta<'_>, args: &mut Arguments, errors: &mut Errors) -> syn::Result<()> {
    let literal = keys::string(meta, "name = \"snake_case_name\"")?;
    let name = literal.value();
    match name_problem(&name) {
        Some(problem) => errors.push(Error::new(literal.span(), problem)),
        None => args.name = Some((name, literal.span())),
    }
    Ok(())
}

/// Why `name` cannot name an action, if it cannot: it becomes a path segment, a GraphQL field and part of
/// generated Rust names, so it is a snake_case identifier.
fn name_problem(name: &str) -> Option<String> {
    let is_snake_case = name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if is_snake_case && syn::parse_str::<syn::Ident>(name).is_ok() {
        return None;
    }
    let rule =
        "a snake_case identifier (lowercase letters, digits and `_`, not starting with a digit)";
    if name.is_empty() {
        return Some(format!(
            "an action name cannot be empty: use {rule}, like `say_hello`"
        ));
    }
    if is_snake_case && name != "_" {
        return Some(format!(
            "`{name}` is a Rust keyword, and an action name becomes part of generated Rust names; try `{name}_action`"
        ));
    }
    let suggestion = match snake_case(name) {
        snake if snake.is_empty() => "say_hello".to_owned(),
        snake if syn::parse_str::<syn::Ident>(&snake).is_err() => format!("{snake}_action"),
        snake => snake,
    };
    Some(format!(
        "`{name}` cannot name an action: use {rule}, like `{suggestion}`"
    ))
}

/// `SayHello`, `say-hello` and `say hello` all become `say_hello`.
fn snake_case(name: &str) -> String {
    let mut snake = String::new();
    let mut previous_is_lower = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && previous_is_lower {
                snake.push('_');
            }
            snake.push(c.to_ascii_lowercase());
            previous_is_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        } else if !snake.is_empty() && !snake.ends_with('_') {
            snake.push('_');
            previous_is_lower = false;
        }
    }
    let snake = snake.trim_end_matches('_').to_owned();
    if snake.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{snake}")
    } else {
        snake
    }
}

fn triggers(
    meta: &ParseNestedMeta<'_>,
    args: &mut Arguments,
    errors: &mut Errors,
) -> syn::Result<()> {
    let input = keys::expect_eq(meta, "triggers = [web_get]")?;
    if !input.peek(token::Bracket) {
        return Err(input.error("write triggers as a list: `triggers = [web_get]`"));
    }
    let list;
    syn::bracketed!(list in input);
    trigger::parse_list(&list, &mut args.triggers, errors);
    Ok(())
}

fn example(
    meta: &ParseNestedMeta<'_>,
    args: &mut Arguments,
    errors: &mut Errors,
) -> syn::Result<()> {
    if !meta.input.peek(token::Paren) {
        return Err(meta.error("write examples as `example(params = {..}, result = ..)`"));
    }
    if let Some(parsed) = example::parse(meta, errors) {
        args.examples.push(parsed);
    }
    Ok(())
}

fn timeout(meta: &ParseNestedMeta<'_>, args: &mut Arguments, _: &mut Errors) -> syn::Result<()> {
    let input = keys::expect_eq(meta, "timeout = 5")?;
    args.timeout = Some((
        keys::seconds(input, "timeout", "timeout = 5")?,
        meta.path.segments[0].ident.span(),
    ));
    Ok(())
}

fn blocking(meta: &ParseNestedMeta<'_>, args: &mut Arguments, _: &mut Errors) -> syn::Result<()> {
    let value = keys::boolean(meta, "blocking = true")?;
    args.blocking = Some((value, meta.path.segments[0].ident.span()));
    Ok(())
}

const RATE_LIMITS: &str = "a rate: `per_second(N)`, `per_minute(N)` or `per_hour(N)`";

/// `rate_limit = per_minute(60)`: calls per period, per caller.
fn rate_limit(meta: &ParseNestedMeta<'_>, args: &mut Arguments, _: &mut Errors) -> syn::Result<()> {
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

fn cache_control(
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

fn access_control(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_snake_case_identifiers() {
        assert_eq!(name_problem("say_hello"), None);
        assert_eq!(name_problem("_private2"), None);
        for (bad, suggestion) in [
            ("say-hello", "`say_hello`"),
            ("SayHello", "`say_hello`"),
            ("2fa code", "`_2fa_code`"),
            ("type", "`type_action`"),
            ("_", "like `say_hello`"),
            ("", "like `say_hello`"),
        ] {
            let problem = name_problem(bad).unwrap_or_default();
            assert!(problem.contains(suggestion), "{bad:?}: {problem}");
        }
    }
}
