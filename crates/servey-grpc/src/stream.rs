//! One server-streaming call: a subscription to a websocket channel through core's event seam, with the
//! channel's own access control, parameters and filter; each event a message with its id.

use std::pin::Pin;

use futures_util::{Stream, StreamExt};
use prost_reflect::{DynamicMessage, MessageDescriptor};
use serde_json::Value;
use servey_core::App;
use servey_core::event::{EventStreamError, SubscribeRequest};
use tonic::{Request, Response, Status};

use crate::call::{context, from_json, to_json};
use crate::proto::Reply;
use crate::status::status_of;

/// The events a subscriber is sent.
pub(crate) type EventMessages = Pin<Box<dyn Stream<Item = Result<DynamicMessage, Status>> + Send>>;

/// An RPC that streams a channel's events.
pub(crate) struct ChannelCall {
    pub(crate) channel: String,
    pub(crate) output: MessageDescriptor,
}

impl ChannelCall {
    /// Subscribes the caller of `request`; the stream ends when the server stops, or with an error
    /// when the subscriber reads too slowly or events it asked to resume from are lost.
    pub(crate) fn call(
        &self,
        app: &App,
        request: Request<DynamicMessage>,
    ) -> Result<Response<EventMessages>, Status> {
        let (metadata, _, message) = request.into_parts();
        let context = context(app, &metadata.into_headers());
        let Some(source) = app.backends().event_subscriptions() else {
            return Err(Status::unimplemented("this app serves no event channels"));
        };
        let mut params = match to_json(&message)? {
            Value::Object(params) => params,
            _ => serde_json::Map::new(),
        };
        let since = params.remove("since").and_then(|since| since.as_u64());
        let subscribe = SubscribeRequest::new(
            self.channel.clone(),
            context.request_id().to_owned(),
            context.authorization().cloned(),
        )
        .with_since(since)
        .with_params(Value::Object(params));
        let events = source
            .subscribe_with(subscribe)
            .map_err(|error| status_of(&error))?;
        let output = self.output.clone();
        let messages = events.map(move |event| match event {
            Ok(event) => {
                let value: Value = serde_json::from_str(&event.json).map_err(|error| {
                    Status::internal(format!("an event is not valid JSON: {error}"))
                })?;
                let envelope = serde_json::json!({ "id": event.id, "event": value });
                from_json(&output, Reply::Direct, envelope)
            }
            Err(error @ EventStreamError::TooSlow { .. }) => {
                Err(Status::resource_exhausted(error.to_string()))
            }
            Err(error) => Err(Status::data_loss(error.to_string())),
        });
        Ok(Response::new(Box::pin(messages)))
    }
}
