//! What single JSON Schema keywords mean for GraphQL: the `type` list, `null`, plain objects, enum
//! values and the integer rule.

use crate::json::{Json, JsonMap};
use crate::model::BIG_INT;
use crate::naming::is_name;

use super::Side;

/// The name of an object type on `side` whose output name is `base`.
pub(super) fn object_name(base: &str, side: Side) -> String {
    match side {
        Side::Output => base.to_owned(),
        Side::Input => format!("{base}Input"),
    }
}

/// The base an object type name was made from (inline types inside it are named after it).
pub(super) fn name_base(name: &str, side: Side) -> String {
    match side {
        Side::Output => name.to_owned(),
        Side::Input => name.strip_suffix("Input").unwrap_or(name).to_owned(),
    }
}

/// The JSON types a schema allows, without `null`, and whether it allows `null`.
pub(super) fn types_of(object: &JsonMap) -> (Vec<&str>, bool) {
    let listed: Vec<&str> = match object.get("type") {
        Some(Json::String(one)) => vec![one.as_str()],
        Some(Json::Array(many)) => many.iter().filter_map(Json::as_str).collect(),
        _ => Vec::new(),
    };
    let nullable = listed.contains(&"null") || object.get("nullable") == Some(&Json::Bool(true));
    let types = listed.into_iter().filter(|kind| *kind != "null").collect();
    (types, nullable)
}

/// Whether the schema is `{"type": "null"}`.
pub(super) fn is_null(schema: &Json) -> bool {
    schema.get("type").and_then(Json::as_str) == Some("null")
}

/// Whether the schema is an object with properties.
pub(super) fn is_plain_object(schema: &Json) -> bool {
    schema
        .get("properties")
        .and_then(Json::as_object)
        .is_some_and(|properties| !properties.is_empty())
        && schema.get("type").is_none_or(|kind| {
            kind.as_str() == Some("object")
                || kind
                    .as_array()
                    .is_some_and(|k| k.contains(&"object".into()))
        })
}

/// Whether a string can be a GraphQL enum value.
pub(super) fn is_enum_value(value: &str) -> bool {
    is_name(value) && !matches!(value, "true" | "false" | "null")
}

/// `Int` when the value surely fits 32 signed bits, else `BigInt` (see the crate docs).
pub(super) fn integer_scalar(object: &JsonMap) -> &'static str {
    let bound = |key: &str| object.get(key).and_then(Json::as_f64);
    let (minimum, maximum) = (bound("minimum"), bound("maximum"));
    let within_i32 = minimum.is_some_and(|min| min >= f64::from(i32::MIN))
        && maximum.is_some_and(|max| max <= f64::from(i32::MAX));
    let format = object.get("format").and_then(Json::as_str);
    match format {
        _ if within_i32 => "Int",
        Some("int8" | "int16" | "uint8" | "uint16") => "Int",
        // utoipa writes u32 as `int32` with `minimum: 0`; only signed int32 surely fits.
        Some("int32") if minimum.is_none_or(|min| min < 0.0) => "Int",
        _ => BIG_INT,
    }
}
