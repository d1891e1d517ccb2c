//! Property fields: read from the parent object's JSON already in hand, answered as a ready value (no
//! boxed future per field), and borrowed from the parent rather than copied: a nested object or list is
//! handed on by reference, and a scalar converted straight from the JSON value, without serde.

use async_graphql::dynamic::{FieldFuture, FieldValue, ResolverContext};
use async_graphql::{Name, Value as GqlValue};
use serde_json::Value;

use crate::error::coded;
use crate::model::{Field, Kind, Ty};
use crate::prefetch::parent_json;
use crate::resolve::report;

/// The resolver of an object field that reads `field.key` from the parent object's JSON.
pub(crate) fn property_resolver(
    field: &Field,
) -> impl for<'a> Fn(ResolverContext<'a>) -> FieldFuture<'a> + Send + Sync + 'static {
    let key = field.key.clone();
    let ty = field.ty.clone();
    move |ctx: ResolverContext<'_>| {
        let outcome = parent_json(ctx.parent_value).and_then(|parent| {
            match parent.get(&key).filter(|value| !value.is_null()) {
                Some(value) => borrowed_value(value, &ty),
                None if ty.nullable => Ok(None),
                None => Err(coded(
                    "INTERNAL_SERVER_ERROR",
                    format!("The result has no value for `{key}`, which its schema requires."),
                )),
            }
        });
        FieldFuture::Value(outcome.unwrap_or_else(|error| report(&ctx, error)))
    }
}

/// A JSON value of the parent as the field value of a GraphQL type, borrowing what it can.
fn borrowed_value<'a>(json: &'a Value, ty: &Ty) -> async_graphql::Result<Option<FieldValue<'a>>> {
    match (json, &ty.kind) {
        (Value::Null, _) => Ok(None),
        (Value::Object(_), Kind::Object(_)) => Ok(Some(FieldValue::borrowed_any(json))),
        (Value::Array(items), Kind::List(item)) => {
            let values = items
                .iter()
                .map(|json| {
                    borrowed_value(json, item).map(|value| value.unwrap_or(FieldValue::NULL))
                })
                .collect::<async_graphql::Result<Vec<_>>>()?;
            Ok(Some(FieldValue::list(values)))
        }
        (json, _) => leaf_value(json, ty),
    }
}

/// A JSON value that is neither an object nor a list of `ty`'s shape (a scalar, an enum value, null)
/// as the field value of `ty`, or the error of a value that does not fit it.
pub(crate) fn leaf_value<'a>(
    json: &Value,
    ty: &Ty,
) -> async_graphql::Result<Option<FieldValue<'a>>> {
    match (json, &ty.kind) {
        (Value::Null, _) => Ok(None),
        (Value::String(name), Kind::Enum(_)) => {
            Ok(Some(FieldValue::value(GqlValue::Enum(Name::new(name)))))
        }
        // GraphQL serializes Float as a float, also when the result holds a whole number.
        (Value::Number(number), Kind::Scalar("Float")) => Ok(Some(FieldValue::value(
            number.as_f64().map_or(GqlValue::Null, GqlValue::from),
        ))),
        (json, Kind::Scalar(_)) => Ok(Some(FieldValue::value(scalar(json)))),
        (json, _) => Err(coded(
            "INTERNAL_SERVER_ERROR",
            format!(
                "The result `{json}` does not fit its GraphQL type `{}`.",
                ty.type_ref()
            ),
        )),
    }
}

/// A JSON value as a GraphQL value, converted directly (async-graphql's `from_json` goes through serde).
fn scalar(json: &Value) -> GqlValue {
    match json {
        Value::Null => GqlValue::Null,
        Value::Bool(value) => GqlValue::Boolean(*value),
        Value::Number(number) => GqlValue::Number(number.clone()),
        Value::String(text) => GqlValue::String(text.clone()),
        Value::Array(items) => GqlValue::List(items.iter().map(scalar).collect()),
        Value::Object(members) => GqlValue::Object(
            members
                .iter()
                .map(|(name, value)| (Name::new(name), scalar(value)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn scalars_convert_as_async_graphql_converts_them() {
        for json in [
            json!(null),
            json!(true),
            json!(-3),
            json!(u64::MAX),
            json!(1.5),
            json!("text"),
            json!([1, "a", null]),
            json!({"b": {"c": [1.25]}, "a": false}),
        ] {
            assert_eq!(
                scalar(&json),
                GqlValue::from_json(json.clone()).expect("converts"),
                "{json}"
            );
        }
    }
}
