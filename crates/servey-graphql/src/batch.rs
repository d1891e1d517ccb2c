//! Batched nested actions: a nested field whose action has a batch form is loaded through a
//! [`BatchLoader`] made for each request (never shared between requests: it holds the caller's
//! `Context`), so a list of parents selecting the field runs one batch call through the one invoke path
//! instead of one call per parent.
//!
//! A round of a batch gathers the parents whose fields are resolved in the same pass over the request's
//! futures: the first field to ask opens the round, the fields async-graphql resolves beside it (every
//! item of a list, every alias) join it, and each field yields once after joining, so the round runs
//! when the first of them is polled again, after all of that pass has joined. The round's bounds follow
//! from how the query is resolved, never from a timer: async-graphql's DataLoader waits 1 ms on a
//! spawned task instead, which splits a batch on a busy machine and adds that wait to every request.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::task::Poll;

use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Shared};
use serde_json::Value;
use servey_core::action::MAX_BATCH_SIZE;
use servey_core::invoke::invoke_batch;
use servey_core::{Action, Context};
use tracing::Instrument;

use crate::error::{coded, field_error};

/// What a round of a batch answers: one result per parent in the order they joined, or the error shown
/// on each of their fields.
type Outcome = Result<Arc<Vec<Value>>, async_graphql::Error>;

/// The per-request loader of batched nested fields, put in the request's data beside its `Context`.
#[derive(Clone)]
pub(crate) struct BatchLoader {
    state: Arc<State>,
}

struct State {
    context: Context,
    /// The rounds still gathering parents: one per batched action at most.
    open: Mutex<Vec<Round>>,
    next_round: AtomicU64,
}

/// A round gathering the parents of one batched action.
struct Round {
    id: u64,
    action: Arc<Action>,
    parents: Vec<Value>,
    outcome: Shared<BoxFuture<'static, Outcome>>,
}

/// A loader for one request, calling batch forms on behalf of the caller in `context`.
pub(crate) fn loader(context: &Context) -> BatchLoader {
    BatchLoader {
        state: Arc::new(State {
            context: context.clone(),
            open: Mutex::default(),
            next_round: AtomicU64::new(0),
        }),
    }
}

impl BatchLoader {
    /// The result of `action`'s batch form for `parent`, once the round it joins has run.
    pub(crate) async fn load(&self, action: &Arc<Action>, parent: &Value) -> Loaded {
        let (outcome, index) = self.join(action, parent);
        // Waking only this field: a round woken for each joining parent would wake every field already
        // waiting on it, n² wake-ups for n parents.
        yield_once().await;
        let results = outcome.await?;
        // `invoke_batch` answers one result per parent; a missing one is an error, never a panic.
        results.get(index).cloned().ok_or_else(|| {
            coded(
                "INTERNAL_SERVER_ERROR",
                format!(
                    "The batch of `{}` returned no result for this parent.",
                    action.name
                ),
            )
        })
    }

    /// Adds `parent` to the open round of `action`, opening one when there is none or the last one is
    /// full (a full round stays listed until it runs): the round's outcome and the parent's place in it.
    fn join(
        &self,
        action: &Arc<Action>,
        parent: &Value,
    ) -> (Shared<BoxFuture<'static, Outcome>>, usize) {
        let mut open = self
            .state
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(round) = open
            .iter_mut()
            .rev()
            .find(|round| Arc::ptr_eq(&round.action, action))
            .filter(|round| round.parents.len() < MAX_BATCH_SIZE)
        {
            round.parents.push(parent.clone());
            return (round.outcome.clone(), round.parents.len() - 1);
        }
        let id = self.state.next_round.fetch_add(1, Ordering::Relaxed);
        let outcome = run_round(Arc::downgrade(&self.state), action.clone(), id)
            .boxed()
            .shared();
        open.push(Round {
            id,
            action: action.clone(),
            parents: vec![parent.clone()],
            outcome: outcome.clone(),
        });
        (outcome, 0)
    }
}

/// The result of one parent: its value, or the error of its round.
pub(crate) type Loaded = Result<Value, async_graphql::Error>;

/// Pending once, waking only its own task: the fields beside the caller get their turn first.
async fn yield_once() {
    let mut yielded = false;
    std::future::poll_fn(|cx| {
        if yielded {
            return Poll::Ready(());
        }
        yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    })
    .await;
}

/// Runs round `id` of `action` with every parent that joined it. Its fields poll it only after yielding
/// once, so when it is first polled, every field of that pass over the request's futures has joined.
async fn run_round(state: Weak<State>, action: Arc<Action>, id: u64) -> Outcome {
    let parents = state.upgrade().and_then(|state| {
        let mut open = state.open.lock().unwrap_or_else(PoisonError::into_inner);
        let at = open.iter().position(|round| round.id == id)?;
        // Closed: later fields open a new round.
        Some((open.swap_remove(at).parents, state.context.clone()))
    });
    let Some((parents, context)) = parents else {
        return Err(coded("INTERNAL_SERVER_ERROR", "The request ended."));
    };
    let span = servey_core::trace::action_span(&action, &context);
    let parents: Vec<&Value> = parents.iter().collect();
    invoke_batch(&action, &parents, context.clone())
        .instrument(span)
        .await
        .map(Arc::new)
        .map_err(|error| field_error(&error))
}
