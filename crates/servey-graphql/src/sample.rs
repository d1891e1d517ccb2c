//! The document GraphiQL opens on: one operation per action example (the first of each action, its
//! `params` as argument literals, every scalar field of the result selected) and one per subscription,
//! built once at start from the [`Model`], so that a first visit can run something real at once.

use std::fmt::Write;

use serde_json::Value;

use crate::model::{ActionField, Args, Kind, Model, ObjectType, SubscriptionField, Ty};
use crate::naming::pascal_case;

/// How deep selections of nested objects go.
const MAX_DEPTH: usize = 3;

/// The operations of `model`'s examples and subscriptions; empty when there are none.
pub(crate) fn sample_document(model: &Model) -> String {
    let mut document = String::from(
        "# This app's examples and channels as operations: run one with the play button.\n\n",
    );
    let before = document.len();
    let roots = [("query", &model.query), ("mutation", &model.mutation)];
    for (keyword, fields) in roots {
        for field in fields {
            if let Some(operation) = example_operation(model, keyword, field) {
                document.push_str(&operation);
            }
        }
    }
    for field in &model.subscription {
        document.push_str(&subscription_operation(model, field));
    }
    if document.len() == before {
        document.clear();
    }
    document
}

fn example_operation(model: &Model, keyword: &str, field: &ActionField) -> Option<String> {
    let example = field.action.examples.first()?;
    let Args::Fields(args) = &field.args else {
        return None;
    };
    let params = example.params.as_object()?;
    let mut literals = Vec::new();
    for arg in args {
        if let Some(value) = params.get(&arg.key) {
            literals.push(format!("{}: {}", arg.name, literal(model, value, &arg.ty)?));
        }
    }
    let mut operation = String::new();
    let title = example
        .name
        .as_deref()
        .map(|name| format!(" `{name}`"))
        .unwrap_or_default();
    let _ = writeln!(operation, "# {}: example{title}", field.action.name);
    let name = format!("{}{}", pascal_case(&field.action.name), suffix(keyword));
    let _ = write!(operation, "{keyword} {name} {{\n  {}", field.name);
    if !literals.is_empty() {
        let _ = write!(operation, "({})", literals.join(", "));
    }
    operation.push_str(&selection(model, &field.output, 1));
    operation.push_str("\n}\n\n");
    Some(operation)
}

fn subscription_operation(model: &Model, field: &SubscriptionField) -> String {
    format!(
        "# The `{}` channel's events, as they are published\nsubscription On{} {{\n  {}{}\n}}\n\n",
        field.channel,
        pascal_case(field.channel),
        field.name,
        selection(model, &field.event, 1)
    )
}

/// Keeps operation names of one action apart when it is both a query and a mutation.
fn suffix(keyword: &str) -> &'static str {
    if keyword == "mutation" {
        "Mutation"
    } else {
        ""
    }
}

/// The selection set of a field of type `ty` (empty for scalars and enums), `depth` levels down.
fn selection(model: &Model, ty: &Ty, depth: usize) -> String {
    match &ty.kind {
        Kind::List(item) => selection(model, item, depth),
        Kind::Object(name) => match model.outputs.get(name) {
            Some(object) => object_selection(model, object, depth),
            None => String::new(),
        },
        Kind::Scalar(_) | Kind::Enum(_) => String::new(),
    }
}

fn object_selection(model: &Model, object: &ObjectType, depth: usize) -> String {
    let indent = "  ".repeat(depth + 1);
    let mut lines = Vec::new();
    for field in &object.fields {
        let nested = selection(model, &field.ty, depth + 1);
        let is_object = matches!(innermost(&field.ty), Kind::Object(_));
        if is_object && (depth >= MAX_DEPTH || nested.is_empty()) {
            continue;
        }
        lines.push(format!("{indent}{}{nested}", field.name));
    }
    if lines.is_empty() {
        lines.push(format!("{indent}__typename"));
    }
    format!(" {{\n{}\n{}}}", lines.join("\n"), "  ".repeat(depth))
}

fn innermost(ty: &Ty) -> &Kind {
    match &ty.kind {
        Kind::List(item) => innermost(item),
        kind => kind,
    }
}

/// `value` as a GraphQL literal of type `ty`; `None` when it cannot be written as one.
fn literal(model: &Model, value: &Value, ty: &Ty) -> Option<String> {
    Some(match (value, &ty.kind) {
        (Value::Null, _) => "null".to_owned(),
        (Value::Array(items), Kind::List(item)) => {
            let items: Option<Vec<String>> = items
                .iter()
                .map(|value| literal(model, value, item))
                .collect();
            format!("[{}]", items?.join(", "))
        }
        (Value::String(name), Kind::Enum(_)) => name.clone(),
        (Value::Object(members), Kind::Object(name)) => {
            let object = model.inputs.get(name)?;
            let mut fields = Vec::new();
            for field in &object.fields {
                if let Some(value) = members.get(&field.key) {
                    fields.push(format!(
                        "{}: {}",
                        field.name,
                        literal(model, value, &field.ty)?
                    ));
                }
            }
            format!("{{{}}}", fields.join(", "))
        }
        (Value::String(_) | Value::Number(_) | Value::Bool(_), Kind::Scalar(_)) => {
            value.to_string()
        }
        _ => return None,
    })
}
