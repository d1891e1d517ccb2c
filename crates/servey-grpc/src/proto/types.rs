//! The proto type of each JSON shape: scalars by width, `repeated` and `map<string, T>`, a message per
//! object (named after its component, or after its owner and key when inline), `Timestamp` for
//! `date-time`, and `Value` where proto has no shape.

use std::collections::BTreeSet;

use servey_core::schema::{ObjectType, TypeKind, TypeModel};

use super::build::Reader;
use super::naming::{field_name, message_name, pascal_case};
use super::{FieldType, Label, Message, STRUCT, TIMESTAMP, VALUE, is_map, is_timestamp};
use crate::GrpcError;

impl Reader {
    pub(super) fn fields(
        &mut self,
        owner: &str,
        object: &ObjectType,
    ) -> Result<Vec<super::Field>, GrpcError> {
        let mut fields = Vec::with_capacity(object.properties.len());
        let mut names = BTreeSet::new();
        for (index, property) in object.properties.iter().enumerate() {
            let name = field_name(&property.name);
            if !names.insert(name.clone()) {
                return Err(GrpcError::NameClash {
                    name: format!("{owner}.{name}"),
                });
            }
            let (ty, label) = self.field(owner, &property.name, &property.ty, property.required)?;
            fields.push(super::Field {
                name,
                json_name: property.name.clone(),
                number: i32::try_from(index + 1).unwrap_or(i32::MAX),
                ty,
                label,
                description: property.ty.description.clone(),
            });
        }
        Ok(fields)
    }

    /// The type and label of the JSON key `key` of `owner` holding `ty`.
    pub(super) fn field(
        &mut self,
        owner: &str,
        key: &str,
        ty: &TypeModel,
        required: bool,
    ) -> Result<(FieldType, Label), GrpcError> {
        let (resolved, _) = self.resolve(ty);
        let resolved = resolved.clone();
        let nullable = ty.nullable || resolved.nullable;
        match &resolved.kind {
            TypeKind::List { items } => {
                let (item, item_component) = self.resolve(items);
                let item = item.clone();
                let item_component = item_component.map(str::to_owned);
                if items.nullable || item.nullable || is_container(&item) {
                    return Ok((self.well_known(VALUE), Label::Repeated));
                }
                let ty = self.element(owner, key, &item, item_component.as_deref())?;
                Ok((ty, Label::Repeated))
            }
            TypeKind::Map { values } => self.map(owner, key, values),
            TypeKind::Object(object) if is_map(object) && object.additional.is_some() => {
                let values = object
                    .additional
                    .as_deref()
                    .cloned()
                    .unwrap_or_else(TypeModel::any);
                self.map(owner, key, &values)
            }
            _ => {
                let component = self.resolve(ty).1.map(str::to_owned);
                let element = self.element(owner, key, &resolved, component.as_deref())?;
                let label = if matches!(element, FieldType::Message(_)) || required && !nullable {
                    Label::Singular
                } else {
                    Label::Optional
                };
                Ok((element, label))
            }
        }
    }

    fn map(
        &mut self,
        owner: &str,
        key: &str,
        values: &TypeModel,
    ) -> Result<(FieldType, Label), GrpcError> {
        let (value, component) = self.resolve(values);
        let value = value.clone();
        let component = component.map(str::to_owned);
        if values.nullable || value.nullable || is_container(&value) {
            return Ok((self.well_known(VALUE), Label::Map));
        }
        Ok((
            self.element(owner, key, &value, component.as_deref())?,
            Label::Map,
        ))
    }

    /// The type of one value of `ty` (already resolved; `component` is the name it came from).
    fn element(
        &mut self,
        owner: &str,
        key: &str,
        ty: &TypeModel,
        component: Option<&str>,
    ) -> Result<FieldType, GrpcError> {
        Ok(match &ty.kind {
            TypeKind::Any
            | TypeKind::Named { .. }
            | TypeKind::List { .. }
            | TypeKind::Map { .. } => self.well_known(VALUE),
            TypeKind::String if is_timestamp(ty) => self.well_known(TIMESTAMP),
            TypeKind::String | TypeKind::Enum { .. } => FieldType::String,
            TypeKind::Boolean => FieldType::Bool,
            TypeKind::Number => FieldType::Double,
            TypeKind::Integer(integer) => match (integer.signed, integer.bits) {
                (true, Some(bits)) if bits <= 32 => FieldType::Int32,
                (true, _) => FieldType::Int64,
                (false, Some(bits)) if bits <= 32 => FieldType::Uint32,
                (false, _) => FieldType::Uint64,
            },
            TypeKind::Object(object) if is_map(object) => self.well_known(STRUCT),
            TypeKind::Object(object) => match component {
                Some(component) => self.component_message(component, ty, object)?,
                None => {
                    let name = format!("{owner}{}", pascal_case(key));
                    let fields = self.fields(&name, object)?;
                    FieldType::Message(self.add(Message {
                        name,
                        description: ty.description.clone(),
                        fields,
                    })?)
                }
            },
        })
    }

    /// The message of the object component `component`, made on first use.
    fn component_message(
        &mut self,
        component: &str,
        ty: &TypeModel,
        object: &ObjectType,
    ) -> Result<FieldType, GrpcError> {
        if let Some(name) = self.component_messages.get(component) {
            return Ok(FieldType::Message(name.clone()));
        }
        let name = message_name(component);
        let full = self.full_name(&name);
        // Registered before its fields are read, so that a type holding itself ends.
        self.component_messages
            .insert(component.to_owned(), full.clone());
        let fields = self.fields(&name, object)?;
        self.add(Message {
            name,
            description: ty.description.clone(),
            fields,
        })?;
        Ok(FieldType::Message(full))
    }
}

/// Whether values of `ty` are lists or maps (which proto cannot nest in a list or map).
fn is_container(ty: &TypeModel) -> bool {
    match &ty.kind {
        TypeKind::List { .. } | TypeKind::Map { .. } | TypeKind::Any => true,
        TypeKind::Object(object) => is_map(object),
        _ => false,
    }
}
