//! Websocket events through Redis pub/sub: each instance publishes what its actions send on one
//! channel (`namespace:events`) and delivers what it receives there to its own subscribers, its own
//! events included, so that every subscriber on every instance sees every event. One publishing task
//! per instance keeps the order of its events; Redis keeps it on the way.

use std::sync::{Arc, Weak};

use bytes::Bytes;

use ::redis::aio::{ConnectionManager, PubSub};
use futures_util::StreamExt;
use futures_util::future::BoxFuture;
use tokio::runtime::Handle;
use tokio::sync::{mpsc, oneshot, watch};

use crate::RedisBackend;
use crate::outage::{Backoff, Outage};
use servey_core::backend::{DeliveryTargets, Envelope, FanOut, LocalSubscribers, PublishError};

/// Events waiting to be published (while Redis is away, say) before `publish` refuses more.
const OUTBOX: usize = 16 * 1024;

/// Events published to Redis in one round trip at most.
const BATCH: usize = 256;

/// A pub/sub connection already subscribed to the events channel.
pub(crate) struct Subscription(PubSub);

/// Subscribes to the events channel of `backend`.
pub(crate) async fn subscribe(backend: &RedisBackend) -> ::redis::RedisResult<Subscription> {
    let mut pubsub = backend.client.get_async_pubsub().await?;
    pubsub.subscribe(backend.key("events")).await?;
    Ok(Subscription(pubsub))
}

/// The fan-out through Redis pub/sub of one app on one instance.
#[derive(Debug)]
pub struct RedisFanOut {
    outbox: mpsc::Sender<Envelope>,
    /// This instance's hubs, which the receiving task delivers to.
    targets: Arc<DeliveryTargets>,
    /// Whether this instance's subscription to the events channel is active (what a subscriber's
    /// acknowledgement waits for).
    live: watch::Receiver<bool>,
    /// Dropped with the fan-out (with the app's channels): the receiving task ends.
    _alive: oneshot::Sender<()>,
}

impl RedisFanOut {
    /// Starts publishing through `backend` and delivering what `subscription` receives to the hubs
    /// given to [`FanOut::deliver_to`], on `runtime`.
    pub(crate) fn start(
        backend: &RedisBackend,
        runtime: &Handle,
        subscription: Subscription,
    ) -> Self {
        let targets = Arc::new(DeliveryTargets::default());
        let (outbox, pending) = mpsc::channel(OUTBOX);
        let (alive, dropped) = oneshot::channel();
        let topic = backend.key("events");
        // `subscription` is subscribed already: live from the start.
        let (is_live, live) = watch::channel(true);
        runtime.spawn(publish(backend.connection.clone(), topic.clone(), pending));
        runtime.spawn(receive(
            backend.clone(),
            subscription,
            Arc::downgrade(&targets),
            is_live,
            dropped,
        ));
        Self {
            outbox,
            targets,
            live,
            _alive: alive,
        }
    }
}

impl FanOut for RedisFanOut {
    fn send(&self, envelope: Envelope) -> Result<(), PublishError> {
        self.outbox.try_send(envelope).map_err(|error| {
            PublishError::FanOut(match error {
                mpsc::error::TrySendError::Full(_) => {
                    format!("{OUTBOX} events are waiting for Redis; this one is refused")
                }
                mpsc::error::TrySendError::Closed(_) => "the publisher has stopped".to_owned(),
            })
        })
    }

    fn deliver_to(&self, subscribers: Weak<dyn LocalSubscribers>) {
        self.targets.add(subscribers);
    }

    fn until_live(&self) -> BoxFuture<'static, ()> {
        let mut live = self.live.clone();
        Box::pin(async move {
            // An error means the receiving task ended with the fan-out: nothing will come any more.
            let _ = live.wait_for(|is_live| *is_live).await;
        })
    }
}

