//! Traces and logs: the tracing subscriber a servey binary installs at start (text or JSON lines on
//! stderr, filtered by `RUST_LOG`) and, with the `otlp` feature and `OTEL_EXPORTER_OTLP_ENDPOINT` set, the
//! export of its spans over OTLP/HTTP; the W3C trace context in and out lives in [`propagation`].
//!
//! Adapters only open `tracing` spans; this module alone knows OpenTelemetry.

mod fields;
#[cfg(feature = "otlp")]
mod otlp;
pub mod propagation;

use std::io::IsTerminal;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::{SdkTracer, SdkTracerProvider};
use servey_core::{ServeyConfig, Settings};
use tracing::Subscriber;
use tracing_opentelemetry::OpenTelemetryLayer;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

#[cfg(feature = "otlp")]
pub use otlp::{ExportError, otlp_provider};
pub use propagation::trace_propagation;
pub use servey_core::config::LogFormat;

/// What logging leaves running: the span exporter, flushed and shut down by [`Telemetry::shutdown`] or on
/// drop, so that the spans of a graceful stop still reach the collector.
#[derive(Debug, Default)]
#[must_use = "dropping it stops the span export"]
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

impl Telemetry {
    /// Whether spans are exported (an endpoint is configured and the subscriber was installed here).
    pub fn is_exporting(&self) -> bool {
        self.provider.is_some()
    }

    /// Exports the spans still buffered and stops the exporter.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        if let Some(provider) = self.provider.take()
            && let Err(error) = provider.shutdown()
        {
            eprintln!("servey: exporting the last spans failed: {error}");
        }
    }
}

