//! `example(name = "..", description = "..", params = {..}, result = .., include_in_tests = false,
//! as = "..", scopes = [..], anonymous, partial)`, with the JSON written inline and checked here so that
//! a typo is reported on the user's tokens.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use syn::Error;
use syn::meta::ParseNestedMeta;

use super::Errors;
use super::keys::{self, Key};
use crate::json;
use crate::model::ExampleModel;

struct Example {
    model: ExampleModel,
    has_result: bool,
    /// Whether `as` or `scopes` was given, to refuse them beside `anonymous`.
    has_caller: bool,
}

const EXAMPLE_KEYS: &[Key<Example>] = &[
    Key {
        name: "name",
        repeatable: false,
        parse: read_name,
    },
    Key {
        name: "description",
        repeatable: false,
        parse: |meta, example, _| {
            example.model.description = Some(keys::string(meta, "description = \"..\"")?.value());
            Ok(())
        },
    },
    Key {
        name: "params",
        repeatable: false,
        parse: read_params,
    },
    Key {
        name: "result",
        repeatable: false,
        parse: |meta, example, _| {
            let value = keys::value_tokens(meta, "result = \"Hello Developer!\"")?;
            json::check_value(&value)?;
            example.model.result = value;
            example.has_result = true;
            Ok(())
        },
    },
    Key {
        name: "include_in_tests",
        repeatable: false,
        parse: |meta, example, _| {
            example.model.include_in_tests = keys::boolean(meta, "include_in_tests = false")?;
            Ok(())
        },
    },
    Key {
        name: "as",
        repeatable: false,
        parse: |meta, example, _| {
            let caller = keys::string(meta, "as = \"user-1\"")?.value();
            example.caller_beside_anonymous(meta)?;
            example.model.caller = Some(caller);
            Ok(())
        },
    },
    Key {
        name: "scopes",
        repeatable: false,
        parse: |meta, example, _| {
            let scopes = keys::strings(meta, "scopes = [\"read\", \"write\"]")?;
            example.caller_beside_anonymous(meta)?;
            example.model.scopes = Some(scopes.iter().map(syn::LitStr::value).collect());
            Ok(())
        },
    },
    Key {
        name: "anonymous",
        repeatable: false,
        parse: |meta, example, _| {
            let is_anonymous = keys::flag(meta, "anonymous")?;
            if is_anonymous && example.has_caller {
                return Err(anonymous_with_caller(meta));
            }
            example.model.is_anonymous = is_anonymous;
            Ok(())
        },
    },
    Key {
        name: "partial",
        repeatable: false,
        parse: |meta, example, _| {
            example.model.is_partial = keys::flag(meta, "partial")?;
            Ok(())
        },
    },
];

impl Example {
    /// Notes that `as` or `scopes` (in `meta`) was given; an error when `anonymous` came before.
    fn caller_beside_anonymous(&mut self, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
        self.has_caller = true;
        if self.model.is_anonymous {
            return Err(anonymous_with_caller(meta));
        }
        Ok(())
    }
}

fn anonymous_with_caller(meta: &ParseNestedMeta<'_>) -> Error {
    Error::new_spanned(
        &meta.path,
        "an `anonymous` example runs with no caller, so it has no `as` or `scopes`; remove one or the other",
    )
}

/// Reads `example(..)` after `meta`; `None` when it had mistakes (already in `errors`).
pub(super) fn parse(meta: &ParseNestedMeta<'_>, errors: &mut Errors) -> Option<ExampleModel> {
    let mut example = Example {
        model: ExampleModel {
            name: None,
            description: None,
            params: quote::quote!({}),
            result: TokenStream::new(),
            include_in_tests: true,
            caller: None,
            scopes: None,
            is_anonymous: false,
            is_partial: false,
        },
        has_result: false,
        has_caller: false,
    };
    let mut own_errors = Errors::default();
    let entries = keys::entries("example key", EXAMPLE_KEYS, &mut example, &mut own_errors);
    if let Err(error) = meta.parse_nested_meta(entries) {
        own_errors.push(error);
    }
    if !example.has_result && own_errors.is_empty() {
        own_errors
            .push(meta.error("an example needs `result = ..` (the expected result, as JSON)"));
    }
    let is_valid = own_errors.is_empty();
    errors.append(own_errors);
    is_valid.then_some(example.model)
}

fn read_name(meta: &ParseNestedMeta<'_>, example: &mut Example, _: &mut Errors) -> syn::Result<()> {
    let literal = keys::string(meta, "name = \"greet\"")?;
    let name = literal.value();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(Error::new(
            literal.span(),
            "an example name is used in its test's name: use letters, digits and `_`",
        ));
    }
    example.model.name = Some(name);
    Ok(())
}

fn read_params(
    meta: &ParseNestedMeta<'_>,
    example: &mut Example,
    _: &mut Errors,
) -> syn::Result<()> {
    let value = keys::value_tokens(meta, "params = {\"name\": \"World\"}")?;
    json::check_value(&value)?;
    let is_object = matches!(
        value.clone().into_iter().next(),
        Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Brace
    );
    if !is_object {
        return Err(Error::new_spanned(
            &value,
            "`params` is a JSON object with one key per parameter, like `{\"name\": \"World\"}`",
        ));
    }
    example.model.params = value;
    Ok(())
}
