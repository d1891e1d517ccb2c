//! The OTLP/HTTP (protobuf) span exporter, over the workspace's reqwest: its blocking client, since the
//! batch processor exports from a thread of its own, outside any async runtime.

use std::time::Duration;

use bytes::Bytes;
use opentelemetry_http::{HttpClient, HttpError};
use opentelemetry_otlp::{Protocol, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::trace::SdkTracerProvider;

/// How long one export may take (OTLP's default).
const EXPORT_TIMEOUT: Duration = Duration::from_secs(10);

/// Why spans cannot be exported.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The HTTP client could not be built (no TLS roots, no thread).
    #[error("the HTTP client of the span export could not be built: {0}")]
    Client(#[from] reqwest::Error),
    /// The exporter refused its settings (an endpoint that is not a URL).
    #[error("no OTLP exporter for `{endpoint}`: {source}")]
    Exporter {
        /// The configured endpoint.
        endpoint: String,
        /// What the exporter said.
        source: opentelemetry_otlp::ExporterBuildError,
    },
}

/// A tracer provider exporting in batches, from a thread of its own, to the OTLP/HTTP collector at
/// `endpoint` (`/v1/traces` is appended, as for `OTEL_EXPORTER_OTLP_ENDPOINT`).
pub fn otlp_provider(endpoint: &str) -> Result<SdkTracerProvider, ExportError> {
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_http_client(BlockingClient::new()?)
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(traces_url(endpoint))
        .with_timeout(EXPORT_TIMEOUT)
        .build()
        .map_err(|source| ExportError::Exporter {
            endpoint: endpoint.to_owned(),
            source,
        })?;
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .build())
}

/// The traces URL of an OTLP/HTTP endpoint, as the OTLP specification derives it from
/// `OTEL_EXPORTER_OTLP_ENDPOINT`.
fn traces_url(endpoint: &str) -> String {
    format!("{}/v1/traces", endpoint.trim_end_matches('/'))
}

/// reqwest's blocking client as OpenTelemetry's HTTP client.
#[derive(Debug)]
struct BlockingClient(reqwest::blocking::Client);

impl BlockingClient {
    fn new() -> Result<Self, reqwest::Error> {
        // Built on a thread of its own: the blocking client refuses to start inside an async runtime,
        // and `servey::telemetry::init` may be called from one.
        std::thread::spawn(|| {
            reqwest::blocking::Client::builder()
                .timeout(EXPORT_TIMEOUT)
                .build()
        })
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        .map(Self)
    }
}

#[async_trait::async_trait]
impl HttpClient for BlockingClient {
    async fn send_bytes(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, HttpError> {
        let (parts, body) = request.into_parts();
        let response = self
            .0
            .request(parts.method, parts.uri.to_string())
            .headers(parts.headers)
            .body(body)
            .send()?;
        let mut answer = http::Response::builder().status(response.status());
        if let Some(headers) = answer.headers_mut() {
            headers.extend(
                response
                    .headers()
                    .iter()
                    .map(|(name, value)| (name.clone(), value.clone())),
            );
        }
        Ok(answer.body(response.bytes()?)?)
    }
}
