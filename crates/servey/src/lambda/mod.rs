//! AWS Lambda (the `lambda` feature): when the binary starts inside Lambda (`AWS_LAMBDA_RUNTIME_API` is
//! set), `servey::main()` answers Lambda's events instead of reading its command line. API Gateway REST
//! (v1) and HTTP (v2) events and function URL requests go through the same router the server serves;
//! EventBridge scheduled events run the action their rule names through the one invoke path; SQS
//! batches run their background events and webhook deliveries, reporting the failed ones; an API
//! Gateway websocket API's events connect and subscribe websocket clients, kept in DynamoDB.
//!
//! [`Handler`] is that answer for one event, callable without Lambda (tests feed it recorded events).

use std::net::IpAddr;
use std::panic::AssertUnwindSafe;

use aws_lambda_events::eventbridge::EventBridgeEvent;
use axum::Router;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use futures_util::FutureExt;
use lambda_http::lambda_runtime::Diagnostic;
use lambda_http::request::{LambdaRequest, RequestContext, RequestOrigin};
use lambda_http::tower::{Service, ServiceExt};
use lambda_http::{Adapter, LambdaEvent, RequestExt};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use servey_core::context::Client;
use servey_core::{ActionError, App, Input, Origin};
use servey_schedule::Channels;
use tracing::Instrument;

use crate::eventbridge::{SCHEDULE_SOURCE, action_for_rule};
use crate::serve::StartError;

mod backends;
mod websocket;

pub(crate) use backends::AwsBackends;
use websocket::{WebsocketEvent, Websockets};

pub use lambda_http::Context as LambdaContext;

/// The variable Lambda sets for its runtime API; its presence means the binary runs inside Lambda.
const RUNTIME_API: &str = "AWS_LAMBDA_RUNTIME_API";

/// Whether this process runs inside AWS Lambda.
pub(crate) fn is_lambda() -> bool {
    std::env::var_os(RUNTIME_API).is_some()
}

/// Answers Lambda's events with `app` until Lambda stops the process. A handler that cannot be built is
/// reported to the runtime API's `/init/error`, as Lambda asks of a runtime that fails to start.
pub async fn run(app: App) -> Result<(), LambdaError> {
    let handler = match Handler::new(&app) {
        Ok(handler) => handler,
        Err(error) => {
            let error = LambdaError::Start(error);
            report_init_error(&error).await;
            return Err(error);
        }
    };
    tracing::info!("servey answering AWS Lambda events");
    if app.authenticator().is_ephemeral() {
        tracing::warn!(
            "JWT_SECRET_KEY is not set: each Lambda instance signs with its own key, so a token works \
             only on the instance that issued it"
        );
    }
    let handler = &handler;
    lambda_http::lambda_runtime::run(lambda_http::service_fn(
        move |event: LambdaEvent<Box<RawValue>>| {
            async move {
                // A panic is caught and logged here: lambda_runtime logs every error a handler returns
                // under `lambda_runtime::layers::panic`, which servey's subscriber silences (each error
                // is logged once, below or by the invoke path).
                let answered = AssertUnwindSafe(handler.handle(event)).catch_unwind().await;
                let error = match answered {
                    Ok(Ok(answer)) => return Ok(answer),
                    Ok(Err(error)) => error,
                    Err(panic) => {
                        let message = servey_core::error::panic_message(&*panic);
                        tracing::error!("the Lambda handler panicked: {message}");
                        return Err(Diagnostic {
                            error_type: "panic".to_owned(),
                            error_message: format!("the Lambda handler panicked: {message}"),
                        });
                    }
                };
                if !matches!(error, LambdaError::Run { .. }) {
                    tracing::warn!(error_type = error.error_type(), "{error}");
                }
                Err(Diagnostic::from(error))
            }
        },
    ))
    .await
    .map_err(LambdaError::Runtime)
}

/// Tells the runtime API (`AWS_LAMBDA_RUNTIME_API`) that the function could not start: Lambda then
/// records `error` as the init error rather than a runtime that exited without a word.
pub(crate) async fn report_init_error(error: &LambdaError) {
    use lambda_runtime_api_client::{PooledClient, body::Body, build_request};
    let diagnostic = diagnostic(error);
    let request = serde_json::to_vec(&diagnostic)
        .map_err(lambda_http::Error::from)
        .and_then(|body| {
            build_request()
                .method("POST")
                .uri("/2018-06-01/runtime/init/error")
                .header("lambda-runtime-function-error-type", "Runtime.InitError")
                .body(Body::from(body))
                .map_err(lambda_http::Error::from)
        });
    let reported = match request {
        Ok(request) => PooledClient::builder().build().call(request).await,
        Err(error) => Err(error),
    };
    if let Err(report_error) = reported {
        tracing::error!(%report_error, "the start failure could not be reported to the Lambda runtime API");
    }
}

