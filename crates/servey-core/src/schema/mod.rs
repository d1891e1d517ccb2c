//! Each action's schemas: utoipa's, for the OpenAPI document, and the resolved [`SchemaModel`] read from
//! them once when the schema is built, which every other projection (GraphQL, query coercion,
//! `--run=list`, clients) reads.

use std::collections::BTreeMap;
use std::sync::Arc;

use utoipa::openapi::{RefOr, schema::Schema};

use crate::check::Checker;

pub(crate) mod constraints;
mod integers;
mod model;
mod read;

pub use constraints::{CHECKED_FORMATS, Constraints, describe_type};
pub use integers::normalize_integers;
pub use model::{IntegerType, ObjectType, Property, SchemaModel, TypeKind, TypeModel};

/// Named schemas (`components.schemas`) that an action's schemas refer to by `$ref`.
pub type Components = BTreeMap<String, RefOr<Schema>>;

/// An action's schemas: its input object, its output, the named types both refer to, and the model of all
/// three.
#[derive(Debug, Clone)]
pub struct ActionSchema {
    input: RefOr<Schema>,
    output: RefOr<Schema>,
    components: Components,
    checker: Arc<Checker>,
}

impl ActionSchema {
    /// The schemas of an action, with the model read from them.
    pub fn new(input: RefOr<Schema>, output: RefOr<Schema>, components: Components) -> Self {
        let model = SchemaModel {
            input: read::read(&input, &components),
            output: read::read(&output, &components),
            components: components
                .iter()
                .map(|(name, schema)| (name.clone(), read::read(schema, &components)))
                .collect(),
        };
        Self {
            input,
            output,
            components,
            checker: Arc::new(Checker::new(model)),
        }
    }

    /// Any JSON object in, any JSON value out: the schema of a run-time action that declared none.
    pub fn untyped() -> Self {
        use utoipa::openapi::schema::{AdditionalProperties, Object, SchemaType, Type};
        let any = || Object::builder().schema_type(SchemaType::AnyValue).build();
        let input = Object::builder()
            .schema_type(SchemaType::Type(Type::Object))
            .additional_properties(Some(AdditionalProperties::FreeForm(true)))
            .build();
        Self::new(
            RefOr::T(Schema::Object(input)),
            RefOr::T(Schema::Object(any())),
            Components::new(),
        )
    }

    /// The input object's OpenAPI schema.
    pub fn input(&self) -> &RefOr<Schema> {
        &self.input
    }

    /// The result's OpenAPI schema.
    pub fn output(&self) -> &RefOr<Schema> {
        &self.output
    }

    /// The OpenAPI schemas of the named types `input` and `output` refer to.
    pub fn components(&self) -> &Components {
        &self.components
    }

    /// The resolved model of input, output and components.
    pub fn model(&self) -> &SchemaModel {
        self.checker.model()
    }

    /// The checks the input gets before the action runs.
    pub fn checker(&self) -> &Arc<Checker> {
        &self.checker
    }
}

/// The generated code's way of building an action's schemas on demand.
pub type SchemaFn = fn() -> ActionSchema;

/// Builds the schema of a type that derives `ToSchema`, registering the named types it refers to, with
/// integers in standard formats and explicit ranges.
pub fn schema_of<T: utoipa::ToSchema>(components: &mut Components) -> RefOr<Schema> {
    let mut named = Vec::new();
    T::schemas(&mut named);
    components.extend(named.into_iter().map(|(name, mut schema)| {
        normalize_integers(&mut schema);
        (name, schema)
    }));
    let mut schema = T::schema();
    normalize_integers(&mut schema);
    schema
}

/// Builds an [`ActionSchema`] from the generated input and output wrapper types.
pub fn action_schema<I: utoipa::ToSchema, O: utoipa::ToSchema>() -> ActionSchema {
    let mut components = Components::new();
    let input = schema_of::<I>(&mut components);
    let output = schema_of::<O>(&mut components);
    ActionSchema::new(input, output, components)
}

/// The type name made from an action's name (`say_hello` -> `SayHello`), for schemas that are the
/// action's own (its input: `SayHelloInput`).
pub fn type_name_of(action: &str) -> String {
    action
        .split(['_', '-', '.', ' '])
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect::<String>()
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn type_names_are_the_action_name_in_pascal_case() {
        assert_eq!(super::type_name_of("say_hello"), "SayHello");
        assert_eq!(super::type_name_of("generated_1"), "Generated1");
        assert_eq!(super::type_name_of("getUser"), "GetUser");
    }
}
