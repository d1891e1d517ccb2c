//! Each example as a `servey::Example` literal, and the `#[test]` that runs each one marked for tests.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::spec_ident;
use crate::model::{ActionModel, ExampleModel};

/// The `Example` value of one `example(..)`, inside the spec's `__examples` function.
pub(super) fn literal(example: &ExampleModel) -> TokenStream {
    let name = option_str(example.name.as_deref());
    let description = option_str(example.description.as_deref());
    let caller = option_str(example.caller.as_deref());
    let scopes = match &example.scopes {
        Some(scopes) => quote! {
            ::std::option::Option::Some(::std::vec![#(::std::string::ToString::to_string(#scopes)),*])
        },
        None => quote! { ::std::option::Option::None },
    };
    let (params, result, include) = (&example.params, &example.result, example.include_in_tests);
    let (anonymous, partial) = (example.is_anonymous, example.is_partial);
    quote! {
        __servey::Example {
            name: #name,
            description: #description,
            params: __servey::serde_json::json!(#params),
            result: __servey::serde_json::json!(#result),
            include_in_tests: #include,
            caller: #caller,
            scopes: #scopes,
            anonymous: #anonymous,
            partial: #partial,
        }
    }
}

/// One `#[test]` per example marked for tests, to go in the module named after the function.
pub(super) fn tests(model: &ActionModel) -> Vec<TokenStream> {
    let spec = spec_ident(model);
    model
        .examples
        .iter()
        .enumerate()
        .filter(|(_, example)| example.include_in_tests)
        .map(|(index, example)| {
            let test = format_ident!(
                "example_{}",
                example.name.clone().unwrap_or_else(|| index.to_string())
            );
            quote! {
                #[cfg(test)]
                #[test]
                fn #test() {
                    ::servey::__private::run_example(&super::#spec, #index);
                }
            }
        })
        .collect()
}

fn option_str(value: Option<&str>) -> TokenStream {
    match value {
        Some(value) => {
            quote! { ::std::option::Option::Some(::std::string::ToString::to_string(#value)) }
        }
        None => quote! { ::std::option::Option::None },
    }
}
