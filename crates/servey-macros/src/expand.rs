//! [`ActionModel`] -> tokens: a hidden `static` spec with a thin invoker, its registry entry, and a
//! module named after the function with its typed call and one `#[test]` per example. No decisions
//! here; everything is named through `::servey::__private`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::model::{AccessModel, ActionModel, CacheModel, ParamKind, TriggerModel};

mod batch;
mod call;
mod example;
mod fixture;

pub(crate) use fixture::fixture;

/// The name of the hidden static that holds an action's spec: from the function, so that two actions
/// given the same name collide only on [`unique_name`]'s item.
pub(crate) fn spec_ident(model: &ActionModel) -> syn::Ident {
    format_ident!("__SERVEY_ACTION_{}", model.rust_name)
}

/// Everything generated for one action, to be placed beside the function (or the impl block).
pub(crate) fn action(model: &ActionModel) -> TokenStream {
    let spec = spec_ident(model);
    let name = &model.name;
    let doc = &model.doc;
    let fn_ident = &model.fn_ident;
    let fn_name = fn_ident.to_string();

    let input_params: Vec<_> = model
        .params
        .iter()
        .filter(|p| matches!(p.kind, ParamKind::Input))
        .collect();
    let field_idents: Vec<_> = input_params.iter().map(|p| &p.ident).collect();
    let field_keys: Vec<_> = input_params.iter().map(|p| &p.key).collect();
    let field_types: Vec<_> = input_params.iter().map(|p| &p.ty).collect();
    let field_attrs = input_params.iter().map(|p| &p.schema_attrs);
    // The decoded struct is generic over the parameter types, so that serde's derive never names them;
    // `__decode::<..>` is then the one place that needs them to deserialize, and reports it on each type.
    let generics: Vec<_> = (0..input_params.len())
        .map(|index| format_ident!("__P{index}"))
        .collect();
    let deserialize_bounds = input_params.iter().zip(&generics).map(|(p, generic)| {
        quote_spanned! {p.ty.span()=> #generic: for<'de> __servey::serde::Deserialize<'de> }
    });
    let decode = quote_spanned! {model.span=> __decode::<#(#field_types),*> };
    let output_ty = &model.output.ty;
    let injected = model.params.iter().filter_map(|p| {
        let ident = &p.ident;
        match &p.kind {
            ParamKind::Input => None,
            ParamKind::Context => {
                Some(quote! { let #ident = ::std::clone::Clone::clone(&context); })
            }
            ParamKind::OptionalAuthorization => {
                Some(quote! { let #ident = __servey::optional_authorization(&context); })
            }
            ParamKind::Authorization => Some(quote! {
                let #ident = match __servey::required_authorization(&context) {
                    ::std::result::Result::Ok(value) => value,
                    ::std::result::Result::Err(error) => return __servey::failed(error),
                };
            }),
            ParamKind::State(ty) => {
                let shared_state = quote_spanned! {ty.span()=> __servey::shared_state::<#ty> };
                Some(quote! {
                    let #ident = match #shared_state(&context) {
                        ::std::result::Result::Ok(value) => value,
                        ::std::result::Result::Err(error) => return __servey::failed(error),
                    };
                })
            }
        }
    });
    let args = model.params.iter().map(|p| {
        let ident = &p.ident;
        match p.kind {
            ParamKind::Input => quote! { params.#ident },
            _ => quote! { #ident },
        }
    });
    let (parent, call) = match &model.owner {
        Some(owner) => (
            quote! {
                let parent: #owner = match input.decode_parent() {
                    ::std::result::Result::Ok(parent) => parent,
                    ::std::result::Result::Err(error) => return __servey::failed(error),
                };
            },
            quote! { <#owner>::#fn_ident(&parent, #(#args),*) },
        ),
        None => (quote! {}, quote! { #fn_ident(#(#args),*) }),
    };
    let call = if model.is_async {
        quote! { #call.await }
    } else {
        call
    };
    // An explicit type argument, spanned on the result type, puts a missing `Serialize` on that type.
    let wrap = match (model.output.is_result, model.output.is_reply) {
        (true, false) => {
            quote_spanned! {output_ty.span()=> __servey::output_of_result::<#output_ty, _> }
        }
        (false, false) => quote_spanned! {output_ty.span()=> __servey::output_of::<#output_ty> },
        (true, true) => {
            quote_spanned! {output_ty.span()=> __servey::output_of_reply_result::<#output_ty, _> }
        }
        (false, true) => {
            quote_spanned! {output_ty.span()=> __servey::output_of_reply::<#output_ty> }
        }
    };
    let placement = if model.runs_on_pool() {
        quote! { __servey::Placement::Pool }
    } else {
        quote! { __servey::Placement::Inline }
    };
    let run = if model.is_async {
        quote! { ::std::boxed::Box::pin(async move { #wrap(#call) }) }
    } else {
        quote! { __servey::run_sync(#placement, move || #wrap(#call)) }
    };

    let triggers = model.triggers.iter().map(trigger);
    let examples = model.examples.iter().map(example::literal);
    let access = match &model.access_control {
        None => quote! { ::std::option::Option::None },
        Some(AccessModel::Scope(scope)) => {
            quote! { ::std::option::Option::Some(__servey::AccessPolicy::Scope(#scope)) }
        }
        Some(AccessModel::Custom(path)) => quote_spanned! {path.span()=>
            ::std::option::Option::Some(__servey::AccessPolicy::Custom(__servey::construct_access_control::<#path>))
        },
    };
    let cache = match &model.cache_control {
        None => quote! { ::std::option::Option::None },
        Some(CacheModel::Ttl {
            seconds,
            server_cache,
        }) => {
            quote! { ::std::option::Option::Some(__servey::CachePolicy::Ttl { seconds: #seconds, server_cache: #server_cache }) }
        }
        Some(CacheModel::ETag) => {
            quote! { ::std::option::Option::Some(__servey::CachePolicy::ETag) }
        }
        Some(CacheModel::LastModified(field)) => {
            quote! { ::std::option::Option::Some(__servey::CachePolicy::LastModified(#field)) }
        }
        Some(CacheModel::Custom(path)) => quote_spanned! {path.span()=>
            ::std::option::Option::Some(__servey::CachePolicy::Custom(__servey::construct_cache_control::<#path>))
        },
    };
    let timeout = match model.timeout_secs {
        Some(seconds) => quote! { ::std::option::Option::Some(#seconds) },
        None => quote! { ::std::option::Option::None },
    };
    let rate_limit = match model.rate_limit {
        Some((count, seconds)) => quote! {
            ::std::option::Option::Some(__servey::RateLimit {
                count: #count,
                period: ::std::time::Duration::from_secs(#seconds),
            })
        },
        None => quote! { ::std::option::Option::None },
    };
    let deny_unknown_fields = match model.deny_unknown_fields {
        Some(deny) => quote! { ::std::option::Option::Some(#deny) },
        None => quote! { ::std::option::Option::None },
    };
    let owner = match &model.owner {
        Some(owner) => quote! {
            ::std::option::Option::Some(|| ::std::string::ToString::to_string(&<#owner as __servey::utoipa::ToSchema>::name()))
        },
        None => quote! { ::std::option::Option::None },
    };
    let state = model.state_types().map(|ty| {
        quote_spanned! {ty.span()=> __servey::StateNeed::of::<#ty>() }
    });
    let status = match model.status {
        Some(status) => quote! { ::std::option::Option::Some(#status) },
        None => quote! { ::std::option::Option::None },
    };
    let response_headers = &model.response_headers;
    let error_statuses = &model.error_statuses;
    let tags = &model.tags;
    let requires_authorization = model.requires_authorization();
    let (batch_fn, batch) = batch::invoker(model);
    let module = call::module(model, example::tests(model));
    let unique = unique_name(model);

    quote_spanned! {model.span=>
        #[doc(hidden)]
        #[allow(non_upper_case_globals, non_snake_case, non_camel_case_types, clippy::all)]
        static #spec: ::servey::__private::ActionSpec = {
            use ::servey::__private as __servey;
            #[allow(unused_imports)]
            use ::servey::__private::utoipa;
            // The derives and `json!` below expect a prelude; the user's module may have none.
            #[allow(unused_imports)]
            use ::std::prelude::rust_2021::*;
            #[allow(unused_imports)]
            use ::std::{self, format, vec};

            #[derive(__servey::serde::Deserialize)]
            #[serde(crate = "::servey::__private::serde")]
            struct __Decoded<#(#generics),*> { #(#field_idents: #generics,)* }

            #[derive(utoipa::ToSchema)]
            #[allow(dead_code)]
            struct __Params { #(#(#field_attrs)* #field_idents: #field_types,)* }

            #[derive(utoipa::ToSchema)]
            #[allow(dead_code)]
            struct __Output(#output_ty);

            #[allow(clippy::type_complexity)]
            fn __decode<#(#deserialize_bounds),*>(
                input: &__servey::Input,
            ) -> ::std::result::Result<__Decoded<#(#generics),*>, __servey::ActionFuture> {
                input.decode(__check_fields::<#(#generics),*>).map_err(__servey::failed)
            }

            #[allow(unused_variables)]
            fn __check_fields<#(#generics: for<'de> __servey::serde::Deserialize<'de>),*>(
                map: &__servey::Map,
                errors: &mut ::std::vec::Vec<__servey::FieldError>,
            ) {
                #(__servey::check_field::<#generics>(map, #field_keys, errors);)*
            }

            fn __invoke(input: __servey::Input, context: __servey::Context) -> __servey::ActionFuture {
                let _ = &context;
                #parent
                #[allow(unused_variables)]
                let params = match #decode(&input) {
                    ::std::result::Result::Ok(params) => params,
                    ::std::result::Result::Err(failed) => return failed,
                };
                #(#injected)*
                #run
            }

            #batch_fn

            fn __examples() -> ::std::vec::Vec<__servey::Example> {
                ::std::vec![#(#examples),*]
            }

            __servey::ActionSpec {
                name: #name,
                fn_name: #fn_name,
                doc: #doc,
                location: ::std::concat!(::std::file!(), ":", ::std::line!()),
                triggers: &[#(#triggers),*],
                examples: __examples,
                access_control: #access,
                cache_control: #cache,
                timeout_secs: #timeout,
                rate_limit: #rate_limit,
                deny_unknown_fields: #deny_unknown_fields,
                requires_authorization: #requires_authorization,
                state: &[#(#state),*],
                status: #status,
                response_headers: &[#(#response_headers),*],
                error_statuses: &[#(#error_statuses),*],
                schema: __servey::action_schema::<__Params, __Output>,
                owner: #owner,
                tags: &[#(#tags),*],
                module: ::std::module_path!(),
                invoke: __invoke,
                batch: #batch,
            }
        };

        ::servey::__private::inventory::submit! { ::servey::__private::ActionEntry(&#spec) }

        #unique

        #module
    }
}

/// Two actions given the same name in one module must not both register. Each action defines a constant
/// named after its action name, holding its function's id and a message; the second definition collides
/// (rustc: "defined multiple times") and the second action's check then reads the first's constant and
/// fails with servey's own message, naming the first function, on the second one's name.
fn unique_name(model: &ActionModel) -> TokenStream {
    let marker = format_ident!(
        "__servey_action_name_{}",
        model.name,
        span = model.name_span
    );
    let label = model.function_label();
    let id = fnv1a(&label);
    let message = format!(
        "the action name `{}` is already taken by `{label}` in this module; action names are unique: rename one of them with `name = \"..\"`",
        model.name
    );
    quote_spanned! {model.name_span=>
        #[doc(hidden)]
        #[allow(non_upper_case_globals, dead_code)]
        const #marker: (u64, &str) = (#id, #message);
        #[doc(hidden)]
        const _: () = if #marker.0 != #id { ::std::panic!("{}", #marker.1) };
    }
}

/// A stable 64-bit hash (FNV-1a), enough to tell two functions of one module apart.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn trigger(trigger: &TriggerModel) -> TokenStream {
    match trigger {
        TriggerModel::Web { method, path } => {
            let method = format_ident!("{}", capitalized(method));
            let path = option_cow(path.as_deref());
            quote! { __servey::Trigger::Web { method: __servey::Method::#method, path: #path } }
        }
        TriggerModel::WebPage { path, template } => {
            let (path, template) = (option_cow(path.as_deref()), option_cow(template.as_deref()));
            quote! { __servey::Trigger::WebPage { path: #path, template: #template } }
        }
        TriggerModel::FixedRate(seconds) => {
            quote! { __servey::Trigger::FixedRate { seconds: #seconds } }
        }
        TriggerModel::Cron(expression) => {
            quote! { __servey::Trigger::Cron(__servey::Cow::Borrowed(#expression)) }
        }
    }
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn option_cow(value: Option<&str>) -> TokenStream {
    match value {
        Some(value) => quote! { ::std::option::Option::Some(__servey::Cow::Borrowed(#value)) },
        None => quote! { ::std::option::Option::None },
    }
}
