//! The document cache's doorkeeper: a document is kept from the second time its text is seen, so that a
//! text sent once (a query built anew for every request) costs its parse and validation and nothing
//! more: no cache insertion, no eviction of a document that is sent again, no copy of its syntax tree.
//!
//! A direct-mapped table of text hashes, one slot per entry the cache holds: a text is "seen" while its
//! hash is in its slot, until another text's hash takes the slot. Checking is one hash of the text and
//! one atomic load; there is no lock, no allocation and nothing to reset, and a collision at worst
//! delays keeping a document by one send. (A Bloom filter would need resetting as it fills; TinyLFU's
//! doorkeeper is one, inside moka's admission, which runs only after the insertion this avoids.)

use std::hash::{BuildHasher, Hash, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};

/// The hashes of recently seen texts.
pub(crate) struct Doorkeeper {
    slots: Box<[AtomicU64]>,
    hasher: RandomState,
}

impl Doorkeeper {
    /// A doorkeeper remembering up to `slots` texts (at least one).
    pub(crate) fn new(slots: usize) -> Self {
        Self {
            slots: (0..slots.max(1)).map(|_| AtomicU64::new(0)).collect(),
            hasher: RandomState::new(),
        }
    }

    /// Whether `key` was seen since its slot last changed hands; it is remembered as seen either way.
    pub(crate) fn seen_before(&self, key: &(impl Hash + ?Sized)) -> bool {
        // 0 marks an empty slot: a hash of 0 is taken as 1.
        let hash = self.hasher.hash_one(key).max(1);
        let len = u64::try_from(self.slots.len()).unwrap_or(u64::MAX);
        let index = usize::try_from(hash % len).unwrap_or_default();
        let slot = &self.slots[index];
        if slot.load(Ordering::Relaxed) == hash {
            return true;
        }
        slot.store(hash, Ordering::Relaxed);
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_seen_from_its_second_time_on() {
        let doorkeeper = Doorkeeper::new(64);
        assert!(!doorkeeper.seen_before("{ a }"));
        assert!(doorkeeper.seen_before("{ a }"));
        assert!(doorkeeper.seen_before("{ a }"));
        assert!(!doorkeeper.seen_before("{ b }"));
    }

    #[test]
    fn a_key_whose_slot_was_taken_is_new_again() {
        let doorkeeper = Doorkeeper::new(1);
        assert!(!doorkeeper.seen_before("{ a }"));
        assert!(!doorkeeper.seen_before("{ b }"), "one slot: b takes it");
        assert!(!doorkeeper.seen_before("{ a }"), "a was forgotten");
        assert!(doorkeeper.seen_before("{ a }"));
    }
}
