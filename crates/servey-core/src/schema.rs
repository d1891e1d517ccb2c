//! Each action's input and output schema: the one model both OpenAPI and GraphQL read.

use std::collections::BTreeMap;

use utoipa::openapi::{RefOr, schema::Schema};

/// Named schemas (`components.schemas`) that an action's schemas refer to by `$ref`.
pub type Components = BTreeMap<String, RefOr<Schema>>;

/// An action's schemas: its input object, its output, and the named types both refer to.
#[derive(Debug, Clone)]
pub struct ActionSchema {
    /// The input: an object with one property per (non-injected) parameter.
    pub input: RefOr<Schema>,
    /// The result.
    pub output: RefOr<Schema>,
    /// Named types referenced from `input` and `output`.
    pub components: Components,
}

impl ActionSchema {
    /// Any JSON object in, any JSON value out: the schema of a run-time action that declared none.
    pub fn untyped() -> Self {
        use utoipa::openapi::schema::{AdditionalProperties, Object, SchemaType, Type};
        let any = || Object::builder().schema_type(SchemaType::AnyValue).build();
        let input = Object::builder()
            .schema_type(SchemaType::Type(Type::Object))
            .additional_properties(Some(AdditionalProperties::FreeForm(true)))
            .build();
        ActionSchema {
            input: RefOr::T(Schema::Object(input)),
            output: RefOr::T(Schema::Object(any())),
            components: Components::new(),
        }
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
    ActionSchema {
        input,
        output,
        components,
    }
}

/// The names of a schema's object properties, in order, with whether each is required.
pub fn object_properties(schema: &RefOr<Schema>) -> Vec<(String, bool)> {
    match schema {
        RefOr::T(Schema::Object(object)) => object
            .properties
            .keys()
            .map(|name| (name.clone(), object.required.contains(name)))
            .collect(),
        _ => Vec::new(),
    }
}
