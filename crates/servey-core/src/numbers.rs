//! Whole numbers in input, read by the action's schema model before the parameters are decoded: a float
//! with no fraction (`1999.0`, what Python's `json.dumps` writes for a float) is an integer where the
//! schema says integer, as JSON Schema counts it; an integer outside its declared range (a `u64` above
//! `i64::MAX`, the most a documented `int64` holds) is a 422 naming the field. Decided here, so REST,
//! GraphQL and the CLI agree.

use serde_json::{Map, Number, Value};

use crate::error::{ActionError, FieldError, Violation};
use crate::schema::{IntegerType, SchemaModel, TypeKind, TypeModel};

/// How deep input is followed through the model (recursive types stop here; serde reports the rest).
const MAX_DEPTH: usize = 32;
/// The fewest digits an integer beyond `i64` can have (`i64::MAX` has 19).
const BIG_INTEGER_DIGITS: usize = 19;

/// Whether the input type has an integer anywhere (else nothing here applies).
pub(crate) fn has_integers(model: &SchemaModel) -> bool {
    contains_integer(&model.input, model, 0)
}

fn contains_integer(ty: &TypeModel, model: &SchemaModel, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match &model.resolve(ty).kind {
        TypeKind::Integer(_) => true,
        TypeKind::List { items } => contains_integer(items, model, depth + 1),
        TypeKind::Map { values } => contains_integer(values, model, depth + 1),
        TypeKind::Object(object) => {
            object
                .properties
                .iter()
                .any(|property| contains_integer(&property.ty, model, depth + 1))
                || object
                    .additional
                    .as_deref()
                    .is_some_and(|values| contains_integer(values, model, depth + 1))
        }
        _ => false,
    }
}

/// Whether JSON text may hold a number this module changes or refuses: a fraction or exponent right
/// after a digit, or a run of digits too long for `i64`. Most bodies have neither and pass untouched.
pub(crate) fn may_need_conforming(text: &[u8]) -> bool {
    let mut digits = 0;
    for &byte in text {
        if byte.is_ascii_digit() {
            digits += 1;
            if digits >= BIG_INTEGER_DIGITS {
                return true;
            }
        } else {
            if digits > 0 && matches!(byte, b'.' | b'e' | b'E') {
                return true;
            }
            digits = 0;
        }
    }
    false
}

/// Makes whole floats at integer places integers and checks integers against their range, in place;
/// every integer out of range is reported with its path.
pub(crate) fn conform(value: &mut Value, model: &SchemaModel) -> Result<(), ActionError> {
    let mut errors = Vec::new();
    walk(value, &model.input, model, String::new(), &mut errors, 0);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ActionError::invalid_input(errors))
    }
}

fn walk(
    value: &mut Value,
    ty: &TypeModel,
    model: &SchemaModel,
    path: String,
    errors: &mut Vec<FieldError>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    match (&model.resolve(ty).kind, value) {
        (TypeKind::Integer(integer), Value::Number(number)) => {
            if let Some(message) = conform_integer(number, integer) {
                errors.push(FieldError::new(path, Violation::Range, message));
            }
        }
        (TypeKind::List { items }, Value::Array(values)) => {
            for (index, item) in values.iter_mut().enumerate() {
                let path = format!("{path}[{index}]");
                walk(item, items, model, path, errors, depth + 1);
            }
        }
        (TypeKind::Map { values: of }, Value::Object(values)) => {
            walk_entries(values, |_| Some(&**of), model, &path, errors, depth);
        }
        (TypeKind::Object(object), Value::Object(values)) => {
            let type_of = |key: &str| {
                object
                    .property(key)
                    .map(|property| &property.ty)
                    .or(object.additional.as_deref())
            };
            walk_entries(values, type_of, model, &path, errors, depth);
        }
        _ => {}
    }
}

fn walk_entries<'m>(
    values: &mut Map<String, Value>,
    type_of: impl Fn(&str) -> Option<&'m TypeModel>,
    model: &SchemaModel,
    path: &str,
    errors: &mut Vec<FieldError>,
    depth: usize,
) {
    for (key, item) in values.iter_mut() {
        if let Some(ty) = type_of(key) {
            let path = match path {
                "" => key.clone(),
                _ => format!("{path}.{key}"),
            };
            walk(item, ty, model, path, errors, depth + 1);
        }
    }
}

