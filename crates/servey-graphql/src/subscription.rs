//! GraphQL subscriptions: one `Subscription` field per websocket event channel, served over the
//! graphql-transport-ws protocol (and the older graphql-ws) at `GET /graphql`. The events come from the
//! app's [`EventSubscriptions`] (core's seam; servey-schedule provides it), so a subscription gets the
//! same access control, event filter and targeted publishes as the websocket routes. The token comes from
//! the `connection_init` payload (`{"Authorization": "Bearer <token>"}`, what GraphiQL sends from its
//! headers editor) or else from the upgrade request's `Authorization` header.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_graphql::Data;
use async_graphql::dynamic::{
    FieldValue, InputValue, ResolverContext, Schema, SubscriptionField as GqlField,
    SubscriptionFieldFuture, TypeRef,
};
use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::extract::WebSocketUpgrade;
use axum::extract::ws::{CloseFrame, Message};
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};
use servey_core::{App, Context, EventSubscriptions};

use crate::error::{coded, field_error};
use crate::model::{SUBSCRIBER_ID_ARG, SubscriptionField};
use crate::resolve::output_value;

/// The close code sent when the server shuts down.
const CLOSE_GOING_AWAY: u16 = 1001;

/// The `Subscription` field of `field`, subscribing through `source`.
pub(crate) fn subscription_field(
    field: &SubscriptionField,
    source: &EventSubscriptions,
) -> GqlField {
    let field = Arc::new(field.clone());
    let source = source.clone();
    let resolver_field = field.clone();
    let mut graphql = GqlField::new(&field.name, field.event.type_ref(), move |ctx: ResolverContext<'_>| {
        let field = resolver_field.clone();
        let source = source.clone();
        SubscriptionFieldFuture::new(async move { events(&ctx, &field, &source) })
    })
    .argument(
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
) -> async_graphql::Result<
    impl futures_util::Stream<Item = async_graphql::Result<FieldValue<'a>>> + use<'a>,
> {
    let context = ctx.data::<Context>().cloned().unwrap_or_default();
    let subscriber_id = ctx
        .args
        .get(SUBSCRIBER_ID_ARG)
        .and_then(|id| id.string().ok().map(str::to_owned))
        .unwrap_or_else(servey_core::context::new_request_id);
    let refused = |error| field_error(field.channel, context.request_id(), &error);
    let authorization = context
        .raw_credentials()
        .authorization()
        .map_err(refused)?
        .cloned();
    let stream = source
        .subscribe(field.channel, subscriber_id, authorization)
        .map_err(refused)?;
    let event = field.event.clone();
    Ok(stream.map(move |item| {
        let text = item.map_err(|error| coded("TOO_SLOW", error.to_string()))?;
        let json = serde_json::from_str(&text)
            .map_err(|error| coded("INTERNAL_SERVER_ERROR", error.to_string()))?;
        let value: FieldValue<'a> = output_value(json, &event)?.unwrap_or(FieldValue::NULL);
        Ok(value)
    }))
}

/// Upgrades `GET /graphql` to a graphql-transport-ws connection over `schema`; `header_context` is the
/// caller as the upgrade request's headers say, unless `connection_init` carries a token.
pub(crate) fn serve(
    app: &App,
    schema: Schema,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
    header_context: Context,
) -> Response {
    let limit = app.config().limits.websocket_message_bytes;
    let closing = app
        .state::<EventSubscriptions>()
        .map(|source| source.closing());
    let app = app.clone();
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .max_message_size(limit)
        .max_frame_size(limit)
        .on_upgrade(move |socket| async move {
            let (mut sink, stream) = socket.split();
            let shut_down = Arc::new(AtomicBool::new(false));
            let closing = {
                let shut_down = shut_down.clone();
                async move {
                    match closing {
                        Some(closing) => closing.await,
                        None => std::future::pending().await,
                    }
                    shut_down.store(true, Ordering::Relaxed);
                }
            };
            let stream = stream.take_until(closing);
            GraphQLWebSocket::new_with_pair(&mut sink, stream, schema, protocol)
                .on_connection_init(move |payload| async move {
                    let context = match token(&payload) {
                        Some(token) => app
                            .token_context(Some(token))
                            .with_transport(servey_core::Transport::Graphql),
                        None => header_context,
                    };
                    let mut data = Data::default();
                    data.insert(context);
                    Ok(data)
                })
                .serve()
                .await;
            if !shut_down.load(Ordering::Relaxed) {
                return;
            }
            let frame = CloseFrame {
                code: CLOSE_GOING_AWAY,
                reason: "the server is shutting down".into(),
            };
            let _ = sink.send(Message::Close(Some(frame))).await;
        })
}

/// The token of a `connection_init` payload: `{"Authorization": "Bearer <token>"}` (any case, any scheme
/// word) or `{"token": "<token>"}`.
fn token(payload: &serde_json::Value) -> Option<&str> {
    let object = payload.as_object()?;
    object.iter().find_map(|(key, value)| {
        let value = value.as_str()?.trim();
        if key.eq_ignore_ascii_case("authorization") {
            value.split_once(' ').map(|(_, token)| token.trim())
        } else if key == "token" {
            Some(value)
        } else {
            None
        }
    })
}
