//! Polls that hold a worker: while the future of an action is being polled, the polling thread's slot
//! names the action and when the poll began, so that a watcher on another thread (servey's control
//! thread) can tell which action has not yielded for a long time, log it once and count it.

use std::cell::RefCell;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

/// The slots of the threads that have polled an action of one app.
#[derive(Debug, Default, Clone)]
pub(crate) struct StallWatch {
    slots: Arc<Mutex<Vec<Arc<Slot>>>>,
}

/// One thread's poll in progress, if any.
#[derive(Debug, Default)]
struct Slot {
    poll: Mutex<Option<PollInProgress>>,
}

#[derive(Debug, Clone)]
struct PollInProgress {
    action: Arc<str>,
    started: Instant,
    is_reported: bool,
}

/// An action that has held a worker, without yielding, for longer than the watcher's threshold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stall {
    /// The action whose poll has not returned.
    pub action: Arc<str>,
    /// How long the poll has run so far.
    pub running_for: Duration,
}

/// The slots of one watch, as a thread remembers which watch its slot is registered with.
type Registered = Weak<Mutex<Vec<Arc<Slot>>>>;

thread_local! {
    // This thread's slot and the watch it is registered with (a thread that polls the actions of two
    // apps in turn, as a test may, re-registers when the app changes; the weak reference keeps a
    // dropped watch's address from being taken for a new one's).
    static SLOT: RefCell<Option<(Registered, Arc<Slot>)>> = const { RefCell::new(None) };
}

impl StallWatch {
    /// Marks this thread as polling `action` until the returned mark is dropped.
    pub(crate) fn enter(&self, action: &Arc<str>) -> PollMark {
        let slot = SLOT.with(|cell| {
            let mut cell = cell.borrow_mut();
            match &*cell {
                Some((watch, slot)) if Weak::as_ptr(watch) == Arc::as_ptr(&self.slots) => {
                    slot.clone()
                }
                _ => {
                    let slot = Arc::new(Slot::default());
                    self.slots
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(slot.clone());
                    *cell = Some((Arc::downgrade(&self.slots), slot.clone()));
                    slot
                }
            }
        });
        let now = PollInProgress {
            action: action.clone(),
            started: Instant::now(),
            is_reported: false,
        };
        // An action polled inside another one's poll (a nested call run inline) marks the thread
        // for its own poll; the outer mark comes back when it returns.
        let outer = slot
            .poll
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .replace(now);
        PollMark { slot, outer }
    }

    /// The polls that have run longer than `threshold` and were not reported before, each reported
    /// once from now on.
    pub(crate) fn report(&self, threshold: Duration) -> Vec<Stall> {
        let slots = self
            .slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let mut stalls = Vec::new();
        for slot in slots {
            let mut poll = slot.poll.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(poll) = poll.as_mut() {
                let running_for = poll.started.elapsed();
                if running_for >= threshold && !poll.is_reported {
                    poll.is_reported = true;
                    stalls.push(Stall {
                        action: poll.action.clone(),
                        running_for,
                    });
                }
            }
        }
        stalls
    }

    /// The actions whose poll is in progress now and has run longer than `threshold`.
    pub(crate) fn current(&self, threshold: Duration) -> Vec<Stall> {
        let slots = self
            .slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        slots
            .iter()
            .filter_map(|slot| {
                let poll = slot.poll.lock().unwrap_or_else(PoisonError::into_inner);
                let poll = poll.as_ref()?;
                let running_for = poll.started.elapsed();
                (running_for >= threshold).then(|| Stall {
                    action: poll.action.clone(),
                    running_for,
                })
            })
            .collect()
    }
}

/// This thread's mark for one poll; dropping it ends the poll.
#[derive(Debug)]
pub(crate) struct PollMark {
    slot: Arc<Slot>,
    outer: Option<PollInProgress>,
}

impl Drop for PollMark {
    fn drop(&mut self) {
        *self
            .slot
            .poll
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = self.outer.take();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_poll_longer_than_the_threshold_is_reported_once_with_its_action() {
        let watch = StallWatch::default();
        let name: Arc<str> = "spin".into();
        let mark = watch.enter(&name);
        assert!(watch.report(Duration::from_secs(3600)).is_empty());
        let stalls = watch.report(Duration::ZERO);
        assert_eq!(stalls.len(), 1);
        assert_eq!(&*stalls[0].action, "spin");
        assert!(watch.report(Duration::ZERO).is_empty(), "reported once");
        assert_eq!(watch.current(Duration::ZERO).len(), 1, "still running");
        drop(mark);
        assert!(watch.current(Duration::ZERO).is_empty(), "the poll ended");
    }

    #[test]
    fn a_nested_poll_gives_the_thread_back_to_the_outer_one() {
        let watch = StallWatch::default();
        let (outer, inner): (Arc<str>, Arc<str>) = ("outer".into(), "inner".into());
        let _outer = watch.enter(&outer);
        drop(watch.enter(&inner));
        let current = watch.current(Duration::ZERO);
        assert_eq!(current.len(), 1);
        assert_eq!(&*current[0].action, "outer");
    }

    #[test]
    fn two_apps_polled_on_one_thread_each_see_their_own_polls() {
        let (first, second) = (StallWatch::default(), StallWatch::default());
        let (a, b): (Arc<str>, Arc<str>) = ("a".into(), "b".into());
        drop(first.enter(&a));
        let _b = second.enter(&b);
        assert!(first.current(Duration::ZERO).is_empty());
        assert_eq!(&*second.current(Duration::ZERO)[0].action, "b");
        drop(second);
        // A watch made after one was dropped is never taken for it.
        let third = StallWatch::default();
        let _a = third.enter(&a);
        assert_eq!(&*third.current(Duration::ZERO)[0].action, "a");
    }
}