/// What Lambda records of an error: a readable `errorType` and the message.
fn diagnostic(error: &LambdaError) -> Diagnostic {
    Diagnostic {
        error_type: error.error_type().to_owned(),
        error_message: error.to_string(),
    }
}

impl From<LambdaError> for Diagnostic {
    fn from(error: LambdaError) -> Self {
        diagnostic(&error)
    }
}

/// Why an event was not answered; Lambda records it as the invocation's error.
#[derive(Debug, thiserror::Error)]
pub enum LambdaError {
    /// The app's routes could not be built.
    #[error("{0}")]
    Start(#[from] StartError),
    /// The event is none of those servey answers.
    #[error(
        "the event is none of: an API Gateway (REST, HTTP or websocket) or function URL request, a \
         scheduled event, an SQS batch"
    )]
    UnknownEvent,
    /// A scheduled event names no scheduled action of this app.
    #[error("the scheduled event names no scheduled action of this app: {0}")]
    UnknownSchedule(String),
    /// The scheduled action failed (its error, as the server would log it).
    #[error("scheduled run of `{action}` failed: {error}")]
    Run {
        /// The action's name.
        action: String,
        /// Its error.
        error: ActionError,
    },
    /// A websocket event names a connection, but the app's environment names no connections table
    /// and websocket endpoint (`SERVEY_AWS_CONNECTIONS_TABLE`, `SERVEY_AWS_WEBSOCKET_ENDPOINT`).
    #[error(
        "a websocket event arrived, but SERVEY_AWS_CONNECTIONS_TABLE and SERVEY_AWS_WEBSOCKET_ENDPOINT \
         are not both set (deploy with `--run=sam`'s template, which sets them)"
    )]
    NoWebsockets,
    /// An AWS call (DynamoDB, the Management API) failed.
    #[error("{0}")]
    Aws(#[from] servey_aws::AwsError),
    /// The Lambda runtime itself failed (it could not reach the runtime API).
    #[error("the Lambda runtime failed: {0}")]
    Runtime(lambda_http::Error),
}

impl LambdaError {
    /// The `errorType` Lambda records: a failed action's own code (`invalid_input`, `not_found`, or an
    /// app's custom one), else what went wrong (`start_failed`, `unknown_event`, `unknown_schedule`,
    /// `runtime_failed`, `no_websockets`, `aws_failed`).
    pub fn error_type(&self) -> &str {
        match self {
            Self::Start(_) => "start_failed",
            Self::UnknownEvent => "unknown_event",
            Self::UnknownSchedule(_) => "unknown_schedule",
            Self::NoWebsockets => "no_websockets",
            Self::Aws(_) => "aws_failed",
            Self::Run { error, .. } => error.code_str(),
            Self::Runtime(_) => "runtime_failed",
        }
    }
}

/// The input of a rule written by `--run=sam`: `{"source": "servey.schedule", "action": NAME}`.
#[derive(Debug, Deserialize)]
struct ScheduleInput {
    source: String,
    action: String,
}

/// Answers one Lambda event for an app: an HTTP request through its router, a schedule through the
/// invoke path. Background work the event started is finished before the answer.
#[derive(Clone)]
pub struct Handler {
    app: App,
    router: Router,
    channels: Channels,
    /// Made at the first websocket event: the SDK's configuration is read then.
    websockets: std::sync::Arc<tokio::sync::OnceCell<Option<Websockets>>>,
}

impl std::fmt::Debug for Handler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handler").finish_non_exhaustive()
    }
}

impl Handler {
    /// The handler of `app`, its routes built once.
    pub fn new(app: &App) -> Result<Self, StartError> {
        Ok(Self {
            app: app.clone(),
            router: crate::serve::router(app)?,
            channels: Channels::of(app)?.clone(),
            websockets: Default::default(),
        })
    }

    /// Answers one event: the response Lambda hands back to API Gateway (`statusCode`, headers, body),
    /// or a scheduled action's result. `event` is the payload as Lambda sends it; the tests feed recorded
    /// events here (`crates/servey/tests/it/lambda`).
    pub async fn handle_event(
        &self,
        event: Box<RawValue>,
        context: LambdaContext,
    ) -> Result<Value, LambdaError> {
        let answer = self.answer(event, context).await;
        // Lambda freezes the process once it has the answer: background events and webhook deliveries
        // the call published run now, not at some later thaw.
        self.channels.flush().await;
        answer
    }

    /// [`handle_event`](Self::handle_event) for the runtime's event type.
    pub async fn handle(&self, event: LambdaEvent<Box<RawValue>>) -> Result<Value, LambdaError> {
        self.handle_event(event.payload, event.context).await
    }

