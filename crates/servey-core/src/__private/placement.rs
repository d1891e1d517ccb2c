//! Where a synchronous action's body runs, decided once when the action is declared and never by load.
//!
//! A synchronous body runs inline on the async worker, like code in an axum handler, unless the action says
//! `blocking = true` or declares a `timeout`: then it runs on the blocking pool, so the timeout can fire while
//! the body is still running.

use crate::action::ActionFuture;
use crate::error::ActionError;
use crate::output::ActionOutput;

/// Where one synchronous body runs; the macro writes it as a constant beside the invoker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// On the async worker, as part of the invocation's future: no hand-off, but nothing can interrupt it.
    Inline,
    /// On the blocking pool: the worker stays free and a timeout can fire while the body runs.
    Pool,
}

/// Runs a synchronous action body on the blocking pool, so it never stalls the async workers.
pub fn run_blocking<F>(body: F) -> ActionFuture
where
    F: FnOnce() -> Result<ActionOutput, ActionError> + Send + 'static,
{
    Box::pin(async move {
        match tokio::task::spawn_blocking(body).await {
            Ok(result) => result,
            Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
            Err(error) => Err(ActionError::internal(error)),
        }
    })
}

/// Runs a synchronous action body where `placement` says. The body starts when the future is first polled,
/// inside the invoke path's panic guard and timeout.
pub fn run_sync<F>(placement: Placement, body: F) -> ActionFuture
where
    F: FnOnce() -> Result<ActionOutput, ActionError> + Send + 'static,
{
    match placement {
        Placement::Inline => Box::pin(async move { body() }),
        Placement::Pool => run_blocking(body),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    use super::*;

    /// Whether `placement` ran its body on the thread that awaited it (the only worker).
    async fn runs_on_the_worker(placement: Placement) -> bool {
        let worker = std::thread::current().id();
        run_sync(placement, move || {
            Ok(ActionOutput::new(std::thread::current().id() == worker))
        })
        .await
        .and_then(|output| output.to_value())
        .expect("the body succeeds")
            == serde_json::json!(true)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 1)]
    async fn pool_bodies_run_off_the_worker_thread() {
        assert!(!runs_on_the_worker(Placement::Pool).await);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 1)]
    async fn inline_bodies_run_on_the_worker_thread() {
        assert!(runs_on_the_worker(Placement::Inline).await);
    }

    #[tokio::test]
    async fn an_inline_body_waits_for_the_first_poll() {
        let ran = Arc::new(AtomicBool::new(false));
        let flag = ran.clone();
        let future = run_sync(Placement::Inline, move || {
            flag.store(true, Ordering::SeqCst);
            Ok(ActionOutput::new(()))
        });
        assert!(
            !ran.load(Ordering::SeqCst),
            "the body must not run before invoke wraps the future in its panic guard and timeout"
        );
        future.await.expect("the body succeeds");
        assert!(ran.load(Ordering::SeqCst));
    }
}
