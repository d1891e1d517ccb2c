//! What generated code names (always as `::servey::__private::...`), so user crates need no other import.
//! Not a public API: it changes with the macro.

pub use std::borrow::Cow;

pub use inventory;
pub use serde;
pub use serde_json;
pub use servey_client::ClientError;
pub use servey_client::typed::{Caller, Decode, Encode, Typed, call as typed_call};
pub use servey_core::__private::*;
pub use servey_core::action::{
    AccessPolicy, ActionFuture, ActionSpec, BatchFuture, CachePolicy, Example,
};
pub use servey_core::example::FixtureFuture;
pub use servey_core::schema::action_schema;
pub use servey_core::state::StateNeed;
pub use servey_core::{Context, Extensions, FieldError, Input, Method, RateLimit, Trigger};
pub use utoipa;

/// The JSON object an action's input is read from.
pub type Map = serde_json::Map<String, serde_json::Value>;
