//! `Extensions`: the typed shared values an app is built with (a database pool, a client, the channel
//! runtime), one per type. The `App` owns them and every context it makes carries them, so an action and
//! the actions it calls reach the values of the app they run in, and two apps in one process never meet.
//! An action asks for one by taking a [`State<T>`] parameter; [`StateNeed`] is how it says so at start.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::Arc;

/// A map of shared values keyed by their type. Cheap to clone: clones share the values.
#[derive(Clone, Default)]
pub struct Extensions {
    values: Arc<HashMap<TypeId, Entry>>,
}

#[derive(Clone)]
struct Entry {
    type_name: &'static str,
    value: Arc<dyn Any + Send + Sync>,
}

impl Extensions {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `value`, replacing (and returning) the value of the same type that was there.
    ///
    /// Clones made before this call keep what they had: insert while building, then share.
    pub fn insert<T: Send + Sync + 'static>(&mut self, value: T) -> Option<Arc<T>> {
        let entry = Entry {
            type_name: std::any::type_name::<T>(),
            value: Arc::new(value),
        };
        Arc::make_mut(&mut self.values)
            .insert(TypeId::of::<T>(), entry)
            .and_then(|old| old.value.downcast::<T>().ok())
    }

    /// This map with `value` added (see [`insert`](Self::insert)).
    #[must_use]
    pub fn with<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        self.insert(value);
        self
    }

    /// This map with every value of `other` added (replacing values of the same types).
    #[must_use]
    pub fn merged(mut self, other: Self) -> Self {
        let values = Arc::make_mut(&mut self.values);
        for (type_id, entry) in other.values.iter() {
            values.insert(*type_id, entry.clone());
        }
        self
    }

    /// The value of type `T`, if one was added.
    pub fn get<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.values
            .get(&TypeId::of::<T>())
            .and_then(|entry| entry.value.downcast_ref::<T>())
    }

    /// The value of type `T` as a shared handle, if one was added.
    pub fn get_shared<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        self.values
            .get(&TypeId::of::<T>())
            .and_then(|entry| entry.value.clone().downcast::<T>().ok())
    }

    /// Whether a value of type `T` was added.
    pub fn contains<T: Send + Sync + 'static>(&self) -> bool {
        self.values.contains_key(&TypeId::of::<T>())
    }

    /// How many values there are.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

impl std::fmt::Debug for Extensions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<_> = self.values.values().map(|entry| entry.type_name).collect();
        names.sort_unstable();
        f.debug_set().entries(names).finish()
    }
}

/// A shared value of the app, injected into an action that takes a `State<T>` parameter (never read
/// from input, never in a schema). Derefs to `T`; cheap to clone. The field is private so that `state.0`
/// reaches a tuple struct `T`'s own field through `Deref`.
#[derive(Debug)]
pub struct State<T>(Arc<T>);

impl<T> State<T> {
    /// Wraps a shared value.
    pub fn new(value: Arc<T>) -> Self {
        Self(value)
    }

    /// The shared handle.
    pub fn into_inner(self) -> Arc<T> {
        self.0
    }
}

impl<T> Clone for State<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<T> std::ops::Deref for State<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// A shared value an action needs, checked when the app is built: a missing one is a start-up error
/// naming the action and the type.
#[derive(Debug, Clone, Copy)]
pub struct StateNeed {
    /// The type's name, for the error.
    pub type_name: fn() -> &'static str,
    /// Whether the app has it.
    pub is_present: fn(&Extensions) -> bool,
}

impl StateNeed {
    /// The need of a `State<T>` parameter.
    pub const fn of<T: Send + Sync + 'static>() -> Self {
        Self {
            type_name: std::any::type_name::<T>,
            is_present: Extensions::contains::<T>,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct Pool(&'static str);

    #[test]
    fn values_are_found_by_type_and_replaced_by_type() {
        let mut extensions = Extensions::new().with(Pool("first")).with(7_u32);
        assert_eq!(extensions.get::<Pool>(), Some(&Pool("first")));
        assert_eq!(extensions.get::<u32>(), Some(&7));
        assert_eq!(extensions.get::<String>(), None);
        let replaced = extensions.insert(Pool("second"));
        assert_eq!(replaced.as_deref(), Some(&Pool("first")));
        assert_eq!(
            (extensions.get::<Pool>(), extensions.len()),
            (Some(&Pool("second")), 2)
        );
    }

    #[test]
    fn state_needs_see_what_an_app_has() {
        let need = StateNeed::of::<Pool>();
        assert!(!(need.is_present)(&Extensions::new()));
        let extensions = Extensions::new().with(Pool("db"));
        assert!((need.is_present)(&extensions));
        assert!((need.type_name)().ends_with("Pool"));
        let state = State::new(extensions.get_shared::<Pool>().expect("present"));
        assert_eq!(*state, Pool("db"));
    }

    #[test]
    fn clones_share_values_and_keep_what_they_had() {
        let mut extensions = Extensions::new().with(Pool("shared"));
        let shared = extensions.clone();
        assert!(std::ptr::eq(
            shared.get::<Pool>().expect("present"),
            extensions.get::<Pool>().expect("present")
        ));
        extensions.insert(1_u8);
        assert!(!shared.contains::<u8>() && extensions.contains::<u8>());
    }
}
