//! Traces and logs: the spans of a request, a GraphQL query and a webhook, exported through the
//! OpenTelemetry SDK with their parent links; `traceparent` honoured coming in and sent going out; spans
//! reaching an OTLP/HTTP collector; JSON log lines.
//!
//! Each test installs its subscriber for its own thread only (`set_default`), and `#[tokio::test]` runs
//! the server, the client and the webhook receiver as tasks of a current-thread runtime on that same
//! thread: every span the request makes reaches this test's exporter and no other test's. The SDK's
//! simple processor exports a span as it ends, so the spans are there once the response (or, for the
//! webhook, the channels' flush) is.
//!
//! tracing keeps one interest cache per callsite for the whole process: another test hitting the same
//! callsites with no subscriber, while one of these installs its own, can leave a callsite "never"
//! interesting and a span missing. So these tests run in a test process of their own, one at a time
//! ([`in_a_process_of_their_own`]).

use std::sync::{Arc, Mutex, OnceLock};

use axum::http::HeaderMap;
use opentelemetry::trace::{SpanId, TraceId};
use opentelemetry::{Key, Value as OtelValue};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use servey::telemetry::LogFormat;
use servey::{Action, ActionSchema, Input, Method, Trigger};
use tracing::subscriber::DefaultGuard;
use tracing_subscriber::layer::SubscriberExt;
use utoipa::ToSchema;

use crate::support::{SharedBuffer, builder, header, run_in_own_process, send, start, web};

/// The caller's trace and span, as a `traceparent` names them.
const CALLER_TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN: &str = "00f067aa0ba902b7";

static HOOK_URL: OnceLock<String> = OnceLock::new();

/// What the test webhook carries.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
struct Ping {
    text: String,
}

servey::webhook_channel!(
    TRACED_HOOK,
    "test_traced_hook",
    Ping,
    url = HOOK_URL
        .get()
        .map_or("http://127.0.0.1:9/unset", String::as_str),
    max_attempts = 1,
);

/// Spans exported in memory, for the current thread, until dropped.
struct Traced {
    exporter: InMemorySpanExporter,
    _provider: SdkTracerProvider,
    _subscriber: DefaultGuard,
}

fn traced() -> Traced {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    let subscriber = tracing_subscriber::registry().with(servey::telemetry::span_layer(&provider));
    Traced {
        exporter,
        _provider: provider,
        _subscriber: tracing::subscriber::set_default(subscriber),
    }
}

impl Traced {
    /// Every span ended so far.
    fn spans(&self) -> Vec<SpanData> {
        self.exporter.get_finished_spans().expect("spans")
    }

    /// The one span named `name` (with `action` = `action`, for action spans).
    fn span(&self, name: &str, action: Option<&str>) -> SpanData {
        let mut found: Vec<_> = self
            .spans()
            .into_iter()
            .filter(|span| {
                span.name == name && action.is_none_or(|a| attribute(span, "action") == a)
            })
            .collect();
        assert_eq!(found.len(), 1, "one `{name}` span for {action:?}");
        found.remove(0)
    }
}

/// A span's attribute as text.
fn attribute(span: &SpanData, key: &str) -> String {
    span.attributes
        .iter()
        .find(|pair| pair.key == Key::from(key.to_owned()))
        .map(|pair| match &pair.value {
            OtelValue::String(text) => text.as_str().to_owned(),
            other => other.to_string(),
        })
        .unwrap_or_default()
}

/// An action that answers with an empty object.
fn leaf(name: &str) -> Action {
    Action::builder(name, |_, _| async { Ok(json!({})) }).build()
}