/// Turns a whole float into an integer and checks the range; the message when it is out of range.
fn conform_integer(number: &mut Number, integer: &IntegerType) -> Option<String> {
    let (minimum, maximum) = range(integer);
    if let Some(float) = number.as_f64().filter(|_| number.is_f64()) {
        if float.fract() != 0.0 || !float.is_finite() {
            // Not whole: serde says so, in its own words.
            return None;
        }
        if float < minimum as f64 || float > maximum as f64 {
            return Some(out_of_range(&float.to_string(), minimum, maximum));
        }
        // In range of i128 now; `as` cannot lose a whole value this small.
        let whole = float as i128;
        *number = match (i64::try_from(whole), u64::try_from(whole)) {
            (Ok(signed), _) => Number::from(signed),
            (_, Ok(unsigned)) => Number::from(unsigned),
            _ => return None,
        };
    }
    let value = number
        .as_i64()
        .map(i128::from)
        .or_else(|| number.as_u64().map(i128::from))?;
    (value < minimum || value > maximum).then(|| out_of_range(&value.to_string(), minimum, maximum))
}

/// The range an integer type declares: its bounds, else its width's.
fn range(integer: &IntegerType) -> (i128, i128) {
    let (width_min, width_max) = match (integer.bits, integer.signed) {
        (Some(bits @ 8..=64), true) => (-(1_i128 << (bits - 1)), (1_i128 << (bits - 1)) - 1),
        (Some(bits @ 8..=64), false) => (0, (1_i128 << bits) - 1),
        (_, true) => (i128::MIN, i128::MAX),
        (_, false) => (0, i128::MAX),
    };
    let bound = |declared: Option<f64>, width: i128| {
        // A fractional bound rounds inward. The model keeps bounds as f64, which cannot hold i64's own
        // ends: 2^63 there is the `i64::MAX` an `int64` schema declares.
        declared.map_or(width, |declared| {
            (declared as i128).clamp(i64::MIN.into(), i64::MAX.into())
        })
    };
    (
        bound(integer.minimum.map(f64::ceil), width_min),
        bound(integer.maximum.map(f64::floor), width_max),
    )
}

fn out_of_range(value: &str, minimum: i128, maximum: i128) -> String {
    format!("invalid value: integer `{value}`, expected an integer from {minimum} to {maximum}")
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use utoipa::ToSchema;

    use super::*;

    #[derive(ToSchema)]
    #[allow(dead_code)]
    struct Line {
        count: u32,
    }

    #[derive(ToSchema)]
    #[allow(dead_code)]
    struct Params {
        price: u64,
        ratio: f64,
        anything: serde_json::Value,
        lines: Vec<Line>,
        small: Option<u8>,
    }

    fn model() -> SchemaModel {
        crate::schema::action_schema::<Params, ()>().model().clone()
    }

    #[test]
    fn whole_floats_become_integers_only_where_the_schema_says_integer() {
        let mut value = json!({
            "price": 1999.0, "ratio": 2.0, "anything": 3.0, "lines": [{"count": 4.0}], "small": 5e0
        });
        conform(&mut value, &model()).expect("in range");
        assert_eq!(
            value.to_string(),
            r#"{"anything":3.0,"lines":[{"count":4}],"price":1999,"ratio":2.0,"small":5}"#
        );
    }

    #[test]
    fn integers_outside_the_declared_range_are_422_with_their_paths() {
        let mut value = json!({
            "price": u64::MAX, "ratio": 1.0, "anything": u64::MAX,
            "lines": [{"count": 1}, {"count": 4294967296.0}], "small": 256
        });
        let error = conform(&mut value, &model()).expect_err("out of range");
        assert_eq!(error.status(), 422);
        let fields: Vec<(&str, &str)> = error
            .field_errors()
            .iter()
            .map(|field| (field.path.as_str(), field.message.as_str()))
            .collect();
        assert_eq!(
            fields,
            [
                (
                    "lines[1].count",
                    "invalid value: integer `4294967296`, expected an integer from 0 to 4294967295"
                ),
                (
                    "price",
                    "invalid value: integer `18446744073709551615`, expected an integer from 0 to 9223372036854775807"
                ),
                (
                    "small",
                    "invalid value: integer `256`, expected an integer from 0 to 255"
                ),
            ]
        );
    }

    #[test]
    fn fractions_are_left_for_serde_to_refuse() {
        let mut value = json!({"price": 1.5});
        conform(&mut value, &model()).expect("not this module's to refuse");
        assert_eq!(value, json!({"price": 1.5}));
    }

    #[test]
    fn only_bodies_with_fractions_exponents_or_long_digit_runs_are_looked_at() {
        assert!(!may_need_conforming(br#"{"price": 1999, "name": "v.e"}"#));
        assert!(may_need_conforming(br#"{"price": 1999.0}"#));
        assert!(may_need_conforming(br#"{"price": 2e3}"#));
        assert!(may_need_conforming(br#"{"price": 18446744073709551615}"#));
        assert!(!may_need_conforming(br#"{"price": 922337203685477580}"#));
    }
}
