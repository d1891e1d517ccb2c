//! Reads the actions' schemas (utoipa, walked as JSON Schema so that every utoipa shape is handled the
//! same way) into the GraphQL [`Model`]. The mapping rules are documented in the crate docs.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use servey_core::{Action, Method, Registry, Trigger};
use utoipa::openapi::{RefOr, schema::Schema};

mod keywords;
mod names;

use crate::description::{action_description, property_description, text};
use crate::error::GraphqlError;
use crate::json::{Json, JsonMap};
use crate::model::{
    ActionField, Args, BIG_INT, EnumType, Field, JSON, Kind, Model, ObjectType, Ty,
};
use crate::naming::{camel_case, pascal_case, type_name};
use keywords::{
    integer_scalar, is_enum_value, is_null, is_plain_object, name_base, object_name, types_of,
};
use names::TypeNames;

const REF_PREFIX: &str = "#/components/schemas/";

/// Which side of the schema a JSON Schema is read for: output objects and input objects differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Side {
    Input,
    Output,
}

/// Builds the model of every action in `registry` that GraphQL serves.
pub(crate) fn read_model(registry: &Registry) -> Result<Model, GraphqlError> {
    let mut reader = Reader::new(registry)?;
    for action in registry.top_level() {
        let has_get = action.triggers.iter().any(
            |trigger| matches!(trigger, Trigger::Web { method, .. } if *method == Method::Get),
        );
        if !has_get && !action.is_mutation() {
            continue;
        }
        let field = reader.action_field(action, camel_case(&action.name))?;
        if has_get {
            reader.model.query.push(field.clone());
        }
        if action.is_mutation() {
            reader.model.mutation.push(field);
        }
    }
    while let Some((component, object)) = reader.pending_nested.pop() {
        for action in registry.nested_of(&component) {
            let field = reader.action_field(action, camel_case(&action.fn_name))?;
            if let Some(owner) = reader.model.outputs.get_mut(&object) {
                owner.nested.push(field);
            }
        }
    }
    reader.model.check_names()?;
    Ok(reader.model)
}

struct Reader<'r> {
    registry: &'r Registry,
    components: BTreeMap<String, Json>,
    memo: HashMap<(Side, String), Ty>,
    in_progress: HashSet<(Side, String)>,
    names: TypeNames,
    pending_nested: Vec<(String, String)>,
    action: String,
    model: Model,
}

impl<'r> Reader<'r> {
    fn new(registry: &'r Registry) -> Result<Self, GraphqlError> {
        let mut components = BTreeMap::new();
        for action in registry.iter() {
            for (name, schema) in &action.schema.components {
                let schema = to_json(&action.name, schema)?;
                match components.get(name) {
                    Some(existing) if existing != &schema => {
                        return Err(GraphqlError::TypeClash {
                            name: name.clone(),
                            other: format!(
                                "another schema of that name in action `{}`",
                                action.name
                            ),
                        });
                    }
                    Some(_) => {}
                    None => {
                        components.insert(name.clone(), schema);
                    }
                }
            }
        }
        let names = TypeNames::new();
        Ok(Self {
            registry,
            components,
            memo: HashMap::new(),
            in_progress: HashSet::new(),
            names,
            pending_nested: Vec::new(),
            action: String::new(),
            model: Model::default(),
        })
    }

    fn action_field(
        &mut self,
        action: &Arc<Action>,
        name: String,
    ) -> Result<ActionField, GraphqlError> {
        self.action.clone_from(&action.name);
        let base = pascal_case(&action.name);
        let input = to_json(&action.name, &action.schema.input)?;
        let output = to_json(&action.name, &action.schema.output)?;
        let args = self.args(&input, &base)?;
        let output = self.ty(&output, Side::Output, &format!("{base}Output"), None)?;
        Ok(ActionField {
            name,
            description: action_description(action),
            action: action.clone(),
            args,
            output: output.or_null(),
        })
    }

    fn args(&mut self, input: &Json, base: &str) -> Result<Args, GraphqlError> {
        let input = self.resolve(input)?;
        let Some(object) = input.as_object() else {
            self.model.uses_json = true;
            return Ok(Args::FreeForm);
        };
        let has_properties = object
            .get("properties")
            .and_then(Json::as_object)
            .is_some_and(|properties| !properties.is_empty());
        let allows_any = object
            .get("additionalProperties")
            .is_some_and(|extra| extra != &Json::Bool(false))
            || !object.contains_key("type");
        if !has_properties && allows_any {
            self.model.uses_json = true;
            return Ok(Args::FreeForm);
        }
        Ok(Args::Fields(self.fields(object, Side::Input, base)?))
    }

