//! Attribute and signature -> [`ActionModel`]. Every check and every error message lives here; each error
//! sits on the user's own tokens and says what to write instead. All errors found are reported together.

mod attribute;
mod signature;
mod tokens;

use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt;
use syn::{Attribute, Error, Signature, Type};

use crate::model::{ActionModel, OutputModel};

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
        blocking: None,
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
        let owner_name = owner.map(signature::type_snake_name).unwrap_or_default();
        model.name = format!("{owner_name}_{}", model.name);
    }

    for chunk in tokens::split_commas(args) {
        let result = attribute::entry(&chunk, &mut model);
        errors.ok(result);
    }
    signature::check(sig, owner.is_some(), &mut model, &mut errors);

    errors.finish().map(|()| model)
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
