//! Examples as tests: each declared example run through the invoke path, as a caller holding the
//! action's required scopes, and its result compared with the declared one.

use std::fmt;

use crate::action::{Action, ActionSpec};
use crate::auth::Authorization;
use crate::context::Context;
use crate::input::Input;
use crate::invoke::invoke;
use crate::registry::Registry;

/// An example whose run did not give its declared result.
#[derive(Debug, Clone, PartialEq)]
pub struct ExampleFailure {
    /// The action.
    pub action: String,
    /// The example's name, or its index.
    pub example: String,
    /// What happened instead, with params, expected and actual result.
    pub message: String,
}

impl fmt::Display for ExampleFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "example {} of action `{}` {}",
            self.example, self.action, self.message
        )
    }
}

/// Runs example `index` of `action` and compares its result.
pub async fn check_example(action: &Action, index: usize) -> Result<(), ExampleFailure> {
    let Some(example) = action.examples.get(index) else {
        return Err(ExampleFailure {
            action: action.name.clone(),
            example: index.to_string(),
            message: "does not exist".to_owned(),
        });
    };
    let scopes = action
        .access_control
        .as_ref()
        .map(|policy| policy.required_scopes())
        .unwrap_or_default();
    let context =
        Context::with_request_id("example").authorized(Authorization::new("example", scopes));
    let outcome = invoke(action, Input::from_value(example.params.clone()), context).await;
    let failure = |message: String| ExampleFailure {
        action: action.name.clone(),
        example: example
            .name
            .as_deref()
            .map_or(index.to_string(), |name| format!("`{name}`")),
        message,
    };
    match outcome.and_then(|output| output.to_value()) {
        Ok(actual) if actual == example.result => Ok(()),
        Ok(actual) => Err(failure(format!(
            "returned a different result\n  params:   {}\n  expected: {}\n  actual:   {actual}",
            example.params, example.result
        ))),
        Err(error) => Err(failure(format!("failed: {error}"))),
    }
}

/// Runs every example marked for tests of every action in `registry`, run-time actions included;
/// the number checked, or every failure.
pub async fn check_examples(registry: &Registry) -> Result<usize, Vec<ExampleFailure>> {
    let mut checked = 0;
    let mut failures = Vec::new();
    for action in registry.iter() {
        for (index, example) in action.examples.iter().enumerate() {
            if !example.include_in_tests {
                continue;
            }
            checked += 1;
            if let Err(failure) = check_example(action, index).await {
                failures.push(failure);
            }
        }
    }
    if failures.is_empty() {
        Ok(checked)
    } else {
        Err(failures)
    }
}

/// The `#[test]` the macro generates for one example: runs it and panics (failing the test) on a
/// different result.
pub fn run_example(spec: &'static ActionSpec, index: usize) {
    let action = Action::from_spec(spec);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a test runtime starts");
    if let Err(failure) = runtime.block_on(check_example(&action, index)) {
        panic!("{failure}");
    }
}
