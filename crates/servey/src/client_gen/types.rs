//! Rust types for the schema model: scalars with their width, lists, maps, `Option`s, and a struct or
//! enum for each named component and each object or enum written inline (named after where it sits).

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use servey_core::schema::{IntegerType, ObjectType, SchemaModel, TypeKind, TypeModel};

use super::names::{field_ident, type_ident, variant_ident};

/// The Rust items (structs, enums, aliases) made so far, and the type names they took.
#[derive(Default)]
pub(super) struct Types {
    /// The items, in the order they were made.
    pub(super) items: Vec<TokenStream>,
    taken: BTreeSet<String>,
    /// The Rust name of each component, by its schema name.
    pub(super) named: std::collections::BTreeMap<String, String>,
}

impl Types {
    /// Claims `wanted` (or `wanted2`, `wanted3`, .. when it is taken) as a type name.
    pub(super) fn claim(&mut self, wanted: &str) -> String {
        let mut name = wanted.to_owned();
        let mut n = 1;
        while !self.taken.insert(name.clone()) {
            n += 1;
            name = format!("{wanted}{n}");
        }
        name
    }

    /// An item for the component `name`, whose Rust name `rust_name` was claimed already.
    pub(super) fn component(&mut self, model: &SchemaModel, rust_name: &str, ty: &TypeModel) {
        let ident = format_ident!("{}", rust_name);
        let doc = doc(ty.description.as_deref());
        let item = match &ty.kind {
            TypeKind::Object(object) if !ty.nullable => {
                let fields = self.fields(model, rust_name, object);
                quote! {
                    #doc
                    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
                    pub struct #ident { #(#fields)* }
                }
            }
            TypeKind::Enum { values } if !ty.nullable => enumeration(&ident, &doc, values),
            _ => {
                let target = self.rust_type(model, rust_name, ty);
                quote! { #doc pub type #ident = #target; }
            }
        };
        self.items.push(item);
    }

    /// The struct fields of `object`, inside the type `owner`.
    fn fields(
        &mut self,
        model: &SchemaModel,
        owner: &str,
        object: &ObjectType,
    ) -> Vec<TokenStream> {
        let mut fields = self.declared_fields(model, owner, object);
        // Undeclared keys the object allows travel in a map beside the declared fields.
        if let Some(values) = &object.additional {
            let values = self.rust_type(model, &format!("{owner}Additional"), values);
            let mut name = "additional".to_owned();
            while object.property(&name).is_some() {
                name.push('_');
            }
            let ident = format_ident!("{}", name);
            fields.push(quote! {
                #[doc = " Keys beyond the declared ones."]
                #[serde(flatten)]
                pub #ident: std::collections::BTreeMap<String, #values>,
            });
        }
        fields
    }

    /// One struct field per declared property of `object`, inside the type `owner`.
    fn declared_fields(
        &mut self,
        model: &SchemaModel,
        owner: &str,
        object: &ObjectType,
    ) -> Vec<TokenStream> {
        object
            .properties
            .iter()
            .map(|property| {
                let (ident, rename) = field_ident(&property.name);
                let context = format!("{owner}{}", type_ident(&property.name));
                let optional = !property.required && !property.ty.nullable;
                let mut ty = self.field_type(model, &context, &property.ty);
                if optional {
                    ty = quote! { Option<#ty> };
                }
                let mut serde = Vec::new();
                if let Some(rename) = rename {
                    serde.push(quote! { rename = #rename });
                }
                if !property.required {
                    serde.push(quote! { default, skip_serializing_if = "Option::is_none" });
                }
                let serde = (!serde.is_empty()).then(|| quote! { #[serde(#(#serde),*)] });
                let doc = doc(property.ty.description.as_deref());
                quote! { #doc #serde pub #ident: #ty, }
            })
            .collect()
    }

    /// The type of a struct field: a `Box` around a component that contains itself (not through a
    /// list or a map), which would otherwise have no size.
    fn field_type(&mut self, model: &SchemaModel, context: &str, ty: &TypeModel) -> TokenStream {
        if let TypeKind::Named { name } = &ty.kind
            && is_recursive(model, name)
            && let Some(rust_name) = self.named.get(name)
        {
            let ident = format_ident!("{}", rust_name);
            return if ty.nullable {
                quote! { Option<Box<#ident>> }
            } else {
                quote! { Box<#ident> }
            };
        }
        self.rust_type(model, context, ty)
    }

    /// The Rust type of `ty`; `context` names what an inline object or enum becomes.
    pub(super) fn rust_type(
        &mut self,
        model: &SchemaModel,
        context: &str,
        ty: &TypeModel,
    ) -> TokenStream {
        let inner = match &ty.kind {
            TypeKind::Any => return quote! { serde_json::Value },
            TypeKind::String => quote! { String },
            TypeKind::Integer(integer) => integer_type(integer),
            TypeKind::Number => quote! { f64 },
            TypeKind::Boolean => quote! { bool },
            TypeKind::List { items } => {
                let items = self.rust_type(model, &format!("{context}Item"), items);
                quote! { Vec<#items> }
            }
            TypeKind::Map { values } => {
                let values = self.rust_type(model, &format!("{context}Value"), values);
                quote! { std::collections::BTreeMap<String, #values> }
            }
            TypeKind::Object(_) | TypeKind::Enum { .. } => {
                let name = self.claim(context);
                self.component(model, &name, &TypeModel::of(ty.kind.clone()));
                let ident = format_ident!("{}", name);
                quote! { #ident }
            }
            TypeKind::Named { name } => match self.named.get(name) {
                Some(rust_name) if model.components.contains_key(name) => {
                    let ident = format_ident!("{}", rust_name);
                    quote! { #ident }
                }
                _ => return quote! { serde_json::Value },
            },
        };
        if ty.nullable {
            quote! { Option<#inner> }
        } else {
            inner
        }
    }
}

/// Whether the component `start` contains itself directly (through properties, not lists or maps).
fn is_recursive(model: &SchemaModel, start: &str) -> bool {
    let mut stack = Vec::new();
    if let Some(ty) = model.components.get(start) {
        direct_names(ty, &mut stack);
    }
    let mut seen = BTreeSet::new();
    while let Some(name) = stack.pop() {
        if name == start {
            return true;
        }
        if seen.insert(name.clone())
            && let Some(ty) = model.components.get(&name)
        {
            direct_names(ty, &mut stack);
        }
    }
    false
}

/// The components `ty` holds directly: itself when named, its properties' when an object.
fn direct_names(ty: &TypeModel, names: &mut Vec<String>) {
    match &ty.kind {
        TypeKind::Named { name } => names.push(name.clone()),
        TypeKind::Object(object) => object
            .properties
            .iter()
            .for_each(|property| direct_names(&property.ty, names)),
        _ => {}
    }
}

/// A string enum: one variant per value, each renamed to its value on the wire.
fn enumeration(ident: &proc_macro2::Ident, doc: &TokenStream, values: &[String]) -> TokenStream {
    let mut seen = BTreeSet::new();
    let variants = values.iter().map(|value| {
        let mut variant = variant_ident(value);
        let mut n: usize = 1;
        while !seen.insert(variant.to_string()) {
            n += 1;
            variant = format_ident!("{}{}", variant_ident(value), n);
        }
        let text = format!(" `{value}`");
        quote! { #[doc = #text] #[serde(rename = #value)] #variant, }
    });
    quote! {
        #doc
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum #ident { #(#variants)* }
    }
}

/// The narrowest Rust integer that holds every value the bounds and the format allow. A range of
/// `0..=i64::MAX` (how a `u64` is documented and served) is an `i64`: the document's `int64`, so every
/// value the caller holds that is not negative is one the server takes, where a `u64` would also
/// hold the upper half the server refuses (`u64::MAX` as "no limit" is a 422).
fn integer_type(integer: &IntegerType) -> TokenStream {
    let max = integer.maximum.unwrap_or(f64::INFINITY);
    let min = integer.minimum.unwrap_or(f64::NEG_INFINITY);
    // `i64::MAX` is 2^63 as an f64, as a documented maximum of `i64::MAX` reads back.
    let fits_i64 = max <= i64::MAX as f64;
    if !integer.signed || min >= 0.0 {
        return if max <= f64::from(u8::MAX) {
            quote! { u8 }
        } else if max <= f64::from(u16::MAX) {
            quote! { u16 }
        } else if max <= f64::from(u32::MAX) {
            quote! { u32 }
        } else if fits_i64 {
            quote! { i64 }
        } else {
            quote! { u64 }
        };
    }
    let within = |low: f64, high: f64| min >= low && max <= high;
    if within(f64::from(i8::MIN), f64::from(i8::MAX)) || integer.bits == Some(8) {
        quote! { i8 }
    } else if within(f64::from(i16::MIN), f64::from(i16::MAX)) || integer.bits == Some(16) {
        quote! { i16 }
    } else if within(f64::from(i32::MIN), f64::from(i32::MAX)) || integer.bits == Some(32) {
        quote! { i32 }
    } else {
        quote! { i64 }
    }
}

/// `#[doc = ..]` lines for `text`, or nothing.
pub(super) fn doc(text: Option<&str>) -> TokenStream {
    let lines = text
        .into_iter()
        .flat_map(str::lines)
        .map(|line| format!(" {line}"));
    quote! { #(#[doc = #lines])* }
}
