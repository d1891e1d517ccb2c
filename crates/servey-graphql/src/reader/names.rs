//! The GraphQL type names taken so far: built-in names are reserved, components keep their Rust
//! name (a clash is an error), inline types get a numeric suffix.

use std::collections::HashMap;

use crate::error::GraphqlError;
use crate::model::{BIG_INT, JSON};

const BUILTIN_NAMES: [&str; 10] = [
    "Query",
    "Mutation",
    "Subscription",
    "Int",
    "Float",
    "String",
    "Boolean",
    "ID",
    JSON,
    BIG_INT,
];

/// Type names with a signature of what took each one (equal enums share a name).
pub(super) struct TypeNames(HashMap<String, String>);

impl TypeNames {
    /// Only the built-in names taken.
    pub(super) fn new() -> Self {
        Self(
            BUILTIN_NAMES
                .iter()
                .map(|name| ((*name).to_owned(), "a built-in type".to_owned()))
                .collect(),
        )
    }

    /// Whether `name` is taken by something with `signature`.
    pub(super) fn is_taken_by(&self, name: &str, signature: &str) -> bool {
        self.0.get(name).is_some_and(|taken| taken == signature)
    }

    /// Takes `name`, or `name2`, `name3`, ... when it is taken by something with another signature.
    pub(super) fn claim(&mut self, name: String, signature: &str) -> String {
        let mut candidate = name.clone();
        let mut suffix = 1;
        while let Some(taken) = self.0.get(&candidate) {
            if taken == signature {
                return candidate;
            }
            suffix += 1;
            candidate = format!("{name}{suffix}");
        }
        self.0.insert(candidate.clone(), signature.to_owned());
        candidate
    }

    /// Takes `name` for a component type, which must keep the Rust type's name.
    pub(super) fn claim_exact(
        &mut self,
        name: String,
        signature: String,
    ) -> Result<String, GraphqlError> {
        match self.0.get(&name) {
            Some(taken) => Err(GraphqlError::TypeClash {
                other: taken.clone(),
                name,
            }),
            None => {
                self.0.insert(name.clone(), signature);
                Ok(name)
            }
        }
    }
}