    fn fields(
        &mut self,
        object: &JsonMap,
        side: Side,
        base: &str,
    ) -> Result<Vec<Field>, GraphqlError> {
        let required: HashSet<&str> = object
            .get("required")
            .and_then(Json::as_array)
            .map(|keys| keys.iter().filter_map(Json::as_str).collect())
            .unwrap_or_default();
        let Some(properties) = object.get("properties").and_then(Json::as_object) else {
            return Ok(Vec::new());
        };
        let mut fields = Vec::with_capacity(properties.len());
        for (key, schema) in properties {
            let mut ty = self.ty(schema, side, &format!("{base}{}", pascal_case(key)), None)?;
            if !required.contains(key.as_str()) {
                ty.nullable = true;
            }
            fields.push(Field {
                name: camel_case(key),
                key: key.clone(),
                ty,
                description: property_description(schema),
            });
        }
        Ok(fields)
    }

    /// The GraphQL type of `schema`; `base` names the types it defines inline, `component` is set
    /// when `schema` is a named component.
    fn ty(
        &mut self,
        schema: &Json,
        side: Side,
        base: &str,
        component: Option<&str>,
    ) -> Result<Ty, GraphqlError> {
        let Some(object) = schema.as_object() else {
            return Ok(self.json(true));
        };
        if let Some(reference) = object.get("$ref").and_then(Json::as_str) {
            return self.component(reference, side);
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(items) = object.get(key).and_then(Json::as_array) {
                let others: Vec<&Json> = items.iter().filter(|item| !is_null(item)).collect();
                let has_null = others.len() < items.len();
                return match others.as_slice() {
                    [single] => {
                        let ty = self.ty(single, side, base, component)?;
                        Ok(if has_null { ty.or_null() } else { ty })
                    }
                    _ => Ok(self.json(has_null)),
                };
            }
        }
        if let Some(items) = object.get("allOf").and_then(Json::as_array) {
            return match self.merge_all_of(items)? {
                Some(merged) => self.ty(&Json::Object(merged), side, base, component),
                None => Ok(self.json(false)),
            };
        }
        let (types, nullable) = types_of(object);
        let has_properties = object
            .get("properties")
            .and_then(Json::as_object)
            .is_some_and(|properties| !properties.is_empty());
        let has_nested = side == Side::Output
            && component.is_some_and(|name| self.registry.nested_of(name).next().is_some());
        let kind = match types.as_slice() {
            ["string"] | [] if object.contains_key("enum") => {
                match self.enumeration(object, base, component)? {
                    Some(kind) => kind,
                    None if types.is_empty() => return Ok(self.json(true)),
                    None => Kind::Scalar("String"),
                }
            }
            ["object"] | [] if has_properties || has_nested => {
                self.object(object, side, base, component)?
            }
            [] => return Ok(self.json(true)),
            ["string"] => Kind::Scalar("String"),
            ["boolean"] => Kind::Scalar("Boolean"),
            ["number"] => Kind::Scalar("Float"),
            ["integer"] => match integer_scalar(object) {
                BIG_INT => {
                    self.model.uses_big_int = true;
                    Kind::Scalar(BIG_INT)
                }
                int => Kind::Scalar(int),
            },
            ["array"] => match object.get("items") {
                Some(items) if items.is_object() => {
                    Kind::List(Box::new(self.ty(items, side, base, None)?))
                }
                _ => Kind::List(Box::new(self.json(true))),
            },
            _ => return Ok(self.json(nullable)),
        };
        Ok(Ty { kind, nullable })
    }

    fn component(&mut self, reference: &str, side: Side) -> Result<Ty, GraphqlError> {
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

    fn object(
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

    fn enumeration(
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

    fn merge_all_of(&mut self, items: &[Json]) -> Result<Option<JsonMap>, GraphqlError> {
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
    fn resolve(&self, schema: &Json) -> Result<Json, GraphqlError> {
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

    fn json(&mut self, nullable: bool) -> Ty {
        self.model.uses_json = true;
        Ty {
            kind: Kind::Scalar(JSON),
            nullable,
        }
    }
}

fn to_json(action: &str, schema: &RefOr<Schema>) -> Result<Json, GraphqlError> {
    Json::from_schema(schema).map_err(|error| GraphqlError::UnreadableSchema {
        action: action.to_owned(),
        message: error.to_string(),
    })
}
