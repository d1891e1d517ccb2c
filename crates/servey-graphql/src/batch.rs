//! Batched nested actions: a nested field whose action has a batch form is loaded through a DataLoader
//! made for each request (never shared between requests: it holds the caller's `Context`), so a list
//! of parents selecting the field runs one batch call through the one invoke path instead of one call
//! per parent.

use std::collections::HashMap;
use std::convert::Infallible;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use serde_json::Value;
use servey_core::action::MAX_BATCH_SIZE;
use servey_core::invoke::invoke_batch;
use servey_core::{Action, Context};
use tracing::Instrument;

use crate::error::field_error;

/// The per-request loader of batched nested fields, put in the request's data beside its `Context`.
pub(crate) type BatchLoader = DataLoader<ParentLoader>;

/// A DataLoader for one request, calling batch forms on behalf of the caller in `context`.
pub(crate) fn loader(context: &Context) -> BatchLoader {
    DataLoader::new(
        ParentLoader {
            context: context.clone(),
        },
        tokio::spawn,
    )
    .max_batch_size(MAX_BATCH_SIZE)
}

/// Loads the results of batched nested actions for their parents.
pub(crate) struct ParentLoader {
    context: Context,
}

/// One parent of one batched action: equal when the action and the parent's JSON are.
#[derive(Clone)]
pub(crate) struct ParentKey {
    action: Arc<Action>,
    parent: Arc<Value>,
    text: Arc<str>,
}

impl ParentKey {
    /// The key of `parent` for `action`.
    pub(crate) fn new(action: &Arc<Action>, parent: &Value) -> Self {
        Self {
            action: action.clone(),
            text: parent.to_string().into(),
            parent: Arc::new(parent.clone()),
        }
    }
}

impl PartialEq for ParentKey {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.action, &other.action) && self.text == other.text
    }
}

impl Eq for ParentKey {}

impl Hash for ParentKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        Arc::as_ptr(&self.action).hash(state);
        self.text.hash(state);
    }
}

/// A parent's result, or the error of its batch, shown on its field.
pub(crate) type Loaded = Result<Value, async_graphql::Error>;

impl Loader<ParentKey> for ParentLoader {
    type Value = Loaded;
    type Error = Infallible;

    // A key hashes the action's address and the parent's text, never the action's rate-limiter state.
    #[allow(clippy::mutable_key_type)]
    async fn load(&self, keys: &[ParentKey]) -> Result<HashMap<ParentKey, Loaded>, Infallible> {
        // One batch call per action: a load may hold parents of several batched fields.
        let mut groups: Vec<(&Arc<Action>, Vec<&ParentKey>)> = Vec::new();
        for key in keys {
            match groups
                .iter_mut()
                .find(|(action, _)| Arc::ptr_eq(action, &key.action))
            {
                Some((_, group)) => group.push(key),
                None => groups.push((&key.action, vec![key])),
            }
        }
        let mut loaded = HashMap::with_capacity(keys.len());
        for (action, group) in groups {
            let parents = group.iter().map(|key| (*key.parent).clone()).collect();
            let span = servey_core::trace::action_span(action, &self.context);
            let outcome = invoke_batch(action, parents, self.context.clone())
                .instrument(span)
                .await;
            match outcome {
                Ok(results) => {
                    for (key, result) in group.into_iter().zip(results) {
                        loaded.insert(key.clone(), Ok(result));
                    }
                }
                Err(error) => {
                    let error = field_error(&action.name, self.context.request_id(), &error);
                    for key in group {
                        loaded.insert(key.clone(), Err(error.clone()));
                    }
                }
            }
        }
        Ok(loaded)
    }
}
