//! Websocket events through Redis pub/sub: each instance publishes what its actions send on one
//! channel (`namespace:events`) and delivers what it receives there to its own subscribers, its own
//! events included, so that every subscriber on every instance sees every event. One publishing task
//! per instance keeps the order of its events; Redis keeps it on the way.
//!
//! Each event is published by one script that numbers it (`INCR namespace:events:seq:<channel>`),
//! keeps it in the channel's stream (`XADD namespace:events:log:<channel> MAXLEN ~ N`, the id as the
//! stream id) and publishes it, all at once: every instance sees each channel's ids in order, and a
//! subscriber resuming after an id reads the stream ([`FanOut::replay`]).

use std::collections::HashMap;
use std::sync::{Arc, Weak};

use bytes::Bytes;

use ::redis::aio::PubSub;
use futures_util::StreamExt;
use futures_util::future::BoxFuture;
use tokio::runtime::Handle;
use tokio::sync::{mpsc, oneshot, watch};

use crate::RedisBackend;
use crate::outage::{Backoff, Outage};
use catch_up::{catch_up, is_new};

mod catch_up;
use servey_core::backend::{
    DeliveryTargets, Envelope, FanOut, LocalSubscribers, PublishError, Replay,
};

/// Events waiting to be published (while Redis is away, say) before `publish` refuses more.
const OUTBOX: usize = 16 * 1024;

/// Events published to Redis in one round trip at most.
const BATCH: usize = 256;

/// Numbers an event of a channel, keeps it in the channel's stream and publishes it, at once. KEYS: the
/// channel's sequence, its stream, the events topic; ARGV: how many events the stream keeps (about),
/// the encoded event. The message gets its id in front: `<id> <header>\n<payload>`.
const PUBLISH_SCRIPT: &str = r"
local id = redis.call('INCR', KEYS[1])
local message = id .. ' ' .. ARGV[2]
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[1], id .. '-0', 'm', message)
redis.call('PUBLISH', KEYS[3], message)
return id
";

/// One entry of a channel's stream as `XRANGE` answers it: its stream id, then its fields and values
/// (`m`, the published message).
type StreamEntry = (String, Vec<Vec<u8>>);

/// A pub/sub connection already subscribed to the events channel.
pub(crate) struct Subscription(PubSub);

