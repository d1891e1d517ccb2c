//! `RequestSlots`: the app's one bound on work in flight (`SERVEY_MAX_CONCURRENT_REQUESTS`), shared by
//! every transport: the web envelope holds a slot per HTTP request, the GraphQL adapter one per
//! operation sent over a websocket (which no HTTP request covers once the socket is open).

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The slots of one app: at most `max_concurrent_requests` of them are held at once. Cheap to clone.
#[derive(Debug, Clone)]
pub struct RequestSlots(Arc<Semaphore>);

/// One held slot, given back when dropped.
#[derive(Debug)]
pub struct RequestSlot {
    _permit: OwnedSemaphorePermit,
}

impl RequestSlots {
    /// `count` slots (at least one).
    pub fn new(count: usize) -> Self {
        Self(Arc::new(Semaphore::new(
            count.clamp(1, Semaphore::MAX_PERMITS),
        )))
    }

    /// A free slot, or `None` when every one is held: the caller refuses the work rather than queue it.
    pub fn try_acquire(&self) -> Option<RequestSlot> {
        self.0
            .clone()
            .try_acquire_owned()
            .ok()
            .map(|permit| RequestSlot { _permit: permit })
    }

    /// How many slots are free now.
    pub fn available(&self) -> usize {
        self.0.available_permits()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_is_given_back_when_dropped() {
        let slots = RequestSlots::new(1);
        let held = slots.try_acquire().expect("one free");
        assert!(slots.try_acquire().is_none(), "the only slot is held");
        drop(held);
        assert_eq!(slots.available(), 1);
        assert!(
            slots.clone().try_acquire().is_some(),
            "clones share the slots"
        );
    }
}
