//! The module named after an action's function: its typed call (`say_hello::call(&client, ..)`) and its
//! example tests. A nested action gets only its tests: a call of it needs its parent object.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::model::{ActionModel, ParamKind};

/// The module beside the function: `call` for a top-level action, and the example `tests`.
pub(super) fn module(model: &ActionModel, tests: Vec<TokenStream>) -> TokenStream {
    if model.owner.is_some() {
        if tests.is_empty() {
            return TokenStream::new();
        }
        // Named after the function, like the spec, so that a duplicate action name gives one error.
        let module = format_ident!("{}", model.rust_name);
        return quote! {
            #[cfg(test)]
            #[doc(hidden)]
            #[allow(non_snake_case)]
            mod #module {
                #(#tests)*
            }
        };
    }
    let module = &model.fn_ident;
    let vis = &model.vis;
    let call = typed_call(model);
    let doc = format!(
        "Typed calls of the action `{}` through a `servey::Client` (in-process or over HTTP).",
        model.name
    );
    quote! {
        #[doc = #doc]
        #[allow(non_snake_case, unused_imports)]
        #vis mod #module {
            use super::*;

            #call

            #(#tests)*
        }
    }
}

fn typed_call(model: &ActionModel) -> TokenStream {
    let inputs: Vec<_> = model
        .params
        .iter()
        .filter(|param| matches!(param.kind, ParamKind::Input))
        .collect();
    let idents: Vec<_> = inputs.iter().map(|param| &param.ident).collect();
    let types: Vec<_> = inputs.iter().map(|param| &param.ty).collect();
    let keys: Vec<_> = inputs.iter().map(|param| &param.key).collect();
    let output = &model.output.ty;
    let name = &model.name;
    let is_idempotent = model.is_idempotent();
    let encode_bounds = types.iter().map(|ty| {
        quote_spanned! {ty.span()=>
            ::servey::__private::Typed<__C, #ty>: ::servey::__private::Encode<Value = #ty>
        }
    });
    let doc = format!(
        "Calls the action `{name}` through `client`, typed in and out: the same result and the same \
         errors in-process as over HTTP."
    );
    quote! {
        #[doc = #doc]
        #[allow(clippy::too_many_arguments, dead_code)]
        pub async fn call<__C>(
            client: &__C,
            #(#idents: #types),*
        ) -> ::std::result::Result<#output, ::servey::__private::ClientError>
        where
            __C: ::servey::__private::Caller + ?::std::marker::Sized,
            #(#encode_bounds,)*
            ::servey::__private::Typed<__C, #output>: ::servey::__private::Decode<Value = #output>,
        {
            #[allow(unused_mut)]
            let mut input = ::servey::__private::Map::new();
            #(
                input.insert(
                    ::std::string::ToString::to_string(#keys),
                    <::servey::__private::Typed<__C, #types> as ::servey::__private::Encode>::encode(&#idents)?,
                );
            )*
            let result = ::servey::__private::typed_call(client, #name, input, #is_idempotent).await?;
            <::servey::__private::Typed<__C, #output> as ::servey::__private::Decode>::decode(result)
        }
    }
}
