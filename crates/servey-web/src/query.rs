//! Query strings and path segments into an action's input object: dotted keys build nested objects,
//! repeated keys and comma lists build arrays, and each value becomes the JSON type its schema asks for.
//! A value that does not fit stays a string, so the invoke path reports it with its field path; an empty
//! value is an empty string (a typed parameter refuses it, as axum's `Query` and FastAPI do), and an
//! empty value for a list is an empty list. A key that tries to nest a parameter in a way servey does not
//! read (`input[a]=1`, or `a=1&a.b=2`) is refused with a 422 naming the key, never taken as a literal.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Number, Value};
use servey_core::input::{MAX_NESTING, QueryToJson, query_pairs, too_deep};
use servey_core::{ActionError, FieldError, Violation};

use crate::shape::Shape;

/// The query keys, split at dots, before their shape is known.
#[derive(Debug, Default)]
enum Node {
    /// Keys below this one (`a.b=..`, `a.c=..`).
    #[default]
    Empty,
    /// The values given for this key, in order.
    Values(Vec<String>),
    /// Nested keys.
    Branch(BTreeMap<String, Node>),
}

/// The input object for `pairs` (decoded `key=value` pairs) coerced by the input `shape`; a key
/// nesting deeper than [`MAX_NESTING`] is refused before the tree is built.
pub(crate) fn coerce_pairs(
    pairs: &[(String, String)],
    shape: &Shape,
) -> Result<Value, ActionError> {
    let mut root = BTreeMap::new();
    let mut refused = Vec::new();
    for (key, value) in pairs {
        let levels = key.bytes().filter(|byte| *byte == b'.').count() + 1;
        if levels > MAX_NESTING {
            return Err(too_deep(key, levels));
        }
        if let Some(error) = bracketed(key, shape) {
            refused.push(error);
            continue;
        }
        if !insert(&mut root, key, value.clone()) && declares(shape, key.split('.').next()) {
            refused.push(FieldError::new(
                key.as_str(),
                Violation::Type,
                "nests below a parameter that is also given a plain value; give it one way",
            ));
        }
    }
    if !refused.is_empty() {
        return Err(ActionError::invalid_input(refused));
    }
    Ok(branch_value(root, shape))
}

/// The error for `input[a]`-style keys on a declared parameter: servey nests with dots.
fn bracketed(key: &str, shape: &Shape) -> Option<FieldError> {
    let (head, rest) = key.split_once('[')?;
    if !declares(shape, head.split('.').next()) {
        return None;
    }
    let dotted: String = rest
        .split(['[', ']'])
        .filter(|part| !part.is_empty())
        .fold(head.to_owned(), |path, part| format!("{path}.{part}"));
    Some(FieldError::new(
        key,
        Violation::UnknownField,
        format!("is not read: query keys nest with dots (`{dotted}=..`), not brackets"),
    ))
}

/// Whether the input declares the parameter `name`.
fn declares(shape: &Shape, name: Option<&str>) -> bool {
    matches!((shape, name), (Shape::Object { properties, .. }, Some(name)) if properties.contains_key(name))
}

