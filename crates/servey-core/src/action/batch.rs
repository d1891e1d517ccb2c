//! The batch form of a nested action (`#[action(batch = Self::factorials)]`): one call for many parents,
//! one result per parent in order. Adapters that resolve many parents at once (GraphQL, through a
//! per-request loader) call it through [`invoke_batch`](crate::invoke::invoke_batch).

use std::future::Future;
use std::pin::Pin;

use serde_json::Value;

use crate::context::Context;
use crate::error::ActionError;

/// The most parents one batch call receives; a longer list is cut into several calls.
pub const MAX_BATCH_SIZE: usize = 1000;

/// The future a batch invoker returns: one JSON result per parent, in the parents' order.
pub type BatchFuture = Pin<Box<dyn Future<Output = Result<Vec<Value>, ActionError>> + Send>>;

/// The generated batch invoker: decodes the parents (borrowed: only their decoded copies go into the
/// future), calls the batch form, encodes each result.
pub type BatchFn = fn(&[&Value], Context) -> BatchFuture;
