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
    if sent.route.template != "/static/{file}" {
        return None;
    }
    // tower-http's ServeDir answers 500 when the file system refuses the path, where a 404 is due:
    // regressions/requests/head-static-nul-is-500: HEAD of a path with a NUL byte ("file name contained
    //   an unexpected NUL byte"; GET of it is 404);
    // regressions/requests/static-name-too-long-is-500: GET or HEAD of a name over 255 bytes (ENAMETOOLONG).
    let path = percent_decoded(sent.uri.split('?').next().unwrap_or_default());
    if sent.method == Method::HEAD && path.contains(&0) {
        return Some("HEAD /static/<path with a NUL byte> is 500");
    }
    let has_long_name = path
        .split(|byte| *byte == b'/')
        .any(|name| name.len() > 255);
    has_long_name.then_some("/static/<name over 255 bytes> is 500")
}

/// `path` with its `%XX` escapes decoded (a malformed one is kept as is).
fn percent_decoded(path: &str) -> Vec<u8> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        let escaped = bytes
            .get(at + 1..at + 3)
            .filter(|hex| bytes[at] == b'%' && hex.iter().all(u8::is_ascii_hexdigit))
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                at += 3;
            }
            None => {
                out.push(bytes[at]);
                at += 1;
            }
        }
    }
    out
}
