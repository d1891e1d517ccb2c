//! Reads the actions' schemas (utoipa, walked as JSON Schema so that every utoipa shape is handled the
//! same way) into the GraphQL [`Model`]. The mapping rules are documented in the crate docs.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use servey_core::{Action, Method, Registry, Trigger};
use utoipa::openapi::{RefOr, schema::Schema};

mod keywords;
mod names;
mod types;

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
}

fn to_json(action: &str, schema: &RefOr<Schema>) -> Result<Json, GraphqlError> {
    Json::from_schema(schema).map_err(|error| GraphqlError::UnreadableSchema {
        action: action.to_owned(),
        message: error.to_string(),
    })
}
