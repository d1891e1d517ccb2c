//! Schemas as JSON that keeps the order of object keys (serde_json's `Value` sorts them without its
//! `preserve_order` feature), so that fields and arguments appear in declaration order.

use std::fmt;

use async_graphql::indexmap::IndexMap;
use utoipa::openapi::{RefOr, schema::Schema};

/// A JSON object with its keys in document order.
pub(crate) type JsonMap = IndexMap<String, Json>;

/// A JSON value whose objects keep their key order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number.
    Number(serde_json::Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object.
    Object(JsonMap),
}

impl Json {
    /// A utoipa schema as JSON Schema, key order kept.
    pub(crate) fn from_schema(schema: &RefOr<Schema>) -> serde_json::Result<Self> {
        // async-graphql's value type deserializes objects into an IndexMap, in document order.
        let text = serde_json::to_string(schema)?;
        let value: async_graphql::Value = serde_json::from_str(&text)?;
        Ok(Self::from_graphql(value))
    }

    fn from_graphql(value: async_graphql::Value) -> Self {
        use async_graphql::Value as V;
        match value {
            V::Null | V::Binary(_) => Self::Null,
            V::Boolean(b) => Self::Bool(b),
            V::Number(n) => Self::Number(n),
            V::String(s) => Self::String(s),
            V::Enum(name) => Self::String(name.to_string()),
            V::List(items) => Self::Array(items.into_iter().map(Self::from_graphql).collect()),
            V::Object(members) => Self::Object(
                members
                    .into_iter()
                    .map(|(key, value)| (key.to_string(), Self::from_graphql(value)))
                    .collect(),
            ),
        }
    }

    /// The member `key` of an object.
    pub(crate) fn get(&self, key: &str) -> Option<&Json> {
        self.as_object().and_then(|object| object.get(key))
    }

    /// The object, if this is one.
    pub(crate) fn as_object(&self) -> Option<&JsonMap> {
        match self {
            Self::Object(object) => Some(object),
            _ => None,
        }
    }

    /// The items, if this is an array.
    pub(crate) fn as_array(&self) -> Option<&Vec<Json>> {
        match self {
            Self::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The text, if this is a string.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(text) => Some(text),
            _ => None,
        }
    }

    /// The number as `f64`, if this is a number.
    pub(crate) fn as_f64(&self) -> Option<f64> {
        match self {
            Self::Number(number) => number.as_f64(),
            _ => None,
        }
    }

    /// Whether this is an object.
    pub(crate) fn is_object(&self) -> bool {
        matches!(self, Self::Object(_))
    }
}

impl From<&str> for Json {
    fn from(text: &str) -> Self {
        Self::String(text.to_owned())
    }
}

impl fmt::Display for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Null => f.write_str("null"),
            Self::Bool(b) => write!(f, "{b}"),
            Self::Number(n) => write!(f, "{n}"),
            Self::String(s) => write!(f, "{}", serde_json::Value::String(s.clone())),
            Self::Array(items) => {
                f.write_str("[")?;
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Self::Object(members) => {
                f.write_str("{")?;
                for (index, (key, value)) in members.iter().enumerate() {
                    if index > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{}:{value}", serde_json::Value::String(key.clone()))?;
                }
                f.write_str("}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use utoipa::openapi::schema::{ObjectBuilder, Type};

    use super::*;

    #[test]
    fn properties_keep_their_order() {
        let schema = ObjectBuilder::new()
            .property("zeta", ObjectBuilder::new().schema_type(Type::String))
            .property("alpha", ObjectBuilder::new().schema_type(Type::Integer))
            .build();
        let json = Json::from_schema(&RefOr::T(Schema::Object(schema))).expect("serializes");
        let keys: Vec<&str> = json
            .get("properties")
            .and_then(Json::as_object)
            .map(|properties| properties.keys().map(String::as_str).collect())
            .unwrap_or_default();
        assert_eq!(keys, ["zeta", "alpha"]);
        assert_eq!(
            json.to_string(),
            r#"{"type":"object","properties":{"zeta":{"type":"string"},"alpha":{"type":"integer"}}}"#
        );
    }
}
