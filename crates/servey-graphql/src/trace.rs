//! The `action` span of each action field, opened around the field's whole resolution (the action's call,
//! then its selection), so that the nested actions a query selects are children of the action whose
//! result they belong to. An async-graphql extension, since only an extension wraps a field's selection.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo,
};
use async_graphql::{ServerResult, Value};
use servey_core::trace::action_span;
use servey_core::{Action, Context};
use tracing::Instrument;

use crate::model::Model;

/// The actions behind fields, by parent type name and field name; one instance serves every request.
#[derive(Debug, Clone)]
pub(crate) struct ActionSpans(Arc<FieldActions>);

#[derive(Debug, Default)]
struct FieldActions(HashMap<String, HashMap<String, Arc<Action>>>);

impl ActionSpans {
    /// The action fields of `model`: `Query`, `Mutation` and the nested ones of each output type.
    pub(crate) fn of(model: &Model) -> Self {
        let mut actions = FieldActions::default();
        let roots = [("Query", &model.query), ("Mutation", &model.mutation)];
        let nested = model
            .outputs
            .values()
            .map(|object| (object.name.as_str(), &object.nested));
        for (type_name, fields) in roots.into_iter().chain(nested) {
            let by_field = actions.0.entry(type_name.to_owned()).or_default();
            for field in fields {
                by_field.insert(field.name.clone(), field.action.clone());
            }
        }
        Self(Arc::new(actions))
    }
}

impl ExtensionFactory for ActionSpans {
    fn create(&self) -> Arc<dyn Extension> {
        self.0.clone()
    }
}

#[async_trait::async_trait]
impl Extension for FieldActions {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        let action = self
            .0
            .get(info.parent_type)
            .and_then(|fields| fields.get(info.name));
        let Some(action) = action else {
            return next.run(ctx, info).await;
        };
        let span = match ctx.data_opt::<Context>() {
            Some(context) => action_span(action, context),
            None => action_span(action, &Context::default()),
        };
        next.run(ctx, info).instrument(span).await
    }
}