/// Subscribes to the events channel of `backend`.
pub(crate) async fn subscribe(backend: &RedisBackend) -> ::redis::RedisResult<Subscription> {
    let mut pubsub = backend.target.pubsub().await?;
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
    /// Reads the channels' streams for subscribers that resume.
    backend: RedisBackend,
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
        runtime.spawn(publish(backend.clone(), topic.clone(), pending));
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
            backend: backend.clone(),
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

    fn replay(
        &self,
        channel: &str,
        since: u64,
    ) -> BoxFuture<'static, Result<Replay, PublishError>> {
        let mut connection = self.backend.connection.clone();
        let (log, seq) = (
            self.backend.key(&format!("events:log:{channel}")),
            self.backend.key(&format!("events:seq:{channel}")),
        );
        let timeout = self.backend.call_timeout;
        Box::pin(async move {
            // The event at `since` too, when kept: it shows that nothing after it was lost.
            let mut read = ::redis::pipe();
            read.atomic()
                .cmd("XRANGE")
                .arg(&log)
                .arg(format!("{since}-0"))
                .arg("+")
                .cmd("GET")
                .arg(&seq);
            let (entries, last_id): (Vec<StreamEntry>, Option<u64>) =
                crate::within(timeout, read.query_async(&mut connection))
                    .await
                    .map_err(PublishError::FanOut)?;
            let events = entries
                .iter()
                .filter_map(|(_, fields)| decode(fields.get(1)?))
                .collect();
            Ok(Replay::of(since, events, last_id.unwrap_or(0)))
        })
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
async fn publish(backend: RedisBackend, topic: String, mut pending: mpsc::Receiver<Envelope>) {
    let mut connection: crate::Connection = backend.connection.clone();
    let outage = Outage::new("websocket fan-out (publish)");
    let mut backoff = Backoff::default();
    let mut batch = Vec::with_capacity(BATCH);
    while pending.recv_many(&mut batch, BATCH).await > 0 {
        // The events of the batch not yet taken: a refused one (a node that is not the master yet,
        // one still loading) is sent again with the ones after it, never those before it.
        let mut first = 0;
        while first < batch.len() {
            let mut pipeline = ::redis::pipe();
            // Each event's own answer: which of them Redis took.
            pipeline.ignore_errors();
            for envelope in &batch[first..] {
                pipeline
                    .cmd("EVAL")
                    .arg(PUBLISH_SCRIPT)
                    .arg(3)
                    .arg(backend.key(&format!("events:seq:{}", envelope.channel)))
                    .arg(backend.key(&format!("events:log:{}", envelope.channel)))
                    .arg(&topic)
                    .arg(backend.history)
                    .arg(encode(envelope));
            }
            let answers = pipeline
                .query_async::<Vec<::redis::RedisResult<u64>>>(&mut connection)
                .await;
            let sent = batch.len() - first;
            let error = match answers {
                Ok(answers) if answers.len() != sent => {
                    format!("{} answers to {sent} events", answers.len())
                }
                Ok(answers) => match answers.iter().position(Result::is_err) {
                    None => {
                        first = batch.len();
                        outage.recovered();
                        backoff.reset();
                        continue;
                    }
                    Some(refused) => {
                        first += refused;
                        match &answers[refused] {
                            Err(error) => error.to_string(),
                            Ok(_) => String::new(),
                        }
                    }
                },
                Err(error) => error.to_string(),
            };
            outage.failed(&error);
            backoff.wait().await;
        }
        batch.clear();
    }
}

/// Delivers every event received to the fan-out's hubs while it exists, subscribing again after a lost
/// connection. Pub/sub keeps nothing for a subscriber that is away, so after a lost connection each
/// channel this instance has delivered from is caught up from its stream first (what was published
/// meanwhile, in order, as far as the stream still keeps it), and an event already delivered is never
/// delivered again.
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
    // The id of the last event delivered here, per channel.
    let mut delivered: HashMap<String, u64> = HashMap::new();
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
                        // Subscribed first, then caught up: what is published meanwhile waits on the
                        // new subscription, and the ids drop what the catch-up delivered already.
                        if let Err(error) = catch_up(&backend, &mut delivered, &targets).await {
                            outage.failed(&error);
                            tokio::select! {
                                () = backoff.wait() => continue,
                                _ = &mut dropped => return,
                            }
                        }
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
                    if is_new(&mut delivered, &envelope) {
                        targets.deliver(&envelope);
                    }
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

/// `["channel", "target or null"]`, a newline, then the event's JSON as it was published (the publish
/// script puts the id and a space in front).
fn encode(envelope: &Envelope) -> Vec<u8> {
    let header = serde_json::to_vec(&(&envelope.channel, &envelope.target))
        .expect("two strings always serialize");
    let mut message = Vec::with_capacity(header.len() + 1 + envelope.payload.len());
    message.extend_from_slice(&header);
    message.push(b'\n');
    message.extend_from_slice(&envelope.payload);
    message
}

/// An event as published by the script: `<id> ["channel", "target or null"]\n<payload>`.
fn decode(message: &[u8]) -> Option<Envelope> {
    let space = message.iter().position(|byte| *byte == b' ')?;
    let id = std::str::from_utf8(&message[..space]).ok()?.parse().ok()?;
    let message = &message[space + 1..];
    let split = message.iter().position(|byte| *byte == b'\n')?;
    let (channel, target) =
        serde_json::from_slice::<(String, Option<String>)>(&message[..split]).ok()?;
    let payload = std::str::from_utf8(&message[split + 1..]).ok()?;
    Some(Envelope {
        channel,
        target,
        payload: Bytes::copy_from_slice(payload.as_bytes()),
        id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_survive_the_wire() {
        let envelope = Envelope::new(
            "messenger",
            Some("ann\nbob".to_owned()),
            Bytes::from_static(br#"{"text":"a\nb"}"#),
        );
        // What the publish script sends: the id it gave, a space, the encoded event.
        let mut published = b"42 ".to_vec();
        published.extend(encode(&envelope));
        let decoded = decode(&published).expect("decodes");
        assert_eq!((decoded.channel.as_str(), decoded.id), ("messenger", 42));
        assert_eq!(decoded.target.as_deref(), Some("ann\nbob"));
        assert_eq!(&decoded.payload[..], br#"{"text":"a\nb"}"#);
        assert!(decode(b"no header").is_none());
    }
}
