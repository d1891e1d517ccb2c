//! `WebhookChannel`: each published event is POSTed as JSON to a URL, in the background, with a timeout
//! per attempt and retries with exponential backoff; giving up is logged as an error. Each delivery runs
//! in a `webhook` span whose W3C trace context goes with the POST (`traceparent`), through the app's
//! `TracePropagation`. The HTTP client and the count of deliveries under way belong to the app's
//! `Channels` ([`Webhooks`]). A background queue that carries webhooks (SQS, on Lambda) gets each
//! delivery as JSON instead ([`Delivery::into_job`]) and hands it back to be run ([`Delivery::from_job`]).

use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use servey_core::{Context, TracePropagation};
#[cfg(feature = "http-client")]
use tracing::Instrument;
use utoipa::ToSchema;

use crate::channel::{ChannelKind, ChannelMeta, EventChannel, channel_meta_methods};
use crate::error::PublishError;
use crate::runtime::Channels;
use servey_core::backend::InFlight;

/// A channel whose events are POSTed to a URL; declare one with `webhook_channel!`.
pub struct WebhookChannel<E: 'static> {
    meta: ChannelMeta<E>,
    url: fn() -> String,
    max_attempts: u32,
    timeout: Duration,
    initial_backoff: Duration,
}

impl<E> std::fmt::Debug for WebhookChannel<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookChannel")
            .field("name", &self.meta.name)
            .field("max_attempts", &self.max_attempts)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl<E> WebhookChannel<E> {
    /// A channel named `name` POSTing to the URL `url` returns (evaluated at each publish): 5 attempts,
    /// 10 s each, backoff from 200 ms doubling.
    pub const fn new(name: &'static str, doc: &'static str, url: fn() -> String) -> Self {
        Self {
            meta: ChannelMeta::new(name, doc, ChannelKind::Webhook),
            url,
            max_attempts: 5,
            timeout: Duration::from_secs(10),
            initial_backoff: Duration::from_millis(200),
        }
    }

    /// How many times an event is tried in all (at least once).
    pub const fn max_attempts(self, max_attempts: u32) -> Self {
        Self {
            max_attempts,
            ..self
        }
    }

    /// How long one attempt may take.
    pub const fn timeout_ms(self, millis: u64) -> Self {
        Self {
            timeout: Duration::from_millis(millis),
            ..self
        }
    }

    /// The wait before the first retry; it doubles for each further one.
    pub const fn initial_backoff_ms(self, millis: u64) -> Self {
        Self {
            initial_backoff: Duration::from_millis(millis),
            ..self
        }
    }
}

impl<E: Serialize + ToSchema + Send + Sync + 'static> WebhookChannel<E> {
    /// POSTs `event` to the channel's URL in the background of the app `context` belongs to, retrying
    /// failures.
    pub fn publish(&self, context: &Context, event: &E) -> Result<(), PublishError> {
        let name = self.meta.name;
        let body = serde_json::to_vec(event).map_err(|source| self.meta.serialize_error(source))?;
        let channels = Channels::of_context(context, name)?;
        channels.deliver(Delivery {
            channel: name,
            url: (self.url)(),
            body,
            max_attempts: self.max_attempts.max(1),
            timeout: self.timeout,
            initial_backoff: self.initial_backoff,
            trace: TracePropagation::of(context).cloned(),
            trace_headers: Vec::new(),
            carried: false,
        })
    }
}

impl<E: Serialize + DeserializeOwned + ToSchema + Send + Sync + 'static> EventChannel
    for WebhookChannel<E>
{
    channel_meta_methods!();

    fn publish_json(&self, context: &Context, event: Value) -> Result<(), PublishError> {
        self.publish(context, &self.meta.decode(event)?)
    }

    fn target_url(&self) -> Option<String> {
        Some((self.url)())
    }
}

/// An app's webhook deliveries: the HTTP client they share and the count of those under way.
#[derive(Debug, Default)]
pub(crate) struct Webhooks {
    #[cfg(feature = "http-client")]
    client: reqwest::Client,
    in_flight: InFlight,
}

impl Webhooks {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// The deliveries under way.
    pub(crate) fn in_flight(&self) -> &InFlight {
        &self.in_flight
    }

    /// Starts `delivery` on the current tokio runtime.
    #[cfg(feature = "http-client")]
    pub(crate) fn deliver(&self, delivery: Delivery) -> Result<(), PublishError> {
        let runtime =
            tokio::runtime::Handle::try_current().map_err(|_| PublishError::NoRuntime {
                channel: delivery.channel,
            })?;
        let span = tracing::info_span!("webhook", channel = delivery.channel, url = %delivery.url);
        let (client, running) = (self.client.clone(), self.in_flight.start());
        runtime.spawn(
            async move {
                let _running = running;
                delivery.run(&client).await;
            }
            .instrument(span),
        );
        Ok(())
    }

    /// Runs `delivery` here and now (one a queue handed back); false when every attempt failed.
    #[cfg(feature = "http-client")]
    pub(crate) async fn run_now(&self, delivery: Delivery) -> bool {
        let span = tracing::info_span!("webhook", channel = delivery.channel, url = %delivery.url);
        delivery.run(&self.client).instrument(span).await
    }

    /// Refuses `delivery`: this build has no HTTP client (channels built at start refuse webhooks).
    #[cfg(not(feature = "http-client"))]
    pub(crate) fn deliver(&self, delivery: Delivery) -> Result<(), PublishError> {
        Err(PublishError::HttpClientOff {
            channel: delivery.channel,
        })
    }
}

