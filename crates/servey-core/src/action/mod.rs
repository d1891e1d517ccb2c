//! `ActionSpec` (what `#[action]` emits: plain data and a thin invoker) and `Action` (its registered,
//! run-time form, also built by hand for generated actions).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::auth::{AccessControl, Authenticated, Scope};
use crate::cache::{CacheControl, ETag, LastModified, ResultStore, Ttl};
use crate::check::UnknownFields;
use crate::context::Context;
use crate::error::ActionError;
use crate::input::Input;
use crate::output::ActionOutput;
use crate::rate::{RateLimit, RateLimiter};
use crate::schema::{ActionSchema, SchemaFn};
use crate::state::StateNeed;
use crate::trigger::Trigger;

/// The future an invoker returns.
pub type ActionFuture = Pin<Box<dyn Future<Output = Result<ActionOutput, ActionError>> + Send>>;

/// The generated invoker: decodes the input, calls the function, wraps the result.
pub type InvokeFn = fn(Input, Context) -> ActionFuture;

/// A run-time invoker, for generated actions.
pub type Invoker = Arc<dyn Fn(Input, Context) -> ActionFuture + Send + Sync>;

/// An example call, shown in docs and (by default) run as a test.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// The example's name (`greet`), used in test names.
    pub name: Option<String>,
    /// What the example shows.
    pub description: Option<String>,
    /// The input object.
    pub params: Value,
    /// The expected result.
    pub result: Value,
    /// Whether the example runs as a test.
    pub include_in_tests: bool,
    /// Who runs it as a test (`as = "user-1"`); `None` is the caller `example`.
    pub caller: Option<String>,
    /// The caller's scopes (`scopes = ["admin"]`); `None` grants the scopes the action requires.
    pub scopes: Option<Vec<String>>,
    /// Whether it runs with no credentials at all (`anonymous`).
    pub anonymous: bool,
    /// Whether `result` is matched partially (`partial`): objects may hold more keys than it lists.
    pub partial: bool,
}

impl Example {
    /// An example calling with `params` and expecting `result`, run as a test by the caller `example`.
    pub fn new(params: Value, result: Value) -> Self {
        Self {
            name: None,
            description: None,
            params,
            result,
            include_in_tests: true,
            caller: None,
            scopes: None,
            anonymous: false,
            partial: false,
        }
    }
}

/// The access-control policy named in the attribute.
#[derive(Debug, Clone, Copy)]
pub enum AccessPolicy {
    /// `scope("...")`.
    Scope(&'static str),
    /// A user type implementing `AccessControl + Default`.
    Custom(fn() -> Box<dyn AccessControl>),
}

/// The cache policy named in the attribute.
#[derive(Debug, Clone, Copy)]
pub enum CachePolicy {
    /// `ttl(N)` or `ttl(N, server_cache = false)`.
    Ttl {
        /// Seconds a result stays fresh.
        seconds: u64,
        /// Whether the server keeps results.
        server_cache: bool,
    },
    /// `etag`.
    ETag,
    /// `last_modified("field")`.
    LastModified(&'static str),
    /// A user type implementing `CacheControl + Default`.
    Custom(fn() -> Box<dyn CacheControl>),
}

/// What `#[action]` emits for one function: plain data plus the invoker. Read once at start.
#[derive(Debug)]
pub struct ActionSpec {
    /// The action's unique name.
    pub name: &'static str,
    /// The function's name (a nested action's field name).
    pub fn_name: &'static str,
    /// The function's doc comment: the first paragraph is the summary, the rest the description.
    pub doc: &'static str,
    /// Where the action is declared (`file:line`), for error messages.
    pub location: &'static str,
    /// What makes it run.
    pub triggers: &'static [Trigger],
    /// Its examples (built on demand: they hold JSON).
    pub examples: fn() -> Vec<Example>,
    /// Its access-control policy.
    pub access_control: Option<AccessPolicy>,
    /// Its cache policy.
    pub cache_control: Option<CachePolicy>,
    /// Seconds a run may take.
    pub timeout_secs: Option<u64>,
    /// `rate_limit = per_minute(N)`: how often one caller may call it.
    pub rate_limit: Option<RateLimit>,
    /// `deny_unknown_fields` (or `= false`): whether input keys it does not declare are refused, when
    /// it says rather than the app.
    pub deny_unknown_fields: Option<bool>,
    /// Whether it takes a (non-optional) `Authorization` parameter, so needs an authenticated caller.
    pub requires_authorization: bool,
    /// The shared values it takes as `State<T>` parameters.
    pub state: &'static [StateNeed],
    /// `status = 201`: the status of a success, when not 200 (the macro sets 204 for a `()` result).
    pub status: Option<u16>,
    /// `headers = ["Location"]`: the response headers its result sets (through `Reply`), documented.
    pub response_headers: &'static [&'static str],
    /// `errors = [404]`: the error statuses its own errors answer with, documented.
    pub error_statuses: &'static [u16],
    /// Its input and output schemas.
    pub schema: SchemaFn,
    /// For nested actions: the schema name of the type whose field it is.
    pub owner: Option<fn() -> String>,
    /// `tags = ["shop"]`: the groups the action is listed under (OpenAPI tags); none declared means
    /// the last segment of `module`.
    pub tags: &'static [&'static str],
    /// The module the action is declared in (`module_path!()`).
    pub module: &'static str,
    /// Decodes, calls and wraps.
    pub invoke: InvokeFn,
    /// For nested actions with a batch form (`batch = Self::factorials`): the batch invoker.
    pub batch: Option<BatchFn>,
}

