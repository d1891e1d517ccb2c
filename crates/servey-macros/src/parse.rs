//! Attribute and signature -> [`ActionModel`]. Every check and every error message lives here; each error
//! sits on the user's own tokens and says what to write instead. All errors found are reported together.

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{
    Attribute, Error, FnArg, GenericArgument, Ident, LitInt, LitStr, Pat, Path, PathArguments,
    ReturnType, Signature, Type,
};

use crate::json;
use crate::model::{
    AccessModel, ActionModel, CacheModel, ExampleModel, METHODS, OutputModel, ParamKind,
    ParamModel, TriggerModel,
};

const KEYS: &str = "name, triggers, example, cache_control, access_control, timeout";
const TRIGGERS: &str = "web_get, web_post, web(method = .., path = \"..\"), web_page, fixed_rate(SECONDS), cron(\"..\")";

/// Collects errors so that all of them are reported at once.
#[derive(Default)]
pub(crate) struct Errors(Option<Error>);

impl Errors {
    pub(crate) fn push(&mut self, error: Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    pub(crate) fn ok<T>(&mut self, result: Result<T, Error>) -> Option<T> {
        result.map_err(|error| self.push(error)).ok()
    }

    pub(crate) fn finish(self) -> Result<(), Error> {
        self.0.map_or(Ok(()), Err)
    }
}

/// Parses `#[action(..)]` on `sig` (with its `attrs`); `owner` is the type of an `#[actions] impl`.
pub(crate) fn action(
    args: TokenStream,
    attrs: &[Attribute],
    sig: &Signature,
    owner: Option<&Type>,
) -> Result<ActionModel, Error> {
    let mut errors = Errors::default();
    let mut model = ActionModel {
        name: sig.ident.unraw().to_string(),
        fn_ident: sig.ident.clone(),
        doc: doc_of(attrs),
        triggers: Vec::new(),
        examples: Vec::new(),
        access_control: None,
        cache_control: None,
        timeout_secs: None,
        params: Vec::new(),
        output: OutputModel {
            ty: syn::parse_quote!(()),
            is_result: false,
        },
        is_async: sig.asyncness.is_some(),
        owner: owner.cloned(),
        span: sig.ident.span(),
    };
    if owner.is_some() {
        let owner_name = owner.map(type_snake_name).unwrap_or_default();
        model.name = format!("{owner_name}_{}", model.name);
    }

    for chunk in split_commas(args) {
        let result = attribute_entry(&chunk, &mut model);
        errors.ok(result);
    }
    signature(sig, owner.is_some(), &mut model, &mut errors);
    errors.finish().map(|()| model)
}

fn attribute_entry(chunk: &[TokenTree], model: &mut ActionModel) -> Result<(), Error> {
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

fn signature(sig: &Signature, is_nested: bool, model: &mut ActionModel, errors: &mut Errors) {
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.push(Error::new_spanned(
            &sig.generics,
            "actions cannot be generic: servey needs concrete parameter types for the schema; write a non-generic function that calls this one",
        ));
    }
    if let Some(unsafety) = &sig.unsafety {
        errors.push(Error::new(
            unsafety.span,
            "actions cannot be `unsafe fn`; call the unsafe code from a safe function",
        ));
    }
    let mut has_receiver = false;
    for input in &sig.inputs {
        match input {
            FnArg::Receiver(receiver) => {
                has_receiver = true;
                if !is_nested {
                    errors.push(Error::new_spanned(
                        receiver,
                        "`self` is only allowed on nested actions: put this method in an `#[actions] impl Type { .. }` block",
                    ));
                } else if receiver.reference.is_none() || receiver.mutability.is_some() {
                    errors.push(Error::new_spanned(receiver, "nested actions take `&self`"));
                }
            }
            FnArg::Typed(typed) => {
                let Pat::Ident(pattern) = &*typed.pat else {
                    errors.push(Error::new_spanned(&typed.pat, "an action's parameters need plain names (they are the input's keys), not patterns"));
                    continue;
                };
                model.params.push(ParamModel {
                    ident: pattern.ident.clone(),
                    key: pattern.ident.unraw().to_string(),
                    ty: (*typed.ty).clone(),
                    kind: param_kind(&typed.ty),
                });
            }
        }
    }
    if is_nested && !has_receiver {
        errors.push(Error::new(
            sig.ident.span(),
            "a nested action is a method of the type: give it a `&self` parameter",
        ));
    }
    if let ReturnType::Type(_, ty) = &sig.output {
        model.output = match result_ok_type(ty) {
            Some(ok) => OutputModel {
                ty: ok,
                is_result: true,
            },
            None => OutputModel {
                ty: (**ty).clone(),
                is_result: false,
            },
        };
        if let Type::ImplTrait(_) = &**ty {
            errors.push(Error::new_spanned(
                ty,
                "actions must name their result type (it goes into the schema), not `impl Trait`",
            ));
        }
    }
}

fn param_kind(ty: &Type) -> ParamKind {
    match last_segment(ty) {
        Some((name, None)) if name == "Authorization" => ParamKind::Authorization,
        Some((name, None)) if name == "Context" => ParamKind::Context,
        Some((name, Some(inner)))
            if name == "Option"
                && matches!(last_segment(&inner), Some((inner_name, None)) if inner_name == "Authorization") =>
        {
            ParamKind::OptionalAuthorization
        }
        _ => ParamKind::Input,
    }
}

/// The last path segment's name and its first type argument.
fn last_segment(ty: &Type) -> Option<(String, Option<Type>)> {
    let Type::Path(path) = ty else { return None };
    let segment = path.path.segments.last()?;
    let first_arg = match &segment.arguments {
        PathArguments::AngleBracketed(args) => args.args.iter().find_map(|arg| match arg {
            GenericArgument::Type(ty) => Some(ty.clone()),
            _ => None,
        }),
        _ => None,
    };
    Some((segment.ident.to_string(), first_arg))
}

fn result_ok_type(ty: &Type) -> Option<Type> {
    match last_segment(ty) {
        Some((name, Some(ok))) if name == "Result" => Some(ok),
        _ => None,
    }
}

fn type_snake_name(ty: &Type) -> String {
    let name = last_segment(ty).map_or_else(|| ty.to_token_stream().to_string(), |(name, _)| name);
    let mut snake = String::new();
    for (index, c) in name.chars().enumerate() {
        if c.is_uppercase() && index > 0 {
            snake.push('_');
        }
        snake.extend(c.to_lowercase());
    }
    snake
}

fn doc_of(attrs: &[Attribute]) -> String {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|attr| attr.path().is_ident("doc"))
        .filter_map(|attr| match &attr.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .map(|line| line.strip_prefix(' ').unwrap_or(&line).to_owned())
        .collect();
    lines.join("\n")
}

fn positive_int(value: TokenStream, what: &str) -> Result<u64, Error> {
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

fn comma() -> Option<TokenTree> {
    Some(TokenTree::Punct(proc_macro2::Punct::new(
        ',',
        proc_macro2::Spacing::Alone,
    )))
}

/// Splits at top-level commas (groups are single trees, so their commas do not count).
fn split_commas(tokens: TokenStream) -> Vec<Vec<TokenTree>> {
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
fn key_values(tokens: TokenStream, allowed: &[&str]) -> Result<Vec<(Ident, TokenStream)>, Error> {
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

fn value_after_eq(chunk: &[TokenTree], key: &Ident) -> Result<TokenStream, Error> {
    match chunk.get(1) {
        Some(TokenTree::Punct(eq)) if eq.as_char() == '=' && chunk.len() > 2 => {
            Ok(chunk[2..].iter().cloned().collect())
        }
        _ => Err(Error::new(key.span(), format!("expected `{key} = ..`"))),
    }
}

fn single_group(
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

fn single_group_stream(
    value: &TokenStream,
    key: &Ident,
    delimiter: Delimiter,
    hint: &str,
) -> Result<TokenStream, Error> {
    let trees: Vec<TokenTree> = value.clone().into_iter().collect();
    single_group(&trees, key, delimiter, hint)
}

/// `; did you mean `x`?` when a known word is one or two edits away.
fn closest(word: &str, known: &[&str]) -> String {
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

/// A span for errors about the whole attribute.
pub(crate) fn call_site() -> Span {
    Span::call_site()
}
