//! `ActionBuilder`: a run-time action with the same metadata a macro-declared one has (docs, triggers,
//! examples, policies, schemas), and the last step every action goes through (default paths, status,
//! result store).

use std::sync::Arc;
use std::time::Duration;

use super::{Action, Example, Invoker, split_doc};
use crate::auth::AccessControl;
use crate::cache::{CacheControl, ResultStore};
use crate::rate::{RateLimit, RateLimiter};
use crate::schema::ActionSchema;
use crate::state::StateNeed;
use crate::trigger::Trigger;

/// Builds a run-time action with the same metadata a macro-declared one has.
pub struct ActionBuilder {
    pub(super) action: Action,
}

impl ActionBuilder {
    pub(super) fn new(name: String, invoker: Invoker) -> Self {
        let schema = crate::schema::ActionSchema::untyped();
        Self {
            action: Action {
                fn_name: name.clone(),
                name,
                summary: String::new(),
                description: String::new(),
                location: "(registered at run time)".to_owned(),
                triggers: Vec::new(),
                examples: Vec::new(),
                access_control: None,
                cache_control: None,
                timeout: None,
                rate_limit: None,
                unknown_fields: None,
                state_needs: Vec::new(),
                status: 0,
                response_headers: Vec::new(),
                error_statuses: Vec::new(),
                batch: None,
                schema,
                owner: None,
                tags: Vec::new(),
                invoker,
                result_store: None,
            },
        }
    }

    /// Sets the docs: the first paragraph is the summary, the rest the description.
    pub fn doc(mut self, doc: &str) -> Self {
        (self.action.summary, self.action.description) = split_doc(doc);
        self
    }

    /// Adds a trigger.
    pub fn trigger(mut self, trigger: Trigger) -> Self {
        self.action.triggers.push(trigger);
        self
    }

    /// Adds an example.
    pub fn example(mut self, example: Example) -> Self {
        self.action.examples.push(example);
        self
    }

    /// Lists the action under `tag` (an OpenAPI tag); repeatable.
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.action.tags.push(tag.into());
        self
    }

    /// Sets the input and output schemas.
    pub fn schema(mut self, schema: ActionSchema) -> Self {
        self.action.schema = schema;
        self
    }

    /// Sets the access-control policy.
    pub fn access_control(mut self, policy: impl AccessControl) -> Self {
        self.action.access_control = Some(Arc::new(policy));
        self
    }

    /// Limits how often one caller may call the action (`429` past it, on every transport).
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.action.rate_limit = Some(Arc::new(RateLimiter::new(limit)));
        self
    }

    /// Refuses (or, against an app that refuses them, accepts) input keys the action does not declare.
    pub fn deny_unknown_fields(mut self, deny: bool) -> Self {
        self.action.unknown_fields = Some(match deny {
            true => crate::check::UnknownFields::Refuse,
            false => crate::check::UnknownFields::Ignore,
        });
        self
    }

    /// Sets the cache policy.
    pub fn cache_control(mut self, policy: impl CacheControl) -> Self {
        self.action.cache_control = Some(Arc::new(policy));
        self
    }

    /// Makes this a nested action: the field `field` of the type whose schema name is `owner`, reading
    /// its parent object from `Input::with_parent`.
    pub fn nested_in(mut self, owner: impl Into<String>, field: impl Into<String>) -> Self {
        self.action.owner = Some(owner.into());
        self.action.fn_name = field.into();
        self
    }

    /// Declares a shared value the action reads (`Context::shared`), so that an app without it does
    /// not start.
    pub fn needs_state(mut self, need: StateNeed) -> Self {
        self.action.state_needs.push(need);
        self
    }

    /// Sets the status of a success (`201`, `204`); the default is 200.
    pub fn status(mut self, status: u16) -> Self {
        self.action.status = status;
        self
    }

    /// Documents a response header the action sets.
    pub fn response_header(mut self, name: impl Into<String>) -> Self {
        self.action.response_headers.push(name.into());
        self
    }

    /// Documents an error status the action's own errors answer with (`404`).
    pub fn error_status(mut self, status: u16) -> Self {
        self.action.error_statuses.push(status);
        self
    }

    /// Bounds each run.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.action.timeout = Some(timeout);
        self
    }

    /// Finishes the action: default paths filled in, the result store made if the policy keeps results.
    pub fn build(mut self) -> Action {
        let name = self.action.name.clone();
        self.action.triggers = self
            .action
            .triggers
            .iter()
            .map(|trigger| trigger.resolved(&name))
            .collect();
        let server_ttl = self
            .action
            .cache_control
            .as_ref()
            .and_then(|policy| policy.server_ttl());
        let model = self.action.schema.model();
        if self.action.status == 0 {
            self.action.status = 200;
        }
        let declared = model
            .resolve(&model.input)
            .as_object()
            .filter(|object| object.additional.is_none())
            .map(|object| object.properties.iter().map(|p| p.name.clone()).collect());
        self.action.result_store = server_ttl.map(|ttl| ResultStore::new(ttl, declared));
        self.action
    }
}
