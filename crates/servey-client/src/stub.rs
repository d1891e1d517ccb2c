//! Stubs for tests of code that calls services: [`StubClient`] answers chosen actions with your own
//! functions ([`stub_action`]), and in mock mode answers every action of an app from its declared
//! examples (Python servey-stub's mock service). Calls are recorded for assertions.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use servey_core::job::{JobOutcome, JobResponse};
use servey_core::{ActionError, App, ErrorCode};

use crate::client::{Call, Client};
use crate::transport::{Transport, TransportFuture};

type Handler = Arc<dyn Fn(Value) -> Result<Value, ActionError> + Send + Sync>;

/// A stand-in service: stubbed actions answer from their functions, the others from the fallback
/// (a real client, an app's examples) or with `404`. Cheap to clone; clones share the record of calls.
#[derive(Clone, Default)]
pub struct StubClient {
    stubs: HashMap<String, Handler>,
    fallback: Option<Fallback>,
    calls: Arc<Mutex<Vec<(String, Value)>>>,
}

#[derive(Clone)]
enum Fallback {
    Client(Client),
    Examples(App),
}

impl std::fmt::Debug for StubClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StubClient")
            .field("stubs", &self.stubs.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// A stub client answering `action` with `answer(input)`; add more with [`StubClient::action`].
pub fn stub_action<F>(action: impl Into<String>, answer: F) -> StubClient
where
    F: Fn(Value) -> Result<Value, ActionError> + Send + Sync + 'static,
{
    StubClient::new().action(action, answer)
}

impl StubClient {
    /// A stub client with no stubs: every call is a `404`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Mock mode: every action of `app` answers from its declared examples (the example whose params
    /// equal the input, else the first one), without running its code.
    pub fn mock(app: &App) -> Self {
        Self {
            fallback: Some(Fallback::Examples(app.clone())),
            ..Self::default()
        }
    }

    /// Stubs that are missing go on to `client` (stub some actions of a real service).
    #[must_use]
    pub fn over(mut self, client: Client) -> Self {
        self.fallback = Some(Fallback::Client(client));
        self
    }

    /// This stub client answering `action` with `answer(input)`.
    #[must_use]
    pub fn action<F>(mut self, action: impl Into<String>, answer: F) -> Self
    where
        F: Fn(Value) -> Result<Value, ActionError> + Send + Sync + 'static,
    {
        self.stubs.insert(action.into(), Arc::new(answer));
        self
    }

    /// A [`Client`] over this stub, to hand to the code under test.
    pub fn client(&self) -> Client {
        Client::with_transport(self.clone())
    }

    /// Every call made so far: the action and its input, in order.
    pub fn calls(&self) -> Vec<(String, Value)> {
        self.calls
            .lock()
            .map(|calls| calls.clone())
            .unwrap_or_default()
    }

    async fn answer(&self, action: &str, input: Value, call: &Call) -> Result<Value, ActionError> {
        if let Ok(mut calls) = self.calls.lock() {
            calls.push((action.to_owned(), input.clone()));
        }
        if let Some(stub) = self.stubs.get(action) {
            return stub(input);
        }
        match &self.fallback {
            None => Err(servey_core::job::unknown_action(action)),
            Some(Fallback::Client(client)) => client
                .call_value(action, input, call.is_idempotent)
                .await
                .map_err(crate::ClientError::into_action_error),
            Some(Fallback::Examples(app)) => {
                let action = app
                    .registry()
                    .get(action)
                    .ok_or_else(|| servey_core::job::unknown_action(action))?;
                let examples = &action.examples;
                examples
                    .iter()
                    .find(|example| example.params == input)
                    .or(examples.first())
                    .map(|example| example.result.clone())
                    .ok_or_else(|| {
                        ActionError::new(
                            ErrorCode::NotFound,
                            format!(
                                "The action `{}` declares no example to answer from.",
                                action.name
                            ),
                        )
                    })
            }
        }
    }
}

impl Transport for StubClient {
    fn run<'a>(&'a self, call: &'a Call) -> TransportFuture<'a> {
        Box::pin(async move {
            let mut results = Vec::with_capacity(call.job.actions.len());
            for action in &call.job.actions {
                let outcome = match self.answer(&action.action, action.body.clone(), call).await {
                    Ok(result) => JobOutcome::Result { result },
                    Err(error) => JobOutcome::Error {
                        error: error.problem(),
                    },
                };
                let failed = matches!(outcome, JobOutcome::Error { .. });
                results.push(outcome);
                if failed && !call.job.continue_on_error {
                    break;
                }
            }
            Ok(JobResponse { results })
        })
    }
}
