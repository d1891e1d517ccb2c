//! An action's input in the OpenAPI document: query parameters (GET, DELETE) or the JSON request body,
//! path parameters left out of both.

use serde_json::Value;
use servey_core::Action;
use servey_core::schema::{Components, ObjectType};
use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{AdditionalProperties, Object, Schema};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Required};

use crate::operation::example_name;
use crate::shape::Shape;

/// The name of a free-form GET input's one query parameter (an object whose keys are the query's).
pub(crate) const FREE_FORM_PARAMETER: &str = "input";

pub(crate) fn query_parameters(
    input: Option<&Object>,
    model: Option<&ObjectType>,
    shape: &Shape,
    path_params: &[&str],
    first_example: Option<&Value>,
) -> Vec<utoipa::openapi::path::Parameter> {
    let Some(object) = input else {
        return Vec::new();
    };
    if object.properties.is_empty() {
        // A free-form input object: its keys are spread over the query string (`style: form`,
        // `explode`), so the parameter's own name never shows on the wire. Not `params`: that is a
        // local in openapi-python-client's generated functions.
        let is_free_form = object.additional_properties.is_some();
        return is_free_form
            .then(|| {
                ParameterBuilder::new()
                    .name(FREE_FORM_PARAMETER)
                    .parameter_in(ParameterIn::Query)
                    .required(Required::False)
                    .description(Some("Any keys and values: each becomes one input field."))
                    .schema(Some(Schema::Object(object.clone())))
                    .example(first_example.cloned())
                    .style(Some(utoipa::openapi::path::ParameterStyle::Form))
                    .explode(Some(true))
                    .build()
            })
            .into_iter()
            .collect();
    }
    object
        .properties
        .iter()
        .filter(|(name, _)| !path_params.contains(&name.as_str()))
        .map(|(name, schema)| {
            let property = model.and_then(|model| model.property(name));
            let parameter = ParameterBuilder::new()
                .name(name.clone())
                .parameter_in(ParameterIn::Query)
                .required(if property.is_some_and(|property| property.required) {
                    Required::True
                } else {
                    Required::False
                })
                .description(property.and_then(|property| property.ty.description.clone()))
                .example(first_example.and_then(|params| params.get(name)).cloned());
            if shape.property(name).is_object() {
                // An object in one query value is JSON (dotted keys `a.b=1` are accepted too).
                parameter
                    .content(
                        "application/json",
                        ContentBuilder::new().schema(Some(schema.clone())).build(),
                    )
                    .build()
            } else {
                parameter.schema(Some(schema.clone())).build()
            }
        })
        .collect()
}

/// The JSON request body: the input without the path parameters, as the named component
/// `{Action}Input` (or `{Action}Body` when path parameters were taken out), so that clients and other
/// documents get a stable, readable type name. None when that leaves nothing to send.
pub(crate) fn request_body(
    action: &Action,
    input: Option<&Object>,
    path_params: &[&str],
    components: &mut Components,
) -> Option<utoipa::openapi::request_body::RequestBody> {
    let schema: RefOr<Schema> = match input {
        Some(object) if !path_params.is_empty() => {
            let mut object = object.clone();
            object
                .properties
                .retain(|name, _| !path_params.contains(&name.as_str()));
            object
                .required
                .retain(|name| !path_params.contains(&name.as_str()));
            Schema::Object(object).into()
        }
        _ => action.schema.input().clone(),
    };
    if let RefOr::T(Schema::Object(object)) = &schema
        && is_empty(object)
    {
        return None;
    }
    let suffix = if path_params.is_empty() {
        "Input"
    } else {
        "Body"
    };
    let schema = match schema {
        RefOr::T(schema) => {
            let name = free_name(&action.name, suffix, &schema, components);
            components.insert(name.clone(), RefOr::T(schema));
            RefOr::Ref(Ref::from_schema_name(name))
        }
        reference => reference,
    };
    let is_required = input.is_some_and(|object| {
        object
            .required
            .iter()
            .any(|name| !path_params.contains(&name.as_str()))
    });
    let examples = action.examples.iter().enumerate().map(|(index, example)| {
        // The path parameters are in the URL, not in the body.
        let mut body = example.params.clone();
        if let Value::Object(fields) = &mut body {
            fields.retain(|name, _| !path_params.contains(&name.as_str()));
        }
        let mut built = utoipa::openapi::example::ExampleBuilder::new().value(Some(body));
        if let Some(description) = &example.description {
            built = built.summary(description.clone());
        }
        (example_name(example, index), built.build())
    });
    let body = RequestBodyBuilder::new()
        .required(Some(if is_required {
            Required::True
        } else {
            Required::False
        }))
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(schema))
                .examples_from_iter(examples)
                .build(),
        )
        .build();
    Some(body)
}

/// Whether an object schema admits no member at all: no properties, none beside them.
fn is_empty(object: &Object) -> bool {
    object.properties.is_empty()
        && object
            .additional_properties
            .as_deref()
            .is_none_or(|extra| matches!(extra, AdditionalProperties::FreeForm(false)))
}

/// `SayHelloInput` for `say_hello`, unless a type of the app already has that name (then
/// `SayHelloActionInput`, then numbered).
fn free_name(action: &str, suffix: &str, schema: &Schema, components: &Components) -> String {
    let base = servey_core::schema::type_name_of(action);
    let is_free = |name: &String| match components.get(name) {
        None => true,
        Some(RefOr::T(existing)) => existing == schema,
        Some(RefOr::Ref(_)) => false,
    };
    [format!("{base}{suffix}"), format!("{base}Action{suffix}")]
        .into_iter()
        .chain((2..).map(|n| format!("{base}Action{suffix}{n}")))
        .find(is_free)
        .expect("an unbounded list of names has a free one")
}
