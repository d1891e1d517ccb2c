//! The triggers in `triggers = [..]`: each is named once, in [`TRIGGERS`], with how it is written and read.

use syn::meta::ParseNestedMeta;
use syn::parse::ParseStream;
use syn::{Error, Ident, LitStr, Meta, MetaList, Token};

use super::Errors;
use super::keys::{self, Key};
use crate::model::{METHODS, TriggerModel};

/// One kind of trigger.
struct Kind {
    name: &'static str,
    /// How it is written, for messages.
    form: &'static str,
    arguments: Arguments,
    read: fn(Option<&MetaList>, &mut Errors) -> syn::Result<TriggerModel>,
}

#[derive(PartialEq)]
enum Arguments {
    None,
    Optional,
    Required,
}

const TRIGGERS: &[Kind] = &[
    Kind {
        name: "web_get",
        form: "web_get",
        arguments: Arguments::None,
        read: |_, _| Ok(web("get", None)),
    },
    Kind {
        name: "web_post",
        form: "web_post",
        arguments: Arguments::None,
        read: |_, _| Ok(web("post", None)),
    },
    Kind {
        name: "get",
        form: "get(\"/path\")",
        arguments: Arguments::Required,
        read: |list, _| short_web(list, "get"),
    },
    Kind {
        name: "post",
        form: "post(\"/path\")",
        arguments: Arguments::Required,
        read: |list, _| short_web(list, "post"),
    },
    Kind {
        name: "put",
        form: "put(\"/path\")",
        arguments: Arguments::Required,
        read: |list, _| short_web(list, "put"),
    },
    Kind {
        name: "patch",
        form: "patch(\"/path\")",
        arguments: Arguments::Required,
        read: |list, _| short_web(list, "patch"),
    },
    Kind {
        name: "delete",
        form: "delete(\"/path\")",
        arguments: Arguments::Required,
        read: |list, _| short_web(list, "delete"),
    },
    Kind {
        name: "web",
        form: "web(method = .., path = \"..\")",
        arguments: Arguments::Required,
        read: read_web,
    },
    Kind {
        name: "web_page",
        form: "web_page",
        arguments: Arguments::Optional,
        read: read_web_page,
    },
    Kind {
        name: "fixed_rate",
        form: "fixed_rate(SECONDS)",
        arguments: Arguments::Required,
        read: read_fixed_rate,
    },
    Kind {
        name: "cron",
        form: "cron(\"..\")",
        arguments: Arguments::Required,
        read: read_cron,
    },
];

