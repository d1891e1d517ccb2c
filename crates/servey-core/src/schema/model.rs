//! The resolved type model: each action's input and output as plain data (objects, lists, maps, enums,
//! scalars with their integer width, docs, named components). OpenAPI shapes, the GraphQL schema,
//! `--run=list` and clients are projections of it; none of them reads schema JSON.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::constraints::Constraints;

/// How many `Named` links [`SchemaModel::resolve`] follows before giving up (a reference cycle).
const MAX_LINKS: usize = 16;

/// One type: what it is, whether `null` is allowed, and its docs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TypeModel {
    /// What values of the type are.
    #[serde(flatten)]
    pub kind: TypeKind,
    /// Whether `null` is allowed too (an `Option`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub nullable: bool,
    /// The doc comment, trimmed; `None` when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Example values.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<Value>,
    /// What values must further satisfy (lengths, bounds, a pattern, a format), checked before an
    /// action runs.
    #[serde(skip_serializing_if = "Constraints::is_empty")]
    pub constraints: Constraints,
}

impl TypeModel {
    /// A non-null type of `kind` with no docs.
    pub fn of(kind: TypeKind) -> Self {
        Self {
            kind,
            nullable: false,
            description: None,
            examples: Vec::new(),
            constraints: Constraints::NONE,
        }
    }

    /// Any JSON value, `null` included.
    pub fn any() -> Self {
        Self {
            nullable: true,
            ..Self::of(TypeKind::Any)
        }
    }

    /// This type with `null` allowed.
    pub fn or_null(mut self) -> Self {
        self.nullable = true;
        self
    }

    /// The object this type is, when it is one (not following names).
    pub fn as_object(&self) -> Option<&ObjectType> {
        match &self.kind {
            TypeKind::Object(object) => Some(object),
            _ => None,
        }
    }
}

/// What values of a type are.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TypeKind {
    /// Any JSON value: unknown types, unions of several shapes.
    Any,
    /// A string.
    String,
    /// An integer of a known (or unknown) width.
    Integer(IntegerType),
    /// A floating-point number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// A list of one item type.
    List {
        /// The items' type.
        items: Box<TypeModel>,
    },
    /// An object with any keys and one value type.
    Map {
        /// The values' type.
        values: Box<TypeModel>,
    },
    /// An object with declared properties.
    Object(ObjectType),
    /// One of a fixed set of strings.
    Enum {
        /// The allowed strings.
        values: Vec<String>,
    },
    /// The named component `name` (see [`SchemaModel::components`]).
    Named {
        /// The component's name.
        name: String,
    },
}

/// An integer's width and signedness, and any declared bounds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct IntegerType {
    /// Bits, when the format says (`int32` is 32); `None` for an unknown width.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bits: Option<u8>,
    /// Whether negative values are allowed.
    pub signed: bool,
    /// The declared minimum, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum: Option<f64>,
    /// The declared maximum, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum: Option<f64>,
}

impl IntegerType {
    /// Whether every value surely fits 32 signed bits (GraphQL's `Int`).
    pub fn fits_i32(&self) -> bool {
        let bounded = self.minimum.is_some_and(|min| min >= f64::from(i32::MIN))
            && self.maximum.is_some_and(|max| max <= f64::from(i32::MAX));
        bounded || matches!(self.bits, Some(8 | 16)) || (self.bits == Some(32) && self.signed)
    }
}

/// An object's declared properties, in order, and what other keys it allows.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct ObjectType {
    /// Each declared property.
    pub properties: Vec<Property>,
    /// The type of undeclared properties, when they are allowed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional: Option<Box<TypeModel>>,
    /// Whether undeclared properties are refused (`additionalProperties: false`, what serde's
    /// `deny_unknown_fields` publishes).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub closed: bool,
}

impl ObjectType {
    /// The declared property `name`.
    pub fn property(&self, name: &str) -> Option<&Property> {
        self.properties
            .iter()
            .find(|property| property.name == name)
    }
}

/// One declared property of an object.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Property {
    /// The JSON key.
    pub name: String,
    /// Whether the key must be present.
    pub required: bool,
    /// Its type and docs.
    #[serde(rename = "schema")]
    pub ty: TypeModel,
}

/// An action's input and output as resolved types, and the named components they refer to.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct SchemaModel {
    /// The input: an object with one property per (non-injected) parameter.
    pub input: TypeModel,
    /// The result.
    pub output: TypeModel,
    /// Named types, by component name.
    pub components: BTreeMap<String, TypeModel>,
}

impl Default for TypeModel {
    fn default() -> Self {
        Self::any()
    }
}

impl SchemaModel {
    /// `ty`, or the component it names (following chains of names); `Any` for a dangling or cyclic name.
    pub fn resolve<'a>(&'a self, mut ty: &'a TypeModel) -> &'a TypeModel {
        static ANY: TypeModel = TypeModel {
            kind: TypeKind::Any,
            nullable: true,
            description: None,
            examples: Vec::new(),
            constraints: Constraints::NONE,
        };
        for _ in 0..MAX_LINKS {
            match &ty.kind {
                TypeKind::Named { name } => match self.components.get(name) {
                    Some(target) => ty = target,
                    None => return &ANY,
                },
                _ => return ty,
            }
        }
        &ANY
    }
}
