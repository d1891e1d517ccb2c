//! What generated code calls (`#[action]`, `#[fixture]`, the channel macros), through the facade's
//! `servey::__private`. Not a public API: it changes with the macros, and nothing here is documented.

use std::sync::Arc;

use crate::action::{Action, ActionSpec};
use crate::auth::AccessControl;
use crate::cache::CacheControl;
use crate::example::{ExampleFailure, FixtureFuture, check_example, fixture_state};

mod batch;
mod call;
mod placement;

pub use batch::{batch_of, batch_of_result, decode_parents, failed_batch};
pub use call::{
    check_field, failed, optional_authorization, output_of, output_of_reply,
    output_of_reply_result, output_of_result, required_authorization, shared_state,
};
pub use placement::{Placement, run_blocking, run_sync};

/// An entry the macro submits to the link-time registry.
#[derive(Debug)]
pub struct ActionEntry(pub &'static ActionSpec);

inventory::collect!(ActionEntry);

/// The test fixture of a crate (`#[servey::fixture]`): makes the shared values (a database pool with
/// test data) that each example test's app holds.
#[derive(Debug)]
pub struct FixtureEntry {
    /// Makes a fresh set of values, once per example test.
    pub make: fn() -> FixtureFuture,
    /// Where the fixture is declared.
    pub location: &'static str,
}

inventory::collect!(FixtureEntry);

/// Builds a user policy type through `Default` (the `Custom` policies' constructor).
pub fn construct_access_control<T: AccessControl + Default>() -> Box<dyn AccessControl> {
    Box::new(T::default())
}

/// Builds a user cache policy through `Default`.
pub fn construct_cache_control<T: CacheControl + Default>() -> Box<dyn CacheControl> {
    Box::new(T::default())
}

/// The `#[test]` the macro generates for one example: runs it with the crate's fixture and panics
/// (failing the test) on a different result.
pub fn run_example(spec: &'static ActionSpec, index: usize) {
    let action = Arc::new(Action::from_spec(spec));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a test runtime starts");
    let outcome = runtime.block_on(async {
        let state = fixture_state().await.map_err(|message| ExampleFailure {
            action: action.name.clone(),
            example: index.to_string(),
            message,
        })?;
        check_example(&action, index, state).await
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
}
