//! The attribute's keys: `name`, `triggers`, `example`, `cache_control`, `access_control`, `timeout`.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use syn::spanned::Spanned;
use syn::{Error, Ident, LitStr, Path};

use super::Errors;
use super::tokens::{
    closest, comma, key_values, positive_int, single_group, single_group_stream, split_commas,
    value_after_eq,
};
use crate::json;
use crate::model::{AccessModel, ActionModel, CacheModel, ExampleModel, METHODS, TriggerModel};

const KEYS: &str = "name, triggers, example, cache_control, access_control, timeout, blocking";
const TRIGGERS: &str = "web_get, web_post, web(method = .., path = \"..\"), web_page, fixed_rate(SECONDS), cron(\"..\")";

pub(super) fn entry(chunk: &[TokenTree], model: &mut ActionModel) -> Result<(), Error> {
    let Some(TokenTree::Ident(key)) = chunk.first() else {
        return Err(Error::new(
            chunk[0].span(),
            format!("expected one of {KEYS}"),
        ));
    };
    let key_name = key.to_string();
    if key_name == "example" {
        let group = single_group(
            &chunk[1..],
            key,
            Delimiter::Parenthesis,
            "write examples as `example(params = {..}, result = ..)`",
        )?;
        model.examples.push(example(group)?);
        return Ok(());
    }
    let value = value_after_eq(chunk, key)?;
    match key_name.as_str() {
        "name" => model.name = syn::parse2::<LitStr>(value)?.value(),
        "triggers" => {
            let list = single_group_stream(
                &value,
                key,
                Delimiter::Bracket,
                "write triggers as a list: `triggers = [web_get]`",
            )?;
            let mut errors = Errors::default();
            for trigger_tokens in split_commas(list) {
                if let Some(parsed) = errors.ok(trigger(&trigger_tokens)) {
                    model.triggers.push(parsed);
                }
            }
            errors.finish()?;
        }
        "cache_control" => model.cache_control = Some(cache_control(value)?),
        "access_control" => model.access_control = Some(access_control(value)?),
        "timeout" => model.timeout_secs = Some(positive_int(value, "timeout")?),
        "blocking" => {
            if model.is_async {
                return Err(Error::new(
                    key.span(),
                    "`blocking` is for synchronous functions; an `async fn` already runs on the async workers, so remove it",
                ));
            }
            model.blocking = Some(syn::parse2::<syn::LitBool>(value)?.value);
        }
        _ => {
            let hint = closest(
                &key_name,
                &[
                    "name",
                    "triggers",
                    "example",
                    "cache_control",
                    "access_control",
                    "timeout",
                    "blocking",
                ],
            );
            return Err(Error::new(
                key.span(),
                format!("unknown attribute key `{key_name}`{hint}; expected one of {KEYS}"),
            ));
        }
    }
    Ok(())
}

fn trigger(tokens: &[TokenTree]) -> Result<TriggerModel, Error> {
    let Some(TokenTree::Ident(kind)) = tokens.first() else {
        return Err(Error::new(
            tokens[0].span(),
            format!("expected a trigger: one of {TRIGGERS}"),
        ));
    };
    let args = match &tokens[1..] {
        [] => None,
        [TokenTree::Group(group)] if group.delimiter() == Delimiter::Parenthesis => {
            Some(group.stream())
        }
        [other, ..] => {
            return Err(Error::new(
                other.span(),
                format!("expected `,` or `(..)` after the trigger `{kind}`"),
            ));
        }
    };
    let name = kind.to_string();
    match (name.as_str(), args) {
        ("web_get", None) => Ok(TriggerModel::Web {
            method: "get".into(),
            path: None,
        }),
        ("web_post", None) => Ok(TriggerModel::Web {
            method: "post".into(),
            path: None,
        }),
        ("web", Some(args)) => {
            let (mut method, mut path) = (None, None);
            for (key, value) in key_values(args, &["method", "path"])? {
                match key.to_string().as_str() {
                    "method" => {
                        let ident = syn::parse2::<Ident>(value.clone()).map_err(|_| {
                            Error::new_spanned(
                                &value,
                                "expected an HTTP method: get, post, put, patch or delete",
                            )
                        })?;
                        let lower = ident.to_string().to_lowercase();
                        if !METHODS.contains(&lower.as_str()) {
                            return Err(Error::new(
                                ident.span(),
                                format!(
                                    "unknown HTTP method `{ident}`; expected one of get, post, put, patch, delete"
                                ),
                            ));
                        }
                        method = Some(lower);
                    }
                    _ => path = Some(route(value)?),
                }
            }
            Ok(TriggerModel::Web {
                method: method.unwrap_or_else(|| "get".into()),
                path,
            })
        }
        ("web_page", args) => {
            let (mut path, mut template) = (None, None);
            for (key, value) in key_values(args.unwrap_or_default(), &["path", "template"])? {
                match key.to_string().as_str() {
                    "path" => path = Some(route(value)?),
                    _ => template = Some(syn::parse2::<LitStr>(value)?.value()),
                }
            }
            Ok(TriggerModel::WebPage { path, template })
        }
        ("fixed_rate", Some(args)) => {
            Ok(TriggerModel::FixedRate(positive_int(args, "fixed_rate")?))
        }
        ("cron", Some(args)) => {
            let literal = syn::parse2::<LitStr>(args)?;
            let fields = literal.value().split_whitespace().count();
            if !(6..=7).contains(&fields) {
                return Err(Error::new(
                    literal.span(),
                    format!(
                        "a cron schedule has 6 fields, seconds first (`\"0 */5 * * * *\"`); this one has {fields}"
                    ),
                ));
            }
            Ok(TriggerModel::Cron(literal.value()))
        }
        ("web_get" | "web_post", Some(_)) => Err(Error::new(
            kind.span(),
            format!(
                "`{name}` takes no arguments; for a custom path write `web(method = .., path = \"..\")`"
            ),
        )),
        ("web" | "fixed_rate" | "cron", None) => Err(Error::new(
            kind.span(),
            format!("`{name}` needs arguments: {TRIGGERS}"),
        )),
        _ => {
            let hint = closest(
                &name,
                &[
                    "web_get",
                    "web_post",
                    "web",
                    "web_page",
                    "fixed_rate",
                    "cron",
                ],
            );
            Err(Error::new(
                kind.span(),
                format!("unknown trigger `{name}`{hint}; expected one of {TRIGGERS}"),
            ))
        }
    }
}

