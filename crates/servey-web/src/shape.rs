//! `Shape`: an action's input model reduced to what query-string coercion needs (which JSON type a value
//! should become), with names resolved through the model's components once at start.

use std::collections::BTreeMap;

use servey_core::schema::{SchemaModel, TypeKind, TypeModel};

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

    /// The shape of an action's input, following names into the model's components.
    pub(crate) fn of_input(model: &SchemaModel) -> Self {
        resolve(&model.input, model, 0)
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

fn resolve(ty: &TypeModel, model: &SchemaModel, depth: usize) -> Shape {
    if depth > MAX_DEPTH {
        return Shape::Any;
    }
    let ty = model.resolve(ty);
    match &ty.kind {
        TypeKind::String | TypeKind::Enum { .. } => Shape::String,
        TypeKind::Integer(_) => Shape::Integer,
        TypeKind::Number => Shape::Number,
        TypeKind::Boolean => Shape::Boolean,
        TypeKind::List { items } => Shape::Array(Box::new(resolve(items, model, depth + 1))),
        TypeKind::Map { values } => Shape::Object {
            properties: BTreeMap::new(),
            additional: Some(Box::new(resolve(values, model, depth + 1))),
        },
        TypeKind::Object(object) => Shape::Object {
            properties: object
                .properties
                .iter()
                .map(|property| {
                    let shape = resolve(&property.ty, model, depth + 1);
                    (property.name.clone(), shape)
                })
                .collect(),
            additional: object
                .additional
                .as_ref()
                .map(|values| Box::new(resolve(values, model, depth + 1))),
        },
        TypeKind::Any | TypeKind::Named { .. } => Shape::Any,
    }
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
        Shape::of_input(servey_core::schema::action_schema::<Params, ()>().model())
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
    fn dangling_names_are_any() {
        let model = SchemaModel {
            input: TypeModel::of(TypeKind::Named {
                name: "Missing".to_owned(),
            }),
            ..SchemaModel::default()
        };
        assert_eq!(Shape::of_input(&model), Shape::Any);
    }
}
