//! `batch = Self::factorials`: a nested action's batch form, an associated fn of the same
//! `#[actions] impl` block from many parents to one result per parent. The key is read here, checked
//! against the action, and resolved against the block (whether the fn is `async`, returns a `Result`).

use syn::meta::ParseNestedMeta;
use syn::{Error, FnArg, ImplItem, Path, ReturnType, Type};

use super::Errors;
use super::attribute::Arguments;
use super::keys;
use crate::model::{ActionModel, BatchModel, ParamKind};

const FORM: &str = "fn factorials(parents: &[Self]) -> Vec<u64>";

/// Reads `batch = Self::name`.
pub(super) fn key(
    meta: &ParseNestedMeta<'_>,
    args: &mut Arguments,
    _: &mut Errors,
) -> syn::Result<()> {
    let input = keys::expect_eq(meta, "batch = Self::factorials")?;
    let path = input.parse::<Path>().map_err(|error| {
        Error::new(
            error.span(),
            "expected the batch form's name: write `batch = Self::factorials`",
        )
    })?;
    args.batch = Some(path);
    Ok(())
}

/// Checks that `path` may be `model`'s batch form: the action is nested and takes no input parameters
/// (a batch is keyed by parent only). The fn itself is found in [`resolve`].
pub(super) fn check(path: Path, model: &ActionModel, errors: &mut Errors) -> Option<BatchModel> {
    if model.owner.is_none() {
        errors.push(Error::new_spanned(
            &path,
            "`batch` is for nested actions: put this method in an `#[actions] impl Type { .. }` block and name an associated fn there",
        ));
        return None;
    }
    if let Some(param) = model
        .params
        .iter()
        .find(|param| matches!(param.kind, ParamKind::Input))
    {
        errors.push(Error::new_spanned(
            &param.ident,
            "a nested action with a batch form takes no parameters besides `&self` (and injected ones): a batch call is keyed by its parents only; remove this parameter or the `batch` key",
        ));
        return None;
    }
    let ident = match (path.segments.len(), path.segments.first()) {
        (1, Some(only)) => only.ident.clone(),
        (2, Some(first)) if first.ident == "Self" => path.segments[1].ident.clone(),
        _ => {
            errors.push(Error::new_spanned(
                &path,
                "name the batch form as `Self::name` (an associated fn of this `#[actions]` block)",
            ));
            return None;
        }
    };
    Some(BatchModel {
        ident,
        is_async: false,
        is_result: false,
    })
}

/// Finds `model`'s batch form among the block's `items` and reads how it is called; reports a missing
/// fn or a wrong signature on the user's tokens.
pub(crate) fn resolve(model: &mut ActionModel, items: &[ImplItem], errors: &mut Errors) {
    let Some(batch) = &mut model.batch else {
        return;
    };
    let found = items.iter().find_map(|item| match item {
        ImplItem::Fn(method) if method.sig.ident == batch.ident => Some(method),
        _ => None,
    });
    let Some(method) = found else {
        errors.push(Error::new(
            batch.ident.span(),
            format!(
                "no associated fn `{}` in this `#[actions]` block: add the batch form beside the action, `{FORM}`",
                batch.ident
            ),
        ));
        return;
    };
    let sig = &method.sig;
    let takes_parents = sig.inputs.len() == 1
        && matches!(sig.inputs.first(), Some(FnArg::Typed(typed)) if is_slice_ref(&typed.ty));
    if !takes_parents {
        errors.push(Error::new_spanned(
            &sig.inputs,
            format!("a batch form takes the parents as its one parameter: `{FORM}`"),
        ));
    }
    let ReturnType::Type(_, output) = &sig.output else {
        errors.push(Error::new_spanned(
            sig,
            format!("a batch form returns one result per parent: `{FORM}`"),
        ));
        return;
    };
    batch.is_async = sig.asyncness.is_some();
    batch.is_result = matches!(&**output, Type::Path(path)
        if path.path.segments.last().is_some_and(|segment| segment.ident == "Result"));
}

/// Whether `ty` is `&[T]`.
fn is_slice_ref(ty: &Type) -> bool {
    matches!(ty, Type::Reference(reference) if reference.mutability.is_none() && matches!(&*reference.elem, Type::Slice(_)))
}
