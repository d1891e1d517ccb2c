//! The declaring macros. Each one declares a `static` channel value (immutable metadata) and submits it
//! to the link-time channel list that each app's `Channels` are built from; generated code names
//! everything through `$crate::`, so user crates need no other import.

/// Declares a websocket event channel as a `static`: publish with `NAME.publish(&context, &event)` or
/// `NAME.publish_to(&context, subscriber_id, &event)`, where `context` is the `Context` of the action
/// call (its app's subscribers receive the event).
///
/// ```ignore
/// websocket_event_channel!(
///     /// Chat messages, to everyone.
///     pub MESSENGER, "messenger", Message,
///     access_control = scope("chat"),   // or a `Default` type implementing `AccessControl`
///     filter = not_from_self,           // fn(&Message, Option<&Authorization>, &str) -> bool
/// );
/// ```
#[macro_export]
macro_rules! websocket_event_channel {
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
}

/// Declares a background channel as a `static`: `NAME.publish(&context, &event)` runs the action `action`
/// of the context's app once, in the background, with the event (a JSON object) as its input.
///
/// ```ignore
/// background_channel!(pub RESIZE_JOBS, "resize_jobs", ResizeRequest, action = "resize_image");
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
/// ```ignore
/// webhook_channel!(
///     pub AUDIT, "audit", AuditEvent,
///     url = "https://audit.example.com/events",
///     max_attempts = 5, timeout_ms = 10_000, initial_backoff_ms = 200,   // optional; these are the defaults
/// );
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
