//! A nested action's batch invoker: decode the parents into the owner type, call the batch form once,
//! encode each result as the single form's output type.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::model::ActionModel;

/// The `__batch` fn (when the action has a batch form) and the spec's `batch` field value.
pub(super) fn invoker(model: &ActionModel) -> (TokenStream, TokenStream) {
    let (Some(batch), Some(owner)) = (&model.batch, &model.owner) else {
        return (quote! {}, quote! { ::std::option::Option::None });
    };
    let output_ty = &model.output.ty;
    let ident = &batch.ident;
    let call = quote_spanned! {ident.span()=> <#owner>::#ident(&parents) };
    let call = if batch.is_async {
        quote! { #call.await }
    } else {
        call
    };
    // The results are typed as the single form's output, so both forms answer the same schema.
    let wrap = if batch.is_result {
        quote_spanned! {output_ty.span()=> __servey::batch_of_result::<#output_ty, _> }
    } else {
        quote_spanned! {output_ty.span()=> __servey::batch_of::<#output_ty> }
    };
    let function = quote! {
        fn __batch(
            parents: &[&__servey::serde_json::Value],
            context: __servey::Context,
        ) -> __servey::BatchFuture {
            let _ = &context;
            let parents: ::std::vec::Vec<#owner> = match __servey::decode_parents(parents) {
                ::std::result::Result::Ok(parents) => parents,
                ::std::result::Result::Err(error) => return __servey::failed_batch(error),
            };
            ::std::boxed::Box::pin(async move { #wrap(#call) })
        }
    };
    (function, quote! { ::std::option::Option::Some(__batch) })
}
