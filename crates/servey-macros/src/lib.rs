//! The `#[action]`, `#[actions]` and `#[fixture]` attributes of servey, and `embed_dir!`. Three stages: `parse` (syn -> model, all checks
//! and errors), `model` (the action as data), `expand` (model -> tokens). Users depend on `servey`, which
//! re-exports these.

use proc_macro::TokenStream;
use quote::{ToTokens, quote};
use syn::{ImplItem, ItemFn, ItemImpl};

mod embed;
mod expand;
mod json;
mod model;
mod parse;
#[cfg(test)]
mod snapshots;

/// Turns a function into an action: served on its triggers, described in every schema, and its examples
/// run as tests. See the `servey` crate docs for the attribute's keys.
#[proc_macro_attribute]
pub fn action(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut function = match syn::parse::<ItemFn>(item.clone()) {
        Ok(function) => function,
        Err(_) => {
            let error = syn::Error::new(
                parse::call_site(),
                "`#[action]` goes on a function (or on a method inside `#[actions] impl Type { .. }`)",
            );
            return with_original(error, item.into()).into();
        }
    };
    let output = match parse::action(args.into(), &function.attrs, &function.sig, None) {
        Ok(mut model) => {
            model.vis = function.vis.clone();
            strip_schema_attrs(&mut function.sig);
            let generated = expand::action(&model);
            quote! { #function #generated }
        }
        Err(error) => with_original(error, function.to_token_stream()),
    };
    debug_print("action", &output);
    output.into()
}

/// Marks an `impl` block whose `#[action]` methods are nested actions: fields of the type, resolved only
/// when selected (GraphQL), with `&self` read from the parent result.
#[proc_macro_attribute]
pub fn actions(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut block = match syn::parse::<ItemImpl>(item.clone()) {
        Ok(block) => block,
        Err(_) => {
            return with_original(
                syn::Error::new(
                    parse::call_site(),
                    "`#[actions]` goes on an `impl Type { .. }` block",
                ),
                item.into(),
            )
            .into();
        }
    };
    let mut errors = parse::Errors::default();
    if !proc_macro2::TokenStream::from(args).is_empty() {
        errors.push(syn::Error::new(
            parse::call_site(),
            "`#[actions]` takes no arguments; put them on each method's `#[action(..)]`",
        ));
    }
    let owner = (*block.self_ty).clone();
    let siblings = block.items.clone();
    let mut generated = Vec::new();
    for item in &mut block.items {
        let ImplItem::Fn(method) = item else { continue };
        let Some(position) = method
            .attrs
            .iter()
            .position(|attr| attr.path().is_ident("action"))
        else {
            continue;
        };
        let attr = method.attrs.remove(position);
        let args = match &attr.meta {
            syn::Meta::List(list) => list.tokens.clone(),
            syn::Meta::Path(_) => proc_macro2::TokenStream::new(),
            syn::Meta::NameValue(name_value) => {
                errors.push(syn::Error::new_spanned(
                    name_value,
                    "write `#[action]` or `#[action(key = value, ..)]`, not `#[action = ..]`",
                ));
                continue;
            }
        };
        if let Some(mut model) = errors.ok(parse::action(
            args,
            &method.attrs,
            &method.sig,
            Some(&owner),
        )) {
            parse::resolve_batch(&mut model, &siblings, &mut errors);
            strip_schema_attrs(&mut method.sig);
            generated.push(expand::action(&model));
        }
    }
    let output = match errors.finish() {
        Ok(()) => quote! { #block #(#generated)* },
        Err(error) => with_original(error, block.to_token_stream()),
    };
    debug_print("actions", &output);
    output.into()
}

/// Removes the parameters' `#[schema(..)]` attributes, which go into the input schema, not the function.
fn strip_schema_attrs(sig: &mut syn::Signature) {
    for input in &mut sig.inputs {
        if let syn::FnArg::Typed(typed) = input {
            typed.attrs.retain(|attr| !attr.path().is_ident("schema"));
        }
    }
}

/// Registers the crate's test fixture: a function with no parameters, sync or async, returning
/// `Extensions` or `Result<Extensions, E: Display>`, whose values each example test's app holds.
#[proc_macro_attribute]
pub fn fixture(args: TokenStream, item: TokenStream) -> TokenStream {
    let function = match syn::parse::<ItemFn>(item.clone()) {
        Ok(function) => function,
        Err(_) => {
            let error = syn::Error::new(
                parse::call_site(),
                "`#[servey::fixture]` goes on a function returning `Extensions`",
            );
            return with_original(error, item.into()).into();
        }
    };
    let output = match parse::fixture(args.into(), &function.sig) {
        Ok(model) => {
            let generated = expand::fixture(&model);
            quote! { #function #generated }
        }
        Err(error) => with_original(error, function.to_token_stream()),
    };
    debug_print("fixture", &output);
    output.into()
}

/// A directory of the app's crate, relative to its `Cargo.toml`, built into the binary as a
/// `servey::EmbeddedDir`: `servey::embed_dir!("templates")`.
#[proc_macro]
pub fn embed_dir(input: TokenStream) -> TokenStream {
    match embed::embed_dir(input.into()) {
        Ok(output) => output.into(),
        Err(error) => error.to_compile_error().into(),
    }
}

/// The user's item unchanged beside the errors, so one mistake does not cascade into "cannot find" errors.
fn with_original(
    error: syn::Error,
    original: proc_macro2::TokenStream,
) -> proc_macro2::TokenStream {
    let errors = error.to_compile_error();
    quote! { #errors #original }
}

fn debug_print(which: &str, output: &proc_macro2::TokenStream) {
    if std::env::var_os("SERVEY_MACROS_DEBUG").is_some() {
        eprintln!("#[{which}] expands to:\n{output}");
    }
}
