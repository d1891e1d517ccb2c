//! The websocket hub of one app: which connection subscribes to which channel, with a bounded buffer
//! each. The app's fan-out (core's [`FanOut`](servey_core::backend::FanOut), in-process or through a
//! broker) hands every event to [`Subscribers::deliver`] on every instance.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock, Weak};

use axum::extract::ws::Utf8Bytes;
use indexmap::IndexMap;
use servey_core::Authorization;
use servey_core::Metrics;
use servey_core::backend::{Envelope, LocalSubscribers};
use servey_core::metrics::ChannelMetrics;
use tokio::sync::watch;

use crate::catalog::Catalog;
use crate::channel::{ChannelKind, DecodedParams, Subscriber};
use crate::connection::{Connection, Events, Framing, Offered};
use crate::ending::Ending;
use crate::protocol::framed;
use crate::subscribed::Subscribed;

/// Events a subscriber may have waiting before it counts as too slow and is dropped.
pub const SUBSCRIBER_BUFFER: usize = 256;

/// Every open connection, subscribed or not, so that shutdown reaches each one's
/// [`EndSignal`](crate::ending::EndSignal).
#[derive(Debug, Default)]
struct Open {
    /// Set once the connections are to close, with why.
    closing: Option<Ending>,
    connections: HashMap<u64, Weak<Connection>>,
}

/// The local subscribers of each channel of one app.
#[derive(Debug)]
pub struct Subscribers {
    catalog: Arc<Catalog>,
    /// Each channel's subscribers by connection key: subscribing, unsubscribing and the duplicate check
    /// cost the same with 10 or 10,000 of them.
    channels: RwLock<HashMap<String, IndexMap<u64, Subscribed>>>,
    next_key: AtomicU64,
    open: Mutex<Open>,
    closing: watch::Sender<bool>,
    /// Each websocket channel's series in the app's metrics, once the routes are built with them.
    metrics: OnceLock<HashMap<&'static str, ChannelMetrics>>,
}

impl Subscribers {
    /// No subscribers yet, for the channels of `catalog` (whose filters decide who sees an event).
    pub(crate) fn new(catalog: Arc<Catalog>) -> Self {
        Self {
            catalog,
            channels: RwLock::default(),
            next_key: AtomicU64::new(0),
            open: Mutex::default(),
            closing: watch::Sender::new(false),
            metrics: OnceLock::new(),
        }
    }

    /// Records subscribers and events in `metrics` from now on (the app's, when its websocket routes
    /// are built); the first app to do so keeps them.
    pub(crate) fn record_in(&self, metrics: &Metrics) {
        self.metrics.get_or_init(|| {
            self.catalog
                .iter()
                .filter(|listed| listed.channel.kind() == ChannelKind::Websocket)
                .map(|listed| {
                    let name = listed.channel.name();
                    (name, metrics.channel(name))
                })
                .collect()
        });
    }

    fn channel_metrics(&self, channel: &str) -> Option<&ChannelMetrics> {
        self.metrics.get()?.get(channel)
    }

