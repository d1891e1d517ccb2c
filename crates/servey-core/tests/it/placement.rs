//! A synchronous body with a timeout runs on the blocking pool, so the timeout fires while it still runs.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;
use servey_core::__private::{Placement, run_sync};
use servey_core::{Action, Context, ErrorCode, Input, invoke};

/// A sync body that blocks until released (or 3 s pass), then records that it finished, run the way
/// the macro runs a sync action that declares `timeout = 1`.
fn blocked_action(release: mpsc::Receiver<()>, finished: Arc<AtomicBool>) -> Action {
    let release = Arc::new(std::sync::Mutex::new(release));
    Action::builder("blocked", move |_, _| {
        let (release, finished) = (release.clone(), finished.clone());
        let run = run_sync(Placement::Pool, move || {
            let release = release.lock().expect("one run at a time");
            let _ = release.recv_timeout(Duration::from_secs(3));
            finished.store(true, Ordering::SeqCst);
            Ok(servey_core::ActionOutput::new(Value::Null))
        });
        async move { run.await?.to_value() }
    })
    .timeout(Duration::from_secs(1))
    .build()
}

#[tokio::test]
async fn the_timeout_answers_before_a_blocking_body_finishes() {
    let (release, released) = mpsc::channel();
    let finished = Arc::new(AtomicBool::new(false));
    let action = blocked_action(released, finished.clone());

    let error = invoke(&action, Input::empty(), Context::new())
        .await
        .expect_err("the timeout fires");

    assert_eq!(
        (error.code(), error.status(), error.detail()),
        (
            ErrorCode::Timeout,
            504,
            "The action did not finish within 1 s."
        )
    );
    assert!(
        !finished.load(Ordering::SeqCst),
        "the answer came while the body was still blocked"
    );
    release.send(()).expect("the body is still waiting");
}
