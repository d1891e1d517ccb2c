//! Lambda as the binary meets it: a stand-in of the runtime API (`/2018-06-01/runtime/invocation/next`
//! hands out each event the test feeds it, the answer comes back on `/{id}/response` or `/{id}/error`),
//! and the example's binary started against it with the AWS resources in its environment, as the
//! template's function gets them. The test plays SQS's event source mapping too ([`Lambda::sqs_batch`]).

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use serde_json::{Value, json};
use tokio::process::Child;
use tokio::sync::{Mutex, mpsc};

use crate::aws::{Moto, Resources};

/// The stand-in's state: events waiting to be handed out, answers on their way to the test.
#[derive(Clone)]
struct RuntimeApi {
    events: Arc<Mutex<mpsc::UnboundedReceiver<(String, Value)>>>,
    answers: mpsc::UnboundedSender<(String, String, Value)>,
}

async fn next(State(api): State<RuntimeApi>) -> (HeaderMap, String) {
    let Some((id, event)) = api.events.lock().await.recv().await else {
        return std::future::pending().await;
    };
    let mut headers = HeaderMap::new();
    let deadline = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_millis()
        + 600_000;
    for (name, value) in [
        ("lambda-runtime-aws-request-id", id),
        ("lambda-runtime-deadline-ms", deadline.to_string()),
        (
            "lambda-runtime-invoked-function-arn",
            "arn:aws:lambda:us-east-1:123456789012:function:serverless".to_owned(),
        ),
        ("content-type", "application/json".to_owned()),
    ] {
        headers.insert(name, value.parse().expect("a header value"));
    }
    (headers, event.to_string())
}

async fn answer(
    State(api): State<RuntimeApi>,
    Path((id, kind)): Path<(String, String)>,
    body: String,
) -> StatusCode {
    let body = serde_json::from_str(&body).unwrap_or(Value::String(body));
    let _ = api.answers.send((id, kind, body));
    StatusCode::ACCEPTED
}

/// The example's binary answering Lambda events.
pub(crate) struct Lambda {
    events: mpsc::UnboundedSender<(String, Value)>,
    answers: mpsc::UnboundedReceiver<(String, String, Value)>,
    child: Child,
    calls: u32,
}

impl Lambda {
    /// Starts the runtime API stand-in and the binary, its websocket endpoint `endpoint` and its
    /// receipts POSTed to `receipts_url`.
    pub(crate) async fn start(
        moto: &Moto,
        resources: &Resources,
        endpoint: &str,
        receipts_url: &str,
    ) -> Self {
        let (events, waiting) = mpsc::unbounded_channel();
        let (answered, answers) = mpsc::unbounded_channel();
        let api = RuntimeApi {
            events: Arc::new(Mutex::new(waiting)),
            answers: answered,
        };
        let routes = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route("/2018-06-01/runtime/invocation/{id}/{kind}", post(answer))
            .with_state(api);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binds a free port");
        let address = listener.local_addr().expect("has an address");
        tokio::spawn(async move { axum::serve(listener, routes).await });
        let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_serverless"))
            .env("AWS_LAMBDA_RUNTIME_API", address.to_string())
            .env("AWS_LAMBDA_FUNCTION_NAME", "serverless")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_ENDPOINT_URL", &moto.url)
            .env("SERVEY_AWS_CONNECTIONS_TABLE", &resources.table)
            .env("SERVEY_AWS_QUEUE_URL", &resources.queue_url)
            .env("SERVEY_AWS_WEBSOCKET_ENDPOINT", endpoint)
            .env("RECEIPTS_URL", receipts_url)
            .env("JWT_SECRET_KEY", "serverless-test-signing-key-of-32-bytes")
            .env("RUST_LOG", "warn")
            .kill_on_drop(true)
            .spawn()
            .expect("the binary starts");
        Self {
            events,
            answers,
            child,
            calls: 0,
        }
    }

    /// Hands `event` to the function; its answer (an error answer fails the test).
    pub(crate) async fn call(&mut self, event: Value) -> Value {
        self.calls += 1;
        let id = format!("call-{}", self.calls);
        self.events
            .send((id.clone(), event))
            .expect("the runtime API runs");
        let (answered, kind, body) = tokio::select! {
            answer = tokio::time::timeout(Duration::from_secs(30), self.answers.recv()) => {
                answer.expect("an answer within 30 s").expect("the runtime API runs")
            }
            exited = self.child.wait() => panic!("the function exited: {exited:?}"),
        };
        assert_eq!(
            (answered.as_str(), kind.as_str()),
            (id.as_str(), "response"),
            "{body}"
        );
        body
    }

    /// What Lambda's event source mapping does once: receives a batch from the queue, hands it to the
    /// function, deletes the messages it did not report failed. The function's answer, or `None`
    /// when the queue had nothing.
    pub(crate) async fn sqs_batch(&mut self, resources: &Resources) -> Option<Value> {
        let received = resources.receive().await;
        if received.is_empty() {
            return None;
        }
        let records: Vec<Value> = received
            .iter()
            .map(|(id, receipt_handle, body)| {
                json!({
                    "messageId": id,
                    "receiptHandle": receipt_handle,
                    "body": body,
                    "attributes": {},
                    "messageAttributes": {},
                    "md5OfBody": "",
                    "eventSource": "aws:sqs",
                    "eventSourceARN": resources.queue_arn,
                    "awsRegion": "us-east-1",
                })
            })
            .collect();
        let answer = self.call(json!({"Records": records})).await;
        let failed: Vec<&str> = answer["batchItemFailures"]
            .as_array()
            .expect("a partial batch answer")
            .iter()
            .filter_map(|failure| failure["itemIdentifier"].as_str())
            .collect();
        for (id, receipt_handle, _) in &received {
            if !failed.contains(&id.as_str()) {
                resources.delete(receipt_handle).await;
            }
        }
        Some(answer)
    }

    /// Stops the function.
    pub(crate) async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}
