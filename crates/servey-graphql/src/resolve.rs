//! Resolvers: an action field turns its arguments back into the action's JSON input and calls the one
//! invoke path with the request's `Context`; a property field reads its key from the parent's JSON.
//! Objects travel between resolvers as `FieldValue::owned_any(serde_json::Value)`.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_graphql::Value as GqlValue;
use async_graphql::dynamic::{FieldFuture, FieldValue, ObjectAccessor, ResolverContext};
use serde_json::{Map, Value};
use servey_core::invoke::invoke_in_current_span;
use servey_core::{Context, Input};

use crate::batch::BatchLoader;
use crate::error::field_error;
use crate::model::{ActionField, Args, FREE_FORM_ARG, Kind, ObjectType, Ty};
use crate::prefetch::{BatchedFields, parent_json, prefetched, with_batches};
use crate::property::leaf_value;

/// The input object types by name, for turning arguments back into JSON.
pub(crate) type InputTypes = Arc<BTreeMap<String, ObjectType>>;

/// The resolver of a field that runs an action; `is_nested` passes the parent object as `self`.
pub(crate) fn action_resolver(
    field: &ActionField,
    types: &Types,
    is_nested: bool,
) -> impl for<'a> Fn(ResolverContext<'a>) -> FieldFuture<'a> + Send + Sync + 'static {
    let field = Arc::new(field.clone());
    let types = types.clone();
    move |ctx: ResolverContext<'_>| {
        // A nested field whose batch ran with its list: its result is in hand, answered as a ready
        // value (no boxed future per object of the list).
        if is_nested
            && field.action.batch.is_some()
            && let Some(result) = prefetched(ctx.parent_value, &field.action)
        {
            let outcome = result.and_then(|json| output_value(json, &field.output));
            return FieldFuture::Value(outcome.unwrap_or_else(|error| report(&ctx, error)));
        }
        let field = field.clone();
        let types = types.clone();
        FieldFuture::new(async move {
            let outcome = run_action(&ctx, &field, &types, is_nested).await;
            Ok(outcome.unwrap_or_else(|error| report(&ctx, error)))
        })
    }
}

/// What resolvers look up in the schema's model: input types, and the batched nested fields of outputs.
#[derive(Clone)]
pub(crate) struct Types {
    /// The input object types by name.
    pub(crate) inputs: InputTypes,
    /// The nested fields with a batch form, by output type.
    pub(crate) batched: BatchedFields,
}

async fn run_action(
    ctx: &ResolverContext<'_>,
    field: &ActionField,
    types: &Types,
    is_nested: bool,
) -> async_graphql::Result<Option<FieldValue<'static>>> {
    // A batched field whose batch did not run with its list (see `action_resolver`) gathers through
    // the request's loader.
    if is_nested
        && field.action.batch.is_some()
        && let Some(loader) = ctx.data_opt::<BatchLoader>()
    {
        let parent = parent_json(ctx.parent_value)?;
        let loaded = loader.load(&field.action, parent).await?;
        return output_value(loaded, &field.output);
    }
    let inputs = &types.inputs;
    // Every request through the router carries a Context; a bare `schema.execute` is anonymous.
    let context = ctx.data::<Context>().cloned().unwrap_or_default();
    let mut input = Input::from_value(arguments(&ctx.args, &field.args, inputs)?);
    if is_nested {
        input = input.with_parent(parent_json(ctx.parent_value)?.clone());
    }
    let action = &field.action;
    tracing::debug!(action = %action.name, request_id = context.request_id(), "graphql field");
    // The field's `action` span is open already: `ActionSpans` wraps the field and its selection.
    let result = invoke_in_current_span(action, input, context.clone())
        .await
        .and_then(|output| output.to_value())
        .map_err(|error| field_error(&error))?;
    let batched = types.batched.selected(ctx, &field.output);
    if batched.is_empty() {
        return output_value(result, &field.output);
    }
    with_batches(result, &field.output, &batched, &context).await
}

/// Records `error` at the field's path and resolves the field to `null`, as GraphQL asks; async-graphql's
/// dynamic schema would otherwise drop both the field and the error's path.
pub(crate) fn report(
    ctx: &ResolverContext<'_>,
    error: async_graphql::Error,
) -> Option<FieldValue<'static>> {
    ctx.add_error(ctx.set_error_path(error.into_server_error(ctx.item.pos)));
    None
}

/// A JSON result as the field value of a GraphQL type.
pub(crate) fn output_value(
    json: Value,
    ty: &Ty,
) -> async_graphql::Result<Option<FieldValue<'static>>> {
    match (json, &ty.kind) {
        (Value::Null, _) => Ok(None),
        (json @ Value::Object(_), Kind::Object(_)) => Ok(Some(FieldValue::owned_any(json))),
        (Value::Array(items), Kind::List(item)) => {
            let values = items
                .into_iter()
                .map(|json| output_value(json, item).map(|value| value.unwrap_or(FieldValue::NULL)))
                .collect::<async_graphql::Result<Vec<_>>>()?;
            Ok(Some(FieldValue::list(values)))
        }
        (json, _) => leaf_value(&json, ty),
    }
}

/// The action's JSON input object from the field's arguments, keys back in their JSON spelling.
pub(crate) fn arguments(
    args: &ObjectAccessor<'_>,
    spec: &Args,
    inputs: &InputTypes,
) -> async_graphql::Result<Value> {
    match spec {
        Args::FreeForm => match args.get(FREE_FORM_ARG) {
            Some(input) if !input.is_null() => Ok(input.as_value().clone().into_json()?),
            _ => Ok(Value::Object(Map::new())),
        },
        Args::Fields(fields) => {
            let mut object = Map::new();
            for field in fields {
                if let Some(value) = args.get(&field.name).filter(|value| !value.is_null()) {
                    object.insert(
                        field.key.clone(),
                        input_json(value.as_value(), &field.ty, inputs)?,
                    );
                }
            }
            Ok(Value::Object(object))
        }
    }
}

/// One validated GraphQL input value as JSON. Null members of input objects are left out, so that
/// `#[serde(default)]` fields take their defaults.
fn input_json(value: &GqlValue, ty: &Ty, inputs: &InputTypes) -> async_graphql::Result<Value> {
    Ok(match (value, &ty.kind) {
        (GqlValue::Null, _) => Value::Null,
        (GqlValue::Object(members), Kind::Object(name)) => {
            let fields = inputs
                .get(name)
                .map(|object| object.fields.as_slice())
                .unwrap_or_default();
            let mut object = Map::new();
            for field in fields {
                if let Some(member) = members
                    .get(field.name.as_str())
                    .filter(|m| **m != GqlValue::Null)
                {
                    object.insert(field.key.clone(), input_json(member, &field.ty, inputs)?);
                }
            }
            Value::Object(object)
        }
        (GqlValue::List(items), Kind::List(item)) => Value::Array(
            items
                .iter()
                .map(|value| input_json(value, item, inputs))
                .collect::<async_graphql::Result<_>>()?,
        ),
        // GraphQL input coercion: a single value where a list is expected is a list of one.
        (value, Kind::List(item)) => Value::Array(vec![input_json(value, item, inputs)?]),
        (GqlValue::Enum(name), _) => Value::String(name.to_string()),
        (value, _) => value.clone().into_json()?,
    })
}
