//! The named types of the model: components read into output objects, input objects and enums, and the
//! `JSON` scalar for what no other GraphQL type describes.

use super::*;

impl Reader<'_> {
    pub(super) fn component(&mut self, name: &str, side: Side) -> Result<Ty, GraphqlError> {
        let key = (side, name.to_owned());
        if let Some(ty) = self.memo.get(&key) {
            return Ok(ty.clone());
        }
        if self.in_progress.contains(&key) {
            // A type that refers to itself other than through an object: no GraphQL type can say it.
            return Ok(self.json(true));
        }
        let schema =
            self.components
                .get(name)
                .cloned()
                .ok_or_else(|| GraphqlError::MissingComponent {
                    action: self.action.clone(),
                    reference: name.to_owned(),
                })?;
        let graphql_name = type_name(name);
        let is_plain_object = schema
            .as_object()
            .is_some_and(|object| !object.properties.is_empty());
        if is_plain_object
            || (side == Side::Output && self.registry.nested_of(name).next().is_some())
        {
            // Known before its fields are read, so that recursive types refer to themselves.
            let object_name = object_name(&graphql_name, side);
            self.memo
                .insert(key.clone(), Ty::required(Kind::Object(object_name)));
        }
        self.in_progress.insert(key.clone());
        let ty = self.ty(&schema, side, &graphql_name, Some(name));
        self.in_progress.remove(&key);
        let ty = ty?;
        self.memo.insert(key, ty.clone());
        Ok(ty)
    }

    pub(super) fn object(
        &mut self,
        schema: &TypeModel,
        object: &ObjectModel,
        side: Side,
        base: &str,
        component: Option<&str>,
    ) -> Result<Kind, GraphqlError> {
        let name = object_name(base, side);
        let name = match component {
            Some(component) => self
                .names
                .claim_exact(name, format!("the schema component `{component}`"))?,
            None => self
                .names
                .claim(name, &format!("object {side:?} {object:?}")),
        };
        let fields = self.fields(object, side, &name_base(&name, side))?;
        let object_type = ObjectType {
            name: name.clone(),
            description: schema.description.clone(),
            fields,
            nested: Vec::new(),
        };
        match side {
            Side::Output => {
                if let Some(component) = component {
                    self.pending_nested
                        .push((component.to_owned(), name.clone()));
                }
                self.model.outputs.insert(name.clone(), object_type);
            }
            Side::Input => {
                self.model.inputs.insert(name.clone(), object_type);
            }
        }
        Ok(Kind::Object(name))
    }

    /// A GraphQL enum of `values`, or `None` when one of them cannot be a GraphQL enum value.
    pub(super) fn enumeration(
        &mut self,
        schema: &TypeModel,
        values: &[String],
        base: &str,
        component: Option<&str>,
    ) -> Option<Kind> {
        if values.is_empty() || !values.iter().all(|value| is_enum_value(value)) {
            return None;
        }
        let signature = format!("enum {}", values.join(" "));
        let name = match component {
            Some(_) if self.names.is_taken_by(base, &signature) => base.to_owned(),
            Some(_) => self.names.claim_exact(base.to_owned(), signature).ok()?,
            None => self.names.claim(base.to_owned(), &signature),
        };
        self.model
            .enums
            .entry(name.clone())
            .or_insert_with(|| EnumType {
                name: name.clone(),
                description: schema.description.clone(),
                values: values.to_vec(),
            });
        Some(Kind::Enum(name))
    }

    /// `ty`, or the component it names.
    pub(super) fn resolve(&self, ty: &TypeModel) -> Result<TypeModel, GraphqlError> {
        match &ty.kind {
            TypeKind::Named { name } => {
                self.components
                    .get(name)
                    .cloned()
                    .ok_or_else(|| GraphqlError::MissingComponent {
                        action: self.action.clone(),
                        reference: name.clone(),
                    })
            }
            _ => Ok(ty.clone()),
        }
    }

    pub(super) fn json(&mut self, nullable: bool) -> Ty {
        self.model.uses_json = true;
        Ty {
            kind: Kind::Scalar(JSON),
            nullable,
        }
    }
}

/// The name of an object type on `side` whose output name is `base`.
fn object_name(base: &str, side: Side) -> String {
    match side {
        Side::Output => base.to_owned(),
        Side::Input => format!("{base}Input"),
    }
}

/// The base an object type name was made from (inline types inside it are named after it).
fn name_base(name: &str, side: Side) -> String {
    match side {
        Side::Output => name.to_owned(),
        Side::Input => name.strip_suffix("Input").unwrap_or(name).to_owned(),
    }
}

/// Whether a string can be a GraphQL enum value.
fn is_enum_value(value: &str) -> bool {
    is_name(value) && !matches!(value, "true" | "false" | "null")
}
