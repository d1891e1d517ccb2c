//! Arbitrary bytes as the JSON input of every action of the tour, through `servey::invoke` (the path every
//! adapter takes): the answer is a result or a 4xx error, never a 5xx (but from the failing action), and an
//! access-controlled action succeeds only for root.
//!
//! The first byte picks the action, the second the caller; the rest is the input.
//! Run: `cargo +nightly fuzz run inputs -s none -- -max_total_time=60` (or `cargo xtask fuzz`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use servey::Input;
use servey_fuzz::{FAILING_ACTION, Harness};

/// What `factorial`, the tour's nested action, reads as `self` (small: its cost grows with `value`).
const PARENT: &str = r#"{"value": 20, "is_even": true}"#;

fuzz_target!(|data: &[u8]| {
    let [action, caller, input @ ..] = data else {
        return;
    };
    let harness = Harness::get();
    let actions: Vec<_> = harness.app.registry().iter().collect();
    let action = actions[usize::from(*action) % actions.len()];
    let tokens = &harness.tokens;
    let token = match caller % 4 {
        0 => None,
        1 => Some(&tokens.root),
        2 => Some(&tokens.plain),
        _ => Some(&tokens.expired),
    };
    let context = harness.app.token_context(token.map(String::as_str));
    let mut input = Input::from_json_bytes(input.to_vec());
    if action.owner.is_some() {
        input = input.with_parent(serde_json::from_str(PARENT).expect("the parent is JSON"));
    }
    let outcome = harness
        .runtime
        .block_on(servey::invoke(action, input, context));
    match outcome {
        Ok(_) => assert!(
            action.access_control.is_none() || token == Some(&tokens.root),
            "`{}` succeeded without the root token",
            action.name
        ),
        Err(error) => assert!(
            (400..500).contains(&error.status()) || action.name == FAILING_ACTION,
            "`{}` answered {} for {:?}: {} {:?}",
            action.name,
            error.status(),
            String::from_utf8_lossy(data),
            error.detail(),
            error.cause().map(ToString::to_string),
        ),
    }
});
