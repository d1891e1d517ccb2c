//! `#[servey::fixture]`: a free function with no parameters that makes the shared values example tests
//! run with, returning `Extensions` or `Result<Extensions, E>`.

use proc_macro2::TokenStream;
use syn::spanned::Spanned;
use syn::{Error, FnArg, GenericArgument, PathArguments, ReturnType, Signature, Type};

use super::Errors;
use crate::model::FixtureModel;

/// Checks a fixture's arguments and signature.
pub(crate) fn fixture(args: TokenStream, sig: &Signature) -> Result<FixtureModel, Error> {
    let mut errors = Errors::default();
    if !args.is_empty() {
        errors.push(Error::new_spanned(
            &args,
            "`#[servey::fixture]` takes no arguments: write `#[servey::fixture]` and build every value inside the function",
        ));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.push(Error::new_spanned(
            &sig.generics,
            "a fixture cannot be generic: the tests call it with no type arguments; name the concrete types inside it",
        ));
    }
    for input in &sig.inputs {
        match input {
            FnArg::Receiver(receiver) => errors.push(Error::new_spanned(
                receiver,
                "a fixture is a free function, not a method: move it out of the `impl` block and drop `self`",
            )),
            FnArg::Typed(typed) => errors.push(Error::new_spanned(
                typed,
                "a fixture takes no parameters: it builds the shared values from nothing (read settings inside it)",
            )),
        }
    }
    let (values, error_span) = match &sig.output {
        ReturnType::Default => {
            errors.push(Error::new(
                sig.ident.span(),
                "a fixture returns the shared values: add `-> Extensions` (or `-> Result<Extensions, E>`)",
            ));
            (syn::parse_quote!(()), None)
        }
        ReturnType::Type(_, ty) => match result_arguments(ty) {
            Some((values, error)) => (values, Some(error.map_or_else(|| ty.span(), |e| e.span()))),
            None => ((**ty).clone(), None),
        },
    };
    errors.finish().map(|()| FixtureModel {
        fn_ident: sig.ident.clone(),
        is_async: sig.asyncness.is_some(),
        values,
        error_span,
    })
}

/// `T` and `E` of `Result<T, E>` (`E` absent for an alias like `io::Result<T>`).
fn result_arguments(ty: &Type) -> Option<(Type, Option<Type>)> {
    let Type::Path(path) = ty else { return None };
    let segment = path.path.segments.last()?;
    let PathArguments::AngleBracketed(args) = &segment.arguments else {
        return None;
    };
    if segment.ident != "Result" {
        return None;
    }
    let mut types = args.args.iter().filter_map(|arg| match arg {
        GenericArgument::Type(ty) => Some(ty.clone()),
        _ => None,
    });
    Some((types.next()?, types.next()))
}
