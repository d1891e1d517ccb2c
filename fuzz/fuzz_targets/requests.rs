//! Arbitrary requests through the tour app's router, in process: no panic anywhere, and every response
//! keeps servey's promises (see `servey_fuzz::check`).
//!
//! Run: `cargo +nightly fuzz run requests -s none -- -max_total_time=60` (or `cargo xtask fuzz`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use servey::axum::body::to_bytes;
use servey_fuzz::Harness;
use servey_fuzz::check::check_response;
use servey_fuzz::request::FuzzRequest;
use tower::ServiceExt;

fuzz_target!(|input: FuzzRequest| {
    let harness = Harness::get();
    let Some((request, sent)) = input.render(harness) else {
        return;
    };
    servey_fuzz::known::reset();
    let router = harness.router.clone();
    harness.runtime.block_on(async {
        let response = router
            .oneshot(request)
            .await
            .expect("the router is infallible");
        let (parts, body) = response.into_parts();
        let body = to_bytes(body, usize::MAX)
            .await
            .expect("a response body is read in full");
        check_response(harness, &sent, parts.status, &parts.headers, &body);
    });
});
