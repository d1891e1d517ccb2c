//! [`Client`]: the one way to call actions, whatever the transport; [`Call`], what travels.

use std::sync::Arc;

use futures_util::StreamExt;
use http::{HeaderMap, HeaderName, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use servey_core::context::{SWITCHES_HEADER, switches_header};
use servey_core::job::{JobAction, JobRequest, JobResponse};
use servey_core::{App, BodyFormat, Context, TracePropagation};

use crate::error::ClientError;
use crate::job::JobBuilder;
use crate::middleware::{BearerToken, Middleware, Next};
#[cfg(feature = "http-client")]
use crate::transport::Http;
use crate::transport::{Local, Transport};

/// One call as it travels: the job (one action for [`Client::call`]), the headers that carry the
/// request id, the switches and the credentials, and the body format.
#[derive(Debug, Clone)]
pub struct Call {
    /// The actions to run, in order.
    pub job: JobRequest,
    /// `X-Request-Id`, `X-Servey-Switches`, `Authorization`, and what middleware adds.
    pub headers: HeaderMap,
    /// JSON or MessagePack on the wire (a local call has no wire).
    pub format: BodyFormat,
    /// Whether running the call twice does no more than running it once (a typed call of a `GET`,
    /// `PUT` or `DELETE` action says so), so that [`Retry`](crate::Retry) may repeat it after a failure.
    pub is_idempotent: bool,
}

/// Calls actions in-process ([`local`](Self::local)) or over HTTP ([`http`](Self::http)); the calling
/// code is the same, and so are the results and the errors. Cheap to clone.
///
/// ```no_run
/// # async fn run(app: servey_core::App) -> Result<(), servey_client::ClientError> {
/// use servey_client::Client;
/// let client = Client::local(&app);
/// // let client = Client::http("http://127.0.0.1:8000"); // the only line that changes
/// let greeting: String = client
///     .call("say_hello", serde_json::json!({"name": "World"}))
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    transport: Arc<dyn Transport>,
    middleware: Arc<[Arc<dyn Middleware>]>,
    format: BodyFormat,
    chained: Option<Chained>,
}

/// What a client made with [`Client::with_context`] passes on from its caller.
#[derive(Clone)]
struct Chained {
    request_id: HeaderValue,
    switches: Option<HeaderValue>,
    trace: Option<TracePropagation>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("format", &self.format)
            .field("middleware", &self.middleware.len())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client calling `app`'s actions in-process (every action, web route or not).
    pub fn local(app: &App) -> Self {
        Self::with_transport(Local { app: app.clone() })
    }

    /// A client calling the server at `base_url` (`http://127.0.0.1:8000`) through its `POST /jobs`
    /// (the actions it serves on the web).
    #[cfg(feature = "http-client")]
    pub fn http(base_url: impl Into<String>) -> Self {
        Self::http_with(base_url, reqwest::Client::new())
    }

    /// Calling over HTTP needs servey's `http-client` cargo feature, which is off in this build: a call
    /// of this stand-in fails to compile with an error that says so.
    ///
    /// ```compile_fail,E0277
    /// let client = servey_client::Client::http("http://127.0.0.1:8000");
    /// ```
    #[cfg(not(feature = "http-client"))]
    pub fn http<U: HttpClientFeature>(base_url: U) -> Self {
        base_url.client()
    }

    /// Like [`http`](Self::http), with your own `reqwest` client (timeouts, TLS, proxies).
    #[cfg(feature = "http-client")]
    pub fn http_with(base_url: impl Into<String>, http: reqwest::Client) -> Self {
        let base = base_url.into().trim_end_matches('/').to_owned();
        Self::with_transport(Http { base, http })
    }

    /// A client over any transport.
    pub fn with_transport(transport: impl Transport) -> Self {
        Self {
            transport: Arc::new(transport),
            middleware: Arc::from(Vec::new()),
            format: BodyFormat::Json,
            chained: None,
        }
    }

    /// This client with `middleware` around every call (the last added runs first).
    #[must_use]
    pub fn with(mut self, middleware: impl Middleware) -> Self {
        let mut all: Vec<_> = self.middleware.iter().cloned().collect();
        all.insert(0, Arc::new(middleware) as Arc<dyn Middleware>);
        self.middleware = Arc::from(all);
        self
    }

    /// This client presenting `token` as `Authorization: Bearer ..`.
    #[must_use]
    pub fn bearer(self, token: impl Into<String>) -> Self {
        self.with(BearerToken::new(token))
    }

