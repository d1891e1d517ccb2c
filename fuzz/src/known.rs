//! Bugs the fuzzer found that are reported but not fixed yet. Each is tolerated, narrowly, so that a run
//! goes on to find others; its input is in `regressions/`. Remove the entry with the fix: the replay of
//! `regressions/` by `cargo xtask fuzz` then proves it.

use std::panic::PanicHookInfo;
use std::sync::Mutex;

use servey::web::axum::http::{Method, StatusCode};

use crate::request::Sent;

/// A panic of a known bug: where it is raised, and a piece of its message.
struct KnownPanic {
    file_suffix: &'static str,
    message_contains: &'static str,
    issue: &'static str,
}

const KNOWN_PANICS: &[KnownPanic] = &[
    // regressions/requests/graphql-list-variable-of-unknown-type-with-default-is-500:
    // `query($v: [Nope] = 1) { __typename }` makes async-graphql 7.2.1's DefaultValuesOfCorrectType rule
    // panic "Type `Nope` not defined" (it checks that the type exists only when it is not a list);
    // servey catches the panic and answers 500 instead of a GraphQL validation error.
    KnownPanic {
        file_suffix: "/src/validation/utils.rs",
        message_contains: "not defined",
        issue: "a list variable of an unknown type with a default value panics async-graphql: 500",
    },
];

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
pub fn known_issue(sent: &Sent, status: StatusCode) -> Option<&'static str> {
    let panicked = PANICKED
        .lock()
        .unwrap_or_else(|poison| poison.into_inner())
        .take();
    if status != StatusCode::INTERNAL_SERVER_ERROR {
        return None;
    }
    if panicked.is_some() {
        return panicked;
    }
    // regressions/requests/head-static-nul-is-500: tower-http's ServeDir answers HEAD of a path with a
    // NUL byte 500 ("file name contained an unexpected NUL byte"); GET of the same path is 404.
    let is_head_nul_static = sent.method == Method::HEAD
        && sent.route.template == "/static/{file}"
        && sent.uri.contains("%00");
    is_head_nul_static.then_some("HEAD /static/<path with %00> is 500")
}