    /// Sets the subscriber gauges of every channel of `channels` (called under the write lock, so that
    /// the gauges follow the lists in order).
    fn count_subscribers<'a>(
        &self,
        channels: impl Iterator<Item = (&'a String, &'a IndexMap<u64, Subscribed>)>,
    ) {
        for (name, list) in channels {
            if let Some(metrics) = self.channel_metrics(name) {
                metrics.set_subscribers(list.len());
            }
        }
    }

    /// Closes every connection, now and later, with code 1001 (the server is shutting down).
    pub fn close_all(&self) {
        self.close_all_for(Ending::GoingAway);
    }

    /// Closes every connection, now and later, with code 1012 (the server restarts: reconnect), as
    /// `cargo servey dev` does on every rebuild.
    pub fn restart_all(&self) {
        self.close_all_for(Ending::Restarting);
    }

    fn close_all_for(&self, reason: Ending) {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let reason = *open.closing.get_or_insert(reason);
        for connection in open.connections.values().filter_map(Weak::upgrade) {
            connection.ending.end(reason);
        }
        drop(open);
        self.closing.send_replace(true);
    }

    /// Turns `true` when the connections are to close.
    pub(crate) fn closing(&self) -> watch::Receiver<bool> {
        self.closing.subscribe()
    }

    /// A new connection with its buffer; it subscribes to channels with `subscribe`, and leaves with
    /// `disconnect`.
    pub(crate) fn connect(
        &self,
        subscriber_id: String,
        authorization: Option<Authorization>,
        framing: Framing,
    ) -> (Arc<Connection>, Events) {
        let key = self.next_key.fetch_add(1, Ordering::Relaxed);
        let (connection, events) = Connection::new(
            key,
            subscriber_id,
            authorization,
            framing,
            SUBSCRIBER_BUFFER,
        );
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(reason) = open.closing {
            connection.ending.end(reason);
        } else {
            open.connections
                .insert(connection.key, Arc::downgrade(&connection));
        }
        (connection, events)
    }

    /// Adds `connection` to the subscribers of `channel` with `params` (once: subscribing again
    /// replaces the parameters). With `is_held`, its live events wait for [`release`](Self::release).
    pub(crate) fn subscribe(
        &self,
        channel: &str,
        connection: &Arc<Connection>,
        params: Option<DecodedParams>,
        is_held: bool,
    ) {
        let mut channels = self
            .channels
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        channels.entry(channel.to_owned()).or_default().insert(
            connection.key,
            Subscribed::new(connection.clone(), params, is_held, SUBSCRIBER_BUFFER),
        );
        self.count_subscribers(channels.get_key_value(channel).into_iter());
    }

    /// Lets the held live events of `connection` on `channel` through, those up to `replayed_through`
    /// dropped (see [`Subscribed::release`]); a hold that overflowed ends the connection as too slow.
    pub(crate) fn release(&self, channel: &str, connection: &Connection, replayed_through: u64) {
        let channels = self.channels.read().unwrap_or_else(PoisonError::into_inner);
        let outcome = channels
            .get(channel)
            .and_then(|list| list.get(&connection.key))
            .map(|subscribed| subscribed.release(replayed_through));
        if outcome == Some(Offered::Full) {
            connection.ending.end(Ending::TooSlow);
        }
    }

    /// The parameters `connection` subscribed to `channel` with.
    pub(crate) fn params_of(
        &self,
        channel: &str,
        connection: &Connection,
    ) -> Option<DecodedParams> {
        let channels = self.channels.read().unwrap_or_else(PoisonError::into_inner);
        channels
            .get(channel)
            .and_then(|list| list.get(&connection.key))
            .and_then(|subscribed| subscribed.params.clone())
    }

    /// Removes `connection` from the subscribers of `channel`.
    pub(crate) fn unsubscribe(&self, channel: &str, connection: &Connection) {
        let mut channels = self
            .channels
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(list) = channels.get_mut(channel) {
            list.swap_remove(&connection.key);
        }
        self.count_subscribers(channels.get_key_value(channel).into_iter());
    }

    /// Removes `connection` from every channel.
    pub(crate) fn disconnect(&self, connection: &Connection) {
        self.open
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .connections
            .remove(&connection.key);
        self.remove_keys(&[connection.key]);
    }

    fn remove_keys(&self, keys: &[u64]) {
        let mut channels = self
            .channels
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        for list in channels.values_mut() {
            for key in keys {
                list.swap_remove(key);
            }
        }
        self.count_subscribers(channels.iter());
    }

    /// How many local connections subscribe to `channel`.
    pub fn count(&self, channel: &str) -> usize {
        let channels = self.channels.read().unwrap_or_else(PoisonError::into_inner);
        channels.get(channel).map_or(0, IndexMap::len)
    }

    /// Hands `envelope` to every matching local subscriber without waiting: one whose buffer is full is
    /// dropped (its connection closes with code 1013) so that it never stalls the others.
    pub fn deliver(&self, envelope: &Envelope) -> usize {
        // Checked once per event; every subscriber's queue then shares these bytes.
        let Ok(payload) = Utf8Bytes::try_from(envelope.payload.clone()) else {
            tracing::warn!(channel = %envelope.channel, "dropping an event that is not UTF-8 text");
            return 0;
        };
        let filter = self
            .catalog
            .get(&envelope.channel)
            .and_then(|listed| listed.channel.subscriber_filter(payload.as_str()));
        let mut delivered = 0;
        let mut dropped = Vec::new();
        // Built once per event, for the first connection that wants it.
        let mut enveloped = None;
        {
            let channels = self.channels.read().unwrap_or_else(PoisonError::into_inner);
            let Some(list) = channels.get(&envelope.channel) else {
                return 0;
            };
            for subscribed in list.values() {
                let connection = &subscribed.connection;
                if envelope
                    .target
                    .as_deref()
                    .is_some_and(|target| target != connection.subscriber_id)
                {
                    continue;
                }
                if let Some(filter) = &filter
                    && !filter(&Subscriber {
                        authorization: connection.authorization.as_ref(),
                        id: &connection.subscriber_id,
                        params: subscribed.params.as_deref(),
                    })
                {
                    continue;
                }
                let text = match connection.framing {
                    Framing::Bare => payload.clone(),
                    Framing::Enveloped => enveloped
                        .get_or_insert_with(|| {
                            framed(&envelope.channel, envelope.id, payload.as_str())
                        })
                        .clone(),
                };
                match subscribed.offer(envelope.id, text) {
                    Offered::Queued => delivered += 1,
                    Offered::Full => {
                        tracing::warn!(
                            channel = %envelope.channel,
                            subscriber_id = %connection.subscriber_id,
                            "dropping a websocket subscriber: {SUBSCRIBER_BUFFER} events are waiting for it"
                        );
                        connection.ending.end(Ending::TooSlow);
                        dropped.push(connection.key);
                    }
                    Offered::Closed => dropped.push(connection.key),
                }
            }
        }
        if let Some(metrics) = self.channel_metrics(&envelope.channel) {
            metrics.record_delivered(delivered);
            metrics.record_dropped(dropped.len());
        }
        if !dropped.is_empty() {
            self.remove_keys(&dropped);
        }
        delivered
    }
}

