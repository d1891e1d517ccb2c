//! One hub connection: who subscribes (id, grant, framing), its bounded buffer of events, and the signal
//! that ends it. The buffer is an unbounded queue with its own count of waiting events: a bounded tokio
//! channel takes a lock on every receive to hand the slot back, which a broadcast to many subscribers
//! paid once per subscriber; the count costs an atomic on each side.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::extract::ws::Utf8Bytes;
use servey_core::Authorization;
use tokio::sync::mpsc;

use crate::ending::EndSignal;

/// How a connection's events are written: the bare event, or in an envelope naming its channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    /// The event's JSON as published (one channel per connection: `/subscription/{channel}/{id}`).
    Bare,
    /// `{"type": "Event", "channel": "<name>", "id": <id>, "payload": <event>}` (the shared
    /// `/subscription`, and the path form resuming with `?since=`).
    Enveloped,
}

/// An event waiting in a connection's buffer: its id (0 for protocol messages and unnumbered events)
/// and its text as the connection writes it.
pub(crate) type Queued = (u64, Utf8Bytes);

/// One websocket connection as the hub sees it: its id, its grant and its bounded buffer.
#[derive(Debug)]
pub(crate) struct Connection {
    pub(crate) key: u64,
    pub(crate) subscriber_id: String,
    pub(crate) authorization: Option<Authorization>,
    pub(crate) framing: Framing,
    sender: mpsc::UnboundedSender<Queued>,
    /// Events queued and not yet taken by the connection's task.
    waiting: AtomicUsize,
    capacity: usize,
    /// Set when the buffer overflowed or the server shuts down: the connection closes itself.
    pub(crate) ending: EndSignal,
}

/// What became of an event offered to a connection.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Offered {
    /// Queued for the connection's task.
    Queued,
    /// Its buffer is full: the subscriber reads too slowly.
    Full,
    /// The connection's task is gone.
    Closed,
}

impl Connection {
    /// A connection whose buffer holds `capacity` events, and the queue its task reads them from.
    pub(crate) fn new(
        key: u64,
        subscriber_id: String,
        authorization: Option<Authorization>,
        framing: Framing,
        capacity: usize,
    ) -> (Arc<Self>, Events) {
        let (sender, receiver) = mpsc::unbounded_channel();
        let connection = Arc::new(Self {
            key,
            subscriber_id,
            authorization,
            framing,
            sender,
            waiting: AtomicUsize::new(0),
            capacity,
            ending: EndSignal::default(),
        });
        let events = Events {
            receiver,
            connection: connection.clone(),
        };
        (connection, events)
    }

    /// Queues `event` without waiting, unless the buffer is full or the task gone.
    pub(crate) fn offer(&self, event: Queued) -> Offered {
        // An increment that finds the buffer full is undone and queues nothing, so at most `capacity`
        // events wait however many deliveries race; the count only overshoots for that instant.
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= self.capacity {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            return Offered::Full;
        }
        match self.sender.send(event) {
            Ok(()) => Offered::Queued,
            Err(_) => Offered::Closed,
        }
    }
}

/// The receiving end of a connection's buffer, read by the task that serves the connection.
#[derive(Debug)]
pub(crate) struct Events {
    receiver: mpsc::UnboundedReceiver<Queued>,
    connection: Arc<Connection>,
}

impl Events {
    /// Waits for events and moves up to `limit` of them into `into`; returns how many.
    pub(crate) async fn recv_many(&mut self, into: &mut Vec<Queued>, limit: usize) -> usize {
        let taken = self.receiver.recv_many(into, limit).await;
        self.connection.waiting.fetch_sub(taken, Ordering::AcqRel);
        taken
    }

    /// Waits for the next event.
    pub(crate) async fn recv(&mut self) -> Option<Queued> {
        let event = self.receiver.recv().await?;
        self.connection.waiting.fetch_sub(1, Ordering::AcqRel);
        Some(event)
    }

    /// The next event if one is queued.
    #[cfg(test)]
    pub(crate) fn try_recv(&mut self) -> Option<Queued> {
        let event = self.receiver.try_recv().ok()?;
        self.connection.waiting.fetch_sub(1, Ordering::AcqRel);
        Some(event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(text: &'static str) -> Queued {
        (0, Utf8Bytes::from_static(text))
    }

    #[tokio::test]
    async fn a_full_buffer_refuses_until_its_task_takes_events() {
        let (connection, mut events) = Connection::new(0, "sub".to_owned(), None, Framing::Bare, 2);
        assert_eq!(connection.offer(event("1")), Offered::Queued);
        assert_eq!(connection.offer(event("2")), Offered::Queued);
        assert_eq!(connection.offer(event("3")), Offered::Full);

        let mut taken = Vec::new();
        assert_eq!(events.recv_many(&mut taken, 8).await, 2);
        assert_eq!(taken, [event("1"), event("2")]);
        assert_eq!(connection.offer(event("4")), Offered::Queued);
        assert_eq!(events.recv().await, Some(event("4")));

        drop(events);
        assert_eq!(connection.offer(event("5")), Offered::Closed);
    }
}
