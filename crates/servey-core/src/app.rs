//! `App`: what every adapter is built from at start: the registry, the configuration, the
//! authenticator, the error renderer, the path prefix of action routes, the metrics and the shared
//! values (`Extensions`) its calls reach. [`AppBuilder`] assembles one and checks that every action's
//! `State<T>` is there.

use crate::check::UnknownFields;
use std::sync::Arc;

use http::{HeaderMap, HeaderName};

use crate::auth::Authenticator;
use crate::backend::Backends;
use crate::config::ServeyConfig;
use crate::context::{Context, is_usable_request_id, new_request_id};
use crate::metrics::Metrics;
use crate::rate::RateLimiter;
use crate::registry::Registry;
use crate::render::ErrorRendering;
use crate::route::{ReservedRoute, reserved_route};
use crate::slots::RequestSlots;
use crate::state::Extensions;

/// The registry, configuration, authenticator, error renderer and shared values of a running app.
/// Cheap to clone.
#[derive(Clone)]
pub struct App {
    inner: Arc<AppInner>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("registry", &self.inner.registry)
            .field("path_prefix", &self.inner.path_prefix)
            .field("extensions", &self.inner.extensions)
            .finish_non_exhaustive()
    }
}

struct AppInner {
    registry: Registry,
    config: ServeyConfig,
    authenticator: Arc<dyn Authenticator>,
    errors: ErrorRendering,
    extensions: Extensions,
    path_prefix: String,
    /// The routes the adapters serve themselves, which no action may take.
    reserved_routes: Vec<ReservedRoute>,
    disabled_routes: Vec<&'static str>,
    /// The configured limit of actions that declare none, keyed by action and caller.
    default_rate_limit: Option<Arc<RateLimiter>>,
    /// What actions that do not say do with input keys they do not declare.
    unknown_fields: UnknownFields,
    /// What every call records into; none when `/metrics` is switched off.
    metrics: Option<Arc<Metrics>>,
    /// The slots every transport holds while it works for a caller.
    request_slots: RequestSlots,
    /// What the app's events, background jobs, ticks and cached results go through.
    backends: Backends,
}

/// Why an app could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppError {
    /// An action takes `State<T>` and the app has no `T`.
    #[error(
        "action `{action}` (at {location}) takes `State<{type_name}>`, but the app has no shared value of that type; add one with the builder's `state(..)`"
    )]
    MissingState {
        /// The action.
        action: String,
        /// Where it is declared.
        location: String,
        /// The missing type.
        type_name: &'static str,
    },
    /// A `pattern` an action's input declares is not a regular expression.
    #[error(
        "action `{action}` (at {location}): the pattern `{pattern}` in its input's schema is not a regular expression: {reason}"
    )]
    BadPattern {
        /// The action.
        action: String,
        /// Where it is declared.
        location: String,
        /// The pattern.
        pattern: String,
        /// Why it does not compile.
        reason: String,
    },
    /// The path prefix is not `/` followed by path segments.
    #[error("the path prefix `{0}` must start with `/` and not end with one (`/api`)")]
    InvalidPrefix(String),
    /// A route to switch off is not one servey serves.
    #[error(
        "`{0}` is not a built-in route; the built-in routes are the adapters' `RESERVED_ROUTES` (`App::reserved_routes` lists an app's)"
    )]
    UnknownRoute(String),
    /// Something the app uses needs one of servey's cargo features, which this build leaves out.
    #[error(
        "{what}: that needs servey's `{feature}` cargo feature, which is off in this build; turn it on in Cargo.toml (`servey = {{ features = [\"{feature}\"] }}`)"
    )]
    FeatureOff {
        /// What asks for it.
        what: String,
        /// The feature.
        feature: &'static str,
    },
}

impl App {
    /// An app over `registry` with `config`, the JWT bearer authenticator, problem-details errors and
    /// no shared values.
    pub fn new(registry: Registry, config: ServeyConfig) -> Self {
        Self::with_state(registry, config, Extensions::new())
    }

