//! Each websocket channel's recent events, so that a subscriber who reconnects resumes from the last
//! event id it saw: [`Replay`] is what a fan-out answers for "every event after id N", and [`History`]
//! is the in-process ring buffer that numbers and keeps them ([`InProcess`](super::InProcess)'s; a
//! broker-backed fan-out keeps its own, in the broker).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

use super::Envelope;

/// How many recent events each channel keeps for subscribers that resume, unless told otherwise.
pub const DEFAULT_HISTORY: usize = 1000;

/// The events of one channel after a given id, as kept when asked.
#[derive(Debug, Clone, Default)]
pub struct Replay {
    /// The kept events after the id, in id order.
    pub events: Vec<Envelope>,
    /// The channel's latest event id when asked (0: none yet).
    pub last_id: u64,
    /// Whether events after the id are missing: the history no longer keeps them (or the id is newer
    /// than any event, so the ids started again, as after a restart without a broker).
    pub is_lost: bool,
}

impl Replay {
    /// The replay of `since` over the kept `events` (ascending ids, the oldest first) of a channel whose
    /// latest id is `last_id`.
    pub fn of(since: u64, events: Vec<Envelope>, last_id: u64) -> Self {
        let first_kept = events.first().map_or(last_id + 1, |event| event.id);
        let is_lost = since > last_id || (since < last_id && first_kept > since + 1);
        Self {
            events: events
                .into_iter()
                .filter(|event| event.id > since)
                .collect(),
            last_id,
            is_lost,
        }
    }

    /// The oldest id the replay holds (what a client that lost events restarts from), if any.
    pub fn first_id(&self) -> Option<u64> {
        self.events.first().map(|event| event.id)
    }
}

/// One channel's ids and kept events.
#[derive(Debug, Default)]
struct Ring {
    last_id: u64,
    kept: VecDeque<Envelope>,
}

/// The recent events of every channel of one app in this process, each channel numbered from 1.
#[derive(Debug)]
pub struct History {
    capacity: usize,
    channels: Mutex<HashMap<String, Arc<Mutex<Ring>>>>,
}

impl History {
    /// Keeps the last `capacity` events of each channel.
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            channels: Mutex::default(),
        }
    }

    fn ring(&self, channel: &str) -> Arc<Mutex<Ring>> {
        let mut channels = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        channels.entry(channel.to_owned()).or_default().clone()
    }

    /// Numbers `envelope` (the next id of its channel), keeps it, and runs `deliver` with it before the
    /// next event of the channel is numbered, so that subscribers see each channel's ids in order.
    pub fn record<T>(&self, mut envelope: Envelope, deliver: impl FnOnce(&Envelope) -> T) -> T {
        let ring = self.ring(&envelope.channel);
        let mut ring = ring.lock().unwrap_or_else(PoisonError::into_inner);
        ring.last_id += 1;
        envelope.id = ring.last_id;
        if self.capacity > 0 {
            if ring.kept.len() == self.capacity {
                ring.kept.pop_front();
            }
            ring.kept.push_back(envelope.clone());
        }
        deliver(&envelope)
    }

    /// The kept events of `channel` after `since`.
    pub fn replay(&self, channel: &str, since: u64) -> Replay {
        let ring = self.ring(channel);
        let ring = ring.lock().unwrap_or_else(PoisonError::into_inner);
        // Kept events are in id order: the ones after `since` are a tail.
        let start = ring.kept.partition_point(|event| event.id <= since);
        let mut events: Vec<Envelope> = ring.kept.range(start..).cloned().collect();
        if start == 0 {
            // Nothing before `since` is kept: the oldest kept tells whether some were lost.
            return Replay::of(since, events, ring.last_id);
        }
        // The event just at or before `since` is kept: nothing after it was lost.
        events.insert(0, ring.kept[start - 1].clone());
        Replay::of(since, events, ring.last_id)
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;

    fn envelope(text: &'static str) -> Envelope {
        Envelope {
            channel: "bids".to_owned(),
            target: None,
            payload: Bytes::from_static(text.as_bytes()),
            id: 0,
        }
    }

    fn ids(replay: &Replay) -> Vec<u64> {
        replay.events.iter().map(|event| event.id).collect()
    }

    #[test]
    fn ids_count_per_channel_and_the_ring_keeps_the_last_ones() {
        let history = History::new(3);
        for text in ["1", "2", "3", "4", "5"] {
            history.record(envelope(text), |_| ());
        }
        let other = history.record(
            Envelope {
                channel: "news".to_owned(),
                ..envelope("x")
            },
            |event| event.id,
        );
        assert_eq!(other, 1, "each channel counts from 1");

        let replay = history.replay("bids", 3);
        assert_eq!(
            (ids(&replay), replay.last_id, replay.is_lost),
            (vec![4, 5], 5, false)
        );
        let replay = history.replay("bids", 2);
        assert_eq!((ids(&replay), replay.is_lost), (vec![3, 4, 5], false));
        let replay = history.replay("bids", 1);
        assert_eq!(
            (ids(&replay), replay.is_lost),
            (vec![3, 4, 5], true),
            "2 is gone"
        );
        let replay = history.replay("bids", 5);
        assert_eq!((ids(&replay), replay.is_lost), (vec![], false));
        let replay = history.replay("bids", 9);
        assert!(replay.is_lost, "an id from before a restart");
        let replay = history.replay("quiet", 0);
        assert_eq!(
            (ids(&replay), replay.last_id, replay.is_lost),
            (vec![], 0, false)
        );
    }
}
