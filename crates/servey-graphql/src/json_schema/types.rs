//! The named types of the model: `$ref` components read into output objects, input objects and enums,
//! `allOf` merged, and the `JSON` scalar for what no other GraphQL type describes.

use super::*;

impl Reader<'_> {
    pub(super) fn component(&mut self, reference: &str, side: Side) -> Result<Ty, GraphqlError> {
        let name = reference
            .strip_prefix(REF_PREFIX)
            .unwrap_or(reference)
            .to_owned();
        let key = (side, name.clone());
        if let Some(ty) = self.memo.get(&key) {
            return Ok(ty.clone());
        }
        if self.in_progress.contains(&key) {
            // A type that refers to itself other than through an object: no GraphQL type can say it.
            return Ok(self.json(true));
        }
        let schema =
            self.components
                .get(&name)
                .cloned()
                .ok_or_else(|| GraphqlError::MissingComponent {
                    action: self.action.clone(),
                    reference: reference.to_owned(),
                })?;
        let graphql_name = type_name(&name);
        if is_plain_object(&schema)
            || (side == Side::Output && self.registry.nested_of(&name).next().is_some())
        {
            // Known before its fields are read, so that recursive types refer to themselves.
            let object_name = object_name(&graphql_name, side);
            self.memo
                .insert(key.clone(), Ty::required(Kind::Object(object_name)));
        }
        self.in_progress.insert(key.clone());
        let ty = self.ty(&schema, side, &graphql_name, Some(&name));
        self.in_progress.remove(&key);
        let ty = ty?;
        self.memo.insert(key, ty.clone());
        Ok(ty)
    }

    pub(super) fn object(
        &mut self,
        object: &JsonMap,
        side: Side,
        base: &str,
        component: Option<&str>,
    ) -> Result<Kind, GraphqlError> {
        let name = object_name(base, side);
        let name = match component {
            Some(component) => self
                .names
                .claim_exact(name, format!("the schema component `{component}`"))?,
            None => self.names.claim(
                name,
                &format!("object {:?} {}", side, Json::Object(object.clone())),
            ),
        };
        let fields = self.fields(object, side, &name_base(&name, side))?;
        let description = text(object.get("description"));
        let object_type = ObjectType {
            name: name.clone(),
            description,
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

    pub(super) fn enumeration(
        &mut self,
        object: &JsonMap,
        base: &str,
        component: Option<&str>,
    ) -> Result<Option<Kind>, GraphqlError> {
        let values: Option<Vec<String>> =
            object
                .get("enum")
                .and_then(Json::as_array)
                .and_then(|values| {
                    values
                        .iter()
                        .map(|value| {
                            value
                                .as_str()
                                .filter(|s| is_enum_value(s))
                                .map(str::to_owned)
                        })
                        .collect()
                });
        let Some(values) = values.filter(|values| !values.is_empty()) else {
            return Ok(None);
        };
        let signature = format!("enum {}", values.join(" "));
        let name = match component {
            Some(_) if self.names.is_taken_by(base, &signature) => base.to_owned(),
            Some(_) => self.names.claim_exact(base.to_owned(), signature)?,
            None => self.names.claim(base.to_owned(), &signature),
        };
        self.model
            .enums
            .entry(name.clone())
            .or_insert_with(|| EnumType {
                name: name.clone(),
                description: text(object.get("description")),
                values,
            });
        Ok(Some(Kind::Enum(name)))
    }

    pub(super) fn merge_all_of(&mut self, items: &[Json]) -> Result<Option<JsonMap>, GraphqlError> {
        if let [single] = items {
            return Ok(self.resolve(single)?.as_object().cloned());
        }
        let mut properties = JsonMap::new();
        let mut required = Vec::new();
        for item in items {
            let item = self.resolve(item)?;
            let Some(part) = item
                .as_object()
                .filter(|part| part.contains_key("properties"))
            else {
                return Ok(None);
            };
            if let Some(part_properties) = part.get("properties").and_then(Json::as_object) {
                properties.extend(part_properties.clone());
            }
            if let Some(part_required) = part.get("required").and_then(Json::as_array) {
                required.extend(part_required.iter().cloned());
            }
        }
        let mut merged = JsonMap::new();
        merged.insert("type".into(), "object".into());
        merged.insert("properties".into(), Json::Object(properties));
        merged.insert("required".into(), Json::Array(required));
        Ok(Some(merged))
    }

    /// `schema`, or the component it refers to.
    pub(super) fn resolve(&self, schema: &Json) -> Result<Json, GraphqlError> {
        match schema.get("$ref").and_then(Json::as_str) {
            Some(reference) => {
                let name = reference.strip_prefix(REF_PREFIX).unwrap_or(reference);
                self.components
                    .get(name)
                    .cloned()
                    .ok_or_else(|| GraphqlError::MissingComponent {
                        action: self.action.clone(),
                        reference: reference.to_owned(),
                    })
            }
            None => Ok(schema.clone()),
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