/// Whether `query` is simple for the input `shape`: each key once, no dots, each a scalar parameter,
/// at most [`SIMPLE_KEYS`] keys. Such a query is read straight into the parameters
/// ([`Input::from_query`](servey_core::Input::from_query)), with [`simple_query_json`] standing for it
/// where JSON is needed; any other goes the general way ([`coerce_pairs`]), which gives the same object.
pub(crate) fn is_simple_query(query: &str, shape: &Shape) -> bool {
    let Shape::Object { properties, .. } = shape else {
        return false;
    };
    // The keys seen so far, on the stack: a query string this short needs no allocated set.
    let mut seen: [Option<Cow<'_, str>>; SIMPLE_KEYS] = Default::default();
    for (count, (key, _)) in query_pairs(query).enumerate() {
        let simple = count < SIMPLE_KEYS
            && !key.contains('.')
            && properties.get(key.as_ref()).is_some_and(Shape::is_scalar)
            && !seen[..count].iter().flatten().any(|k| *k == key);
        if !simple {
            return false;
        }
        seen[count] = Some(key);
    }
    true
}

/// [`simple_query_json`] for one input shape, as core's input takes it.
pub(crate) fn query_to_json(shape: Shape) -> QueryToJson {
    Arc::new(move |query| simple_query_json(query, &shape).unwrap_or_else(|| b"{}".to_vec()))
}

/// The input object of a simple query string (see [`is_simple_query`]) as JSON bytes; `None` when the
/// query is not simple.
pub(crate) fn simple_query_json(query: &str, shape: &Shape) -> Option<Vec<u8>> {
    if !is_simple_query(query, shape) {
        return None;
    }
    let Shape::Object { properties, .. } = shape else {
        return None;
    };
    let mut json = Vec::with_capacity(query.len() + 8);
    json.push(b'{');
    for (count, (key, value)) in query_pairs(query).enumerate() {
        let property = properties.get(key.as_ref())?;
        if count > 0 {
            json.push(b',');
        }
        serde_json::to_writer(&mut json, key.as_ref()).ok()?;
        json.push(b':');
        match property {
            // A string parameter takes the text as it is: no value to build first.
            Shape::String => serde_json::to_writer(&mut json, value.as_ref()).ok()?,
            _ => serde_json::to_writer(&mut json, &scalar(&value, property)).ok()?,
        }
    }
    json.push(b'}');
    Some(json)
}

/// The most keys a query string has for [`simple_query_json`] to take it.
const SIMPLE_KEYS: usize = 8;

/// One path segment's value coerced by its parameter's shape.
pub(crate) fn coerce_segment(value: &str, shape: &Shape) -> Value {
    leaf_value(vec![value.to_owned()], shape)
}

/// Files `value` under `key`, split at dots into nested objects. A key that cannot nest (an empty
/// part, or a part already given as a plain value) is kept whole; `false` when the key was meant to nest
/// and could not, or its value is dropped because the key is already a branch.
fn insert(root: &mut BTreeMap<String, Node>, key: &str, value: String) -> bool {
    let parts: Vec<&str> = key.split('.').collect();
    let can_nest = parts.len() > 1 && parts.iter().all(|part| !part.is_empty());
    if can_nest && let Some(node) = nested_slot(root, &parts) {
        push_value(node, value);
        return true;
    }
    let node = root.entry(key.to_owned()).or_default();
    match node {
        Node::Branch(_) => false,
        _ => {
            push_value(node, value);
            !can_nest
        }
    }
}

/// The leaf node for `parts`, unless the path runs through a plain value or ends on a branch.
fn nested_slot<'a>(root: &'a mut BTreeMap<String, Node>, parts: &[&str]) -> Option<&'a mut Node> {
    let (last, inner) = parts.split_last()?;
    let mut children = root;
    for part in inner {
        let node = children.entry((*part).to_owned()).or_default();
        if matches!(node, Node::Empty) {
            *node = Node::Branch(BTreeMap::new());
        }
        children = match node {
            Node::Branch(children) => children,
            _ => return None,
        };
    }
    let slot = children.entry((*last).to_owned()).or_default();
    (!matches!(slot, Node::Branch(_))).then_some(slot)
}

fn push_value(node: &mut Node, value: String) {
    match node {
        Node::Values(values) => values.push(value),
        _ => *node = Node::Values(vec![value]),
    }
}

fn node_value(node: Node, shape: &Shape) -> Value {
    match node {
        Node::Empty => Value::Null,
        Node::Values(values) => leaf_value(values, shape),
        Node::Branch(children) => branch_value(children, shape),
    }
}

fn branch_value(children: BTreeMap<String, Node>, shape: &Shape) -> Value {
    let object: Map<String, Value> = children
        .into_iter()
        .map(|(key, node)| {
            let value = node_value(node, shape.property(&key));
            (key, value)
        })
        .collect();
    Value::Object(object)
}

fn leaf_value(values: Vec<String>, shape: &Shape) -> Value {
    match shape {
        Shape::Array(item) => {
            let items = values
                .iter()
                .filter(|value| !value.is_empty())
                .flat_map(|value| value.split(','))
                .map(|value| scalar(value, item))
                .collect();
            Value::Array(items)
        }
        _ if values.len() == 1 => scalar(&values[0], shape),
        // Repeated keys for a single value: kept as a list, which decoding reports as the wrong type.
        _ => Value::Array(values.iter().map(|value| scalar(value, shape)).collect()),
    }
}