impl Drop for Telemetry {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `OTEL_EXPORTER_OTLP_ENDPOINT` in `settings`: the OTLP/HTTP collector spans are exported to
/// (`/v1/traces` is appended), when set.
pub(crate) fn otlp_endpoint(settings: &Settings) -> Option<String> {
    settings.get("OTEL_EXPORTER_OTLP_ENDPOINT")
}

/// Installs the process's tracing subscriber from `config`: log lines in `config.log_format` on stderr
/// (`RUST_LOG` filters them, `info` by default) and, with `OTEL_EXPORTER_OTLP_ENDPOINT` and the `otlp` feature,
/// every span exported there (without the feature, a warning says it is needed). Does nothing when a
/// subscriber is installed already; keep the returned value until the end.
pub fn init(config: &ServeyConfig) -> Telemetry {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // lambda_runtime logs every error a handler returns there, as if it were a panic; servey's Lambda
    // handler logs each error itself and catches its own panics (`servey::lambda::run`).
    #[cfg(feature = "lambda")]
    let filter = filter.add_directive(
        "lambda_runtime::layers::panic=off"
            .parse()
            .expect("a valid directive"),
    );
    let endpoint = otlp_endpoint(&config.settings);
    let (provider, export_error) = match endpoint.as_deref().map(exporter) {
        Some(Ok(provider)) => (Some(provider), None),
        Some(Err(error)) => (None, Some(error)),
        None => (None, None),
    };
    let installed = tracing_subscriber::registry()
        .with(filter)
        .with(layer_with(
            config.log_format,
            std::io::stderr,
            colours(&config.settings, std::io::stderr().is_terminal()),
        ))
        .with(provider.as_ref().map(span_layer))
        .try_init();
    if let Some(error) = export_error {
        warn_unexported(&error);
    }
    let mut telemetry = Telemetry { provider };
    if installed.is_err() {
        telemetry.stop();
    }
    telemetry
}

/// The layer writing log lines in `format` to `writer`: text (control characters in field values
/// escaped, so one event is one line), or one JSON object a line with the
/// event's fields at the top level, the innermost span's fields under `span` and every enclosing span
/// under `spans` (so `action` and `request_id` are on every line written inside an action).
/// No colour codes: what is written to a writer is plain text.
pub fn log_layer<S, W>(format: LogFormat, writer: W) -> Box<dyn Layer<S> + Send + Sync>
where
    S: Subscriber + for<'span> LookupSpan<'span>,
    W: for<'writer> MakeWriter<'writer> + Send + Sync + 'static,
{
    layer_with(format, writer, false)
}

/// Whether text log lines on stderr are coloured: only on a terminal, and never while `NO_COLOR` is set
/// to anything but an empty string (<https://no-color.org>).
fn colours(settings: &Settings, terminal: bool) -> bool {
    terminal
        && settings
            .get("NO_COLOR")
            .is_none_or(|value| value.is_empty())
}

/// [`log_layer`], with ANSI colours in text lines when `ansi`.
fn layer_with<S, W>(format: LogFormat, writer: W, ansi: bool) -> Box<dyn Layer<S> + Send + Sync>
where
    S: Subscriber + for<'span> LookupSpan<'span>,
    W: for<'writer> MakeWriter<'writer> + Send + Sync + 'static,
{
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(writer)
        .with_ansi(ansi);
    match format {
        LogFormat::Text => layer.fmt_fields(fields::EscapedFields::default()).boxed(),
        LogFormat::Json => layer
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(true)
            .boxed(),
    }
}

/// The layer turning tracing spans into OpenTelemetry spans of `provider`.
pub fn span_layer<S>(provider: &SdkTracerProvider) -> OpenTelemetryLayer<S, SdkTracer>
where
    S: Subscriber + for<'span> LookupSpan<'span>,
{
    tracing_opentelemetry::layer().with_tracer(provider.tracer("servey"))
}

/// The span exporter to `endpoint`, or why spans are not exported.
#[cfg(feature = "otlp")]
fn exporter(endpoint: &str) -> Result<SdkTracerProvider, String> {
    otlp_provider(endpoint).map_err(|error| error.to_string())
}

/// Without the `otlp` feature there is no exporter: say which feature an endpoint needs.
#[cfg(not(feature = "otlp"))]
fn exporter(_endpoint: &str) -> Result<SdkTracerProvider, String> {
    Err(OTLP_FEATURE_OFF.to_owned())
}

/// Why a configured endpoint gets no spans from a binary built without the `otlp` feature.
#[cfg(not(feature = "otlp"))]
const OTLP_FEATURE_OFF: &str = "OTEL_EXPORTER_OTLP_ENDPOINT is set, but this binary was built without \
     servey's `otlp` feature; turn it on to export spans: servey = { features = [\"otlp\"] }";

/// The start-up warning that spans configured for export are not exported, and why.
fn warn_unexported(error: &str) {
    tracing::warn!(%error, "spans are not exported");
}

#[cfg(all(test, not(feature = "otlp")))]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::fields::tests::Sink;

    use tracing_subscriber::layer::SubscriberExt;

    use super::*;

    #[test]
    fn an_endpoint_without_the_otlp_feature_is_a_warning_naming_it() {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let writer = {
            let lines = lines.clone();
            move || Sink(lines.clone())
        };
        let subscriber = tracing_subscriber::registry().with(
            tracing_subscriber::fmt::layer()
                .with_writer(writer)
                .without_time()
                .with_ansi(false),
        );
        let error = exporter("http://collector:4318").expect_err("no exporter without the feature");
        tracing::subscriber::with_default(subscriber, || warn_unexported(&error));

        let text = String::from_utf8(lines.lock().expect("not poisoned").clone()).expect("UTF-8");
        assert_eq!(
            text,
            " WARN servey::telemetry: spans are not exported error=OTEL_EXPORTER_OTLP_ENDPOINT is \
             set, but this binary was built without servey's `otlp` feature; turn it on to export \
             spans: servey = { features = [\"otlp\"] }\n"
        );
    }
}

#[cfg(test)]
mod colour_tests {
    use super::*;

    #[test]
    fn colours_only_on_a_terminal_and_never_with_no_color() {
        let unset = Settings::new(|_| None);
        let set = |value: &'static str| {
            Settings::new(move |key| (key == "NO_COLOR").then(|| value.to_owned()))
        };
        assert!(colours(&unset, true));
        assert!(!colours(&unset, false));
        assert!(!colours(&set("1"), true));
        assert!(
            colours(&set(""), true),
            "an empty NO_COLOR is unset, per no-color.org"
        );
    }
}
