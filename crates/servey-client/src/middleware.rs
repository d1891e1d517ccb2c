//! Client middleware: code around every call (credentials, retries, metrics), as tower layers are
//! around every request on the server. [`BearerToken`] and [`Retry`] are built in.

use std::sync::Arc;
use std::time::Duration;

use http::{HeaderValue, header};

use crate::client::Call;
use crate::error::ClientError;
use crate::transport::{Transport, TransportFuture};

/// What a middleware answers: the answer of the rest of the chain, or its own.
pub type MiddlewareFuture<'a> = TransportFuture<'a>;

/// Code around every call of a [`Client`](crate::Client): change the call (a header), repeat it, time
/// it, or answer it without going on.
pub trait Middleware: Send + Sync + 'static {
    /// Handles `call`; `next.run(call)` hands it on to the rest of the chain and the transport.
    fn handle<'a>(&'a self, call: Call, next: Next<'a>) -> MiddlewareFuture<'a>;
}

/// The rest of the chain after a middleware. Copy it to run the call more than once.
#[derive(Clone, Copy)]
pub struct Next<'a> {
    middleware: &'a [Arc<dyn Middleware>],
    transport: &'a dyn Transport,
}

impl std::fmt::Debug for Next<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Next")
            .field("middleware", &self.middleware.len())
            .finish_non_exhaustive()
    }
}

impl<'a> Next<'a> {
    pub(crate) fn new(middleware: &'a [Arc<dyn Middleware>], transport: &'a dyn Transport) -> Self {
        Self {
            middleware,
            transport,
        }
    }

    /// Hands `call` on: to the next middleware, or to the transport.
    pub fn run(self, call: Call) -> MiddlewareFuture<'a> {
        match self.middleware.split_first() {
            Some((first, rest)) => first.handle(call, Next::new(rest, self.transport)),
            None => Box::pin(async move { self.transport.run(&call).await }),
        }
    }
}

/// Presents a token on every call (`Authorization: Bearer ..`), in-process as over HTTP.
#[derive(Debug, Clone)]
pub struct BearerToken {
    value: Option<HeaderValue>,
}

impl BearerToken {
    /// The middleware presenting `token` (a token that is not a valid header value is not sent).
    pub fn new(token: impl Into<String>) -> Self {
        let value = HeaderValue::from_str(&format!("Bearer {}", token.into())).ok();
        Self { value }
    }
}

impl Middleware for BearerToken {
    fn handle<'a>(&'a self, mut call: Call, next: Next<'a>) -> MiddlewareFuture<'a> {
        if let Some(value) = &self.value {
            call.headers.insert(header::AUTHORIZATION, value.clone());
        }
        next.run(call)
    }
}

/// Repeats an idempotent call ([`Call::is_idempotent`]) that found the service unreachable or
/// refusing the whole call (`429`, `502`, `503`, `504`), waiting twice as long before each new attempt.
/// An action's own error is its answer and is not repeated.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    attempts: u32,
    first_wait: Duration,
}

impl Retry {
    /// At most `attempts` tries in all, the first wait `first_wait`.
    pub fn new(attempts: u32, first_wait: Duration) -> Self {
        Self {
            attempts: attempts.max(1),
            first_wait,
        }
    }

    fn is_worth_repeating(error: &ClientError) -> bool {
        match error {
            ClientError::Unreachable(_) => true,
            ClientError::Problem(problem) => matches!(problem.status, 429 | 502 | 503 | 504),
            ClientError::Input(_) | ClientError::Answer(_) => false,
        }
    }
}

impl Middleware for Retry {
    fn handle<'a>(&'a self, call: Call, next: Next<'a>) -> MiddlewareFuture<'a> {
        Box::pin(async move {
            if !call.is_idempotent {
                return next.run(call).await;
            }
            let mut wait = self.first_wait;
            let mut attempt = 1;
            loop {
                match next.run(call.clone()).await {
                    Err(error) if attempt < self.attempts && Self::is_worth_repeating(&error) => {
                        tracing::debug!(%error, attempt, "the call failed; trying again");
                        tokio::time::sleep(wait).await;
                        wait = wait.saturating_mul(2);
                        attempt += 1;
                    }
                    answered => return answered,
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use serde_json::{Value, json};
    use servey_core::ActionError;
    use servey_core::job::{JobOutcome, JobResponse};

    use super::*;
    use crate::Client;
    use crate::transport::TransportFuture;

    /// A service that is busy (`503`) for its first `busy` calls, then answers the `Authorization`
    /// header it was sent.
    struct Busy {
        busy: usize,
        calls: Arc<AtomicUsize>,
    }

    impl Transport for Busy {
        fn run<'a>(&'a self, call: &'a Call) -> TransportFuture<'a> {
            Box::pin(async move {
                if self.calls.fetch_add(1, Ordering::SeqCst) < self.busy {
                    return Err(ActionError::custom(503, "busy", "Busy; try again.").into());
                }
                let header = call
                    .headers
                    .get(header::AUTHORIZATION)
                    .and_then(|value| value.to_str().ok())
                    .map_or(Value::Null, |value| json!(value));
                Ok(JobResponse {
                    results: vec![JobOutcome::Result { result: header }],
                })
            })
        }
    }

    fn busy(busy: usize) -> (Client, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        let client = Client::with_transport(Busy {
            busy,
            calls: calls.clone(),
        })
        .with(Retry::new(3, Duration::from_millis(1)))
        .bearer("t0ken");
        (client, calls)
    }

    #[tokio::test]
    async fn idempotent_calls_are_repeated_until_the_attempts_run_out() {
        let (client, calls) = busy(2);
        let answer = client
            .call_value("a", json!({}), true)
            .await
            .expect("the third attempt answers");
        assert_eq!(answer, json!("Bearer t0ken"));
        assert_eq!(calls.load(Ordering::SeqCst), 3);

        let (client, calls) = busy(5);
        let error = client
            .call_value("a", json!({}), true)
            .await
            .expect_err("three attempts, all busy");
        assert_eq!(error.status(), Some(503));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn other_calls_are_made_once() {
        let (client, calls) = busy(1);
        let error = client
            .call_value("a", json!({}), false)
            .await
            .expect_err("not idempotent: no second attempt");
        assert_eq!(error.status(), Some(503));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    /// A user's middleware: counts calls (metrics) and sees the chain's answer.
    struct Counting(Arc<AtomicUsize>);

    impl Middleware for Counting {
        fn handle<'a>(&'a self, call: Call, next: Next<'a>) -> MiddlewareFuture<'a> {
            self.0.fetch_add(call.job.actions.len(), Ordering::SeqCst);
            next.run(call)
        }
    }

    #[tokio::test]
    async fn a_users_middleware_sees_every_action_called() {
        let counted = Arc::new(AtomicUsize::new(0));
        let (client, _) = busy(0);
        let client = client.with(Counting(counted.clone()));
        client
            .call_value("a", json!({}), false)
            .await
            .expect("answers");
        client
            .job([("a", json!({})), ("b", json!({}))])
            .send()
            .await
            .expect("answers");
        assert_eq!(counted.load(Ordering::SeqCst), 3);
    }
}