/// One event on its way to a webhook.
#[cfg_attr(not(feature = "http-client"), allow(dead_code))]
pub(crate) struct Delivery {
    pub(crate) channel: &'static str,
    url: String,
    body: Vec<u8>,
    max_attempts: u32,
    timeout: Duration,
    initial_backoff: Duration,
    /// Writes the `webhook` span's trace context into each attempt's headers.
    trace: Option<TracePropagation>,
    /// The trace context of a delivery that was stored: the publisher's, sent with each attempt.
    trace_headers: Vec<(String, String)>,
    /// A queue carried it, and delivers it again when every attempt fails.
    carried: bool,
}

/// A delivery as a queue carries it.
#[cfg(feature = "http-client")]
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredDelivery {
    url: String,
    event: Value,
    max_attempts: u32,
    timeout_ms: u64,
    initial_backoff_ms: u64,
    #[serde(default)]
    trace_headers: Vec<(String, String)>,
}

#[cfg(feature = "http-client")]
impl Delivery {
    /// The delivery as JSON for a queue that carries webhooks, with the publisher's trace context.
    pub(crate) fn into_job(self) -> Result<servey_core::backend::WebhookJob, PublishError> {
        let mut headers = reqwest::header::HeaderMap::new();
        if let Some(trace) = &self.trace {
            trace.inject(&mut headers);
        }
        let trace_headers = headers
            .iter()
            .filter_map(|(name, value)| Some((name.to_string(), value.to_str().ok()?.to_owned())))
            .collect();
        let event =
            serde_json::from_slice(&self.body).map_err(|source| PublishError::Serialize {
                channel: self.channel,
                source,
            })?;
        let stored = StoredDelivery {
            url: self.url,
            event,
            max_attempts: self.max_attempts,
            timeout_ms: self.timeout.as_millis() as u64,
            initial_backoff_ms: self.initial_backoff.as_millis() as u64,
            trace_headers,
        };
        Ok(servey_core::backend::WebhookJob {
            channel: self.channel,
            delivery: serde_json::to_value(stored).map_err(|source| PublishError::Serialize {
                channel: self.channel,
                source,
            })?,
        })
    }

    /// The delivery a queue handed back, for `channel`.
    pub(crate) fn from_job(
        channel: &'static str,
        delivery: Value,
    ) -> Result<Self, serde_json::Error> {
        let stored: StoredDelivery = serde_json::from_value(delivery)?;
        Ok(Self {
            channel,
            url: stored.url,
            body: serde_json::to_vec(&stored.event)?,
            max_attempts: stored.max_attempts.max(1),
            timeout: Duration::from_millis(stored.timeout_ms),
            initial_backoff: Duration::from_millis(stored.initial_backoff_ms),
            trace: None,
            trace_headers: stored.trace_headers,
            carried: true,
        })
    }
}

#[cfg(feature = "http-client")]
impl Delivery {
    /// Tries the delivery up to its attempts; false when every attempt failed (a receiver that refuses
    /// the event for good ends it too, logged, since trying again would not help).
    pub(crate) async fn run(self, client: &reqwest::Client) -> bool {
        let mut backoff = self.initial_backoff;
        for attempt in 1..=self.max_attempts {
            let outcome = self.attempt(client).await;
            let reason = match outcome {
                Ok(()) => {
                    tracing::debug!(attempt, "webhook delivered");
                    return true;
                }
                Err(Failure::Permanent(reason)) => {
                    tracing::error!(channel = self.channel, url = %self.url, attempt, %reason,
                        "giving up on a webhook event: the receiver refused it");
                    return true;
                }
                Err(Failure::Retryable(reason)) => reason,
            };
            if attempt == self.max_attempts && self.carried {
                tracing::warn!(channel = self.channel, url = %self.url, attempts = attempt, %reason,
                    "every attempt to deliver a webhook event failed; its queue delivers it again");
                return false;
            }
            if attempt == self.max_attempts {
                tracing::error!(channel = self.channel, url = %self.url, attempts = attempt, %reason,
                    "giving up on a webhook event after every attempt failed");
                return false;
            }
            tracing::warn!(attempt, %reason, retry_in_ms = backoff.as_millis() as u64, "webhook attempt failed");
            tokio::time::sleep(backoff).await;
            backoff = backoff.saturating_mul(2).min(Duration::from_secs(60));
        }
        false
    }

    async fn attempt(&self, client: &reqwest::Client) -> Result<(), Failure> {
        let mut headers = reqwest::header::HeaderMap::new();
        if let Some(trace) = &self.trace {
            trace.inject(&mut headers);
        }
        for (name, value) in &self.trace_headers {
            if let (Ok(name), Ok(value)) = (
                reqwest::header::HeaderName::from_bytes(name.as_bytes()),
                reqwest::header::HeaderValue::from_str(value),
            ) {
                headers.insert(name, value);
            }
        }
        let response = client
            .post(&self.url)
            .headers(headers)
            .timeout(self.timeout)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(self.body.clone())
            .send()
            .await
            .map_err(|error| {
                if error.is_builder() {
                    Failure::Permanent(error.to_string())
                } else {
                    Failure::Retryable(error.to_string())
                }
            })?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else if status.is_server_error() || status.as_u16() == 429 || status.as_u16() == 408 {
            Err(Failure::Retryable(format!(
                "the receiver answered {status}"
            )))
        } else {
            Err(Failure::Permanent(format!(
                "the receiver answered {status}"
            )))
        }
    }
}

#[cfg(feature = "http-client")]
enum Failure {
    Retryable(String),
    Permanent(String),
}