mod batch;
mod builder;

pub use batch::{BatchFn, BatchFuture, MAX_BATCH_SIZE};
pub use builder::ActionBuilder;

/// The declared tags, else the last segment of the module path (`api::users` -> `users`).
fn spec_tags(spec: &ActionSpec) -> Vec<String> {
    if spec.tags.is_empty() {
        let module = spec.module.rsplit("::").next().unwrap_or(spec.module);
        return vec![module.to_owned()];
    }
    spec.tags.iter().map(|&tag| tag.to_owned()).collect()
}

/// A registered action: everything adapters need, resolved once at start.
#[non_exhaustive]
pub struct Action {
    /// The unique name.
    pub name: String,
    /// The function's name: a nested action's field name on its owner type.
    pub fn_name: String,
    /// One-line summary (first doc paragraph).
    pub summary: String,
    /// Longer description (the rest of the docs).
    pub description: String,
    /// Where it was declared.
    pub location: String,
    /// What makes it run, with default paths filled in.
    pub triggers: Vec<Trigger>,
    /// Example calls.
    pub examples: Vec<Example>,
    /// Who may call it.
    pub access_control: Option<Arc<dyn AccessControl>>,
    /// How its results may be cached.
    pub cache_control: Option<Arc<dyn CacheControl>>,
    /// How long a run may take.
    pub timeout: Option<Duration>,
    /// How often one caller may call it.
    pub rate_limit: Option<Arc<RateLimiter>>,
    /// What it does with input keys it does not declare, when it says rather than the app.
    pub unknown_fields: Option<UnknownFields>,
    /// The shared values it needs, checked when the app is built.
    pub state_needs: Vec<StateNeed>,
    /// The status of a success: 200 unless declared (204 for a `()` result).
    pub status: u16,
    /// The response headers its result sets, for documentation.
    pub response_headers: Vec<String>,
    /// The error statuses its own errors answer with (`404`, `409`), for documentation.
    pub error_statuses: Vec<u16>,
    /// Input and output schemas.
    pub schema: ActionSchema,
    /// For nested actions, the schema name of the type whose field it is.
    pub owner: Option<String>,
    /// The groups it is listed under (OpenAPI tags): declared, else its module's name.
    pub tags: Vec<String>,
    /// For a nested action with a batch form: one call for many parents.
    pub batch: Option<BatchFn>,
    pub(crate) invoker: Invoker,
    pub(crate) result_store: Option<ResultStore>,
}

impl std::fmt::Debug for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Action")
            .field("name", &self.name)
            .field("triggers", &self.triggers)
            .finish_non_exhaustive()
    }
}

