//! `Input`: what a caller hands an action, and its decoding into the action's parameters with every bad
//! field reported by path.

use std::sync::Arc;

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::check::{Checker, UnknownFields, kind_of};
use crate::error::{ActionError, ErrorCode, FieldError};

mod query;

use query::{QueryDeserializer, QueryText};
pub use query::{QueryPairs, QueryToJson, query_pairs};

/// How many levels an input built from flat text (dotted query keys) may nest. Deeper keys are refused
/// as malformed before anything recurses over them; JSON bodies have serde_json's own bound.
pub const MAX_NESTING: usize = 32;

/// The error for a key of flat input that nests deeper than [`MAX_NESTING`].
pub fn too_deep(key: &str, levels: usize) -> ActionError {
    let shown: String = key.chars().take(15).collect();
    let ellipsis = if shown.len() < key.len() { "…" } else { "" };
    ActionError::new(
        ErrorCode::MalformedInput,
        format!(
            "The query key `{shown}{ellipsis}` nests {levels} levels deep; at most {MAX_NESTING} are allowed."
        ),
    )
}

/// Whether a body sent with this `Content-Type` can be read as JSON: `application/json` or any
/// `application/*+json`, parameters allowed; a missing type is refused too (a cross-origin `text/plain`
/// POST needs no preflight, a JSON one does).
pub fn check_json_media_type(content_type: Option<&str>) -> Result<(), ActionError> {
    let essence = content_type
        .and_then(|value| value.split(';').next())
        .map(|essence| essence.trim().to_ascii_lowercase());
    let is_json = essence.as_deref().is_some_and(|essence| {
        essence == "application/json"
            || essence
                .strip_prefix("application/")
                .is_some_and(|subtype| subtype.ends_with("+json"))
    });
    if is_json {
        return Ok(());
    }
    let given = content_type.map_or_else(|| "no Content-Type".to_owned(), |t| format!("`{t}`"));
    Err(ActionError::new(
        ErrorCode::UnsupportedMediaType,
        format!(
            "The body must be JSON, sent as `Content-Type: application/json`; it came with {given}."
        ),
    ))
}

/// An action's input: a JSON object, as raw bytes (decoded straight into the parameters) or as a value,
/// plus the parent object for nested actions.
#[derive(Debug, Clone)]
pub struct Input {
    body: Body,
    parent: Option<Value>,
    /// The action's input checks (set by the invoke path), which explain a value that does not decode
    /// by the schema, with paths and codes.
    checker: Option<Arc<Checker>>,
}

#[derive(Debug, Clone)]
enum Body {
    Bytes(Bytes),
    Value(Value),
    Query(QueryText),
}

/// Checks each parameter on its own, so that every bad field is reported (generated per action).
pub type FieldCheck = fn(&Map<String, Value>, &mut Vec<FieldError>);

impl Input {
    /// Input from raw JSON bytes (a request body, a CLI event).
    pub fn from_json_bytes(bytes: impl Into<Bytes>) -> Self {
        Self {
            body: Body::Bytes(bytes.into()),
            parent: None,
            checker: None,
        }
    }

    /// Input from a JSON value (query strings, GraphQL arguments, examples).
    pub fn from_value(value: Value) -> Self {
        Self {
            body: Body::Value(value),
            parent: None,
            checker: None,
        }
    }

    /// Input from a simple query string (each key once, each a scalar parameter), read straight into
    /// the parameters; `to_json` makes the JSON object that stands for it wherever that is needed (the
    /// input's checks, a value that reads only the general way, error reports).
    pub fn from_query(query: &str, to_json: QueryToJson) -> Self {
        Self {
            body: Body::Query(QueryText {
                text: query.into(),
                to_json,
            }),
            parent: None,
            checker: None,
        }
    }

    /// An empty input object.
    pub fn empty() -> Self {
        Self::from_value(Value::Object(Map::new()))
    }

    /// This input with the parent object a nested action reads as `self`.
    pub fn with_parent(mut self, parent: Value) -> Self {
        self.parent = Some(parent);
        self
    }

