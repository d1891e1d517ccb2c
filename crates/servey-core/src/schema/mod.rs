//! Each action's schemas: utoipa's, for the OpenAPI document, and the resolved [`SchemaModel`] read from
//! them once when the schema is built, which every other projection (GraphQL, query coercion,
//! `--run=list`, clients) reads.

use std::collections::BTreeMap;

use utoipa::openapi::{RefOr, schema::Schema};

mod model;
mod read;

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
    model: SchemaModel,
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
            model,
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
        &self.model
    }
}

/// The generated code's way of building an action's schemas on demand.
pub type SchemaFn = fn() -> ActionSchema;

/// Builds the schema of a type that derives `ToSchema`, registering the named types it refers to.
pub fn schema_of<T: utoipa::ToSchema>(components: &mut Components) -> RefOr<Schema> {
    let mut named = Vec::new();
    T::schemas(&mut named);
    components.extend(named);
    T::schema()
}

/// Builds an [`ActionSchema`] from the generated input and output wrapper types.
pub fn action_schema<I: utoipa::ToSchema, O: utoipa::ToSchema>() -> ActionSchema {
    let mut components = Components::new();
    let input = schema_of::<I>(&mut components);
    let output = schema_of::<O>(&mut components);
    ActionSchema::new(input, output, components)
}