/// Publishes the events of `pending` in order, in batches, retrying a batch until Redis takes it.
async fn publish(
    mut connection: ConnectionManager,
    topic: String,
    mut pending: mpsc::Receiver<Envelope>,
) {
    let outage = Outage::new("websocket fan-out (publish)");
    let mut backoff = Backoff::default();
    let mut batch = Vec::with_capacity(BATCH);
    while pending.recv_many(&mut batch, BATCH).await > 0 {
        let mut pipeline = ::redis::pipe();
        for envelope in batch.drain(..) {
            pipeline.publish(&topic, encode(&envelope)).ignore();
        }
        loop {
            match pipeline.query_async::<()>(&mut connection).await {
                Ok(()) => {
                    outage.recovered();
                    backoff.reset();
                    break;
                }
                Err(error) => {
                    outage.failed(&error);
                    backoff.wait().await;
                }
            }
        }
    }
}

/// Delivers every event received to the fan-out's hubs while it exists, subscribing again after a lost
/// connection (events published while it was lost are not replayed: pub/sub keeps nothing).
async fn receive(
    backend: RedisBackend,
    subscription: Subscription,
    targets: Weak<DeliveryTargets>,
    is_live: watch::Sender<bool>,
    mut dropped: oneshot::Receiver<()>,
) {
    let outage = Outage::new("websocket fan-out (subscribe)");
    let mut backoff = Backoff::default();
    let mut subscribed = Some(subscription);
    loop {
        let Subscription(pubsub) = match subscribed.take() {
            Some(subscription) => subscription,
            None => {
                let attempt = tokio::select! {
                    attempt = subscribe(&backend) => attempt,
                    _ = &mut dropped => return,
                };
                match attempt {
                    Ok(subscription) => {
                        outage.recovered();
                        backoff.reset();
                        is_live.send_replace(true);
                        subscription
                    }
                    Err(error) => {
                        outage.failed(&error);
                        tokio::select! {
                            () = backoff.wait() => continue,
                            _ = &mut dropped => return,
                        }
                    }
                }
            }
        };
        let mut messages = pubsub.into_on_message();
        loop {
            let message = tokio::select! {
                message = messages.next() => message,
                _ = &mut dropped => return,
            };
            let Some(message) = message else {
                is_live.send_replace(false);
                outage.failed(&"the subscription's connection closed");
                break;
            };
            let Some(targets) = targets.upgrade() else {
                return;
            };
            match decode(message.get_payload_bytes()) {
                Some(envelope) => {
                    targets.deliver(&envelope);
                }
                None => tracing::warn!(
                    "ignoring a message on the events channel that servey did not publish"
                ),
            }
        }
        tokio::select! {
            () = backoff.wait() => {}
            _ = &mut dropped => return,
        }
    }
}

/// `["channel", "target or null"]`, a newline, then the event's JSON as it was published.
fn encode(envelope: &Envelope) -> Vec<u8> {
    let header = serde_json::to_vec(&(&envelope.channel, &envelope.target))
        .expect("two strings always serialize");
    let mut message = Vec::with_capacity(header.len() + 1 + envelope.payload.len());
    message.extend_from_slice(&header);
    message.push(b'\n');
    message.extend_from_slice(&envelope.payload);
    message
}

fn decode(message: &[u8]) -> Option<Envelope> {
    let split = message.iter().position(|byte| *byte == b'\n')?;
    let (channel, target) =
        serde_json::from_slice::<(String, Option<String>)>(&message[..split]).ok()?;
    let payload = std::str::from_utf8(&message[split + 1..]).ok()?;
    Some(Envelope {
        channel,
        target,
        payload: Bytes::copy_from_slice(payload.as_bytes()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_survive_the_wire() {
        let envelope = Envelope {
            channel: "messenger".to_owned(),
            target: Some("ann\nbob".to_owned()),
            payload: Bytes::from_static(br#"{"text":"a\nb"}"#),
        };
        let decoded = decode(&encode(&envelope)).expect("decodes");
        assert_eq!(decoded.channel, "messenger");
        assert_eq!(decoded.target.as_deref(), Some("ann\nbob"));
        assert_eq!(&decoded.payload[..], br#"{"text":"a\nb"}"#);
        assert!(decode(b"no header").is_none());
    }
}