/// A receiver of webhook POSTs on a free port, keeping each request's `traceparent`.
async fn receiver() -> (String, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let kept = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap| {
            let kept = kept.clone();
            async move {
                let traceparent = headers
                    .get("traceparent")
                    .and_then(|value| value.to_str().ok())
                    .unwrap_or("none");
                kept.lock()
                    .expect("not poisoned")
                    .push(traceparent.to_owned());
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let url = format!("http://{}/hook", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

#[tokio::test]
#[ignore = "run in a process of their own by traces::in_a_process_of_their_own"]
async fn a_request_continues_the_callers_trace_through_a_nested_action_and_a_webhook() {
    let traced = traced();
    let (url, received) = receiver().await;
    HOOK_URL.set(url).expect("set once");
    let inner = Arc::new(leaf("inner"));
    let outer = Action::builder("outer", move |_, context: servey::Context| {
        let inner = inner.clone();
        async move {
            servey::invoke(&inner, Input::empty(), context.clone()).await?;
            TRACED_HOOK
                .publish(&context, &Ping { text: "hi".into() })
                .map_err(servey::ActionError::internal)?;
            Ok(json!({}))
        }
    })
    .trigger(web(Method::Post, "/outer"))
    .build();
    let server = start(builder([outer])).await;

    let response = send(
        server
            .request(reqwest::Method::POST, "/outer")
            .header("traceparent", format!("00-{CALLER_TRACE}-{CALLER_SPAN}-01"))
            .json(&json!({})),
    )
    .await;
    assert_eq!(response.status(), 200);
    let request_id = header(&response, "x-request-id").to_owned();
    servey::channels::Channels::of(&server.app)
        .expect("channels")
        .flush()
        .await;

    let trace = TraceId::from_hex(CALLER_TRACE).expect("hex");
    let request = traced.span("request", None);
    let outer = traced.span("action", Some("outer"));
    let inner = traced.span("action", Some("inner"));
    let webhook = traced.span("webhook", None);
    for span in [&request, &outer, &inner, &webhook] {
        assert_eq!(
            span.span_context.trace_id(),
            trace,
            "{} in the caller's trace",
            span.name
        );
    }
    assert_eq!(
        request.parent_span_id,
        SpanId::from_hex(CALLER_SPAN).expect("hex")
    );
    assert!(request.parent_span_is_remote);
    assert_eq!(outer.parent_span_id, request.span_context.span_id());
    assert_eq!(inner.parent_span_id, outer.span_context.span_id());
    assert_eq!(webhook.parent_span_id, outer.span_context.span_id());
    assert_eq!(
        (
            attribute(&outer, "request_id"),
            attribute(&inner, "request_id")
        ),
        (request_id.clone(), request_id)
    );
    assert_eq!(
        *received.lock().expect("not poisoned"),
        [format!(
            "00-{CALLER_TRACE}-{}-01",
            webhook.span_context.span_id()
        )],
        "the receiver continues the trace from the webhook's span"
    );
}

#[tokio::test]
#[ignore = "run in a process of their own by traces::in_a_process_of_their_own"]
async fn a_request_without_traceparent_starts_a_trace() {
    let traced = traced();
    let lonely = Action::builder("lonely", |_, _| async { Ok(json!({})) })
        .trigger(web(Method::Get, "/lonely"))
        .build();
    let server = start(builder([lonely])).await;
    assert_eq!(server.get("/lonely").await.status(), 200);
    let request = traced.span("request", None);
    assert_eq!(request.parent_span_id, SpanId::INVALID);
    let action = traced.span("action", Some("lonely"));
    assert_eq!(action.parent_span_id, request.span_context.span_id());
}

#[tokio::test]
#[ignore = "run in a process of their own by traces::in_a_process_of_their_own"]
async fn a_nested_graphql_action_is_a_child_of_its_parents_action() {
    let traced = traced();
    let stats = (
        "Stats",
        json!({"type": "object", "required": ["value"],
        "properties": {"value": {"type": "integer", "format": "int32"}}}),
    );
    let parent = Action::builder("stats", |_, _| async { Ok(json!({"value": 3})) })
        .trigger(Trigger::web_get())
        .schema(action_schema(
            json!({"type": "object"}),
            json!({"$ref": "#/components/schemas/Stats"}),
            &[stats],
        ))
        .build();
    let nested = Action::builder("stats_double", |_, _| async { Ok(json!(6)) })
        .nested_in("Stats", "double")
        .schema(action_schema(
            json!({"type": "object"}),
            json!({"type": "integer", "format": "int32"}),
            &[],
        ))
        .build();
    let server = start(builder([parent, nested])).await;

    let response = server
        .post("/graphql", &json!({"query": "{ stats { value double } }"}))
        .await;
    assert_eq!(
        response.json::<Value>().await.expect("JSON"),
        json!({"data": {"stats": {"value": 3, "double": 6}}})
    );
    let request = traced.span("request", None);
    let graphql = traced.span("graphql", None);
    let parent = traced.span("action", Some("stats"));
    let nested = traced.span("action", Some("stats_double"));
    assert_eq!(graphql.parent_span_id, request.span_context.span_id());
    assert_eq!(parent.parent_span_id, graphql.span_context.span_id());
    assert_eq!(nested.parent_span_id, parent.span_context.span_id());
}

#[cfg(feature = "otlp")]
#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
#[ignore = "run in a process of their own by traces::in_a_process_of_their_own"]
async fn spans_reach_an_otlp_http_collector() {
    let posts = Arc::new(Mutex::new(Vec::new()));
    let kept = posts.clone();
    let collector = axum::Router::new().route(
        "/v1/traces",
        axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let kept = kept.clone();
            async move {
                let content_type = headers
                    .get("content-type")
                    .and_then(|value| value.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                kept.lock()
                    .expect("not poisoned")
                    .push((content_type, body));
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let endpoint = format!("http://{}/", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, collector).await });

    let provider = servey::telemetry::otlp_provider(&endpoint).expect("an exporter");
    let subscriber = tracing_subscriber::registry().with(servey::telemetry::span_layer(&provider));
    let trace_id = tracing::subscriber::with_default(subscriber, || {
        use tracing_opentelemetry::OpenTelemetrySpanExt;
        let span = tracing::info_span!("action", action = "exported", request_id = "r-1");
        let _entered = span.enter();
        opentelemetry::trace::TraceContextExt::span(&span.context())
            .span_context()
            .trace_id()
    });
    // The exporter's thread posts with a blocking client; the collector answers on the runtime.
    tokio::task::spawn_blocking(move || provider.shutdown())
        .await
        .expect("joined")
        .expect("flushed");

    let posts = posts.lock().expect("not poisoned");
    assert_eq!(posts.len(), 1, "one batch");
    let (content_type, body) = &posts[0];
    assert_eq!(content_type, "application/x-protobuf");
    let contains = |needle: &[u8]| body.windows(needle.len()).any(|window| window == needle);
    assert!(
        contains(&trace_id.to_bytes()),
        "the batch carries the trace id"
    );
    assert!(
        contains(b"exported") && contains(b"request_id"),
        "and the span's fields"
    );
}

#[test]
#[ignore = "run in a process of their own by traces::in_a_process_of_their_own"]
fn json_log_lines_carry_the_fields_of_their_spans() {
    let config = servey::ServeyConfig::from_lookup(|key| {
        (key == "SERVEY_LOG_FORMAT").then(|| "json".to_owned())
    });
    assert_eq!(config.log_format, LogFormat::Json);
    let buffer = Arc::new(Mutex::new(Vec::new()));
    let writer = {
        let buffer = buffer.clone();
        move || SharedBuffer(buffer.clone())
    };
    let subscriber = tracing_subscriber::registry()
        .with(servey::telemetry::log_layer(config.log_format, writer));
    tracing::subscriber::with_default(subscriber, || {
        let request = tracing::info_span!("request", request_id = "r-7", path = "/greet");
        let action = request
            .in_scope(|| tracing::info_span!("action", action = "greet", request_id = "r-7"));
        action.in_scope(|| tracing::info!(answer = 42, "greeted"));
    });

    let text = String::from_utf8(buffer.lock().expect("not poisoned").clone()).expect("UTF-8");
    let lines: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is one JSON object"))
        .collect();
    assert_eq!(lines.len(), 1, "{text}");
    let line = &lines[0];
    assert_eq!(
        (&line["level"], &line["message"], &line["answer"]),
        (&json!("INFO"), &json!("greeted"), &json!(42))
    );
    assert_eq!(
        line["span"],
        json!({"name": "action", "action": "greet", "request_id": "r-7"})
    );
    assert_eq!(
        line["spans"],
        json!([
            {"name": "request", "request_id": "r-7", "path": "/greet"},
            {"name": "action", "action": "greet", "request_id": "r-7"},
        ])
    );
}

/// An action schema from JSON: input, output and named components.
fn action_schema(input: Value, output: Value, components: &[(&str, Value)]) -> ActionSchema {
    let schema = |json: Value| serde_json::from_value(json).expect("a valid utoipa schema");
    ActionSchema::new(
        schema(input),
        schema(output),
        components
            .iter()
            .map(|(name, json)| ((*name).to_owned(), schema(json.clone())))
            .collect(),
    )
}

#[test]
fn in_a_process_of_their_own() {
    // The OTLP export test is one of them with the `otlp` feature.
    run_in_own_process("traces::", if cfg!(feature = "otlp") { 5 } else { 4 });
}
