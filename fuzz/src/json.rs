//! Arbitrary JSON values whose keys and strings are often the app's own names, so that decoding gets past
//! "unknown field" into each parameter's own checks.

use arbitrary::Arbitrary;
use serde_json::{Map, Number, Value};

use crate::Harness;

/// A string: one of the app's names, or anything.
#[derive(Arbitrary, Debug, Clone)]
pub enum Text {
    /// The name at this index of [`Harness::names`].
    Name(u8),
    /// Any string.
    Any(String),
}

impl Text {
    /// The string this stands for.
    pub fn render(&self, harness: &Harness) -> String {
        match self {
            Self::Name(index) => harness.name(*index).to_owned(),
            Self::Any(text) => text.clone(),
        }
    }
}

/// A JSON value.
#[derive(Arbitrary, Debug, Clone)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A signed integer.
    Int(i64),
    /// An unsigned integer (beyond `i64` too).
    Uint(u64),
    /// A float (non-finite ones become `null`, as serde_json writes them).
    Float(f64),
    /// A string.
    Str(Text),
    /// An array.
    Array(Vec<Json>),
    /// An object (a repeated key keeps the last value).
    Object(Vec<(Text, Json)>),
}

impl Json {
    /// The value as serde_json's.
    pub fn render(&self, harness: &Harness) -> Value {
        match self {
            Self::Null => Value::Null,
            Self::Bool(value) => Value::Bool(*value),
            Self::Int(value) => Value::from(*value),
            Self::Uint(value) => Value::from(*value),
            Self::Float(value) => Number::from_f64(*value).map_or(Value::Null, Value::Number),
            Self::Str(text) => Value::String(text.render(harness)),
            Self::Array(items) => items.iter().map(|item| item.render(harness)).collect(),
            Self::Object(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(key, value)| (key.render(harness), value.render(harness)))
                    .collect::<Map<_, _>>(),
            ),
        }
    }
}

/// A scalar as a query-string value: a name, any string, a number, a boolean, or JSON text.
#[derive(Arbitrary, Debug, Clone)]
pub enum Scalar {
    /// Text (a name or anything).
    Text(Text),
    /// A signed integer.
    Int(i64),
    /// An unsigned integer.
    Uint(u64),
    /// A float, as Rust prints it (`NaN` and `inf` included).
    Float(f64),
    /// `true` or `false`.
    Bool(bool),
    /// A JSON document (a struct parameter in the query string).
    Json(Json),
}

impl Scalar {
    /// The value as it is written in the query string (before percent-encoding).
    pub fn render(&self, harness: &Harness) -> String {
        match self {
            Self::Text(text) => text.render(harness),
            Self::Int(value) => value.to_string(),
            Self::Uint(value) => value.to_string(),
            Self::Float(value) => value.to_string(),
            Self::Bool(value) => value.to_string(),
            Self::Json(value) => value.render(harness).to_string(),
        }
    }
}
