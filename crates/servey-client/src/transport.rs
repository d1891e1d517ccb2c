//! Where a [`Call`] goes: in-process into an app ([`Local`]), or to a server's `POST /jobs` ([`Http`]).
//! Both hand the same job to core's job runner, so both answer alike.

use std::future::Future;
use std::pin::Pin;

#[cfg(feature = "http-client")]
use http::header;
use servey_core::App;
use servey_core::job::{JobResponse, every_action, run_job};
#[cfg(feature = "http-client")]
use servey_core::{BodyFormat, Problem};

use crate::client::Call;
use crate::error::ClientError;

/// The answer of a transport: one outcome per action that ran.
pub type TransportFuture<'a> =
    Pin<Box<dyn Future<Output = Result<JobResponse, ClientError>> + Send + 'a>>;

/// Carries a call to a service and brings back its answer. Implement it to call services another way
/// (a message queue, a test double); [`Client::with_transport`](crate::Client::with_transport) takes it.
pub trait Transport: Send + Sync + 'static {
    /// Runs `call`'s job.
    fn run<'a>(&'a self, call: &'a Call) -> TransportFuture<'a>;
}

/// In-process: the app's registry, through the one invoke path, with a context built from the call's
/// headers exactly as the REST adapter builds it.
pub(crate) struct Local {
    pub(crate) app: App,
}

impl Transport for Local {
    fn run<'a>(&'a self, call: &'a Call) -> TransportFuture<'a> {
        Box::pin(async move {
            let context = self.app.request_context(&call.headers);
            Ok(run_job(&self.app, call.job.clone(), context, every_action).await?)
        })
    }
}

/// Over HTTP: `POST {base}/jobs`, in JSON or MessagePack.
#[cfg(feature = "http-client")]
pub(crate) struct Http {
    pub(crate) base: String,
    pub(crate) http: reqwest::Client,
}

#[cfg(feature = "http-client")]
impl Transport for Http {
    fn run<'a>(&'a self, call: &'a Call) -> TransportFuture<'a> {
        Box::pin(async move {
            let format = call.format;
            let body = format.encode(&call.job)?;
            let response = self
                .http
                .post(format!("{}/jobs", self.base))
                .headers(call.headers.clone())
                .header(header::CONTENT_TYPE, format.content_type())
                .header(header::ACCEPT, format.content_type())
                .body(body)
                .send()
                .await
                .map_err(|error| ClientError::Unreachable(error_chain(&error)))?;
            let status = response.status();
            let content_type = response
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let bytes = response
                .bytes()
                .await
                .map_err(|error| ClientError::Unreachable(error_chain(&error)))?;
            if !status.is_success() {
                // The whole job was refused (415, 413, 422, 503, ...): a problem, when the service
                // speaks problem details; the status alone otherwise.
                return Err(match serde_json::from_slice::<Problem>(&bytes) {
                    Ok(problem) => ClientError::Problem(Box::new(problem)),
                    Err(_) => ClientError::Answer(format!(
                        "the service answered {status} with a body that is not problem details"
                    )),
                });
            }
            let answered = BodyFormat::of_request(Some(&content_type))
                .map_err(|_| {
                    ClientError::Answer(format!("the job answer came as `{content_type}`"))
                })?
                .decode::<JobResponse>(&bytes)
                .map_err(|error| ClientError::answer(error.detail()))?;
            Ok(answered)
        })
    }
}

/// An error with its causes, which say what actually went wrong (refused, reset, ...).
#[cfg(feature = "http-client")]
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
