//! GraphQL subscriptions: one `Subscription` field per websocket event channel, served over the
//! graphql-transport-ws protocol (and the older graphql-ws) at `GET /graphql`. The events come from the
//! app's [`EventSubscriptions`] (core's seam; servey-schedule provides it), so a subscription gets the
//! same access control, event filter and targeted publishes as the websocket routes. The connection is
//! [`socket`](crate::socket)'s; the token comes from the `connection_init` payload (`{"Authorization": "Bearer <token>"}`, what GraphiQL sends from its
//! headers editor) or else from the upgrade request's `Authorization` header.

use std::sync::Arc;

use async_graphql::dynamic::{
    FieldValue, InputValue, ResolverContext, SubscriptionField as GqlField,
    SubscriptionFieldFuture, TypeRef,
};
use futures_util::StreamExt;
use servey_core::event::SubscribeRequest;
use servey_core::{Context, EventSubscriptions};

use crate::error::{coded, field_error};
use crate::model::{SUBSCRIBER_ID_ARG, SubscriptionField};
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
    graphql = graphql.argument(
        InputValue::new(SUBSCRIBER_ID_ARG, TypeRef::named(TypeRef::STRING)).description(
            "The id that targeted publishes and the channel's event filter see (random when absent).",
        ),
    );
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
    let request =
        SubscribeRequest::new(field.channel, subscriber_id, authorization).with_params(params);
    let stream = source.subscribe_with(request).map_err(refused)?;
    let event = field.event.clone();
    Ok(stream.map(move |item| {
        let text = item.map_err(|error| coded("TOO_SLOW", error.to_string()))?;
        let json = serde_json::from_str(&text)
            .map_err(|error| coded("INTERNAL_SERVER_ERROR", error.to_string()))?;
        let value: FieldValue<'a> = output_value(json, &event)?.unwrap_or(FieldValue::NULL);
        Ok(value)
    }))
}
