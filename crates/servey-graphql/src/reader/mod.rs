//! Reads the actions' schema models (servey-core's resolved [`TypeModel`]s) into the GraphQL [`Model`].
//! The mapping rules are documented in the crate docs.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use servey_core::event::SubscribableChannel;
use servey_core::schema::{ObjectType as ObjectModel, SchemaModel, TypeKind, TypeModel};
use servey_core::{Action, Method, Registry, Trigger};

mod names;
mod types;

use crate::description::{action_description, property_description};
use crate::error::GraphqlError;
use crate::model::{
    ActionField, Args, BIG_INT, EnumType, Field, JSON, Kind, Model, ObjectType, SubscriptionField,
    Ty,
};
use crate::naming::{camel_case, is_name, pascal_case, type_name};
use names::TypeNames;

/// Which side of the schema a type is read for: output objects and input objects differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Side {
    Input,
    Output,
}

/// Builds the model of every action in `registry` that GraphQL serves, and of the `channels` it serves
/// as subscriptions.
pub(crate) fn read_model(
    registry: &Registry,
    channels: &[SubscribableChannel],
) -> Result<Model, GraphqlError> {
    let mut reader = Reader::new(registry)?;
    for channel in channels {
        reader.add_components(
            channel.schema.model(),
            &format!("channel `{}`", channel.name),
        )?;
    }
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
    for channel in channels {
        let field = reader.subscription_field(channel)?;
        reader.model.subscription.push(field);
        // Each subscription's `since` is an event id, which may outgrow `Int`.
        reader.model.uses_big_int = true;
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
    components: BTreeMap<String, TypeModel>,
    memo: HashMap<(Side, String), Ty>,
    in_progress: HashSet<(Side, String)>,
    names: TypeNames,
    pending_nested: Vec<(String, String)>,
    action: String,
    model: Model,
}

impl<'r> Reader<'r> {
    fn new(registry: &'r Registry) -> Result<Self, GraphqlError> {
        let mut reader = Self {
            registry,
            components: BTreeMap::new(),
            memo: HashMap::new(),
            in_progress: HashSet::new(),
            names: TypeNames::new(),
            pending_nested: Vec::new(),
            action: String::new(),
            model: Model::default(),
        };
        for action in registry.iter() {
            reader.add_components(action.schema.model(), &format!("action `{}`", action.name))?;
        }
        Ok(reader)
    }

    /// Adds the named types of `model` (of `owner`: an action or a channel); a different type under a
    /// name already taken is an error.
    fn add_components(&mut self, model: &SchemaModel, owner: &str) -> Result<(), GraphqlError> {
        for (name, ty) in &model.components {
            match self.components.get(name) {
                Some(existing) if existing != ty => {
                    return Err(GraphqlError::TypeClash {
                        name: name.clone(),
                        other: format!("another schema of that name in {owner}"),
                    });
                }
                Some(_) => {}
                None => {
                    self.components.insert(name.clone(), ty.clone());
                }
            }
        }
        Ok(())
    }

    /// The `Subscription` field of a channel: its events, typed like an action's result.
    fn subscription_field(
        &mut self,
        channel: &SubscribableChannel,
    ) -> Result<SubscriptionField, GraphqlError> {
        self.action = format!("channel `{}`", channel.name);
        let base = format!("{}Event", pascal_case(channel.name));
        let event = self.ty(&channel.schema.model().output, Side::Output, &base, None)?;
        let params = format!("{}Params", pascal_case(channel.name));
        let args = self.args(&channel.schema.model().input, &params)?;
        Ok(SubscriptionField {
            name: camel_case(channel.name),
            channel: channel.name,
            description: channel.description.clone(),
            event,
            args,
        })
    }

    fn action_field(
        &mut self,
        action: &Arc<Action>,
        name: String,
    ) -> Result<ActionField, GraphqlError> {
        self.action.clone_from(&action.name);
        let base = pascal_case(&action.name);
        let model = action.schema.model();
        let args = self.args(&model.input, &base)?;
        let output = self.ty(&model.output, Side::Output, &format!("{base}Output"), None)?;
        Ok(ActionField {
            name,
            description: action_description(action),
            action: action.clone(),
            args,
            output: output.or_null(),
        })
    }

    fn args(&mut self, input: &TypeModel, base: &str) -> Result<Args, GraphqlError> {
        let input = self.resolve(input)?;
        match &input.kind {
            TypeKind::Object(object) if !object.properties.is_empty() => {
                Ok(Args::Fields(self.fields(object, Side::Input, base)?))
            }
            TypeKind::Object(object) if object.additional.is_none() => Ok(Args::Fields(Vec::new())),
            _ => {
                self.model.uses_json = true;
                Ok(Args::FreeForm)
            }
        }
    }

    fn fields(
        &mut self,
        object: &ObjectModel,
        side: Side,
        base: &str,
    ) -> Result<Vec<Field>, GraphqlError> {
        let mut fields = Vec::with_capacity(object.properties.len());
        for property in &object.properties {
            let key = &property.name;
            let mut ty = self.ty(
                &property.ty,
                side,
                &format!("{base}{}", pascal_case(key)),
                None,
            )?;
            if !property.required {
                ty.nullable = true;
            }
            fields.push(Field {
                name: camel_case(key),
                key: key.clone(),
                ty,
                description: property_description(&property.ty, side == Side::Input),
            });
        }
        Ok(fields)
    }

    /// The GraphQL type of `schema`; `base` names the types it defines inline, `component` is set
    /// when `schema` is a named component.
    fn ty(
        &mut self,
        schema: &TypeModel,
        side: Side,
        base: &str,
        component: Option<&str>,
    ) -> Result<Ty, GraphqlError> {
        let nullable = schema.nullable;
        let has_nested = side == Side::Output
            && component.is_some_and(|name| self.registry.nested_of(name).next().is_some());
        let kind = match &schema.kind {
            TypeKind::Named { name } => {
                let ty = self.component(name, side)?;
                return Ok(if nullable { ty.or_null() } else { ty });
            }
            TypeKind::Enum { values } => match self.enumeration(schema, values, base, component) {
                Some(kind) => kind,
                None => Kind::Scalar("String"),
            },
            TypeKind::Object(object) if !object.properties.is_empty() || has_nested => {
                self.object(schema, object, side, base, component)?
            }
            TypeKind::String => Kind::Scalar("String"),
            TypeKind::Boolean => Kind::Scalar("Boolean"),
            TypeKind::Number => Kind::Scalar("Float"),
            TypeKind::Integer(integer) if integer.fits_i32() => Kind::Scalar("Int"),
            TypeKind::Integer(_) => {
                self.model.uses_big_int = true;
                Kind::Scalar(BIG_INT)
            }
            TypeKind::List { items } => Kind::List(Box::new(self.ty(items, side, base, None)?)),
            TypeKind::Any | TypeKind::Map { .. } | TypeKind::Object(_) => {
                return Ok(self.json(nullable));
            }
        };
        Ok(Ty { kind, nullable })
    }
}
