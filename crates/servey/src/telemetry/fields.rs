//! The text log format's fields with control characters escaped: a username, path, subscriber id or
//! header value holding `\r\n` or an ANSI escape would otherwise write a forged log line, or drive the
//! terminal reading the log. Escaping is done once, where every field value (of events and of spans,
//! whoever logged it) is written; the JSON format escapes by itself.

use std::error::Error;
use std::fmt::{self, Debug, Display, Write as _};

use tracing::field::{Field, Visit};
use tracing_subscriber::field::{MakeVisitor, VisitFmt, VisitOutput};
use tracing_subscriber::fmt::format::DefaultFields;

/// The default text fields, each value's control characters (C0, DEL, C1, and the Unicode line and
/// paragraph separators) written as escapes (`\n`, `\r`, `\u{1b}`), so one event is one line.
#[derive(Debug, Default)]
pub(crate) struct EscapedFields(DefaultFields);

impl<T> MakeVisitor<T> for EscapedFields
where
    DefaultFields: MakeVisitor<T>,
{
    type Visitor = EscapingVisitor<<DefaultFields as MakeVisitor<T>>::Visitor>;

    fn make_visitor(&self, target: T) -> Self::Visitor {
        EscapingVisitor(self.0.make_visitor(target))
    }
}

/// A field visitor handing `V` every value with its control characters escaped.
#[derive(Debug)]
pub(crate) struct EscapingVisitor<V>(V);

impl<V: Visit> Visit for EscapingVisitor<V> {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0.record_debug(field, &Escaped(value));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.record_debug(field, &format_args!("{value}"));
        } else {
            // A plain string field is written quoted by its `Debug`, which escapes already.
            self.0.record_str(field, value);
        }
    }

    fn record_error(&mut self, field: &Field, value: &(dyn Error + 'static)) {
        self.record_debug(field, &format_args!("{}", Chain(value)));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.record_i64(field, value);
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.record_u64(field, value);
    }

    fn record_i128(&mut self, field: &Field, value: i128) {
        self.0.record_i128(field, value);
    }

    fn record_u128(&mut self, field: &Field, value: u128) {
        self.0.record_u128(field, value);
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.record_f64(field, value);
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.record_bool(field, value);
    }

    fn record_bytes(&mut self, field: &Field, value: &[u8]) {
        self.0.record_bytes(field, value);
    }
}

impl<V: VisitOutput<fmt::Result>> VisitOutput<fmt::Result> for EscapingVisitor<V> {
    fn finish(self) -> fmt::Result {
        self.0.finish()
    }
}

impl<V: VisitFmt> VisitFmt for EscapingVisitor<V> {
    fn writer(&mut self) -> &mut dyn fmt::Write {
        self.0.writer()
    }
}

/// A value whose `Debug` output has its control characters escaped as it is written (no copy).
struct Escaped<'a>(&'a dyn Debug);

impl Debug for Escaped<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(EscapingWriter(formatter), "{:?}", self.0)
    }
}

/// An error and its sources, `error: source: source`, on one line once escaped.
struct Chain<'a>(&'a (dyn Error + 'static));

impl Display for Chain<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(error) = source {
            write!(formatter, ": {error}")?;
            source = error.source();
        }
        Ok(())
    }
}

/// Writes through to a formatter, control characters escaped.
struct EscapingWriter<'a, 'b>(&'a mut fmt::Formatter<'b>);

impl fmt::Write for EscapingWriter<'_, '_> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        let mut rest = text;
        while let Some((at, control)) = rest.char_indices().find(|(_, c)| is_escaped(*c)) {
            self.0.write_str(&rest[..at])?;
            write!(self.0, "{}", control.escape_default())?;
            rest = &rest[at + control.len_utf8()..];
        }
        self.0.write_str(rest)
    }
}

/// Whether `c` is written as an escape: a control character, or a Unicode line or paragraph separator.
fn is_escaped(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

#[cfg(test)]
pub(super) mod tests {
    use std::sync::{Arc, Mutex};

    use servey_core::config::LogFormat;
    use tracing_subscriber::layer::SubscriberExt;

    use super::*;

    /// What `log` writes through the text or JSON log layer, byte for byte.
    fn logged(format: LogFormat, log: impl FnOnce()) -> String {
        let written = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&written);
        let writer = move || Sink(Arc::clone(&sink));
        let subscriber =
            tracing_subscriber::registry().with(crate::telemetry::log_layer(format, writer));
        tracing::subscriber::with_default(subscriber, log);
        let bytes = written.lock().expect("not poisoned").clone();
        String::from_utf8(bytes).expect("log lines are UTF-8")
    }

    /// A log writer appending to a shared buffer (the telemetry tests write through it too).
    pub(crate) struct Sink(pub(crate) Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Sink {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .expect("not poisoned")
                .extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_value_with_a_line_break_stays_on_its_line() {
        let username = "ann\r\n2026-12-06T00:00:00Z  INFO forged: root logged in\x1b[2J";
        let raw = logged(LogFormat::Text, || {
            let _span = tracing::info_span!("request", path = %"/a\nb").entered();
            tracing::info!(username = %username, "login for {username}");
        });
        assert!(!raw.contains("\x1b[2J"), "no raw escape: {raw:?}");
        let text = raw;
        assert_eq!(text.lines().count(), 1, "one event, one line: {text:?}");
        assert!(
            text.contains(
                r#"login for ann\r\n2026-12-06T00:00:00Z  INFO forged: root logged in\u{1b}[2J"#
            ),
            "{text}"
        );
        assert!(text.contains(r"request{path=/a\nb}"), "{text}");
    }

    #[test]
    fn errors_and_plain_values_keep_their_form() {
        let error = std::io::Error::other("disk\nfull");
        let text = logged(LogFormat::Text, || {
            tracing::warn!(
                error = &error as &(dyn Error + 'static),
                name = "bo\n",
                count = 3,
                "saved"
            );
        });
        assert!(
            text.ends_with("saved error=disk\\nfull name=\"bo\\n\" count=3\n"),
            "{text}"
        );
    }

    #[test]
    fn text_log_lines_carry_no_colour_codes() {
        let text = logged(LogFormat::Text, || {
            let _span = tracing::info_span!("request", action = "hello").entered();
            tracing::warn!(count = 3, "slow");
        });
        assert!(
            text.ends_with(
                " WARN request{action=\"hello\"}: servey::telemetry::fields::tests: slow count=3\n"
            ),
            "{text:?}"
        );
        assert!(!text.contains('\x1b'), "{text:?}");
    }

    #[test]
    fn the_json_format_is_left_to_its_own_escaping() {
        let json = logged(LogFormat::Json, || tracing::info!(username = %"a\nb", "hi"));
        let line: serde_json::Value = serde_json::from_str(&json).expect("one JSON line");
        assert_eq!(line["username"], "a\nb");
    }
}
