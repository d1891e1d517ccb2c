//! The `action` span of each action field, opened around the field's whole resolution (the action's call,
//! then its selection), so that the nested actions a query selects are children of the action whose
//! result they belong to. Run from servey's schema extension, since only an extension wraps a field's
//! selection.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::extensions::{ExtensionContext, NextResolve, ResolveInfo};
use async_graphql::{ServerResult, Value};
use servey_core::trace::{action_span, action_spans_enabled};
use servey_core::{Action, Context};
use tracing::Instrument;

use crate::model::Model;

/// The actions behind fields, by parent type name and field name; one instance serves every request.
#[derive(Debug, Clone, Default)]
pub(crate) struct ActionSpans(Arc<HashMap<String, HashMap<String, Arc<Action>>>>);

impl ActionSpans {
    /// The action fields of `model`: `Query`, `Mutation` and the nested ones of each output type.
    pub(crate) fn of(model: &Model) -> Self {
        let mut actions: HashMap<String, HashMap<String, Arc<Action>>> = HashMap::new();
        let roots = [("Query", &model.query), ("Mutation", &model.mutation)];
        let nested = model
            .outputs
            .values()
            .map(|object| (object.name.as_str(), &object.nested));
        for (type_name, fields) in roots.into_iter().chain(nested) {
            let by_field = actions.entry(type_name.to_owned()).or_default();
            for field in fields {
                by_field.insert(field.name.clone(), field.action.clone());
            }
        }
        Self(Arc::new(actions))
    }

    /// Resolves the field `info` names, inside its action's span when it is an action field and a
    /// subscriber records action spans.
    pub(crate) async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        let action = action_spans_enabled()
            .then(|| self.0.get(info.parent_type)?.get(info.name))
            .flatten();
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
