//! One connection's subscription to one channel in the hub: its parameters, and the join between the
//! events it replays and the live ones. A subscription starts *held*: live events wait beside it (at
//! most a buffer's worth) while it is acknowledged and its replay is written, then
//! [`Subscribed::release`] queues those newer than the last replayed, in order, and lets the next ones
//! through; a live event not newer than that is dropped from then on too, since a broker may deliver an
//! event after the replay that already held it.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use crate::channel::DecodedParams;
use crate::connection::{Connection, Offered, Queued};

/// One connection's subscription to one channel.
#[derive(Debug)]
pub(crate) struct Subscribed {
    pub(crate) connection: Arc<Connection>,
    pub(crate) params: Option<DecodedParams>,
    /// Whether live events are held (checked without the lock on every delivery).
    is_held: AtomicBool,
    /// The live events held so far; `None` once released.
    held: Mutex<Option<Vec<Queued>>>,
    /// Live events with an id up to this one were replayed already (0: none).
    replayed_through: AtomicU64,
    /// How many live events may be held.
    capacity: usize,
}

impl Subscribed {
    /// A subscription of `connection` with `params`; with `is_held`, live events wait for
    /// [`release`](Self::release).
    pub(crate) fn new(
        connection: Arc<Connection>,
        params: Option<DecodedParams>,
        is_held: bool,
        capacity: usize,
    ) -> Self {
        Self {
            connection,
            params,
            is_held: AtomicBool::new(is_held),
            held: Mutex::new(is_held.then(Vec::new)),
            replayed_through: AtomicU64::new(0),
            capacity,
        }
    }

    /// Hands one live event (`id`, its text for this connection) on: held, queued, or dropped when it
    /// was replayed already.
    pub(crate) fn offer(&self, id: u64, text: axum::extract::ws::Utf8Bytes) -> Offered {
        let replayed_through = self.replayed_through.load(Ordering::Acquire);
        if id != 0 && id <= replayed_through {
            return Offered::Queued;
        }
        if self.is_held.load(Ordering::Acquire) {
            let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(held) = held.as_mut() {
                if held.len() >= self.capacity {
                    return Offered::Full;
                }
                held.push((id, text));
                return Offered::Queued;
            }
        }
        self.connection.offer((id, text))
    }

    /// Queues the held events newer than `replayed_through`, in order, and lets live events through from
    /// now on (dropping any not newer than it).
    pub(crate) fn release(&self, replayed_through: u64) -> Offered {
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        self.replayed_through
            .store(replayed_through, Ordering::Release);
        let mut outcome = Offered::Queued;
        for event in held.take().unwrap_or_default() {
            if event.0 != 0 && event.0 <= replayed_through {
                continue;
            }
            outcome = self.connection.offer(event);
            if outcome != Offered::Queued {
                break;
            }
        }
        self.is_held.store(false, Ordering::Release);
        outcome
    }
}

#[cfg(test)]
mod tests {
    use axum::extract::ws::Utf8Bytes;

    use super::*;
    use crate::connection::Framing;

    #[tokio::test]
    async fn held_events_follow_the_replay_without_duplicates_or_gaps() {
        let (connection, mut events) = Connection::new(0, "ann".to_owned(), None, Framing::Bare, 8);
        let subscribed = Subscribed::new(connection, None, true, 4);
        for id in [5, 6, 7] {
            assert_eq!(
                subscribed.offer(id, Utf8Bytes::from(id.to_string())),
                Offered::Queued
            );
        }
        assert!(events.try_recv().is_none(), "held until released");

        // The replay went through 6: 5 and 6 are not sent again, 7 follows, then the live ones.
        assert_eq!(subscribed.release(6), Offered::Queued);
        assert_eq!(
            subscribed.offer(6, Utf8Bytes::from_static("late 6")),
            Offered::Queued
        );
        assert_eq!(
            subscribed.offer(8, Utf8Bytes::from_static("8")),
            Offered::Queued
        );
        let mut taken = Vec::new();
        events.recv_many(&mut taken, 8).await;
        let ids: Vec<u64> = taken.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, [7, 8]);
    }

    #[test]
    fn a_hold_overflowing_its_buffer_is_full() {
        let (connection, _events) = Connection::new(0, "ann".to_owned(), None, Framing::Bare, 8);
        let subscribed = Subscribed::new(connection, None, true, 1);
        assert_eq!(
            subscribed.offer(1, Utf8Bytes::from_static("1")),
            Offered::Queued
        );
        assert_eq!(
            subscribed.offer(2, Utf8Bytes::from_static("2")),
            Offered::Full
        );
    }
}
