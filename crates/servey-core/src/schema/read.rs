//! Reads utoipa's typed schemas into the [`TypeModel`]: `$ref`s become names, `Option`s (a `null`
//! variant or type) become nullable, `allOf` parts merge, and integer formats become widths.

use utoipa::openapi::schema::{
    AdditionalProperties, ArrayItems, KnownFormat, Object, Schema, SchemaFormat, SchemaType, Type,
};
use utoipa::openapi::{Ref, RefOr};

use super::Components;
use super::constraints::Constraints;
use super::model::{IntegerType, ObjectType, Property, TypeKind, TypeModel};

/// Where component references point.
const REF_PREFIX: &str = "#/components/schemas/";
/// How deep `allOf` parts are followed through references (a cycle stops here).
const MAX_DEPTH: usize = 32;

/// The type model of `schema`, with `components` for merging `allOf` parts that are references.
pub(crate) fn read(schema: &RefOr<Schema>, components: &Components) -> TypeModel {
    Reader { components }.read(schema, 0)
}

struct Reader<'c> {
    components: &'c Components,
}

impl Reader<'_> {
    fn read(&self, schema: &RefOr<Schema>, depth: usize) -> TypeModel {
        if depth > MAX_DEPTH {
            return TypeModel::any();
        }
        match schema {
            RefOr::Ref(reference) => TypeModel {
                description: trimmed(&reference.description),
                ..TypeModel::of(TypeKind::Named {
                    name: component_name(reference).to_owned(),
                })
            },
            RefOr::T(Schema::Object(object)) => self.object(object, depth),
            RefOr::T(Schema::Array(array)) => {
                let items = match &array.items {
                    ArrayItems::RefOrSchema(items) => self.read(items, depth + 1),
                    ArrayItems::False => TypeModel::any(),
                };
                TypeModel {
                    nullable: allows_null(&array.schema_type),
                    description: array.description.as_deref().and_then(trimmed),
                    examples: examples(&array.examples, array.example.as_ref()),
                    constraints: Constraints {
                        min_items: array.min_items,
                        max_items: array.max_items,
                        unique_items: array.unique_items,
                        ..Constraints::NONE
                    },
                    ..TypeModel::of(TypeKind::List {
                        items: Box::new(items),
                    })
                }
            }
            RefOr::T(Schema::OneOf(one_of)) => {
                let ty = self.single_variant(&one_of.items, depth);
                documented(ty, one_of.description.as_deref(), &one_of.examples)
            }
            RefOr::T(Schema::AnyOf(any_of)) => {
                let ty = self.single_variant(&any_of.items, depth);
                documented(ty, any_of.description.as_deref(), &any_of.examples)
            }
            RefOr::T(Schema::AllOf(all_of)) => {
                let ty = self.merge_all(&all_of.items, depth);
                documented(ty, all_of.description.as_deref(), &all_of.examples)
            }
            RefOr::T(_) => TypeModel::any(),
        }
    }

    fn object(&self, object: &Object, depth: usize) -> TypeModel {
        let nullable = allows_null(&object.schema_type);
        let kind = match first_type(&object.schema_type) {
            Some(Type::String) | None if object.enum_values.is_some() => enumeration(object),
            Some(Type::String) => TypeKind::String,
            Some(Type::Integer) => TypeKind::Integer(integer(object)),
            Some(Type::Number) => TypeKind::Number,
            Some(Type::Boolean) => TypeKind::Boolean,
            Some(Type::Array) => TypeKind::List {
                items: Box::new(TypeModel::any()),
            },
            Some(Type::Object) => self.object_kind(object, depth),
            Some(Type::Null) | None if !object.properties.is_empty() => {
                self.object_kind(object, depth)
            }
            _ => TypeKind::Any,
        };
        TypeModel {
            nullable: nullable || kind == TypeKind::Any,
            description: object.description.as_deref().and_then(trimmed),
            examples: examples(&object.examples, object.example.as_ref()),
            constraints: constraints(object, &kind),
            kind,
        }
    }

    fn object_kind(&self, object: &Object, depth: usize) -> TypeKind {
        let additional = match object.additional_properties.as_deref() {
            Some(AdditionalProperties::RefOr(schema)) => Some(self.read(schema, depth + 1)),
            Some(AdditionalProperties::FreeForm(true)) => Some(TypeModel::any()),
            _ => None,
        };
        if object.properties.is_empty()
            && let Some(values) = additional
        {
            return TypeKind::Map {
                values: Box::new(values),
            };
        }
        let properties = object
            .properties
            .iter()
            .map(|(name, schema)| Property {
                name: name.clone(),
                required: object.required.contains(name),
                ty: self.read(schema, depth + 1),
            })
            .collect();
        TypeKind::Object(ObjectType {
            properties,
            additional: additional.map(Box::new),
            closed: matches!(
                object.additional_properties.as_deref(),
                Some(AdditionalProperties::FreeForm(false))
            ),
        })
    }

    /// `oneOf`/`anyOf`: the one non-null variant (an `Option<T>`), else any value.
    fn single_variant(&self, items: &[RefOr<Schema>], depth: usize) -> TypeModel {
        let others: Vec<&RefOr<Schema>> = items.iter().filter(|item| !is_null(item)).collect();
        let has_null = others.len() < items.len();
        let ty = match others.as_slice() {
            [only] => self.read(only, depth + 1),
            _ => TypeModel::any(),
        };
        if has_null { ty.or_null() } else { ty }
    }

    /// `allOf`: one part as it is; several object parts as one object with all their properties.
    fn merge_all(&self, items: &[RefOr<Schema>], depth: usize) -> TypeModel {
        if let [single] = items {
            return self.read(single, depth + 1);
        }
        let mut merged = ObjectType::default();
        for item in items {
            let part = match item {
                RefOr::Ref(reference) => match self.components.get(component_name(reference)) {
                    Some(target) => self.read(target, depth + 1),
                    None => return TypeModel::any(),
                },
                RefOr::T(_) => self.read(item, depth + 1),
            };
            match part.kind {
                TypeKind::Object(object) => merged.properties.extend(object.properties),
                _ => return TypeModel::any(),
            }
        }
        TypeModel::of(TypeKind::Object(merged))
    }
}