impl LocalSubscribers for Subscribers {
    fn deliver(&self, envelope: &Envelope) -> usize {
        Subscribers::deliver(self, envelope)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    /// The address of the text a queue holds: equal addresses are one shared buffer, not copies.
    fn address(text: &[u8]) -> usize {
        text.as_ptr() as usize
    }

    #[test]
    fn one_event_is_one_buffer_shared_by_every_subscriber_queue() {
        let catalog = Catalog::new(Vec::new()).expect("no channels, no duplicates");
        let subscribers = Subscribers::new(Arc::new(catalog));
        let mut queues = Vec::new();
        for index in 0..1_000 {
            let framing = if index % 2 == 0 {
                Framing::Bare
            } else {
                Framing::Enveloped
            };
            let (connection, queue) = subscribers.connect(format!("sub-{index}"), None, framing);
            subscribers.subscribe("news", &connection, None, false);
            queues.push((framing, connection, queue));
        }
        let envelope = Envelope {
            id: 7,
            ..Envelope::new(
                "news",
                None,
                bytes::Bytes::from(r#"{"text":"hi"}"#.to_owned()),
            )
        };

        assert_eq!(subscribers.deliver(&envelope), 1_000);

        let (mut bare, mut enveloped) = (HashSet::new(), HashSet::new());
        for (framing, _connection, mut queue) in queues {
            let (_, text) = queue.try_recv().expect("the event waits in every queue");
            match framing {
                Framing::Bare => {
                    assert_eq!(text.as_str(), r#"{"text":"hi"}"#);
                    bare.insert(address(text.as_bytes()));
                }
                Framing::Enveloped => {
                    assert_eq!(
                        text.as_str(),
                        r#"{"type":"Event","channel":"news","id":7,"payload":{"text":"hi"}}"#
                    );
                    enveloped.insert(address(text.as_bytes()));
                }
            }
        }
        // The published bytes themselves, and one envelope built for all the enveloped connections.
        assert_eq!(bare, HashSet::from([address(&envelope.payload)]));
        assert_eq!(enveloped.len(), 1);
    }

    #[test]
    fn subscribing_twice_delivers_once_and_unsubscribing_leaves_the_others() {
        let catalog = Catalog::new(Vec::new()).expect("no channels, no duplicates");
        let subscribers = Subscribers::new(Arc::new(catalog));
        let (ann, mut ann_events) = subscribers.connect("ann".to_owned(), None, Framing::Bare);
        let (bob, mut bob_events) = subscribers.connect("bob".to_owned(), None, Framing::Bare);
        subscribers.subscribe("news", &ann, None, false);
        subscribers.subscribe("news", &bob, None, false);
        subscribers.subscribe("news", &ann, None, false);
        assert_eq!(subscribers.count("news"), 2);
        let envelope = Envelope::new("news", None, bytes::Bytes::from_static(b"1"));

        assert_eq!(subscribers.deliver(&envelope), 2);
        subscribers.unsubscribe("news", &ann);
        assert_eq!(subscribers.deliver(&envelope), 1);

        assert_eq!(
            ann_events.try_recv().map(|(_, text)| text.to_string()),
            Some("1".to_owned())
        );
        assert_eq!(
            ann_events.try_recv(),
            None,
            "one event: subscribed once, then not"
        );
        assert_eq!(
            bob_events.try_recv().map(|(_, text)| text.to_string()),
            Some("1".to_owned())
        );
        assert_eq!(
            bob_events.try_recv().map(|(_, text)| text.to_string()),
            Some("1".to_owned())
        );
        subscribers.disconnect(&bob);
        assert_eq!(subscribers.count("news"), 0);
    }
}