    /// Like [`new`](Self::new), with shared values; unchecked (see [`App::builder`] for the checks).
    pub fn with_state(registry: Registry, config: ServeyConfig, extensions: Extensions) -> Self {
        let mut builder = Self::builder(registry, config);
        builder.extensions = extensions;
        builder.assemble()
    }

    /// Starts an app over `registry` with `config`.
    pub fn builder(registry: Registry, config: ServeyConfig) -> AppBuilder {
        AppBuilder {
            registry,
            config,
            authenticator: None,
            errors: ErrorRendering::default(),
            extensions: Extensions::new(),
            path_prefix: String::new(),
            reserved_routes: Vec::new(),
            disabled_routes: Vec::new(),
            backends: None,
            unknown_fields: UnknownFields::Ignore,
        }
    }

    /// Every action.
    pub fn registry(&self) -> &Registry {
        &self.inner.registry
    }

    /// The settings read at start.
    pub fn config(&self) -> &ServeyConfig {
        &self.inner.config
    }

    /// Reads and verifies credentials, issues tokens.
    pub fn authenticator(&self) -> &dyn Authenticator {
        &*self.inner.authenticator
    }

    /// Renders errors as the API's body.
    pub fn errors(&self) -> &ErrorRendering {
        &self.inner.errors
    }

    /// The shared value of type `T`, if the app was built with one.
    pub fn state<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.inner.extensions.get::<T>()
    }

    /// Every shared value the app was built with.
    pub fn extensions(&self) -> &Extensions {
        &self.inner.extensions
    }

    /// The app's metrics, which `/metrics` serves; `None` when the route is switched off, and then
    /// nothing is recorded.
    pub fn metrics(&self) -> Option<&Arc<Metrics>> {
        self.inner.metrics.as_ref()
    }

    /// What the app's events, background jobs, ticks and cached results go through (in-process unless
    /// the builder was given others).
    pub fn backends(&self) -> &Backends {
        &self.inner.backends
    }

    /// The app's slots for work in flight (`max_concurrent_requests` of them), which every transport
    /// shares: past them a request is refused, not queued.
    pub fn request_slots(&self) -> &RequestSlots {
        &self.inner.request_slots
    }

    /// Where an action's web route is served: its trigger's path under the app's prefix (`/api`).
    pub fn route_path(&self, path: &str) -> String {
        format!("{}{path}", self.inner.path_prefix)
    }

    /// The routes its adapters serve themselves (given to [`AppBuilder::reserve`]), which no action
    /// may take.
    pub fn reserved_routes(&self) -> &[ReservedRoute] {
        &self.inner.reserved_routes
    }

    /// The reserved route that `path` falls on, if any.
    pub fn reserved_route(&self, path: &str) -> Option<&ReservedRoute> {
        reserved_route(&self.inner.reserved_routes, path)
    }

    /// Whether the app serves the built-in route at `path` (`/login` only with the debug login on).
    pub fn serves(&self, path: &str) -> bool {
        if path == "/login" && !self.inner.config.debug_login {
            return false;
        }
        !self.inner.disabled_routes.contains(&path)
    }

    /// The context of one incoming request, from its headers: credentials through the authenticator,
    /// its `X-Request-Id` (one is generated when absent or unusable) and its `X-Servey-Switches`. Every transport adapter builds
    /// contexts here.
    pub fn request_context(&self, headers: &HeaderMap) -> Context {
        // Names parsed once: a `&str` name is parsed and hashed anew on every lookup.
        const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
        let request_id = headers
            .get(REQUEST_ID)
            .and_then(|id| id.to_str().ok())
            .filter(|id| is_usable_request_id(id.as_bytes()))
            .map_or_else(|| Arc::from(new_request_id()), Arc::from);
        self.request_context_with_id(headers, request_id)
    }

    /// Like [`request_context`](Self::request_context), with the request id the transport already
    /// settled (the caller's when usable, else a fresh one) instead of reading it from the headers.
    pub fn request_context_with_id(&self, headers: &HeaderMap, request_id: Arc<str>) -> Context {
        const SWITCHES: HeaderName = HeaderName::from_static(crate::context::SWITCHES_HEADER);
        let context = self.context_for(request_id, self.inner.authenticator.authenticate(headers));
        match headers.get(SWITCHES).and_then(|value| value.to_str().ok()) {
            Some(switches) => context.switches(crate::context::parse_switches(switches)),
            None => context,
        }
    }

    /// The context of a call presenting a bare token (the CLI's `--token`), or none.
    pub fn token_context(&self, token: Option<&str>) -> Context {
        let credentials = match token {
            Some(token) => self.inner.authenticator.verify_token(token),
            None => crate::auth::Credentials::Anonymous,
        };
        self.context_with(None, credentials)
    }

    /// An anonymous context with a fresh request id, carrying the app's shared values.
    pub fn context(&self) -> Context {
        self.token_context(None)
    }

    fn context_with(
        &self,
        request_id: Option<&str>,
        credentials: crate::auth::Credentials,
    ) -> Context {
        let request_id = request_id
            .filter(|id| is_usable_request_id(id.as_bytes()))
            .map_or_else(|| Arc::from(new_request_id()), Arc::from);
        self.context_for(request_id, credentials)
    }

    fn context_for(&self, request_id: Arc<str>, credentials: crate::auth::Credentials) -> Context {
        let inner = &*self.inner;
        let values = crate::context::AppValues {
            extensions: &inner.extensions,
            authenticator: &inner.authenticator,
            default_timeout: inner.config.limits.action_timeout,
            default_rate_limit: inner.default_rate_limit.as_ref(),
            unknown_fields: inner.unknown_fields,
            metrics: inner.metrics.as_ref(),
            shared_results: inner.backends.shared_results(),
            shared_limits: inner.backends.shared_limits(),
        };
        Context::of_app(request_id, credentials, values)
    }
}