fn enumeration(object: &Object) -> TypeKind {
    let values: Option<Vec<String>> = object.enum_values.as_ref().and_then(|values| {
        values
            .iter()
            .map(|value| value.as_str().map(str::to_owned))
            .collect()
    });
    match values {
        Some(values) if !values.is_empty() => TypeKind::Enum { values },
        _ if first_type(&object.schema_type) == Some(Type::String) => TypeKind::String,
        _ => TypeKind::Any,
    }
}

fn bound(number: &Option<utoipa::Number>) -> Option<f64> {
    number.as_ref().map(|number| match number {
        utoipa::Number::Int(value) => *value as f64,
        utoipa::Number::UInt(value) => *value as f64,
        utoipa::Number::Float(value) => *value,
    })
}

/// What `object` declares beyond its type; an integer's bounds stay in its [`IntegerType`].
fn constraints(object: &Object, kind: &TypeKind) -> Constraints {
    let number = matches!(kind, TypeKind::Number);
    let format = match (&object.format, kind) {
        (Some(SchemaFormat::KnownFormat(known)), TypeKind::String) => serde_json::to_value(known)
            .ok()
            .and_then(|value| value.as_str().map(str::to_owned)),
        (Some(SchemaFormat::Custom(custom)), TypeKind::String) => Some(custom.clone()),
        _ => None,
    };
    Constraints {
        min_length: object.min_length,
        max_length: object.max_length,
        pattern: object.pattern.clone(),
        format,
        minimum: bound(&object.minimum).filter(|_| number),
        maximum: bound(&object.maximum).filter(|_| number),
        exclusive_minimum: bound(&object.exclusive_minimum),
        exclusive_maximum: bound(&object.exclusive_maximum),
        multiple_of: bound(&object.multiple_of),
        min_properties: object.min_properties,
        max_properties: object.max_properties,
        ..Constraints::NONE
    }
}

fn integer(object: &Object) -> IntegerType {
    let (minimum, maximum) = (bound(&object.minimum), bound(&object.maximum));
    let (bits, unsigned_format) = match &object.format {
        Some(SchemaFormat::KnownFormat(KnownFormat::Int32)) => (Some(32), false),
        Some(SchemaFormat::KnownFormat(KnownFormat::Int64)) => (Some(64), false),
        Some(SchemaFormat::Custom(format)) => custom_width(format),
        _ => (None, false),
    };
    IntegerType {
        bits,
        // utoipa marks unsigned types with `minimum: 0` on a signed format.
        signed: !unsigned_format && minimum.is_none_or(|min| min < 0.0),
        minimum,
        maximum,
    }
}

/// `int8`..`int128` and `uint8`..`uint128` written as custom formats.
fn custom_width(format: &str) -> (Option<u8>, bool) {
    let (digits, unsigned) = match format.strip_prefix("uint") {
        Some(digits) => (digits, true),
        None => (format.strip_prefix("int").unwrap_or_default(), false),
    };
    (digits.parse().ok(), unsigned)
}

fn component_name(reference: &Ref) -> &str {
    let location = reference.ref_location.as_str();
    location.strip_prefix(REF_PREFIX).unwrap_or(location)
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

fn allows_null(schema_type: &SchemaType) -> bool {
    match schema_type {
        SchemaType::Type(kind) => *kind == Type::Null,
        SchemaType::Array(kinds) => kinds.contains(&Type::Null),
        SchemaType::AnyValue => false,
    }
}

fn is_null(schema: &RefOr<Schema>) -> bool {
    matches!(schema, RefOr::T(Schema::Object(object))
        if object.schema_type == SchemaType::Type(Type::Null))
}

fn trimmed(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

fn examples(
    examples: &[serde_json::Value],
    example: Option<&serde_json::Value>,
) -> Vec<serde_json::Value> {
    if examples.is_empty() {
        example.cloned().into_iter().collect()
    } else {
        examples.to_vec()
    }
}

/// `ty` with the docs of the composite schema around it, where the composite has its own.
fn documented(
    mut ty: TypeModel,
    description: Option<&str>,
    examples: &[serde_json::Value],
) -> TypeModel {
    if let Some(description) = description.and_then(trimmed) {
        ty.description = Some(description);
    }
    if !examples.is_empty() {
        ty.examples = examples.to_vec();
    }
    ty
}
