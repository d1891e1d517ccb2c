//! The `#[action(..)]` arguments: each key is named once, in [`KEYS`], with the function that reads it.
//! Checks that involve several keys or the signature are in `parse/mod.rs`.

use proc_macro2::{Span, TokenStream};
use syn::meta::ParseNestedMeta;
use syn::{Error, Path, token};

use super::keys::{self, Key};
use super::policy::{access_control, cache_control, rate_limit};
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
    /// `deny_unknown_fields` (`= false`): whether input keys the action does not declare are refused.
    pub(super) deny_unknown_fields: Option<bool>,
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
        name: "deny_unknown_fields",
        repeatable: false,
        parse: deny_unknown_fields,
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

/// `deny_unknown_fields` alone is `true`; `deny_unknown_fields = false` opts out of an app that refuses.
fn deny_unknown_fields(
    meta: &ParseNestedMeta<'_>,
    args: &mut Arguments,
    _: &mut Errors,
) -> syn::Result<()> {
    let deny = match meta.input.peek(token::Eq) {
        true => keys::boolean(meta, "deny_unknown_fields` or `deny_unknown_fields = false")?,
        false => true,
    };
    args.deny_unknown_fields = Some(deny);
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