impl Action {
    /// Starts a run-time action: a name and a handler that takes the input object as JSON.
    pub fn builder<F, Fut>(name: impl Into<String>, handler: F) -> ActionBuilder
    where
        F: Fn(Value, Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Value, ActionError>> + Send + 'static,
    {
        let handler = Arc::new(handler);
        let invoker: Invoker = Arc::new(move |input: Input, context: Context| {
            let handler = handler.clone();
            Box::pin(async move {
                let value = input.to_value()?;
                handler(value, context).await.map(ActionOutput::new)
            })
        });
        ActionBuilder::new(name.into(), invoker)
    }

    /// Starts a run-time action whose handler makes the whole output: a result with response headers
    /// (`ActionOutput::from_reply`), for instance.
    pub fn output_builder<F, Fut>(name: impl Into<String>, handler: F) -> ActionBuilder
    where
        F: Fn(Value, Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<ActionOutput, ActionError>> + Send + 'static,
    {
        let handler = Arc::new(handler);
        let invoker: Invoker = Arc::new(move |input: Input, context: Context| {
            let handler = handler.clone();
            Box::pin(async move { handler(input.to_value()?, context).await })
        });
        ActionBuilder::new(name.into(), invoker)
    }

    /// The registered form of a macro-emitted spec.
    pub fn from_spec(spec: &'static ActionSpec) -> Self {
        let (summary, description) = split_doc(spec.doc);
        let access_control: Option<Arc<dyn AccessControl>> = match spec.access_control {
            Some(AccessPolicy::Scope(scope)) => Some(Arc::new(Scope(scope.to_owned()))),
            Some(AccessPolicy::Custom(construct)) => Some(Arc::from(construct())),
            None if spec.requires_authorization => Some(Arc::new(Authenticated)),
            None => None,
        };
        let cache_control: Option<Arc<dyn CacheControl>> =
            spec.cache_control.map(|policy| match policy {
                CachePolicy::Ttl {
                    seconds,
                    server_cache,
                } => Arc::new(Ttl {
                    seconds,
                    server_cache,
                }) as Arc<dyn CacheControl>,
                CachePolicy::ETag => Arc::new(ETag),
                CachePolicy::LastModified(field) => Arc::new(LastModified(field.to_owned())),
                CachePolicy::Custom(construct) => Arc::from(construct()),
            });
        let invoke = spec.invoke;
        ActionBuilder {
            action: Action {
                name: spec.name.to_owned(),
                fn_name: spec.fn_name.to_owned(),
                summary,
                description,
                location: spec.location.to_owned(),
                triggers: spec.triggers.to_vec(),
                examples: (spec.examples)(),
                access_control,
                cache_control,
                timeout: spec.timeout_secs.map(Duration::from_secs),
                rate_limit: spec
                    .rate_limit
                    .map(|limit| Arc::new(RateLimiter::new(limit))),
                unknown_fields: spec.deny_unknown_fields.map(|deny| match deny {
                    true => UnknownFields::Refuse,
                    false => UnknownFields::Ignore,
                }),
                state_needs: spec.state.to_vec(),
                status: spec.status.unwrap_or(0),
                response_headers: spec
                    .response_headers
                    .iter()
                    .map(|&name| name.to_owned())
                    .collect(),
                error_statuses: spec.error_statuses.to_vec(),
                schema: (spec.schema)(),
                owner: spec.owner.map(|owner| owner()),
                tags: spec_tags(spec),
                batch: spec.batch,
                invoker: Arc::new(invoke),
                result_store: None,
            },
        }
        .build()
    }

    /// Whether it is served as a web mutation (any web trigger but GET).
    pub fn is_mutation(&self) -> bool {
        self.triggers
            .iter()
            .any(|trigger| matches!(trigger, Trigger::Web { method, .. } if method.is_mutation()))
    }
}

/// Splits a doc comment into its first paragraph (the summary) and the rest (the description).
fn split_doc(doc: &str) -> (String, String) {
    let doc = doc.trim();
    match doc.split_once("\n\n") {
        Some((summary, description)) => (
            summary.trim().replace('\n', " "),
            description.trim().to_owned(),
        ),
        None => (doc.replace('\n', " "), String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_splits_into_summary_and_description() {
        assert_eq!(
            split_doc(" Greet a user!\n\n More words.\n Here."),
            ("Greet a user!".into(), "More words.\n Here.".into())
        );
        assert_eq!(
            split_doc("Only\na summary"),
            ("Only a summary".into(), String::new())
        );
    }

    #[test]
    fn builder_fills_default_paths() {
        let action = Action::builder("generated_1", |_, _| async { Ok(Value::Null) })
            .trigger(Trigger::web_get())
            .trigger(Trigger::WebPage {
                path: None,
                template: None,
            })
            .build();
        assert_eq!(action.triggers[0].describe(), "GET /actions/generated-1");
        assert_eq!(
            action.triggers[1],
            Trigger::WebPage {
                path: Some("/generated-1".into()),
                template: Some("generated_1.j2".into())
            }
        );
    }
}
