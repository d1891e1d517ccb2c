//! [`FixtureModel`] -> the registration of the crate's test fixture: a function that runs the user's
//! fixture and boxes its values as a `FixtureFuture`, submitted as a `FixtureEntry`.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::model::FixtureModel;

/// What is generated beside the fixture function.
pub(crate) fn fixture(model: &FixtureModel) -> TokenStream {
    let fn_ident = &model.fn_ident;
    let call = if model.is_async {
        quote! { #fn_ident().await }
    } else {
        quote! { #fn_ident() }
    };
    // Spanned on the user's return type, so that a value of the wrong type is reported there.
    let check = quote_spanned! {model.values.span()=>
        let values: ::servey::__private::Extensions = values;
    };
    let body = match model.error_span {
        None => quote! {
            let values = #call;
            #check
            ::std::result::Result::Ok(values)
        },
        Some(error_span) => {
            let message = quote_spanned! {error_span=> ::std::string::ToString::to_string(&error) };
            quote! {
                match #call {
                    ::std::result::Result::Ok(values) => {
                        #check
                        ::std::result::Result::Ok(values)
                    }
                    ::std::result::Result::Err(error) => ::std::result::Result::Err(#message),
                }
            }
        }
    };
    quote! {
        #[doc(hidden)]
        const _: () = {
            fn __servey_fixture() -> ::servey::__private::FixtureFuture {
                ::std::boxed::Box::pin(async move { #body })
            }

            ::servey::__private::inventory::submit! {
                ::servey::__private::FixtureEntry {
                    make: __servey_fixture,
                    location: ::std::concat!(::std::file!(), ":", ::std::line!()),
                }
            }
        };
    }
}
