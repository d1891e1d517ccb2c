//! Batched nested fields resolved with their list: when an action field answers objects and its
//! selection names a nested field with a batch form directly (no directive, not inside a fragment), the
//! batch runs right there, once for every object, and each object carries its result to the nested
//! field. Nothing waits for siblings to gather, so the request's task never wakes itself: with the
//! [`BatchLoader`](crate::batch::BatchLoader) each gathering round costs a trip through the runtime
//! (and a wake-up of an idle worker). Any other shape (a fragment, a directive, an object reached
//! through a property) still gathers through the loader.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dynamic::{FieldValue, ResolverContext};
use async_graphql::parser::types::Selection;
use serde_json::Value;
use servey_core::action::MAX_BATCH_SIZE;
use servey_core::invoke::invoke_batch;
use servey_core::{Action, Context};
use tracing::Instrument;

use crate::error::field_error;
use crate::model::{Kind, Model, Ty};
use crate::property::leaf_value;
use crate::resolve::output_value;

/// The nested fields with a batch form of one output type: field name and action.
type OfType = Vec<(String, Arc<Action>)>;

/// The nested fields with a batch form of each output type, by type name.
#[derive(Debug, Clone, Default)]
pub(crate) struct BatchedFields(Arc<HashMap<String, OfType>>);

impl BatchedFields {
    /// The batched nested fields of `model`'s output types.
    pub(crate) fn of(model: &Model) -> Self {
        let fields = model
            .outputs
            .values()
            .map(|object| {
                let batched = object
                    .nested
                    .iter()
                    .filter(|field| field.action.batch.is_some())
                    .map(|field| (field.name.clone(), field.action.clone()))
                    .collect::<OfType>();
                (object.name.clone(), batched)
            })
            .filter(|(_, batched)| !batched.is_empty())
            .collect();
        Self(Arc::new(fields))
    }

    /// The actions of the batched fields that the field in `ctx`, answering `ty`, selects directly.
    pub(crate) fn selected(&self, ctx: &ResolverContext<'_>, ty: &Ty) -> Vec<Arc<Action>> {
        let object = match &ty.kind {
            Kind::Object(name) => name,
            Kind::List(item) => match &item.kind {
                Kind::Object(name) => name,
                _ => return Vec::new(),
            },
            _ => return Vec::new(),
        };
        let Some(batched) = self.0.get(object) else {
            return Vec::new();
        };
        let mut actions: Vec<Arc<Action>> = Vec::new();
        for selection in &ctx.item.node.selection_set.node.items {
            let Selection::Field(field) = &selection.node else {
                continue;
            };
            if !field.node.directives.is_empty() {
                continue;
            }
            let found = batched
                .iter()
                .find(|(name, _)| *name == field.node.name.node.as_str());
            if let Some((_, action)) = found
                && !actions.iter().any(|known| Arc::ptr_eq(known, action))
            {
                actions.push(action.clone());
            }
        }
        actions
    }
}

/// The results of the batch calls made for one list, shared by its objects.
type Batches = Arc<Vec<(Arc<Action>, Vec<Result<Value, async_graphql::Error>>)>>;

/// An object whose batched nested fields were resolved with its list.
struct Prefetched {
    json: Value,
    index: usize,
    batches: Batches,
}

/// The JSON of a parent object, as an action or a property answered it.
pub(crate) fn parent_json<'a>(parent: &'a FieldValue<'_>) -> async_graphql::Result<&'a Value> {
    match parent.downcast_ref::<Prefetched>() {
        Some(prefetched) => Ok(&prefetched.json),
        None => parent.try_downcast_ref::<Value>(),
    }
}

/// The result `action`'s batch gave this parent with its list, if it ran there.
pub(crate) fn prefetched(
    parent: &FieldValue<'_>,
    action: &Arc<Action>,
) -> Option<Result<Value, async_graphql::Error>> {
    let prefetched = parent.downcast_ref::<Prefetched>()?;
    let (_, results) = prefetched
        .batches
        .iter()
        .find(|(ran, _)| Arc::ptr_eq(ran, action))?;
    results.get(prefetched.index).cloned()
}

/// `json` (an object or a list of them) as the field value of `ty`, each object carrying the results of
/// `actions`' batch forms, called once per [`MAX_BATCH_SIZE`] objects on behalf of `context`.
pub(crate) async fn with_batches(
    json: Value,
    ty: &Ty,
    actions: &[Arc<Action>],
    context: &Context,
) -> async_graphql::Result<Option<FieldValue<'static>>> {
    let (items, is_list) = match json {
        Value::Array(items) if matches!(ty.kind, Kind::List(_)) => (items, true),
        object @ Value::Object(_) => (vec![object], false),
        other => return output_value(other, ty),
    };
    let item_ty = match &ty.kind {
        Kind::List(item) if is_list => item,
        _ => ty,
    };
    // Borrowed: the objects themselves become the field values below; each batch call decodes them.
    let parents: Vec<&Value> = items.iter().filter(|item| item.is_object()).collect();
    let mut batches = Vec::with_capacity(actions.len());
    for action in actions {
        let mut results = Vec::with_capacity(parents.len());
        for chunk in parents.chunks(MAX_BATCH_SIZE) {
            let span = servey_core::trace::action_span(action, context);
            match invoke_batch(action, chunk, context.clone())
                .instrument(span)
                .await
            {
                Ok(values) => results.extend(values.into_iter().map(Ok)),
                Err(error) => {
                    let error = field_error(&error);
                    results.extend(std::iter::repeat_n(Err(error), chunk.len()));
                }
            }
        }
        batches.push((action.clone(), results));
    }
    let batches: Batches = Arc::new(batches);
    let mut index = 0;
    let mut values = Vec::with_capacity(items.len());
    for item in items {
        values.push(match item {
            Value::Null => FieldValue::NULL,
            json @ Value::Object(_) => {
                index += 1;
                FieldValue::owned_any(Prefetched {
                    json,
                    index: index - 1,
                    batches: batches.clone(),
                })
            }
            // Not an object: the error of a value that does not fit the item type.
            other => leaf_value(&other, item_ty)?.unwrap_or(FieldValue::NULL),
        });
    }
    if is_list {
        Ok(Some(FieldValue::list(values)))
    } else {
        Ok(values.pop())
    }
}
