//! What generated code names (always as `::servey::__private::...`), so user crates need no other import.
//! Not a public API: it changes with the macro.

pub use std::borrow::Cow;

pub use inventory;
pub use serde;
pub use serde_json;
pub use servey_client::ClientError;
pub use servey_client::typed::{Caller, Decode, Encode, Typed, call as typed_call};
pub use servey_core::action::{
    AccessPolicy, ActionEntry, ActionFuture, ActionSpec, BatchFuture, CachePolicy, Example,
    batch_of, batch_of_result, construct_access_control, construct_cache_control, decode_parents,
    failed_batch,
};
pub use servey_core::example::{FixtureEntry, FixtureFuture, run_example};
pub use servey_core::input::check_field;
pub use servey_core::invoke::{
    failed, optional_authorization, output_of, output_of_reply, output_of_reply_result,
    output_of_result, required_authorization, run_blocking, shared_state,
};
pub use servey_core::placement::{Placement, run_sync};
pub use servey_core::schema::action_schema;
pub use servey_core::state::StateNeed;
pub use servey_core::{Context, Extensions, FieldError, Input, Method, RateLimit, Trigger};
pub use utoipa;

/// The JSON object an action's input is read from.
pub type Map = serde_json::Map<String, serde_json::Value>;