/// Assembles an [`App`]: shared values, authenticator, error renderer, path prefix, switched-off
/// built-in routes. [`build`](Self::build) checks what the actions need.
#[must_use]
pub struct AppBuilder {
    registry: Registry,
    config: ServeyConfig,
    authenticator: Option<Arc<dyn Authenticator>>,
    errors: ErrorRendering,
    extensions: Extensions,
    path_prefix: String,
    reserved_routes: Vec<ReservedRoute>,
    disabled_routes: Vec<String>,
    backends: Option<Backends>,
    unknown_fields: UnknownFields,
}

impl AppBuilder {
    /// Runs the app's events, background jobs, ticks and cached results through `backends` instead of
    /// in-process.
    pub fn backends(mut self, backends: Backends) -> Self {
        self.backends = Some(backends);
        self
    }

    /// Adds a shared value, injected into actions that take `State<T>`; one per type.
    pub fn state<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        self.extensions.insert(value);
        self
    }

    /// Adds every value of `extensions`' kind: replaces the shared values with these plus the ones
    /// already added.
    pub fn extensions(mut self, extensions: Extensions) -> Self {
        self.extensions = self.extensions.merged(extensions);
        self
    }

    /// Reads credentials with `authenticator` instead of the JWT bearer built from the config.
    pub fn authenticator(mut self, authenticator: impl Authenticator) -> Self {
        self.authenticator = Some(Arc::new(authenticator));
        self
    }

    /// Like [`authenticator`](Self::authenticator), for one already shared.
    pub fn shared_authenticator(mut self, authenticator: Arc<dyn Authenticator>) -> Self {
        self.authenticator = Some(authenticator);
        self
    }

    /// Renders errors with `errors` instead of problem details.
    pub fn error_rendering(mut self, errors: ErrorRendering) -> Self {
        self.errors = errors;
        self
    }

    /// Refuses input keys that an action does not declare (`unknown_field`, 422), for every action
    /// that does not say otherwise with `#[action(deny_unknown_fields = false)]`; by default they are
    /// ignored.
    pub fn deny_unknown_fields(mut self, deny: bool) -> Self {
        self.unknown_fields = match deny {
            true => UnknownFields::Refuse,
            false => UnknownFields::Ignore,
        };
        self
    }

    /// Serves every action route under `prefix` (`/api`): built-in routes stay where they are.
    pub fn path_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.path_prefix = prefix.into();
        self
    }

    /// Reserves `routes`, which an adapter serves itself: no action may take them, and
    /// [`without_route`](Self::without_route) may switch them off.
    pub fn reserve(mut self, routes: &[ReservedRoute]) -> Self {
        self.reserved_routes.extend_from_slice(routes);
        self
    }

    /// Does not serve the built-in route at `path` (`/graphiql`, `/docs`, ...), one of those reserved.
    pub fn without_route(mut self, path: impl Into<String>) -> Self {
        self.disabled_routes.push(path.into());
        self
    }

    /// The configuration, to change before building.
    pub fn config_mut(&mut self) -> &mut ServeyConfig {
        &mut self.config
    }

    /// The app, or the first reason it cannot run: an action's `State<T>` missing, a malformed prefix,
    /// an unknown route to switch off, something used that needs a cargo feature this build leaves out.
    pub fn build(self) -> Result<App, AppError> {
        let prefix = &self.path_prefix;
        if !prefix.is_empty() && (!prefix.starts_with('/') || prefix.ends_with('/')) {
            return Err(AppError::InvalidPrefix(prefix.clone()));
        }
        for path in &self.disabled_routes {
            if reserved_route(&self.reserved_routes, path).is_none_or(|route| route.path != path) {
                return Err(AppError::UnknownRoute(path.clone()));
            }
        }
        crate::features::check(
            &self.registry,
            &self.config,
            self.backends
                .as_ref()
                .is_some_and(|backends| backends.shared_results().is_some()),
            self.authenticator.is_some(),
        )?;
        for action in self.registry.iter() {
            if let Some((pattern, reason)) = action.schema.checker().bad_patterns().first() {
                return Err(AppError::BadPattern {
                    action: action.name.clone(),
                    location: action.location.clone(),
                    pattern: pattern.clone(),
                    reason: reason.clone(),
                });
            }
            if let Some(need) = action
                .state_needs
                .iter()
                .find(|need| !(need.is_present)(&self.extensions))
            {
                return Err(AppError::MissingState {
                    action: action.name.clone(),
                    location: action.location.clone(),
                    type_name: (need.type_name)(),
                });
            }
        }
        Ok(self.assemble())
    }

    fn assemble(self) -> App {
        let authenticator = self
            .authenticator
            .unwrap_or_else(|| crate::auth::built_in(&self.config));
        let default_rate_limit = self
            .config
            .limits
            .rate_limit
            .map(|limit| Arc::new(RateLimiter::new(limit)));
        let disabled_routes: Vec<&'static str> = self
            .disabled_routes
            .iter()
            .filter_map(|path| reserved_route(&self.reserved_routes, path).map(|route| route.path))
            .collect();
        let metrics = (!disabled_routes.contains(&"/metrics"))
            .then(|| Arc::new(Metrics::new(&self.registry)));
        let request_slots = RequestSlots::new(self.config.limits.max_concurrent_requests);
        let backends = self
            .backends
            .unwrap_or_else(|| Backends::in_process(&self.registry));
        App {
            inner: Arc::new(AppInner {
                registry: self.registry,
                config: self.config,
                authenticator,
                errors: self.errors,
                extensions: self.extensions,
                path_prefix: self.path_prefix,
                reserved_routes: self.reserved_routes,
                disabled_routes,
                default_rate_limit,
                unknown_fields: self.unknown_fields,
                metrics,
                request_slots,
                backends,
            }),
        }
    }
}

#[cfg(test)]
mod tests;
