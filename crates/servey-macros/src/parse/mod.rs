//! Attribute and signature -> [`ActionModel`]. Every check and every error message lives here; each error
//! sits on the user's own tokens and says what to write instead. All errors found are reported together.

mod attribute;
mod batch;
mod example;
mod fixture;
mod keys;
mod policy;
mod response;
mod signature;
mod tags;
mod trigger;

use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt;
use syn::{Attribute, Error, Signature, Type};

use crate::model::{ActionModel, OutputModel, ParamKind, TriggerModel};

pub(crate) use batch::resolve as resolve_batch;
pub(crate) use fixture::fixture;

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

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    pub(crate) fn append(&mut self, other: Errors) {
        if let Some(error) = other.0 {
            self.push(error);
        }
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
    let arguments = attribute::parse(args, &mut errors);
    let rust_name = match owner {
        Some(owner) => format!(
            "{}_{}",
            signature::type_snake_name(owner),
            sig.ident.unraw()
        ),
        None => sig.ident.unraw().to_string(),
    };
    let (name, name_span) = arguments
        .name
        .unwrap_or_else(|| (rust_name.clone(), sig.ident.span()));
    let is_async = sig.asyncness.is_some();
    if let (true, Some((_, span))) = (is_async, arguments.blocking) {
        errors.push(Error::new(
            span,
            "`blocking` is for synchronous functions; an `async fn` already runs on the async workers, so remove it",
        ));
    }
    if let (Some((false, span)), Some(_)) = (arguments.blocking, arguments.timeout) {
        errors.push(Error::new(
            span,
            "a timeout needs the blocking pool (an inline body cannot be interrupted); remove `blocking = false` or the timeout",
        ));
    }
    let mut model = ActionModel {
        name,
        name_span,
        rust_name,
        fn_ident: sig.ident.clone(),
        doc: doc_of(attrs),
        triggers: arguments.triggers,
        examples: arguments.examples,
        access_control: arguments.access_control,
        cache_control: arguments.cache_control,
        timeout_secs: arguments.timeout.map(|(seconds, _)| seconds),
        blocking: arguments.blocking.map(|(blocking, _)| blocking),
        rate_limit: arguments.rate_limit,
        deny_unknown_fields: arguments.deny_unknown_fields,
        status: arguments.status,
        response_headers: Vec::new(),
        error_statuses: arguments.errors,
        tags: arguments.tags,
        params: Vec::new(),
        output: OutputModel {
            ty: syn::parse_quote!(()),
            is_result: false,
            is_reply: false,
        },
        is_async,
        owner: owner.cloned(),
        batch: None,
        vis: syn::Visibility::Inherited,
        span: sig.ident.span(),
    };
    signature::check(sig, owner.is_some(), &mut model, &mut errors);
    scheduled_inputs(&model, &mut errors);
    if let Some(path) = arguments.batch {
        model.batch = batch::check(path, &model, &mut errors);
    }
    if model.status.is_none() && model.output.is_unit() {
        model.status = Some(204);
    }
    if let Some((headers, span)) = arguments.headers {
        if !model.output.is_reply {
            errors.push(Error::new(
                span,
                "only a `Reply<T>` result sets headers; return `Reply::new(value).header(..)`",
            ));
        }
        model.response_headers = headers;
    }

    errors.finish().map(|()| model)
}

/// A `fixed_rate` or `cron` tick calls its action with no input and no caller: a parameter it could
/// never fill is an error here rather than a failure at every tick.
fn scheduled_inputs(model: &ActionModel, errors: &mut Errors) {
    let scheduled = model.triggers.iter().find_map(|trigger| match trigger {
        TriggerModel::FixedRate(_) => Some("fixed_rate"),
        TriggerModel::Cron(_) => Some("cron"),
        _ => None,
    });
    let Some(trigger) = scheduled else { return };
    for param in &model.params {
        match param.kind {
            ParamKind::Input if !signature::is_option(&param.ty) => errors.push(Error::new_spanned(
                &param.ty,
                format!(
                    "a `{trigger}` tick calls the action with no input, so `{}` would be missing at every tick; \
                     take `Option<..>` for it, or serve the action without `{trigger}`",
                    param.key
                ),
            )),
            ParamKind::Authorization => errors.push(Error::new_spanned(
                &param.ty,
                format!(
                    "a `{trigger}` tick calls the action with no caller, so it would be refused at every tick; \
                     take `Option<Authorization>`, or serve the action without `{trigger}`"
                ),
            )),
            _ => {}
        }
    }
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

/// A span for errors about the whole attribute.
pub(crate) fn call_site() -> Span {
    Span::call_site()
}