    /// The parent object of a nested action, if any.
    pub fn parent(&self) -> Option<&Value> {
        self.parent.as_ref()
    }

    /// The input as a JSON value (for adapters that forward it).
    pub fn to_value(&self) -> Result<Value, ActionError> {
        match &self.body {
            Body::Value(value) => Ok(value.clone()),
            Body::Bytes(bytes) => serde_json::from_slice(bytes).map_err(|error| malformed(&error)),
            Body::Query(query) => {
                serde_json::from_slice(&query.json()).map_err(|error| malformed(&error))
            }
        }
    }

    /// This input checked against the action's schema (see `crate::check`): whole floats at integer
    /// places made integers, and every field that breaks a declared constraint, has the wrong type or
    /// (under [`UnknownFields::Refuse`]) is not declared refused with its path. Walks the input only when
    /// the schema declares something decoding cannot check, or a number may need conforming.
    pub(crate) fn checked(
        self,
        checker: &Arc<Checker>,
        unknown: UnknownFields,
    ) -> Result<Self, ActionError> {
        let walk = checker.constrained()
            || unknown == UnknownFields::Refuse
            || (checker.has_integers()
                && match &self.body {
                    Body::Bytes(bytes) => crate::numbers::may_need_conforming(bytes),
                    Body::Query(query) => query.may_need_conforming(),
                    Body::Value(_) => true,
                });
        if !walk {
            return Ok(Self {
                checker: Some(checker.clone()),
                ..self
            });
        }
        let mut value = match self.body {
            Body::Bytes(bytes) if bytes.is_empty() => Value::Object(Map::new()),
            Body::Bytes(bytes) => {
                serde_json::from_slice(&bytes).map_err(|error| malformed(&error))?
            }
            Body::Query(query) => {
                serde_json::from_slice(&query.json()).map_err(|error| malformed(&error))?
            }
            Body::Value(value) => value,
        };
        if !value.is_object() {
            return Err(not_an_object(&value));
        }
        let errors = checker.check(&mut value, unknown);
        if !errors.is_empty() {
            return Err(ActionError::invalid_input(errors));
        }
        Ok(Self {
            body: Body::Value(value),
            parent: self.parent,
            checker: Some(checker.clone()),
        })
    }

    /// Decodes the parameters struct `P`; on failure runs `check` to report every bad field by path.
    pub fn decode<P: DeserializeOwned>(&self, check: FieldCheck) -> Result<P, ActionError> {
        let fast = match &self.body {
            Body::Bytes(bytes) if bytes.is_empty() => P::deserialize(&Value::Object(Map::new())),
            Body::Bytes(bytes) => serde_json::from_slice::<P>(bytes),
            Body::Value(value) => P::deserialize(value),
            // A value the direct reading declines is read from the JSON object, with its errors.
            Body::Query(query) => P::deserialize(QueryDeserializer(&query.text))
                .or_else(|_| serde_json::from_slice::<P>(&query.json())),
        };
        fast.map_err(|first| self.explain(check, &first))
    }

    /// Decodes `P` after the checks of `schema`'s input (types, declared constraints, every bad field by
    /// path; unknown keys ignored): for input a transport takes outside an action call, such as the
    /// parameters of an event subscription.
    pub fn decode_by_schema<P: DeserializeOwned>(
        self,
        schema: &crate::schema::ActionSchema,
    ) -> Result<P, ActionError> {
        self.checked(schema.checker(), UnknownFields::Ignore)?
            .decode(|_, _| {})
    }

    /// Decodes the parent object of a nested action.
    pub fn decode_parent<T: DeserializeOwned>(&self) -> Result<T, ActionError> {
        let parent = self.parent.as_ref().ok_or_else(|| {
            ActionError::new(
                ErrorCode::InvalidInput,
                "This nested action needs its parent object.",
            )
        })?;
        // Tracking the path costs an allocation per key: only a parent that fails pays for it.
        T::deserialize(parent)
            .or_else(|_| serde_path_to_error::deserialize(parent))
            .map_err(|error| {
                ActionError::invalid_input(vec![crate::check::from_serde(
                    &join_path("self", &error.path().to_string()),
                    &error.inner().to_string(),
                )])
            })
    }

