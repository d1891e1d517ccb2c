//! Reads a websocket only when its socket has something to say. A connection's task wakes for every event
//! it writes, and polling the read side on each of those wakes walked tungstenite's whole read path
//! (waker registration, buffer zeroing, a frame parse, a `WouldBlock`) for nothing: about a fifth of a
//! broadcast's cost per subscriber. The gate hands the socket a waker of its own, which marks the read
//! side due before waking the task, and polls the socket only when it is due.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use axum::extract::ws::{Message, WebSocket};
use futures_util::StreamExt;
use futures_util::task::AtomicWaker;

/// Whether the socket woke its read side since it was last polled, and the task to wake then.
#[derive(Debug)]
struct ReadWake {
    is_due: AtomicBool,
    task: AtomicWaker,
}

impl Wake for ReadWake {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.is_due.store(true, Ordering::Release);
        self.task.wake();
    }
}

/// The read side of one websocket, polled only once the socket asked for it.
#[derive(Debug)]
pub(crate) struct ReadGate {
    wake: Arc<ReadWake>,
    waker: Waker,
    /// The task waker last registered in `wake` (registered again only when the task's changes).
    task: Option<Waker>,
}

impl ReadGate {
    /// A gate whose first poll reads.
    pub(crate) fn new() -> Self {
        let wake = Arc::new(ReadWake {
            is_due: AtomicBool::new(true),
            task: AtomicWaker::new(),
        });
        let waker = Waker::from(wake.clone());
        Self {
            wake,
            waker,
            task: None,
        }
    }

    /// The next message from `socket`, as `socket.recv()` would give it.
    pub(crate) async fn recv(
        &mut self,
        socket: &mut WebSocket,
    ) -> Option<Result<Message, axum::Error>> {
        std::future::poll_fn(|context| self.poll_recv(socket, context)).await
    }

    fn poll_recv(
        &mut self,
        socket: &mut WebSocket,
        context: &mut Context<'_>,
    ) -> Poll<Option<Result<Message, axum::Error>>> {
        let task = context.waker();
        let is_registered = self
            .task
            .as_ref()
            .is_some_and(|registered| registered.will_wake(task));
        // The gate's waker marks the read side due before it takes the task's waker out to wake it:
        // while nothing is due, the registered waker is still there.
        if is_registered && !self.wake.is_due.load(Ordering::Acquire) {
            return Poll::Pending;
        }
        self.wake.task.register(task);
        self.task = Some(task.clone());
        if !self.wake.is_due.swap(false, Ordering::AcqRel) {
            return Poll::Pending;
        }
        // A wake between the registration and the swap may have taken the waker out: register again
        // on the next poll.
        self.task = None;
        match socket.poll_next_unpin(&mut Context::from_waker(&self.waker)) {
            Poll::Ready(message) => {
                // More may wait in the socket's buffer, with no wake to come for it.
                self.wake.is_due.store(true, Ordering::Release);
                Poll::Ready(message)
            }
            Poll::Pending => Poll::Pending,
        }
    }
}