fn route(value: TokenStream) -> Result<String, Error> {
    let literal = syn::parse2::<LitStr>(value)?;
    let path = literal.value();
    if !path.starts_with('/') {
        return Err(Error::new(
            literal.span(),
            "a path starts with `/`, like \"/items/{id}\"",
        ));
    }
    Ok(path)
}

fn example(args: TokenStream) -> Result<ExampleModel, Error> {
    let span = args.span();
    let mut model = ExampleModel {
        name: None,
        description: None,
        params: TokenStream::new(),
        result: TokenStream::new(),
        include_in_tests: true,
    };
    let (mut has_params, mut has_result) = (false, false);
    let mut errors = Errors::default();
    for (key, value) in key_values(
        args,
        &[
            "name",
            "description",
            "params",
            "result",
            "include_in_tests",
        ],
    )? {
        match key.to_string().as_str() {
            "name" => {
                let literal = errors.ok(syn::parse2::<LitStr>(value));
                if let Some(literal) = literal {
                    let name = literal.value();
                    if name.is_empty()
                        || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    {
                        errors.push(Error::new(literal.span(), "an example name is used in its test's name: use letters, digits and `_`"));
                    }
                    model.name = Some(name);
                }
            }
            "description" => {
                model.description = errors.ok(syn::parse2::<LitStr>(value)).map(|l| l.value())
            }
            "include_in_tests" => {
                model.include_in_tests = errors
                    .ok(syn::parse2::<syn::LitBool>(value))
                    .is_none_or(|b| b.value)
            }
            "params" => {
                has_params = true;
                if errors.ok(json::check_value(&value)).is_some() {
                    if !matches!(value.clone().into_iter().next(), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace)
                    {
                        errors.push(Error::new_spanned(&value, "`params` is a JSON object with one key per parameter, like `{\"name\": \"World\"}`"));
                    }
                    model.params = value;
                }
            }
            _ => {
                has_result = true;
                if errors.ok(json::check_value(&value)).is_some() {
                    model.result = value;
                }
            }
        }
    }
    if !has_result {
        errors.push(Error::new(
            span,
            "an example needs `result = ..` (the expected result, as JSON)",
        ));
    }
    if !has_params {
        model.params = quote::quote!({});
    }
    errors.finish().map(|()| model)
}

fn cache_control(value: TokenStream) -> Result<CacheModel, Error> {
    let trees: Vec<TokenTree> = value.clone().into_iter().collect();
    match trees.as_slice() {
        [TokenTree::Ident(kind), TokenTree::Group(args)] if kind == "ttl" => {
            let parts = split_commas(args.stream());
            let seconds = positive_int(parts.first().map(|p| p.iter().cloned().collect()).unwrap_or_default(), "ttl")?;
            let mut server_cache = true;
            for (key, value) in key_values(parts.iter().skip(1).flat_map(|p| p.iter().cloned().chain(comma())).collect(), &["server_cache"])? {
                server_cache = syn::parse2::<syn::LitBool>(value).map_err(|e| Error::new(key.span(), e))?.value;
            }
            Ok(CacheModel::Ttl { seconds, server_cache })
        }
        [TokenTree::Ident(kind)] if kind == "etag" => Ok(CacheModel::ETag),
        [TokenTree::Ident(kind), TokenTree::Group(args)] if kind == "last_modified" => {
            Ok(CacheModel::LastModified(syn::parse2::<LitStr>(args.stream())?.value()))
        }
        [TokenTree::Ident(kind)] if kind == "ttl" || kind == "last_modified" => {
            Err(Error::new(kind.span(), format!("`{kind}` needs an argument: `ttl(30)` or `last_modified(\"updated_at\")`")))
        }
        _ => syn::parse2::<Path>(value.clone()).map(CacheModel::Custom).map_err(|_| {
            Error::new_spanned(&value, "expected a cache policy: `ttl(SECONDS)`, `etag`, `last_modified(\"field\")` or a type implementing `CacheControl + Default`")
        }),
    }
}

fn access_control(value: TokenStream) -> Result<AccessModel, Error> {
    let trees: Vec<TokenTree> = value.clone().into_iter().collect();
    match trees.as_slice() {
        [TokenTree::Ident(kind), TokenTree::Group(args)] if kind == "scope" => Ok(AccessModel::Scope(syn::parse2::<LitStr>(args.stream())?.value())),
        _ => syn::parse2::<Path>(value.clone()).map(AccessModel::Custom).map_err(|_| {
            Error::new_spanned(&value, "expected an access policy: `scope(\"name\")` or a type implementing `AccessControl + Default`")
        }),
    }
}
