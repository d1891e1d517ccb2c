//! The websocket fan-out: how a published event reaches the subscribers of every instance of an app.
//! In-process by default ([`InProcess`]); a broker-backed one publishes and, on every instance, hands
//! what it receives to that instance's [`LocalSubscribers`]. The fan-out numbers each channel's events
//! and keeps the recent ones, so that a subscriber resumes after a reconnect ([`FanOut::replay`]).

use std::sync::{Arc, PoisonError, RwLock, Weak};

use bytes::Bytes;
use futures_util::future::BoxFuture;

use super::PublishError;
use super::history::{DEFAULT_HISTORY, History, Replay};

/// One published event on its way to subscribers.
#[derive(Debug, Clone)]
pub struct Envelope {
    /// The channel's name.
    pub channel: String,
    /// Only the subscribers with this id, or all when `None`.
    pub target: Option<String>,
    /// The event as JSON text (UTF-8), shared by every subscriber.
    pub payload: Bytes,
    /// The event's id, increasing by one per event of its channel; 0 until the fan-out numbers it.
    pub id: u64,
}

impl Envelope {
    /// An event of `channel` for every subscriber (or only those with id `target`), not yet numbered.
    pub fn new(
        channel: impl Into<String>,
        target: Option<String>,
        payload: impl Into<Bytes>,
    ) -> Self {
        Self {
            channel: channel.into(),
            target,
            payload: payload.into(),
            id: 0,
        }
    }
}

/// This process's subscribers of one app's channels (the websocket hub): what a fan-out delivers to.
pub trait LocalSubscribers: Send + Sync + 'static {
    /// Hands `envelope` to every matching local subscriber without waiting; returns how many took it.
    fn deliver(&self, envelope: &Envelope) -> usize;
}

/// Carries events to the subscribers of every instance. The in-process one delivers to this process's
/// [`LocalSubscribers`]; a scale-out backend publishes to a broker and delivers where it receives.
pub trait FanOut: Send + Sync + 'static {
    /// Sends `envelope` on its way.
    fn send(&self, envelope: Envelope) -> Result<(), PublishError>;

    /// Delivers the events this fan-out carries to `subscribers` (an app's hub, when its channels are
    /// built) from now on, while they exist.
    fn deliver_to(&self, subscribers: Weak<dyn LocalSubscribers>);

    /// Resolves once every event sent from now on, on any instance, reaches this instance's
    /// subscribers: at once in process; a broker's fan-out waits while its subscription is down. A
    /// subscriber is told it is subscribed only after this.
    fn until_live(&self) -> BoxFuture<'static, ()> {
        Box::pin(std::future::ready(()))
    }

    /// Resolves once every event sent so far has left this instance (a fan-out that sends in the
    /// background); at once by default.
    fn flush(&self) -> BoxFuture<'_, ()> {
        Box::pin(std::future::ready(()))
    }

    /// The kept events of `channel` after the id `since`, for a subscriber that resumes. The default
    /// keeps nothing: every resume is told that events were lost.
    fn replay(
        &self,
        channel: &str,
        since: u64,
    ) -> BoxFuture<'static, Result<Replay, PublishError>> {
        let _ = channel;
        Box::pin(std::future::ready(Ok(Replay {
            events: Vec::new(),
            last_id: 0,
            is_lost: since > 0,
        })))
    }
}

/// The local subscribers a fan-out delivers to: a list of weak handles, pruned as hubs go away.
#[derive(Default)]
pub struct DeliveryTargets {
    targets: RwLock<Vec<Weak<dyn LocalSubscribers>>>,
}

impl std::fmt::Debug for DeliveryTargets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count = self
            .targets
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        f.debug_struct("DeliveryTargets")
            .field("targets", &count)
            .finish()
    }
}

impl DeliveryTargets {
    /// Delivers to `subscribers` too from now on.
    pub fn add(&self, subscribers: Weak<dyn LocalSubscribers>) {
        let mut targets = self.targets.write().unwrap_or_else(PoisonError::into_inner);
        targets.retain(|target| target.strong_count() > 0);
        targets.push(subscribers);
    }

    /// Hands `envelope` to every target still alive; returns how many subscribers took it.
    pub fn deliver(&self, envelope: &Envelope) -> usize {
        let targets = self.targets.read().unwrap_or_else(PoisonError::into_inner);
        targets
            .iter()
            .filter_map(Weak::upgrade)
            .map(|subscribers: Arc<dyn LocalSubscribers>| subscribers.deliver(envelope))
            .sum()
    }
}

/// Delivers straight to this process's subscribers of the app, numbering each channel's events and
/// keeping the last [`DEFAULT_HISTORY`] of each (see [`InProcess::with_history`]).
#[derive(Debug)]
pub struct InProcess {
    targets: DeliveryTargets,
    history: History,
}

impl Default for InProcess {
    fn default() -> Self {
        Self::with_history(DEFAULT_HISTORY)
    }
}

impl InProcess {
    /// Keeps the last `events` of each channel for subscribers that resume (0: none).
    pub fn with_history(events: usize) -> Self {
        Self {
            targets: DeliveryTargets::default(),
            history: History::new(events),
        }
    }
}

impl FanOut for InProcess {
    fn send(&self, envelope: Envelope) -> Result<(), PublishError> {
        self.history
            .record(envelope, |numbered| self.targets.deliver(numbered));
        Ok(())
    }

    fn deliver_to(&self, subscribers: Weak<dyn LocalSubscribers>) {
        self.targets.add(subscribers);
    }

    fn replay(
        &self,
        channel: &str,
        since: u64,
    ) -> BoxFuture<'static, Result<Replay, PublishError>> {
        Box::pin(std::future::ready(Ok(self.history.replay(channel, since))))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[derive(Default)]
    struct Counting(AtomicUsize);

    impl LocalSubscribers for Counting {
        fn deliver(&self, _envelope: &Envelope) -> usize {
            self.0.fetch_add(1, Ordering::Relaxed);
            1
        }
    }

    #[test]
    fn in_process_delivers_to_every_live_hub_and_forgets_dropped_ones() {
        let fan_out = InProcess::default();
        let (kept, dropped) = (Arc::new(Counting::default()), Arc::new(Counting::default()));
        let kept_dyn: Arc<dyn LocalSubscribers> = kept.clone();
        let dropped_dyn: Arc<dyn LocalSubscribers> = dropped.clone();
        fan_out.deliver_to(Arc::downgrade(&kept_dyn));
        fan_out.deliver_to(Arc::downgrade(&dropped_dyn));
        drop((dropped, dropped_dyn));
        let envelope = Envelope::new("news", None, Bytes::from_static(b"{}"));
        fan_out
            .send(envelope.clone())
            .expect("in-process never refuses");
        assert_eq!(fan_out.targets.deliver(&envelope), 1);
        assert_eq!(kept.0.load(Ordering::Relaxed), 2);
    }
}
