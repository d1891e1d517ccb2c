//! Which schema components a document uses: the ones its paths refer to, and the ones those refer to,
//! so that the document publishes no component nothing reads (Redocly's `no-unused-components`).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::{Paths, RefOr};

/// The prefix of a reference to a schema component.
const SCHEMA_REF: &str = "#/components/schemas/";

/// Removes from `schemas` every component that `paths` do not reach, directly or through another one.
pub(crate) fn keep_referenced(paths: &Paths, schemas: &mut BTreeMap<String, RefOr<Schema>>) {
    let mut reached = BTreeSet::new();
    let mut pending: Vec<String> = Vec::new();
    collect(&to_json(paths), &mut pending);
    while let Some(name) = pending.pop() {
        if !reached.insert(name.clone()) {
            continue;
        }
        if let Some(schema) = schemas.get(&name) {
            collect(&to_json(schema), &mut pending);
        }
    }
    schemas.retain(|name, _| reached.contains(name));
}

fn to_json(value: &impl serde::Serialize) -> Value {
    // The document's own types serialize (it is served as JSON); `Null` only when one ever does not,
    // which then keeps nothing it refers to, and the document's validation tests say so.
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// The names of the components `value` refers to, pushed onto `names`.
fn collect(value: &Value, names: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            for (key, member) in object {
                match (key.as_str(), member) {
                    ("$ref", Value::String(reference)) => {
                        if let Some(name) = reference.strip_prefix(SCHEMA_REF) {
                            names.push(name.to_owned());
                        }
                    }
                    _ => collect(member, names),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect(item, names)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn references_are_followed_through_components() {
        let mut found = Vec::new();
        collect(
            &json!({"a": [{"$ref": "#/components/schemas/Item"}], "$ref": "#/components/schemas/Page"}),
            &mut found,
        );
        found.sort();
        assert_eq!(found, ["Item", "Page"]);
    }
}
