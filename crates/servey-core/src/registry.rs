//! `Registry`: every action, collected at link time from `#[action]` plus any added at run time.
//! Built once at start; names are unique.

use std::collections::HashMap;
use std::sync::Arc;

use crate::__private::ActionEntry;
use crate::action::Action;

/// Why a registry could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// Two actions share a name.
    #[error(
        "two actions are named `{name}`: one at {first}, one at {second}; give one of them `name = \"...\"`"
    )]
    DuplicateName {
        /// The shared name.
        name: String,
        /// Where the first is declared.
        first: String,
        /// Where the second is declared.
        second: String,
    },
    /// No actions at all: usually the crate that declares them is not referenced by the binary.
    #[error(
        "no actions are registered; if they live in a library crate, reference it from the binary \
         (`use my_actions as _;`) so the linker keeps them"
    )]
    Empty,
}

/// All actions of the app, looked up by name. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    actions: Arc<[Arc<Action>]>,
    by_name: Arc<HashMap<String, usize>>,
}

impl Registry {
    /// Every action declared with `#[action]` in the linked crates.
    pub fn collect() -> Result<Self, RegistryError> {
        Self::builder().collected().build()
    }

    /// Starts a registry to which run-time actions can be added.
    pub fn builder() -> RegistryBuilder {
        RegistryBuilder {
            actions: Vec::new(),
        }
    }

    /// The action with this name.
    pub fn get(&self, name: &str) -> Option<&Arc<Action>> {
        self.by_name.get(name).map(|index| &self.actions[*index])
    }

    /// Every action, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<Action>> {
        self.actions.iter()
    }

    /// The top-level actions (not nested in a type).
    pub fn top_level(&self) -> impl Iterator<Item = &Arc<Action>> {
        self.actions.iter().filter(|action| action.owner.is_none())
    }

    /// The nested actions that are fields of the type with this schema name.
    pub fn nested_of<'a>(&'a self, owner: &'a str) -> impl Iterator<Item = &'a Arc<Action>> + 'a {
        self.actions
            .iter()
            .filter(move |action| action.owner.as_deref() == Some(owner))
    }

    /// How many actions there are.
    pub fn len(&self) -> usize {
        self.actions.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }
}

/// Collects actions from the link-time registry and from code, then checks names.
pub struct RegistryBuilder {
    actions: Vec<Arc<Action>>,
}

impl From<Registry> for RegistryBuilder {
    /// A builder holding `registry`'s actions, to add more or to hand to an app builder.
    fn from(registry: Registry) -> Self {
        Self {
            actions: registry.actions.to_vec(),
        }
    }
}

impl RegistryBuilder {
    /// Adds every action declared with `#[action]` in the linked crates.
    pub fn collected(mut self) -> Self {
        self.actions.extend(
            inventory::iter::<ActionEntry>
                .into_iter()
                .map(|entry| Arc::new(Action::from_spec(entry.0))),
        );
        self
    }

    /// Adds an action built at run time.
    pub fn action(mut self, action: Action) -> Self {
        self.actions.push(Arc::new(action));
        self
    }

    /// Adds an action that another registry holds too.
    pub fn shared_action(mut self, action: Arc<Action>) -> Self {
        self.actions.push(action);
        self
    }

    /// Checks that names are unique and freezes the registry.
    pub fn build(mut self) -> Result<Registry, RegistryError> {
        self.actions.sort_by(|a, b| {
            a.name
                .cmp(&b.name)
                .then_with(|| a.location.cmp(&b.location))
        });
        let mut by_name = HashMap::with_capacity(self.actions.len());
        for (index, action) in self.actions.iter().enumerate() {
            if let Some(previous) = by_name.insert(action.name.clone(), index) {
                return Err(RegistryError::DuplicateName {
                    name: action.name.clone(),
                    first: self.actions[previous].location.clone(),
                    second: action.location.clone(),
                });
            }
        }
        Ok(Registry {
            actions: self.actions.into_iter().collect(),
            by_name: Arc::new(by_name),
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    fn action(name: &str) -> Action {
        Action::builder(name, |_, _| async { Ok(Value::Null) }).build()
    }

    #[test]
    fn duplicate_names_name_both_places() {
        let error = Registry::builder()
            .action(action("a"))
            .action(action("a"))
            .build()
            .expect_err("duplicate");
        assert!(matches!(&error, RegistryError::DuplicateName { name, .. } if name == "a"));
        assert!(error.to_string().contains("(registered at run time)"));
    }

    #[test]
    fn actions_are_found_by_name_in_order() {
        let registry = Registry::builder()
            .action(action("b"))
            .action(action("a"))
            .build()
            .expect("unique");
        assert_eq!(
            registry.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert!(registry.get("b").is_some() && registry.get("c").is_none());
    }
}
