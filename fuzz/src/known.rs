//! Bugs the fuzzer found that are reported but not fixed yet. Each is tolerated, narrowly, so that a run
//! goes on to find others; its input is in `regressions/`. Remove the entry with the fix: the replay of
//! `regressions/` by `cargo xtask fuzz` then proves it.

use std::panic::PanicHookInfo;
use std::sync::Mutex;

use servey::axum::http::StatusCode;

use crate::request::Sent;

/// A panic of a known bug: where it is raised, and a piece of its message.
struct KnownPanic {
    file_suffix: &'static str,
    message_contains: &'static str,
    issue: &'static str,
}

/// None at the moment: the three bugs found so far (an async-graphql panic on a list variable of an
/// unknown type, and two ServeDir 500s on names no file can have) are fixed, and their inputs in
/// `regressions/requests/` are replayed by `cargo xtask fuzz`.
const KNOWN_PANICS: &[KnownPanic] = &[];

/// The known panic raised while the current request ran, if any.
static PANICKED: Mutex<Option<&'static str>> = Mutex::new(None);

/// Whether `info` is the panic of a known bug (noted for [`known_issue`]).
pub(crate) fn is_known_panic(info: &PanicHookInfo<'_>, message: Option<&str>) -> bool {
    let file = info.location().map_or("", |location| location.file());
    let known = KNOWN_PANICS.iter().find(|known| {
        file.ends_with(known.file_suffix)
            && message.is_some_and(|message| message.contains(known.message_contains))
    });
    if let Some(known) = known {
        *PANICKED.lock().unwrap_or_else(|poison| poison.into_inner()) = Some(known.issue);
    }
    known.is_some()
}

/// Forgets a known panic of an earlier request.
pub fn reset() {
    PANICKED
        .lock()
        .unwrap_or_else(|poison| poison.into_inner())
        .take();
}

/// The known bug this response is, if any.
pub fn known_issue(_sent: &Sent, status: StatusCode) -> Option<&'static str> {
    let panicked = PANICKED
        .lock()
        .unwrap_or_else(|poison| poison.into_inner())
        .take();
    panicked.filter(|_| status == StatusCode::INTERNAL_SERVER_ERROR)
}