    /// This client speaking MessagePack on the wire (requests and answers).
    #[must_use]
    pub fn msgpack(self) -> Self {
        self.format(BodyFormat::MessagePack)
    }

    /// This client speaking `format` on the wire.
    #[must_use]
    pub fn format(mut self, format: BodyFormat) -> Self {
        self.format = format;
        self
    }

    /// This client, for calls made inside an action: they carry `context`'s request id and switches
    /// (and, over HTTP, the current span's trace), so one request is one id in every service's log.
    #[must_use]
    pub fn with_context(mut self, context: &Context) -> Self {
        let request_id = HeaderValue::from_str(context.request_id())
            .unwrap_or(HeaderValue::from_static("unknown"));
        let switches =
            switches_header(context).and_then(|value| HeaderValue::from_str(&value).ok());
        self.chained = Some(Chained {
            request_id,
            switches,
            trace: TracePropagation::of(context).cloned(),
        });
        self
    }

    /// Calls `action` with `input` (an object, one key per parameter) and reads its result as `R`.
    pub async fn call<R: DeserializeOwned>(
        &self,
        action: &str,
        input: impl Serialize,
    ) -> Result<R, ClientError> {
        let input = serde_json::to_value(input).map_err(|e| ClientError::Input(e.to_string()))?;
        let result = self.call_value(action, input, false).await?;
        serde_json::from_value(result).map_err(ClientError::answer)
    }

    /// Calls `action` with `input` as a JSON value and answers its result as one; `is_idempotent`
    /// lets [`Retry`](crate::Retry) repeat it.
    pub async fn call_value(
        &self,
        action: &str,
        input: Value,
        is_idempotent: bool,
    ) -> Result<Value, ClientError> {
        let job = JobRequest {
            actions: vec![JobAction {
                action: action.to_owned(),
                body: input,
            }],
            continue_on_error: false,
        };
        let mut answer = self.send(job, is_idempotent).await?;
        match answer.results.pop() {
            Some(outcome) if answer.results.is_empty() => {
                outcome.into_result().map_err(ClientError::Problem)
            }
            _ => Err(ClientError::Answer(
                "a call of one action was answered with another number of results".into(),
            )),
        }
    }

    /// Calls many actions at once, at most `limit` in flight, and answers in the order asked.
    pub async fn call_parallel<I, N>(
        &self,
        calls: I,
        limit: usize,
    ) -> Vec<Result<Value, ClientError>>
    where
        I: IntoIterator<Item = (N, Value)>,
        N: AsRef<str>,
    {
        futures_util::stream::iter(calls)
            .map(|(action, input)| async move {
                self.call_value(action.as_ref(), input, false).await
            })
            .buffered(limit.max(1))
            .collect()
            .await
    }

    /// A job: `actions` called serially in one request ([`JobBuilder::send`]).
    pub fn job<I, N>(&self, actions: I) -> JobBuilder<'_>
    where
        I: IntoIterator<Item = (N, Value)>,
        N: Into<String>,
    {
        JobBuilder::new(self, actions)
    }

    /// Runs `job` through the middleware and the transport.
    pub(crate) async fn send(
        &self,
        job: JobRequest,
        is_idempotent: bool,
    ) -> Result<JobResponse, ClientError> {
        let call = Call {
            job,
            headers: self.headers(),
            format: self.format,
            is_idempotent,
        };
        Next::new(&self.middleware, &*self.transport)
            .run(call)
            .await
    }

    fn headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(chained) = &self.chained {
            headers.insert(
                HeaderName::from_static("x-request-id"),
                chained.request_id.clone(),
            );
            if let Some(switches) = &chained.switches {
                headers.insert(HeaderName::from_static(SWITCHES_HEADER), switches.clone());
            }
            if let Some(trace) = &chained.trace {
                trace.inject(&mut headers);
            }
        }
        headers
    }
}

/// What [`Client::http`] needs without servey's `http-client` feature: nothing has it, so a call names
/// the feature at compile time.
#[cfg(not(feature = "http-client"))]
#[diagnostic::on_unimplemented(
    message = "`Client::http` needs servey's `http-client` cargo feature, which is off in this build",
    label = "calls over HTTP need the `http-client` feature",
    note = "turn it on in Cargo.toml: `servey = {{ features = [\"http-client\"] }}`"
)]
pub trait HttpClientFeature {
    /// Never called: no type implements this trait.
    fn client(self) -> Client;
}
