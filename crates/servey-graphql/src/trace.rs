//! The `action` span of each action field, opened around the field's whole resolution (the action's call,
//! then its selection), so that the nested actions a query selects are children of the action whose
//! result they belong to. Run from servey's schema extension, since only an extension wraps a field's
//! selection.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::extensions::{ExtensionContext, ResolveInfo};
use servey_core::trace::{action_span, action_spans_enabled};
use servey_core::{Action, Context};
use tracing::Span;

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

    /// The span to resolve the field `info` names in: its action's, when it is an action field and a
    /// subscriber records action spans. Returned rather than awaited around the field, so that the
    /// extension's hook stays one future (the hook wraps every field of every request).
    pub(crate) fn span_of(&self, ctx: &ExtensionContext<'_>, info: &ResolveInfo<'_>) -> Span {
        let action = action_spans_enabled()
            .then(|| self.0.get(info.parent_type)?.get(info.name))
            .flatten();
        // The request's context is looked up only for an action field: the hook runs for every field.
        match action {
            None => Span::none(),
            Some(action) => match ctx.data_opt::<Context>() {
                Some(context) => action_span(action, context),
                None => action_span(action, &Context::default()),
            },
        }
    }
}
