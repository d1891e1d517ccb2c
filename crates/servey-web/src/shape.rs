//! `Shape`: an input schema reduced to what query-string coercion and OpenAPI parameters need (which JSON
//! type a value should become), with `$ref`s resolved through the action's components once at start.

use std::collections::BTreeMap;

use servey_core::schema::Components;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{AdditionalProperties, ArrayItems, Object, Schema, SchemaType, Type};

/// How deep `$ref`s are followed; recursive types become `Any` below this.
const MAX_DEPTH: usize = 12;

/// The JSON type a query or path value should be coerced to.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Shape {
    /// Unknown or any type: the value's own look decides (numbers, booleans, JSON).
    Any,
    /// A string: kept as written.
    String,
    /// An integer.
    Integer,
    /// Any number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// A list of items.
    Array(Box<Shape>),
    /// An object with known properties and (maybe) a shape for the others.
    Object {
        /// Each declared property.
        properties: BTreeMap<String, Shape>,
        /// The shape of undeclared properties, when the schema allows them.
        additional: Option<Box<Shape>>,
    },
}

impl Shape {
    /// Whether values of this shape are single JSON scalars (string, number, boolean).
    pub(crate) fn is_scalar(&self) -> bool {
        matches!(
            self,
            Self::String | Self::Integer | Self::Number | Self::Boolean
        )
    }

    /// The shape of `schema`, following `$ref`s into `components`.
    pub(crate) fn of(schema: &RefOr<Schema>, components: &Components) -> Self {
        resolve(schema, components, 0)
    }

    /// The shape of the property `name` of an object shape (`Any` for others).
    pub(crate) fn property(&self, name: &str) -> &Shape {
        match self {
            Shape::Object {
                properties,
                additional,
            } => properties
                .get(name)
                .or(additional.as_deref())
                .unwrap_or(&Shape::Any),
            _ => &Shape::Any,
        }
    }

    /// Whether an object of this shape may have a property `name` (declared, or allowed as additional).
    pub(crate) fn allows_property(&self, name: &str) -> bool {
        match self {
            Shape::Object {
                properties,
                additional,
            } => additional.is_some() || properties.contains_key(name),
            _ => true,
        }
    }

    /// Whether values of this shape are objects.
    pub(crate) fn is_object(&self) -> bool {
        matches!(self, Shape::Object { .. })
    }
}

fn resolve(schema: &RefOr<Schema>, components: &Components, depth: usize) -> Shape {
    if depth > MAX_DEPTH {
        return Shape::Any;
    }
    match schema {
        RefOr::Ref(reference) => {
            let name = reference
                .ref_location
                .rsplit('/')
                .next()
                .unwrap_or_default();
            components
                .get(name)
                .map_or(Shape::Any, |target| resolve(target, components, depth + 1))
        }
        RefOr::T(Schema::Object(object)) => {
            let kind = first_type(&object.schema_type);
            match kind {
                Some(Type::String) => Shape::String,
                Some(Type::Integer) => Shape::Integer,
                Some(Type::Number) => Shape::Number,
                Some(Type::Boolean) => Shape::Boolean,
                Some(Type::Array) => Shape::Array(Box::new(Shape::Any)),
                Some(Type::Object) => object_shape(object, components, depth),
                Some(Type::Null) | None if !object.properties.is_empty() => {
                    object_shape(object, components, depth)
                }
                _ => Shape::Any,
            }
        }
        RefOr::T(Schema::Array(array)) => match &array.items {
            ArrayItems::RefOrSchema(items) => {
                Shape::Array(Box::new(resolve(items, components, depth + 1)))
            }
            ArrayItems::False => Shape::Array(Box::new(Shape::Any)),
        },
        RefOr::T(Schema::OneOf(one_of)) => single_variant(&one_of.items, components, depth),
        RefOr::T(Schema::AnyOf(any_of)) => single_variant(&any_of.items, components, depth),
        RefOr::T(Schema::AllOf(all_of)) => merge_all(&all_of.items, components, depth),
        RefOr::T(_) => Shape::Any,
    }
}

/// The first non-null type of a schema type.
fn first_type(schema_type: &SchemaType) -> Option<Type> {
    match schema_type {
        SchemaType::Type(kind) => Some(kind.clone()),
        SchemaType::Array(kinds) => kinds
            .iter()
            .find(|kind| **kind != Type::Null)
            .cloned()
            .or(Some(Type::Null)),
        SchemaType::AnyValue => None,
    }
}

fn object_shape(object: &Object, components: &Components, depth: usize) -> Shape {
    let properties = object
        .properties
        .iter()
        .map(|(name, schema)| (name.clone(), resolve(schema, components, depth + 1)))
        .collect();
    let additional = match object.additional_properties.as_deref() {
        Some(AdditionalProperties::RefOr(schema)) => Some(resolve(schema, components, depth + 1)),
        Some(AdditionalProperties::FreeForm(true)) => Some(Shape::Any),
        _ => None,
    };
    Shape::Object {
        properties,
        additional: additional.map(Box::new),
    }
}

/// `oneOf`/`anyOf`: the one non-null variant's shape (an `Option<T>`), else `Any`.
fn single_variant(items: &[RefOr<Schema>], components: &Components, depth: usize) -> Shape {
    let mut variants = items.iter().filter(|item| !is_null(item));
    match (variants.next(), variants.next()) {
        (Some(only), None) => resolve(only, components, depth + 1),
        _ => Shape::Any,
    }
}

/// `allOf`: the properties of every part together.
fn merge_all(items: &[RefOr<Schema>], components: &Components, depth: usize) -> Shape {
    let mut merged = BTreeMap::new();
    for item in items {
        match resolve(item, components, depth + 1) {
            Shape::Object { properties, .. } => merged.extend(properties),
            other if items.len() == 1 => return other,
            _ => return Shape::Any,
        }
    }
    Shape::Object {
        properties: merged,
        additional: None,
    }
}

fn is_null(schema: &RefOr<Schema>) -> bool {
    matches!(schema, RefOr::T(Schema::Object(object))
        if object.schema_type == SchemaType::Type(Type::Null))
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::ToSchema;

    #[derive(ToSchema)]
    #[allow(dead_code)]
    struct Address {
        zip: u32,
        street: Option<String>,
    }

    #[derive(ToSchema)]
    #[allow(dead_code)]
    struct Params {
        name: String,
        count: Option<u64>,
        ratio: f64,
        flag: bool,
        tags: Vec<String>,
        address: Option<Address>,
        home: Address,
    }

    fn params_shape() -> Shape {
        let mut components = Components::new();
        let schema = servey_core::schema::schema_of::<Params>(&mut components);
        Shape::of(&schema, &components)
    }

    #[test]
    fn schemas_reduce_to_shapes_through_refs_and_options() {
        let shape = params_shape();
        assert_eq!(shape.property("name"), &Shape::String);
        assert_eq!(shape.property("count"), &Shape::Integer);
        assert_eq!(shape.property("ratio"), &Shape::Number);
        assert_eq!(shape.property("flag"), &Shape::Boolean);
        assert_eq!(
            shape.property("tags"),
            &Shape::Array(Box::new(Shape::String))
        );
        assert_eq!(shape.property("home").property("zip"), &Shape::Integer);
        assert_eq!(shape.property("address").property("street"), &Shape::String);
        assert_eq!(shape.property("unknown"), &Shape::Any);
    }

    #[test]
    fn dangling_refs_are_any() {
        let schema = RefOr::Ref(utoipa::openapi::Ref::from_schema_name("Missing"));
        assert_eq!(Shape::of(&schema, &Components::new()), Shape::Any);
    }
}
