//! The declaring macros. Each one declares a `static` channel value (immutable metadata) and submits it
//! to the link-time channel list that each app's `Channels` are built from; generated code names
//! everything through `$crate::`, so user crates need no other import.

/// Declares a websocket event channel as a `static`: publish with `NAME.publish(&context, &event)` or
/// `NAME.publish_to(&context, subscriber_id, &event)`, where `context` is the `Context` of the action
/// call (its app's subscribers receive the event).
///
/// The event type is `Serialize + Deserialize + ToSchema`. `params = Params` may come right after it:
/// each subscriber then gives subscription parameters of that `Deserialize + ToSchema` type (from the
/// query of the path form, the `Subscribe` message, or GraphQL arguments), checked like an action's
/// input. Options follow, in any order: `access_control = scope("..")` (or a type implementing
/// `AccessControl + Default`) decides who may subscribe; `filter = some_fn` (a `fn(&Event,
/// Option<&Authorization>, &str) -> bool`, given each subscriber's grant and id) or, with `params`,
/// `params_filter = some_fn` (a `fn(&Event, &Params, Option<&Authorization>, &str) -> bool`) decides
/// which events each subscriber sees. Apps use it as `servey::websocket_event_channel!`.
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use servey_core::{ActionError, Authorization, Context};
/// use servey_schedule::websocket_event_channel;
///
/// /// A chat message.
/// #[derive(Serialize, Deserialize, utoipa::ToSchema)]
/// pub struct Message {
///     sender: String,
///     text: String,
/// }
///
/// /// Everyone but the sender sees a message.
/// fn not_from_self(message: &Message, _caller: Option<&Authorization>, subscriber_id: &str) -> bool {
///     message.sender != subscriber_id
/// }
///
/// websocket_event_channel!(
///     /// Chat messages, to everyone holding the `chat` scope.
///     pub MESSENGER, "messenger", Message,
///     access_control = scope("chat"),
///     filter = not_from_self,
/// );
///
/// /// What an action does with the `Context` of its call.
/// fn post(context: &Context, message: &Message) -> Result<(), ActionError> {
///     MESSENGER.publish(context, message)?;
///     Ok(())
/// }
/// # fn main() {
/// #     use servey_schedule::EventChannel;
/// #     assert_eq!((MESSENGER.name(), MESSENGER.doc().trim()), ("messenger", "Chat messages, to everyone holding the `chat` scope."));
/// #     // A context of no app has no channels to publish to.
/// #     let message = Message { sender: "ann".into(), text: "hi".into() };
/// #     assert_eq!(post(&Context::new(), &message).unwrap_err().status(), 500);
/// # }
/// ```
#[macro_export]
macro_rules! websocket_event_channel {
    ($(#[doc = $doc:literal])* $vis:vis $static_name:ident, $name:literal, $event:ty, params = $params:ty $(, $($option:tt)*)?) => {
        $(#[doc = $doc])*
        $vis static $static_name: $crate::WebsocketChannel<$event, $params> = $crate::__websocket_options!(
            $crate::WebsocketChannel::new($name, ::core::concat!($($doc, "\n",)*)).params::<$params>() ; $($($option)*)?
        );
        $crate::__private::inventory::submit! { $crate::ChannelEntry(&$static_name) }
    };
    ($(#[doc = $doc:literal])* $vis:vis $static_name:ident, $name:literal, $event:ty $(, $($option:tt)*)?) => {
        $(#[doc = $doc])*
        $vis static $static_name: $crate::WebsocketChannel<$event> = $crate::__websocket_options!(
            $crate::WebsocketChannel::new($name, ::core::concat!($($doc, "\n",)*)) ; $($($option)*)?
        );
        $crate::__private::inventory::submit! { $crate::ChannelEntry(&$static_name) }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __websocket_options {
    ($channel:expr ; $(,)?) => { $channel };
    ($channel:expr ; access_control = scope($scope:literal) $(, $($rest:tt)*)?) => {
        $crate::__websocket_options!($channel.access_scope($scope) ; $($($rest)*)?)
    };
    ($channel:expr ; access_control = $policy:path $(, $($rest:tt)*)?) => {
        $crate::__websocket_options!(
            $channel.access_policy($crate::__private::construct_access_control::<$policy>) ; $($($rest)*)?
        )
    };
    ($channel:expr ; filter = $filter:expr $(, $($rest:tt)*)?) => {
        $crate::__websocket_options!($channel.filter($filter) ; $($($rest)*)?)
    };
    ($channel:expr ; params_filter = $filter:expr $(, $($rest:tt)*)?) => {
        $crate::__websocket_options!($channel.filter_with_params($filter) ; $($($rest)*)?)
    };
}

/// Declares a background channel as a `static`: `NAME.publish(&context, &event)` runs the action `action`
/// of the context's app once, in the background, with the event (a JSON object) as its input.
///
/// The event type is `Serialize + ToSchema`, and its fields are the action's parameters. An app whose
/// registry has no action of that name does not start. Apps use it as `servey::background_channel!`.
///
/// ```
/// use serde::Serialize;
/// use servey_schedule::background_channel;
///
/// /// An image to resize: the input of the `resize_image` action.
/// #[derive(Serialize, utoipa::ToSchema)]
/// pub struct ResizeRequest {
///     path: String,
///     width: u32,
/// }
///
/// background_channel!(
///     /// Images waiting to be resized.
///     pub RESIZE_JOBS, "resize_jobs", ResizeRequest, action = "resize_image"
/// );
/// # fn main() {
/// #     use servey_schedule::EventChannel;
/// #     assert_eq!(RESIZE_JOBS.target_action(), Some("resize_image"));
/// # }
/// ```
#[macro_export]
macro_rules! background_channel {
    ($(#[doc = $doc:literal])* $vis:vis $static_name:ident, $name:literal, $event:ty, action = $action:literal $(,)?) => {
        $(#[doc = $doc])*
        $vis static $static_name: $crate::BackgroundChannel<$event> =
            $crate::BackgroundChannel::new($name, ::core::concat!($($doc, "\n",)*), $action);
        $crate::__private::inventory::submit! { $crate::ChannelEntry(&$static_name) }
    };
}

/// Declares a webhook channel as a `static`: `NAME.publish(&context, &event)` POSTs the event as JSON to
/// `url` (an expression evaluated at each publish) with a timeout and retries with exponential backoff.
///
/// The event type is `Serialize + Deserialize + ToSchema`. The options `max_attempts`, `timeout_ms` and
/// `initial_backoff_ms` may follow, in any order; the defaults are 5 attempts, 10 000 ms each, and a
/// first retry after 200 ms, doubling up to a minute. Apps use it as `servey::webhook_channel!`.
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use servey_schedule::webhook_channel;
///
/// /// Something an auditor should know.
/// #[derive(Serialize, Deserialize, utoipa::ToSchema)]
/// pub struct AuditEvent {
///     actor: String,
///     action: String,
/// }
///
/// webhook_channel!(
///     /// Every change, for the audit service.
///     pub AUDIT, "audit", AuditEvent,
///     url = "https://audit.example.com/events",
///     max_attempts = 3,
///     timeout_ms = 2_000,
/// );
/// # fn main() {
/// #     use servey_schedule::EventChannel;
/// #     assert_eq!(AUDIT.target_url().as_deref(), Some("https://audit.example.com/events"));
/// # }
/// ```
#[macro_export]
macro_rules! webhook_channel {
    ($(#[doc = $doc:literal])* $vis:vis $static_name:ident, $name:literal, $event:ty, url = $url:expr $(, $($option:tt)*)?) => {
        $(#[doc = $doc])*
        $vis static $static_name: $crate::WebhookChannel<$event> = $crate::__webhook_options!(
            $crate::WebhookChannel::new(
                $name,
                ::core::concat!($($doc, "\n",)*),
                || -> $crate::__private::String { $crate::__private::ToString::to_string(&$url) },
            ) ; $($($option)*)?
        );
        $crate::__private::inventory::submit! { $crate::ChannelEntry(&$static_name) }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __webhook_options {
    ($channel:expr ; $(,)?) => { $channel };
    ($channel:expr ; max_attempts = $value:expr $(, $($rest:tt)*)?) => {
        $crate::__webhook_options!($channel.max_attempts($value) ; $($($rest)*)?)
    };
    ($channel:expr ; timeout_ms = $value:expr $(, $($rest:tt)*)?) => {
        $crate::__webhook_options!($channel.timeout_ms($value) ; $($($rest)*)?)
    };
    ($channel:expr ; initial_backoff_ms = $value:expr $(, $($rest:tt)*)?) => {
        $crate::__webhook_options!($channel.initial_backoff_ms($value) ; $($($rest)*)?)
    };
}