fn forms() -> String {
    TRIGGERS
        .iter()
        .map(|kind| kind.form)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads the comma-separated triggers inside `[..]`, going on after a bad one.
pub(super) fn parse_list(
    list: ParseStream<'_>,
    triggers: &mut Vec<TriggerModel>,
    errors: &mut Errors,
) {
    while !list.is_empty() {
        match one(list, errors) {
            Ok(trigger) => triggers.push(trigger),
            Err(error) => {
                errors.push(error);
                let _ = keys::skip_value(list);
            }
        }
        if list.is_empty() {
            return;
        }
        if let Err(error) = list.parse::<Token![,]>() {
            errors.push(error);
            // The rest is consumed so that syn does not report it again as "unexpected token".
            let _ = list.parse::<proc_macro2::TokenStream>();
            return;
        }
    }
}

fn one(input: ParseStream<'_>, errors: &mut Errors) -> syn::Result<TriggerModel> {
    if !input.peek(Ident) {
        return Err(input.error(format!("expected a trigger: one of {}", forms())));
    }
    let meta = input.parse::<Meta>()?;
    let name = meta
        .path()
        .get_ident()
        .map(ToString::to_string)
        .unwrap_or_default();
    let Some(kind) = TRIGGERS.iter().find(|kind| kind.name == name) else {
        let written = quote::ToTokens::to_token_stream(meta.path()).to_string();
        let hint = keys::closest(&written, TRIGGERS.iter().map(|kind| kind.name));
        return Err(Error::new_spanned(
            meta.path(),
            format!(
                "unknown trigger `{written}`{hint}; expected one of {}",
                forms()
            ),
        ));
    };
    let list = match &meta {
        Meta::Path(_) => None,
        Meta::List(list) => Some(list),
        Meta::NameValue(_) => {
            return Err(Error::new_spanned(
                &meta,
                format!("a trigger is not `name = value`; write `{}`", kind.form),
            ));
        }
    };
    match (&kind.arguments, list) {
        (Arguments::None, Some(list)) => {
            let path = list
                .parse_args::<LitStr>()
                .map_or_else(|_| "/items/{id}".to_owned(), |path| path.value());
            Err(Error::new_spanned(
                list,
                format!(
                    "`{name}` takes no arguments; for a custom path write `{}(\"{path}\")`",
                    name.trim_start_matches("web_")
                ),
            ))
        }
        (Arguments::Required, None) => Err(Error::new_spanned(
            meta.path(),
            format!("`{name}` needs arguments: write `{}`", kind.form),
        )),
        (_, list) => (kind.read)(list, errors),
    }
}

fn web(method: &str, path: Option<String>) -> TriggerModel {
    TriggerModel::Web {
        method: method.to_owned(),
        path,
    }
}

#[derive(Default)]
struct WebArguments {
    method: Option<String>,
    path: Option<String>,
    template: Option<String>,
}

const WEB_KEYS: &[Key<WebArguments>] = &[
    Key {
        name: "method",
        repeatable: false,
        parse: read_method,
    },
    Key {
        name: "path",
        repeatable: false,
        parse: read_path,
    },
];

const WEB_PAGE_KEYS: &[Key<WebArguments>] = &[
    Key {
        name: "path",
        repeatable: false,
        parse: read_path,
    },
    Key {
        name: "template",
        repeatable: false,
        parse: |meta, arguments, _| {
            arguments.template = Some(keys::string(meta, "template = \"page.j2\"")?.value());
            Ok(())
        },
    },
];

fn read_web(list: Option<&MetaList>, errors: &mut Errors) -> syn::Result<TriggerModel> {
    let mut arguments = WebArguments::default();
    if let Some(list) = list {
        list.parse_nested_meta(keys::entries("`web` key", WEB_KEYS, &mut arguments, errors))?;
    }
    Ok(web(
        arguments.method.as_deref().unwrap_or("get"),
        arguments.path,
    ))
}

fn read_web_page(list: Option<&MetaList>, errors: &mut Errors) -> syn::Result<TriggerModel> {
    let mut arguments = WebArguments::default();
    if let Some(list) = list {
        list.parse_nested_meta(keys::entries(
            "`web_page` key",
            WEB_PAGE_KEYS,
            &mut arguments,
            errors,
        ))?;
    }
    Ok(TriggerModel::WebPage {
        path: arguments.path,
        template: arguments.template,
    })
}

fn read_method(
    meta: &ParseNestedMeta<'_>,
    arguments: &mut WebArguments,
    _: &mut Errors,
) -> syn::Result<()> {
    let input = keys::expect_eq(meta, "method = put")?;
    let method = input.parse::<Ident>().map_err(|error| {
        Error::new(
            error.span(),
            format!("expected an HTTP method: one of {}", METHODS.join(", ")),
        )
    })?;
    let lower = method.to_string().to_lowercase();
    if !METHODS.contains(&lower.as_str()) {
        let hint = keys::closest(&lower, METHODS.iter().copied());
        return Err(Error::new(
            method.span(),
            format!(
                "unknown HTTP method `{method}`{hint}; expected one of {}",
                METHODS.join(", ")
            ),
        ));
    }
    arguments.method = Some(lower);
    Ok(())
}

fn read_path(
    meta: &ParseNestedMeta<'_>,
    arguments: &mut WebArguments,
    _: &mut Errors,
) -> syn::Result<()> {
    let literal = keys::string(meta, "path = \"/items/{id}\"")?;
    arguments.path = Some(checked_path(&literal)?);
    Ok(())
}

/// A route as written in a string: it starts with `/`.
fn checked_path(literal: &LitStr) -> syn::Result<String> {
    let path = literal.value();
    if !path.starts_with('/') {
        return Err(Error::new(
            literal.span(),
            format!("a path starts with `/`: write \"/{path}\""),
        ));
    }
    Ok(path)
}

/// `get("/items/{id}")` and the other methods: `web(method = get, path = "/items/{id}")`, shorter.
fn short_web(list: Option<&MetaList>, method: &str) -> syn::Result<TriggerModel> {
    let list = list.expect("a method trigger requires arguments, checked before");
    let form = format!("{method}(\"/items/{{id}}\")");
    let literal = list
        .parse_args_with(|input: ParseStream<'_>| {
            let literal = input.parse::<LitStr>()?;
            if !input.is_empty() {
                return Err(input.error("unexpected token"));
            }
            Ok(literal)
        })
        .map_err(|error| {
            Error::new(
                error.span(),
                format!("`{method}` takes the path as one string: write `{form}`"),
            )
        })?;
    Ok(web(method, Some(checked_path(&literal)?)))
}

fn read_fixed_rate(list: Option<&MetaList>, _: &mut Errors) -> syn::Result<TriggerModel> {
    let list = list.expect("`fixed_rate` requires arguments, checked before");
    list.parse_args_with(|input: ParseStream<'_>| {
        let seconds = keys::seconds(input, "fixed_rate", "fixed_rate(5)")?;
        if !input.is_empty() {
            return Err(input.error("`fixed_rate` takes one number of seconds: `fixed_rate(5)`"));
        }
        Ok(TriggerModel::FixedRate(seconds))
    })
}

fn read_cron(list: Option<&MetaList>, _: &mut Errors) -> syn::Result<TriggerModel> {
    let list = list.expect("`cron` requires arguments, checked before");
    let literal = list.parse_args::<LitStr>().map_err(|error| {
        Error::new(
            error.span(),
            "`cron` takes the schedule as a string, seconds first: `cron(\"0 */5 * * * *\")`",
        )
    })?;
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
