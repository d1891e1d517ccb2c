//! The app's backends on AWS, when its environment names them (`--run=sam`'s template sets it): websocket
//! events reach the subscribers of an API Gateway websocket API, kept in DynamoDB
//! ([`ApiGatewayFanOut`]); background events and webhook deliveries go through SQS
//! ([`servey_aws::SqsQueue`]).

use std::sync::{Arc, OnceLock};

use futures_util::StreamExt;
use futures_util::future::BoxFuture;
use servey_aws::{AwsError, Connections, Posted, Poster, SqsQueue};
use servey_core::backend::{Envelope, FanOut, InFlight, LocalSubscribers, PublishError, Running};
use servey_core::{Backends, Settings};
use servey_schedule::{Channels, RemoteSubscriber, RemoteSubscriptions};
use tokio::sync::mpsc;

use crate::aws_settings::AwsSettings;

/// Posts to this many connections of one event at once.
const POSTS_AT_ONCE: usize = 16;

/// The AWS backends the settings name (none, either or both).
pub(crate) struct AwsBackends {
    fan_out: Option<ApiGatewayFanOut>,
    queue: Option<SqsQueue>,
}

impl AwsBackends {
    /// The backends of `settings`: the SDK is configured only when one is named.
    pub(crate) async fn from_settings(settings: &Settings) -> Self {
        let aws = AwsSettings::from_settings(settings);
        let websockets = aws.connections_table.is_some() && aws.websocket_endpoint.is_some();
        if !websockets && aws.queue_url.is_none() {
            return Self {
                fan_out: None,
                queue: None,
            };
        }
        let config = servey_aws::sdk_config().await;
        let fan_out = match (&aws.connections_table, &aws.websocket_endpoint) {
            (Some(table), Some(endpoint)) => Some(ApiGatewayFanOut::new(
                Connections::new(&config, table),
                Poster::new(&config, endpoint),
            )),
            _ => None,
        };
        tracing::info!(
            websockets = fan_out.is_some(),
            queue = aws.queue_url.is_some(),
            "websocket and background events through AWS"
        );
        Self {
            fan_out,
            queue: aws.queue_url.map(|url| SqsQueue::new(&config, url)),
        }
    }

    /// `backends` with the fan-out and the queue named replaced.
    pub(crate) fn over(&self, mut backends: Backends) -> Backends {
        if let Some(fan_out) = &self.fan_out {
            backends = backends.with_fan_out(fan_out.clone());
        }
        if let Some(queue) = &self.queue {
            backends = backends.with_background_queue(queue.clone());
        }
        backends
    }

    /// Matches published events against the subscriptions of `channels` from now on.
    pub(crate) fn attach(&self, channels: &Channels) {
        if let Some(fan_out) = &self.fan_out {
            let _ = fan_out.shared.remote.set(channels.remote());
        }
    }
}

/// Sends each event to the connections of its channel that see it, through the Management API; a
/// connection API Gateway says is gone is forgotten. Events leave in the order they were published.
#[derive(Clone)]
pub(crate) struct ApiGatewayFanOut {
    shared: Arc<Shared>,
    events: mpsc::UnboundedSender<(Envelope, Running)>,
}

struct Shared {
    connections: Connections,
    poster: Poster,
    remote: OnceLock<RemoteSubscriptions>,
    in_flight: InFlight,
}

impl ApiGatewayFanOut {
    fn new(connections: Connections, poster: Poster) -> Self {
        let shared = Arc::new(Shared {
            connections,
            poster,
            remote: OnceLock::new(),
            in_flight: InFlight::default(),
        });
        let (events, mut waiting) = mpsc::unbounded_channel::<(Envelope, Running)>();
        let sender = shared.clone();
        // One task sends every event, so that a channel's ids and posts follow the publishing order.
        tokio::spawn(async move {
            while let Some((envelope, _running)) = waiting.recv().await {
                let channel = envelope.channel.clone();
                if let Err(error) = sender.send(envelope).await {
                    tracing::error!(%channel, %error, "a websocket event could not be sent through API Gateway");
                }
            }
        });
        Self { shared, events }
    }
}

impl Shared {
    /// Numbers `envelope`, then posts it to every subscriber of its channel that sees it.
    async fn send(&self, mut envelope: Envelope) -> Result<(), AwsError> {
        let Some(remote) = self.remote.get() else {
            return Ok(());
        };
        envelope.id = self.connections.next_event_id(&envelope.channel).await?;
        let subscriptions = self.connections.subscriptions(&envelope.channel).await?;
        let Some(selector) = remote.selector(&envelope) else {
            return Ok(());
        };
        // Owned ids: a closure over borrowed ones makes the spawned future not general enough.
        let seen: Vec<String> = subscriptions
            .iter()
            .filter(|subscription| {
                selector.sees(&RemoteSubscriber {
                    authorization: subscription.connection.authorization.as_ref(),
                    id: &subscription.connection.subscriber_id,
                    params: &subscription.params,
                })
            })
            .map(|subscription| subscription.connection_id.clone())
            .collect();
        let message = selector.message();
        futures_util::stream::iter(seen.into_iter().map(|id| self.post(id, message)))
            .buffer_unordered(POSTS_AT_ONCE)
            .collect::<Vec<()>>()
            .await;
        Ok(())
    }
}

impl Shared {
    /// Posts `message` to connection `id`, forgetting it if it is gone.
    async fn post(&self, id: String, message: &str) {
        match self.poster.post(&id, message).await {
            Ok(Posted::Sent) => {}
            Ok(Posted::Gone) => {
                if let Err(error) = self.connections.disconnect(&id).await {
                    tracing::warn!(connection_id = %id, %error, "a gone connection could not be forgotten");
                }
            }
            Err(error) => {
                tracing::warn!(connection_id = %id, %error, "an event could not be posted to a connection")
            }
        }
    }
}

impl FanOut for ApiGatewayFanOut {
    fn send(&self, envelope: Envelope) -> Result<(), PublishError> {
        // Counted until it has left, so that a flush waits for it.
        let running = self.shared.in_flight.start();
        self.events
            .send((envelope, running))
            .map_err(|_| PublishError::FanOut("the API Gateway fan-out has stopped".to_owned()))
    }

    fn deliver_to(&self, _subscribers: std::sync::Weak<dyn LocalSubscribers>) {
        // Every subscriber is API Gateway's; none is held in this process.
    }

    fn flush(&self) -> BoxFuture<'_, ()> {
        Box::pin(self.shared.in_flight.idle())
    }
}
