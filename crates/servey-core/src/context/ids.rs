//! Request ids and switches: what travels with a call into the calls it makes.

use super::Context;

/// The header switches travel in: names separated by commas (`beta,dark-mode`).
pub const SWITCHES_HEADER: &str = "x-servey-switches";

/// How many switches one call carries at most; more are dropped.
pub const MAX_SWITCHES: usize = 32;

/// The usable switches of a `X-Servey-Switches` value: names of 1 to 64 characters out of letters,
/// digits, `-`, `_` and `.`, at most [`MAX_SWITCHES`]; anything else is dropped, like a bad request id.
pub fn parse_switches(header: &str) -> impl Iterator<Item = &str> {
    header
        .split(',')
        .map(str::trim)
        .filter(|name| {
            (1..=64).contains(&name.len())
                && name
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || b"-_.".contains(&byte))
        })
        .take(MAX_SWITCHES)
}

/// The `X-Servey-Switches` value carrying `context`'s switches into a call it makes, if it has any.
pub fn switches_header(context: &Context) -> Option<String> {
    let mut switches = context.active_switches().peekable();
    switches.peek()?;
    Some(switches.collect::<Vec<_>>().join(","))
}

/// Whether a caller's request id is kept: 1 to 128 visible ASCII characters (else one is generated).
pub fn is_usable_request_id(id: &[u8]) -> bool {
    !id.is_empty() && id.len() <= 128 && id.iter().all(u8::is_ascii_graphic)
}

/// A new request id: a random per-process prefix and a counter, unique without a random draw per call.
pub fn new_request_id() -> String {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU64, Ordering};
    static PREFIX: OnceLock<String> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let prefix = PREFIX.get_or_init(|| crate::auth::random_token(10));
    // Written by hand: `format!` costs more than the rest of this function, on every request.
    let mut counter = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut digits = [0_u8; 16];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b"0123456789abcdef"[(counter & 0xf) as usize];
        counter >>= 4;
        if counter == 0 {
            break;
        }
    }
    let mut id = String::with_capacity(prefix.len() + 1 + digits.len() - start);
    id.push_str(prefix);
    id.push('-');
    id.extend(digits[start..].iter().map(|&digit| char::from(digit)));
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_unique_and_chain_through_clones() {
        let (first, second) = (new_request_id(), new_request_id());
        assert_ne!(first, second);
        let counter =
            |id: &str| u64::from_str_radix(id.rsplit_once('-').expect("prefix-counter").1, 16);
        // Other tests draw ids at the same time, so the second is later, not necessarily next.
        assert!(
            counter(&second).expect("hex") > counter(&first).expect("hex"),
            "{first} then {second}"
        );
        let context = Context::with_request_id("abc").switches(["beta"]);
        let nested = context.clone();
        assert_eq!(
            (nested.request_id(), nested.is_switch_on("beta")),
            ("abc", true)
        );
    }

    #[test]
    fn switches_are_read_from_their_header_and_written_back() {
        let read: Vec<_> = parse_switches(" beta, dark-mode ,,bad switch,ok.v2").collect();
        assert_eq!(read, ["beta", "dark-mode", "ok.v2"]);
        let context = Context::new().switches(read);
        assert_eq!(
            switches_header(&context).as_deref(),
            Some("beta,dark-mode,ok.v2")
        );
        assert_eq!(switches_header(&Context::new()), None);
        assert_eq!(parse_switches(&"a,".repeat(100)).count(), MAX_SWITCHES);
    }
}