fn scalar(text: &str, shape: &Shape) -> Value {
    let as_string = || Value::String(text.to_owned());
    match shape {
        Shape::String => as_string(),
        Shape::Integer => integer(text).unwrap_or_else(as_string),
        Shape::Number => integer(text)
            .or_else(|| {
                text.parse::<f64>()
                    .ok()
                    .and_then(Number::from_f64)
                    .map(Value::Number)
            })
            .unwrap_or_else(as_string),
        Shape::Boolean => match text.to_ascii_lowercase().as_str() {
            "true" | "1" => Value::Bool(true),
            "false" | "0" => Value::Bool(false),
            _ => as_string(),
        },
        Shape::Object { .. } | Shape::Array(_) => json(text)
            .filter(|value| value.is_object() || value.is_array())
            .unwrap_or_else(as_string),
        Shape::Any => json(text)
            .filter(|value| !value.is_string())
            .unwrap_or_else(as_string),
    }
}

fn integer(text: &str) -> Option<Value> {
    text.parse::<i64>()
        .map(Value::from)
        .or_else(|_| text.parse::<u64>().map(Value::from))
        .ok()
}

fn json(text: &str) -> Option<Value> {
    serde_json::from_str(text).ok()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn object(properties: &[(&str, Shape)]) -> Shape {
        Shape::Object {
            properties: properties
                .iter()
                .map(|(name, shape)| ((*name).to_owned(), shape.clone()))
                .collect(),
            additional: None,
        }
    }

    fn coerce(query: &[(&str, &str)], shape: &Shape) -> Value {
        let pairs: Vec<(String, String)> = query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        coerce_pairs(&pairs, shape).expect("nests within the bound")
    }

    #[test]
    fn keys_nesting_past_the_bound_are_refused_and_keys_at_it_kept() {
        let at_bound = vec!["a"; MAX_NESTING].join(".");
        let past = vec!["a"; MAX_NESTING + 1].join(".");
        let pairs = |key: &str| vec![(key.to_owned(), "1".to_owned())];
        assert!(coerce_pairs(&pairs(&at_bound), &Shape::Any).is_ok());
        let error = coerce_pairs(&pairs(&past), &Shape::Any).expect_err("too deep");
        assert_eq!(error.status(), 422);
    }

    #[test]
    fn simple_queries_give_the_same_object_as_the_general_path() {
        let shape = object(&[
            ("name", Shape::String),
            ("count", Shape::Integer),
            ("flag", Shape::Boolean),
        ]);
        for query in [
            "name=W%C3%B6rld+x&count=42&flag=true",
            "name=true&count=abc",
            "count=",
            "",
        ] {
            let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            let fast = simple_query_json(query, &shape).expect("a simple query");
            assert_eq!(
                serde_json::from_slice::<Value>(&fast).expect("JSON"),
                coerce_pairs(&pairs, &shape).expect("shallow keys"),
                "{query}"
            );
        }
    }

    #[test]
    fn other_queries_take_the_general_path() {
        let shape = object(&[
            ("name", Shape::String),
            ("tags", Shape::Array(Box::new(Shape::String))),
        ]);
        for query in ["name=a&name=b", "tags=a,b", "address.zip=1", "unknown=1"] {
            assert!(simple_query_json(query, &shape).is_none(), "{query}");
        }
    }

    #[test]
    fn values_take_the_type_of_their_schema() {
        let shape = object(&[
            ("name", Shape::String),
            ("count", Shape::Integer),
            ("ratio", Shape::Number),
            ("flag", Shape::Boolean),
        ]);
        assert_eq!(
            coerce(
                &[
                    ("name", "true"),
                    ("count", "42"),
                    ("ratio", "0.5"),
                    ("flag", "true")
                ],
                &shape
            ),
            json!({"name": "true", "count": 42, "ratio": 0.5, "flag": true})
        );
    }

    #[test]
    fn values_that_do_not_fit_stay_strings_for_the_invoke_path_to_report() {
        let shape = object(&[("count", Shape::Integer), ("flag", Shape::Boolean)]);
        assert_eq!(
            coerce(&[("count", "many"), ("flag", "maybe")], &shape),
            json!({"count": "many", "flag": "maybe"})
        );
    }

    #[test]
    fn dotted_keys_build_nested_objects() {
        let shape = object(&[(
            "address",
            object(&[("zip", Shape::Integer), ("street", Shape::String)]),
        )]);
        assert_eq!(
            coerce(&[("address.zip", "1234"), ("address.street", "5")], &shape),
            json!({"address": {"zip": 1234, "street": "5"}})
        );
    }

    #[test]
    fn arrays_come_from_repeated_keys_and_comma_lists() {
        let shape = object(&[("ids", Shape::Array(Box::new(Shape::Integer)))]);
        assert_eq!(
            coerce(&[("ids", "1"), ("ids", "2,3")], &shape),
            json!({"ids": [1, 2, 3]})
        );
        assert_eq!(coerce(&[("ids", "")], &shape), json!({"ids": []}));
    }

    #[test]
    fn object_parameters_accept_json() {
        let shape = object(&[("address", object(&[("zip", Shape::Integer)]))]);
        assert_eq!(
            coerce(&[("address", r#"{"zip":1}"#)], &shape),
            json!({"address": {"zip": 1}})
        );
    }

    #[test]
    fn untyped_values_are_inferred_and_repeated_scalars_stay_lists() {
        assert_eq!(
            coerce(&[("a", "1"), ("b", "x"), ("c", "007")], &Shape::Any),
            json!({"a": 1, "b": "x", "c": "007"})
        );
        let shape = object(&[("name", Shape::String)]);
        assert_eq!(
            coerce(&[("name", "a"), ("name", "b")], &shape),
            json!({"name": ["a", "b"]})
        );
    }

    #[test]
    fn empty_typed_values_stay_empty_strings_and_huge_integers_still_parse() {
        let shape = object(&[("count", Shape::Integer)]);
        assert_eq!(coerce(&[("count", "")], &shape), json!({"count": ""}));
        assert_eq!(
            coerce(&[("count", "18446744073709551615")], &shape),
            json!({"count": u64::MAX})
        );
    }

    #[test]
    fn keys_that_cannot_nest_are_kept_whole() {
        assert_eq!(
            coerce(
                &[("a", "1"), ("a.b", "2"), (".c", "3"), ("d.", "4")],
                &Shape::Any
            ),
            json!({"a": 1, "a.b": 2, ".c": 3, "d.": 4})
        );
    }

    #[test]
    fn keys_that_try_to_nest_a_parameter_another_way_are_refused() {
        let shape = object(&[
            ("input", object(&[("a", Shape::Integer)])),
            ("n", Shape::Integer),
        ]);
        let pairs = |query: &[(&str, &str)]| -> Vec<(String, String)> {
            query
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        let error = coerce_pairs(
            &pairs(&[("input[a][b]", "1"), ("n", "1"), ("n.x", "2")]),
            &shape,
        )
        .expect_err("neither key can mean what it says");
        let fields: Vec<(&str, &str, &str)> = error
            .field_errors()
            .iter()
            .map(|field| {
                (
                    field.path.as_str(),
                    field.code.as_str(),
                    field.message.as_str(),
                )
            })
            .collect();
        assert_eq!(
            fields,
            [
                (
                    "input[a][b]",
                    "unknown_field",
                    "is not read: query keys nest with dots (`input.a.b=..`), not brackets"
                ),
                (
                    "n.x",
                    "type",
                    "nests below a parameter that is also given a plain value; give it one way"
                ),
            ]
        );
        // Keys that are not the input's stay what the unknown-field policy makes of them.
        assert_eq!(coerce(&[("other[a]", "1")], &shape), json!({"other[a]": 1}));
    }

    #[test]
    fn path_segments_are_coerced_too() {
        assert_eq!(coerce_segment("7", &Shape::Integer), json!(7));
        assert_eq!(coerce_segment("7", &Shape::String), json!("7"));
    }
}