    /// Why the input does not decode: by the schema when the invoke path checked it, else (or when the
    /// schema sees nothing wrong: a type with its own rules) parameter by parameter with `check`.
    fn explain(&self, check: FieldCheck, first: &serde_json::Error) -> ActionError {
        let mut value = match &self.body {
            Body::Value(value) => value.clone(),
            Body::Bytes(bytes) if bytes.is_empty() => Value::Object(Map::new()),
            Body::Bytes(bytes) => match serde_json::from_slice::<Value>(bytes) {
                Ok(value) => value,
                Err(error) => return malformed(&error),
            },
            Body::Query(query) => match serde_json::from_slice::<Value>(&query.json()) {
                Ok(value) => value,
                Err(error) => return malformed(&error),
            },
        };
        if !value.is_object() {
            return not_an_object(&value);
        }
        let mut errors = match &self.checker {
            Some(checker) => checker.check(&mut value, UnknownFields::Ignore),
            None => Vec::new(),
        };
        if errors.is_empty()
            && let Value::Object(map) = &value
        {
            check(map, &mut errors);
        }
        if errors.is_empty() {
            errors.push(crate::check::from_serde("", &first.to_string()));
        }
        ActionError::invalid_input(errors)
    }
}

fn not_an_object(value: &Value) -> ActionError {
    ActionError::new(
        ErrorCode::MalformedInput,
        format!(
            "The input must be a JSON object with one key per parameter, not {}.",
            kind_of(value)
        ),
    )
}

pub(crate) fn join_path(head: &str, tail: &str) -> String {
    match tail {
        "." | "" => head.to_owned(),
        _ if tail.starts_with('[') => format!("{head}{tail}"),
        _ => format!("{head}.{tail}"),
    }
}

fn malformed(error: &serde_json::Error) -> ActionError {
    ActionError::new(
        ErrorCode::MalformedInput,
        format!("The input is not valid JSON: {error}."),
    )
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Address {
        zip: u32,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Params {
        name: String,
        address: Option<Address>,
        items: Option<Vec<u8>>,
    }

    fn check(map: &Map<String, Value>, errors: &mut Vec<FieldError>) {
        crate::__private::check_field::<String>(map, "name", errors);
        crate::__private::check_field::<Option<Address>>(map, "address", errors);
        crate::__private::check_field::<Option<Vec<u8>>>(map, "items", errors);
    }

    fn paths(input: Input) -> (u16, String, Vec<String>) {
        let error = input.decode::<Params>(check).expect_err("input is bad");
        (
            error.status(),
            error.code_str().to_owned(),
            error
                .field_errors()
                .iter()
                .map(|e| e.path.clone())
                .collect(),
        )
    }

    #[test]
    fn good_input_decodes_from_bytes_and_values() {
        let params: Params = Input::from_json_bytes(&br#"{"name":"a","items":[1]}"#[..])
            .decode(check)
            .expect("ok");
        assert_eq!(params.name, "a");
        let params: Params = Input::from_value(serde_json::json!({"name": "b"}))
            .decode(check)
            .expect("ok");
        assert!(params.address.is_none());
    }

    #[test]
    fn every_bad_field_is_reported_with_its_path() {
        let input = Input::from_json_bytes(
            &br#"{"name": 5, "address": {"zip": "x"}, "items": [1, 2, 300]}"#[..],
        );
        assert_eq!(
            paths(input),
            (
                422,
                "invalid_input".into(),
                vec!["name".into(), "address.zip".into(), "items[2]".into()]
            )
        );
    }

    #[test]
    fn missing_required_field_is_named() {
        let (status, _, fields) = paths(Input::from_json_bytes(&b"{}"[..]));
        assert_eq!((status, fields), (422, vec!["name".to_owned()]));
    }

    #[test]
    fn malformed_json_and_non_objects_are_malformed_input() {
        assert_eq!(
            paths(Input::from_json_bytes(&b"not json"[..])).1,
            "malformed_input"
        );
        assert_eq!(
            paths(Input::from_value(serde_json::json!([1]))).1,
            "malformed_input"
        );
    }
}