    async fn answer(
        &self,
        event: Box<RawValue>,
        context: LambdaContext,
    ) -> Result<Value, LambdaError> {
        if let Ok(input) = serde_json::from_str::<ScheduleInput>(event.get())
            && input.source == SCHEDULE_SOURCE
        {
            return self.run_scheduled(&input.action, &context).await;
        }
        if let Ok(scheduled) = serde_json::from_str::<EventBridgeEvent>(event.get())
            && scheduled.source == "aws.events"
            && scheduled.detail_type == "Scheduled Event"
        {
            let rules = scheduled.resources.unwrap_or_default();
            let action = rules
                .iter()
                .filter_map(|arn| arn.rsplit_once(":rule/").map(|(_, name)| name))
                .find_map(|rule| action_for_rule(self.app.registry(), rule))
                .ok_or_else(|| LambdaError::UnknownSchedule(rules.join(", ")))?;
            let name = action.name.clone();
            return self.run_scheduled(&name, &context).await;
        }
        // Boxed, as the websocket answer below: the SDK's futures are deep.
        let webhook = |channel: String, delivery: Value| {
            let channels = self.channels.clone();
            async move { channels.run_webhook(&channel, delivery).await }
        };
        if let Some(failures) =
            Box::pin(servey_aws::run_batch(&self.app, event.get(), webhook)).await
        {
            return Ok(serde_json::to_value(failures).expect("a batch answer serializes"));
        }
        if let Some(websocket) = WebsocketEvent::parse(event.get()) {
            let websockets = self
                .websockets
                .get_or_init(|| Box::pin(Websockets::of(&self.app, &self.channels)))
                .await
                .as_ref()
                .ok_or(LambdaError::NoWebsockets)?;
            return Box::pin(websockets.answer(&self.app, websocket)).await;
        }
        let request: LambdaRequest =
            serde_json::from_str(event.get()).map_err(|_| LambdaError::UnknownEvent)?;
        let is_v2 = matches!(request.request_origin(), RequestOrigin::ApiGatewayV2);
        let router = self
            .router
            .clone()
            .map_request(|mut request: lambda_http::Request| {
                let address = source_ip(&request);
                request.extensions_mut().insert(Client {
                    address,
                    certificate: None,
                });
                request
            })
            .map_response(move |mut response: axum::response::Response| {
                if is_v2 {
                    fold_repeated_headers(response.headers_mut());
                }
                response
            });
        let mut adapter = Adapter::from(router);
        let response = match adapter.call(LambdaEvent::new(request, context)).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        Ok(serde_json::to_value(&response).expect("a Lambda response serializes"))
    }

    /// Runs the scheduled action `name` once, as a tick of the server's schedule would.
    async fn run_scheduled(
        &self,
        name: &str,
        lambda: &LambdaContext,
    ) -> Result<Value, LambdaError> {
        let action = self
            .app
            .registry()
            .get(name)
            .filter(|action| {
                action
                    .triggers
                    .iter()
                    .any(|trigger| crate::eventbridge::rule(trigger).is_some())
            })
            .ok_or_else(|| LambdaError::UnknownSchedule(name.to_owned()))?;
        let context = self.app.context().with_origin(Origin::Schedule);
        let span = tracing::info_span!(
            "scheduled_run",
            action = name,
            request_id = %context.request_id(),
            lambda_request_id = %lambda.request_id,
        );
        let output = servey_core::invoke(action, Input::empty(), context)
            .instrument(span)
            .await
            .and_then(|output| output.to_value())
            // A failure is logged by the invoke path, as every call's is.
            .map_err(|error| LambdaError::Run {
                action: name.to_owned(),
                error,
            })?;
        Ok(output)
    }
}

/// Repeated headers (but `Set-Cookie`, which goes to its own list) as one comma-joined value each: a
/// payload 2.0 answer has one value per name, and lambda_http would keep only the first.
fn fold_repeated_headers(headers: &mut HeaderMap) {
    let repeated: Vec<HeaderName> = headers
        .keys()
        .filter(|name| **name != SET_COOKIE && headers.get_all(*name).iter().nth(1).is_some())
        .cloned()
        .collect();
    for name in repeated {
        let values: Vec<&[u8]> = headers
            .get_all(&name)
            .iter()
            .map(HeaderValue::as_bytes)
            .collect();
        match HeaderValue::from_bytes(&values.join(&b", "[..])) {
            Ok(folded) => {
                headers.insert(name, folded);
            }
            Err(error) => {
                tracing::warn!(header = %name, %error, "a repeated header could not be folded")
            }
        }
    }
}

/// The caller's address as API Gateway saw it.
fn source_ip(request: &lambda_http::Request) -> Option<IpAddr> {
    let ip = match request.request_context_ref()? {
        RequestContext::ApiGatewayV1(context) => context.identity.source_ip.as_deref(),
        RequestContext::ApiGatewayV2(context) => context.http.source_ip.as_deref(),
        _ => None,
    };
    ip?.parse().ok()
}
