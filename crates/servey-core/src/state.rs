//! `Extensions`: the typed shared values an app is built with (a database pool, a client, the channel
//! runtime), one per type. The `App` owns them and every context it makes carries them, so an action and
//! the actions it calls reach the values of the app they run in, and two apps in one process never meet.

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

    /// The value of type `T`, if one was added.
    pub fn get<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.values
            .get(&TypeId::of::<T>())
            .and_then(|entry| entry.value.downcast_ref::<T>())
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
