//! Examples as tests: each declared example run through the invoke path of an app holding the test
//! fixture's shared values, as the example's caller (by default `example`, holding the action's required
//! scopes), and its result compared with the declared one, exactly or (`partial`) key by key.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde_json::Value;

use crate::action::Action;
use crate::app::App;
use crate::auth::Authorization;
use crate::config::ServeyConfig;
use crate::input::Input;
use crate::invoke::invoke;
use crate::registry::Registry;
use crate::state::Extensions;

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

/// What a test fixture makes: the shared values example tests run with, or why it failed.
pub type FixtureFuture = Pin<Box<dyn Future<Output = Result<Extensions, String>> + Send>>;

/// The shared values of the crate's test fixture, or none when it declares no fixture.
pub async fn fixture_state() -> Result<Extensions, String> {
    let mut fixtures = inventory::iter::<crate::__private::FixtureEntry>.into_iter();
    match (fixtures.next(), fixtures.next()) {
        (None, _) => Ok(Extensions::new()),
        (Some(fixture), None) => (fixture.make)()
            .await
            .map_err(|error| format!("the test fixture at {} failed: {error}", fixture.location)),
        (Some(first), Some(second)) => Err(format!(
            "two test fixtures, at {} and {}: a crate declares at most one `#[servey::fixture]`",
            first.location, second.location
        )),
    }
}

/// Runs example `index` of `action` in an app holding `state`, and compares its result.
pub async fn check_example(
    action: &Arc<Action>,
    index: usize,
    state: Extensions,
) -> Result<(), ExampleFailure> {
    let label = |index: usize| {
        action
            .examples
            .get(index)
            .and_then(|e| e.name.as_deref())
            .map_or(index.to_string(), |name| format!("`{name}`"))
    };
    let failure = |message: String| ExampleFailure {
        action: action.name.clone(),
        example: label(index),
        message,
    };
    let Some(example) = action.examples.get(index) else {
        return Err(failure("does not exist".to_owned()));
    };
    let registry = Registry::builder()
        .shared_action(action.clone())
        .build()
        .map_err(|error| failure(format!("cannot be registered: {error}")))?;
    let app = App::builder(registry, ServeyConfig::default())
        .extensions(state)
        .build()
        .map_err(|error| failure(format!("cannot run: {error}")))?;
    let mut context = app.context().with_origin(crate::context::Origin::Test);
    if !example.anonymous {
        let scopes = example.scopes.clone().unwrap_or_else(|| {
            action
                .access_control
                .as_ref()
                .map(|policy| policy.required_scopes())
                .unwrap_or_default()
        });
        let caller = example.caller.as_deref().unwrap_or("example");
        context = context.authorized(Authorization::new(caller, scopes));
    }
    let outcome = invoke(action, Input::from_value(example.params.clone()), context).await;
    match outcome.and_then(|output| output.to_value()) {
        Ok(actual) if fits(&example.result, &actual, example.partial) => Ok(()),
        Ok(actual) => Err(failure(format!(
            "returned a different result{}\n  params:   {}\n  expected: {}\n  actual:   {actual}",
            if example.partial {
                " (matched partially)"
            } else {
                ""
            },
            example.params,
            example.result
        ))),
        Err(error) => Err(failure(format!("failed: {error}"))),
    }
}

/// Whether `actual` is `expected`, or (`partial`) holds every key of `expected`'s objects with fitting
/// values: lists match item by item, with the same length.
pub fn fits(expected: &Value, actual: &Value, partial: bool) -> bool {
    if !partial {
        return expected == actual;
    }
    match (expected, actual) {
        (Value::Object(expected), Value::Object(actual)) => expected.iter().all(|(key, value)| {
            actual
                .get(key)
                .is_some_and(|found| fits(value, found, true))
        }),
        (Value::Array(expected), Value::Array(actual)) => {
            expected.len() == actual.len()
                && expected
                    .iter()
                    .zip(actual)
                    .all(|(expected, actual)| fits(expected, actual, true))
        }
        _ => expected == actual,
    }
}

/// Runs every example marked for tests of every action in `registry`, run-time actions included, each
/// with fresh values from the crate's test fixture; the number checked, or every failure.
pub async fn check_examples(registry: &Registry) -> Result<usize, Vec<ExampleFailure>> {
    let mut checked = 0;
    let mut failures = Vec::new();
    for action in registry.iter() {
        for (index, example) in action.examples.iter().enumerate() {
            if !example.include_in_tests {
                continue;
            }
            checked += 1;
            let outcome = match fixture_state().await {
                Ok(state) => check_example(action, index, state).await,
                Err(message) => Err(ExampleFailure {
                    action: action.name.clone(),
                    example: index.to_string(),
                    message,
                }),
            };
            if let Err(failure) = outcome {
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::fits;

    #[test]
    fn partial_results_fit_when_every_listed_key_does() {
        let actual = json!({"user": {"username": "ann", "token": "eyJ...", "bio": null}, "tags": ["a", "b"]});
        assert!(fits(&json!({"user": {"username": "ann"}}), &actual, true));
        assert!(fits(&json!({"tags": ["a", "b"]}), &actual, true));
        assert!(!fits(&json!({"tags": ["a"]}), &actual, true));
        assert!(!fits(&json!({"user": {"username": "bob"}}), &actual, true));
        assert!(!fits(&json!({"user": {"username": "ann"}}), &actual, false));
        assert!(!fits(&json!({"missing": null}), &actual, true));
    }
}
