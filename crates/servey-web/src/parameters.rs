//! An action's input in the OpenAPI document: query parameters (GET, DELETE) or the JSON request body,
//! path parameters left out of both.

use serde_json::Value;
use servey_core::Action;
use servey_core::schema::ObjectType;
use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{Object, Schema};
use utoipa::openapi::{ContentBuilder, RefOr, Required};

use crate::operation::example_name;
use crate::shape::Shape;

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
        // A free-form input object: its keys are spread over the query string.
        let is_free_form = object.additional_properties.is_some();
        return is_free_form
            .then(|| {
                ParameterBuilder::new()
                    .name("params")
                    .parameter_in(ParameterIn::Query)
                    .required(Required::False)
                    .description(Some("Any keys and values: each becomes one input field."))
                    .schema(Some(Schema::Object(object.clone())))
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

pub(crate) fn request_body(
    action: &Action,
    input: Option<&Object>,
    path_params: &[&str],
) -> utoipa::openapi::request_body::RequestBody {
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
    let is_required = input.is_some_and(|object| {
        object
            .required
            .iter()
            .any(|name| !path_params.contains(&name.as_str()))
    });
    let examples = action.examples.iter().enumerate().map(|(index, example)| {
        let mut built =
            utoipa::openapi::example::ExampleBuilder::new().value(Some(example.params.clone()));
        if let Some(description) = &example.description {
            built = built.summary(description.clone());
        }
        (example_name(example, index), built.build())
    });
    RequestBodyBuilder::new()
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
        .build()
}
