//! Integer schemas every client can hold: utoipa's Rust-flavoured formats (`uint8`..`uint64`, `int8`,
//! `int16`, and `int32` / `int64` with `minimum: 0` for `u32` / `u64`) become the standard `int32` or
//! `int64` that fits, with the range written out as `minimum` and `maximum`. Java, C# and Go generators
//! trust `format`; a `u32` documented as `int32` overflows them. The invoke path refuses what lies outside
//! the written range, so a `u64` is documented and served as `0..=i64::MAX`.

use utoipa::Number;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayItems, KnownFormat, Object, Schema, SchemaFormat, SchemaType, Type,
};

/// Rewrites every integer schema inside `schema` (properties, items, variants) to a standard format
/// with explicit bounds; other schemas are left as they are.
pub fn normalize_integers(schema: &mut RefOr<Schema>) {
    if let RefOr::T(schema) = schema {
        normalize_schema(schema);
    }
}

fn normalize_schema(schema: &mut Schema) {
    match schema {
        Schema::Object(object) => normalize_object(object),
        Schema::Array(array) => {
            if let ArrayItems::RefOrSchema(items) = &mut array.items {
                normalize_integers(items);
            }
            array.prefix_items.iter_mut().for_each(normalize_schema);
        }
        Schema::OneOf(one_of) => one_of.items.iter_mut().for_each(normalize_integers),
        Schema::AnyOf(any_of) => any_of.items.iter_mut().for_each(normalize_integers),
        Schema::AllOf(all_of) => all_of.items.iter_mut().for_each(normalize_integers),
        _ => {}
    }
}

fn normalize_object(object: &mut Object) {
    object.properties.values_mut().for_each(normalize_integers);
    if let Some(additional) = object.additional_properties.as_deref_mut()
        && let AdditionalProperties::RefOr(values) = additional
    {
        normalize_integers(values);
    }
    if !is_integer(&object.schema_type) {
        return;
    }
    let Some((format, minimum, maximum)) = standard_range(object) else {
        return;
    };
    object.format = Some(SchemaFormat::KnownFormat(format));
    // Bounds the user declared are kept: they are narrower than the type's.
    object.minimum.get_or_insert(Number::Int(minimum as isize));
    object.maximum.get_or_insert(Number::Int(maximum as isize));
}

/// The standard format and range for an integer schema utoipa made from a Rust type; `None` for one
/// that is already standard and signed (`i32`, `i64`), whose format says its range.
fn standard_range(object: &Object) -> Option<(KnownFormat, i64, i64)> {
    let unsigned = object
        .minimum
        .as_ref()
        .is_some_and(|minimum| match minimum {
            Number::Int(value) => *value >= 0,
            Number::UInt(_) => true,
            Number::Float(value) => *value >= 0.0,
        });
    let format = match &object.format {
        Some(SchemaFormat::KnownFormat(format)) => Some(format),
        Some(SchemaFormat::Custom(_)) => return None,
        None => None,
    };
    let (format, minimum, maximum) = match format {
        Some(KnownFormat::Int8) => (KnownFormat::Int32, i8::MIN.into(), i8::MAX.into()),
        Some(KnownFormat::Int16) => (KnownFormat::Int32, i16::MIN.into(), i16::MAX.into()),
        Some(KnownFormat::UInt8) => (KnownFormat::Int32, 0, u8::MAX.into()),
        Some(KnownFormat::UInt16) => (KnownFormat::Int32, 0, u16::MAX.into()),
        Some(KnownFormat::UInt32) => (KnownFormat::Int64, 0, u32::MAX.into()),
        Some(KnownFormat::Int32) if unsigned => (KnownFormat::Int64, 0, u32::MAX.into()),
        Some(KnownFormat::UInt64 | KnownFormat::Int64) if unsigned => {
            (KnownFormat::Int64, 0, i64::MAX)
        }
        Some(KnownFormat::UInt64) => (KnownFormat::Int64, 0, i64::MAX),
        // `usize`, `u128`: no format, `minimum: 0`; `isize`, `i128`: no format at all.
        None if unsigned => (KnownFormat::Int64, 0, i64::MAX),
        None => (KnownFormat::Int64, i64::MIN, i64::MAX),
        Some(_) => return None,
    };
    Some((format, minimum, maximum))
}

fn is_integer(schema_type: &SchemaType) -> bool {
    match schema_type {
        SchemaType::Type(kind) => *kind == Type::Integer,
        SchemaType::Array(kinds) => kinds.contains(&Type::Integer),
        SchemaType::AnyValue => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};
    use utoipa::ToSchema;

    use super::*;

    #[derive(ToSchema)]
    #[allow(dead_code)]
    struct Widths {
        tiny: u8,
        small: u16,
        medium: u32,
        large: u64,
        size: usize,
        signed_tiny: i8,
        signed: i32,
        signed_large: i64,
        maybe: Option<u32>,
        list: Vec<u64>,
        #[schema(maximum = 10)]
        bounded: u64,
    }

    fn normalized_property(name: &str) -> Value {
        let mut schema = <Widths as utoipa::PartialSchema>::schema();
        normalize_integers(&mut schema);
        serde_json::to_value(&schema).expect("serializes")["properties"][name].clone()
    }

    #[test]
    fn unsigned_widths_get_a_format_that_holds_them_and_their_range() {
        let cases = [
            (
                "tiny",
                json!({"type": "integer", "format": "int32", "minimum": 0, "maximum": 255}),
            ),
            (
                "small",
                json!({"type": "integer", "format": "int32", "minimum": 0, "maximum": 65535}),
            ),
            (
                "medium",
                json!({"type": "integer", "format": "int64", "minimum": 0, "maximum": 4294967295_u32}),
            ),
            (
                "large",
                json!({"type": "integer", "format": "int64", "minimum": 0, "maximum": i64::MAX}),
            ),
            (
                "size",
                json!({"type": "integer", "format": "int64", "minimum": 0, "maximum": i64::MAX}),
            ),
            (
                "signed_tiny",
                json!({"type": "integer", "format": "int32", "minimum": -128, "maximum": 127}),
            ),
            ("signed", json!({"type": "integer", "format": "int32"})),
            (
                "signed_large",
                json!({"type": "integer", "format": "int64"}),
            ),
            (
                "maybe",
                json!({"type": ["integer", "null"], "format": "int64", "minimum": 0, "maximum": 4294967295_u32}),
            ),
            (
                "list",
                json!({"type": "array", "items": {"type": "integer", "format": "int64", "minimum": 0, "maximum": i64::MAX}}),
            ),
            (
                "bounded",
                json!({"type": "integer", "format": "int64", "minimum": 0, "maximum": 10}),
            ),
        ];
        for (name, expected) in cases {
            assert_eq!(normalized_property(name), expected, "{name}");
        }
    }
}
