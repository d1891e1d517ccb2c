//! A synchronous action with a timeout runs on the blocking pool, so the timeout answers while the body is
//! still blocked. On a one-thread runtime an inline body would hold the thread and never time out.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::Duration;

use servey::prelude::*;

static RELEASE: Mutex<Option<mpsc::Receiver<()>>> = Mutex::new(None);
static FINISHED: AtomicBool = AtomicBool::new(false);

/// Blocks until `main` releases it (or 3 s pass), like a body stuck on I/O.
#[action(timeout = 1)]
fn stuck() {
    let release = RELEASE.lock().expect("not poisoned").take().expect("set by main");
    let _ = release.recv_timeout(Duration::from_secs(3));
    FINISHED.store(true, Ordering::SeqCst);
}

fn main() {
    let (release, released) = mpsc::channel();
    *RELEASE.lock().expect("not poisoned") = Some(released);
    let registry = servey::Registry::collect().expect("one action");
    let action = registry.get("stuck").expect("registered");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let error = runtime
        .block_on(servey::invoke(action, servey::Input::empty(), servey::Context::new()))
        .expect_err("the timeout fires");
    assert_eq!((error.status(), error.code_str()), (504, "timeout"));
    assert!(!FINISHED.load(Ordering::SeqCst), "answered while the body was still blocked");
    release.send(()).expect("the body is still waiting");
}
