//! GraphQL subscriptions: one `Subscription` field per websocket event channel, served over the
//! graphql-transport-ws protocol (and the older graphql-ws) at `GET /graphql`. The events come from the
//! app's [`EventSubscriptions`] (core's seam; servey-schedule provides it), so a subscription gets the
//! same access control, event filter and targeted publishes as the websocket routes. The connection is
//! [`socket`](crate::socket)'s; the token comes from the `connection_init` payload (`{"Authorization": "Bearer <token>"}`, what GraphiQL sends from its
//! headers editor) or else from the upgrade request's `Authorization` header.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::dynamic::{
    FieldValue, InputValue, ResolverContext, SubscriptionField as GqlField,
    SubscriptionFieldFuture, TypeRef,
};
use futures_util::StreamExt;
use servey_core::event::{EventStreamError, SubscribeRequest};
use servey_core::{Context, EventSubscriptions};

use crate::error::{coded, field_error};
use crate::model::{BIG_INT, SINCE_ARG, SUBSCRIBER_ID_ARG, SubscriptionField};
use crate::resolve::{InputTypes, arguments, output_value};
use crate::schema::arguments_of;

/// The `Subscription` field of `field`, subscribing through `source`; `inputs` are the schema's input
/// types, which the subscription parameters' arguments may use.
pub(crate) fn subscription_field(
    field: &SubscriptionField,
    source: &EventSubscriptions,
    inputs: &InputTypes,
) -> GqlField {
    let field = Arc::new(field.clone());
    let source = source.clone();
    let inputs = inputs.clone();
    let resolver_field = field.clone();
    let mut graphql = GqlField::new(
        &field.name,
        field.event.type_ref(),
        move |ctx: ResolverContext<'_>| {
            let field = resolver_field.clone();
            let source = source.clone();
            let inputs = inputs.clone();
            SubscriptionFieldFuture::new(async move { events(&ctx, &field, &source, &inputs) })
        },
    );
    // The channel's parameters first: they are what a subscriber usually gives.
    for argument in arguments_of(&field.args) {
        graphql = graphql.argument(argument);
    }
    graphql = graphql
        .argument(
            InputValue::new(SUBSCRIBER_ID_ARG, TypeRef::named(TypeRef::STRING)).description(
                "The id that targeted publishes and the channel's event filter see (random when absent).",
            ),
        )
        .argument(InputValue::new(SINCE_ARG, TypeRef::named(BIG_INT)).description(
            "Resume after this event id (each event's is in its response's `extensions.eventId`): the \
             kept events after it come first. When some are no longer kept, the subscription's one \
             result is a `HISTORY_LOST` error whose `extensions.firstId` is the oldest kept.",
        ));
    if let Some(description) = &field.description {
        graphql = graphql.description(description);
    }
    graphql
}

/// The events of `field`'s channel for the connection's caller, as field values.
fn events<'a>(
    ctx: &ResolverContext<'_>,
    field: &SubscriptionField,
    source: &EventSubscriptions,
    inputs: &InputTypes,
) -> async_graphql::Result<
    impl futures_util::Stream<Item = async_graphql::Result<FieldValue<'a>>> + use<'a>,
> {
    let context = ctx.data::<Context>().cloned().unwrap_or_default();
    let subscriber_id = ctx
        .args
        .get(SUBSCRIBER_ID_ARG)
        .and_then(|id| id.string().ok().map(str::to_owned))
        .unwrap_or_else(servey_core::context::new_request_id);
    let refused = |error| field_error(&error);
    let authorization = context
        .raw_credentials()
        .authorization()
        .map_err(refused)?
        .cloned();
    let params = arguments(&ctx.args, &field.args, inputs)?;
    let since = match ctx.args.get(SINCE_ARG).filter(|since| !since.is_null()) {
        None => None,
        Some(since) => Some(since.u64().map_err(|_| {
            coded(
                "BAD_USER_INPUT",
                "`since` must be an event id (a whole number from 0)",
            )
        })?),
    };
    let request = SubscribeRequest::new(field.channel, subscriber_id, authorization)
        .with_params(params)
        .with_since(since);
    let stream = source.subscribe_with(request).map_err(refused)?;
    let event = field.event.clone();
    let ids = ctx.data_opt::<EventIds>().cloned().unwrap_or_default();
    Ok(stream.map(move |item| {
        let streamed = match item {
            Ok(streamed) => streamed,
            Err(error) => {
                ids.push(None);
                return Err(stream_error(&error));
            }
        };
        // 0: the fan-out does not number events; there is no id to resume after.
        ids.push(Some(streamed.id).filter(|id| *id != 0));
        let json = serde_json::from_str(&streamed.json)
            .map_err(|error| coded("INTERNAL_SERVER_ERROR", error.to_string()))?;
        let value: FieldValue<'a> = output_value(json, &event)?.unwrap_or(FieldValue::NULL);
        Ok(value)
    }))
}

/// A stream's error as GraphQL reports it: `TOO_SLOW`, `HISTORY_LOST` (with `since` and `firstId`) or
/// `HISTORY_UNAVAILABLE`.
fn stream_error(error: &EventStreamError) -> async_graphql::Error {
    use async_graphql::ErrorExtensions;
    let message = error.to_string();
    match *error {
        EventStreamError::TooSlow { .. } => coded("TOO_SLOW", message),
        EventStreamError::HistoryLost { since, first_id } => coded("HISTORY_LOST", message)
            .extend_with(move |_, extensions| {
                extensions.set("since", since);
                extensions.set("firstId", first_id);
            }),
        EventStreamError::HistoryUnavailable { .. } => coded("HISTORY_UNAVAILABLE", message),
    }
}

/// The ids of one subscription's events, pushed as the field's stream yields each item (`None` for an
/// error) and taken as its responses go out, in the same order: what puts `eventId` in each response's
/// extensions.
#[derive(Debug, Clone, Default)]
pub(crate) struct EventIds(Arc<Mutex<VecDeque<Option<u64>>>>);

impl EventIds {
    fn push(&self, id: Option<u64>) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push_back(id);
    }

    /// The id of the event whose response goes out next, if it is an event's.
    pub(crate) fn next_response(&self) -> Option<u64> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop_front()
            .flatten()
    }
}
