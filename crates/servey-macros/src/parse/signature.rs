//! The function's signature: parameters (inputs or injected), result type, and what actions may not be.

use quote::ToTokens;
use syn::ext::IdentExt;
use syn::{Error, FnArg, GenericArgument, Pat, PathArguments, ReturnType, Signature, Type};

use super::Errors;
use crate::model::{ActionModel, OutputModel, ParamKind, ParamModel};

pub(super) fn check(
    sig: &Signature,
    is_nested: bool,
    model: &mut ActionModel,
    errors: &mut Errors,
) {
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
                    schema_attrs: typed
                        .attrs
                        .iter()
                        .filter(|attr| attr.path().is_ident("schema"))
                        .cloned()
                        .collect(),
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
        let (success, is_result) = match result_ok_type(ty) {
            Some(ok) => (ok, true),
            None => ((**ty).clone(), false),
        };
        let (value, is_reply) = match single_type_argument(&success, "Reply") {
            Some(value) => (value, true),
            None => (success, false),
        };
        model.output = OutputModel {
            ty: value,
            is_result,
            is_reply,
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
    if let Some(shared) = single_type_argument(ty, "State") {
        return ParamKind::State(Box::new(shared));
    }
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

/// Whether `ty` is `Option<..>` (by its last path segment, as written).
pub(super) fn is_option(ty: &Type) -> bool {
    matches!(last_segment(ty), Some((name, Some(_))) if name == "Option")
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

/// `T` of `name<T>` (`State<T>`, `servey::Reply<T>`): a path whose last segment is `name` with exactly
/// one argument, a type.
pub(super) fn single_type_argument(ty: &Type, name: &str) -> Option<Type> {
    let Type::Path(path) = ty else { return None };
    let segment = path.path.segments.last()?;
    let PathArguments::AngleBracketed(args) = &segment.arguments else {
        return None;
    };
    match (segment.ident == name, args.args.len(), args.args.first()) {
        (true, 1, Some(GenericArgument::Type(ty))) => Some(ty.clone()),
        _ => None,
    }
}

fn result_ok_type(ty: &Type) -> Option<Type> {
    match last_segment(ty) {
        Some((name, Some(ok))) if name == "Result" => Some(ok),
        _ => None,
    }
}

pub(super) fn type_snake_name(ty: &Type) -> String {
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
