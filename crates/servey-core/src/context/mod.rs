//! `Context`: what travels with every call (request id, credentials, switches, the app's shared values)
//! and into nested calls.

mod ids;

pub use ids::{
    MAX_SWITCHES, SWITCHES_HEADER, is_usable_request_id, new_request_id, parse_switches,
    switches_header,
};

use crate::check::UnknownFields;
use std::collections::BTreeSet;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::auth::{Authenticator, Authorization, Credentials};
use crate::backend::{SharedLimitStore, SharedResultStore};
use crate::error::ActionError;
use crate::metrics::Metrics;
use crate::rate::RateLimiter;
use crate::state::{Extensions, State};

/// What travels with a call: its request id, the caller's credentials, feature switches and the shared
/// values of the app it runs in (empty for a context made with [`Context::new`]).
///
/// Cheap to clone; an action that takes a `Context` parameter gets the one of its call, and passes it
/// on to the actions it calls so that request ids and switches chain.
#[derive(Debug, Clone, Default)]
pub struct Context {
    inner: Arc<ContextInner>,
}

#[derive(Debug, Clone, Default)]
struct ContextInner {
    request_id: Arc<str>,
    credentials: Credentials,
    switches: BTreeSet<String>,
    extensions: Extensions,
    client: Client,
    default_timeout: Option<Duration>,
    default_rate_limit: Option<Arc<RateLimiter>>,
    unknown_fields: UnknownFields,
    authenticator: Option<AuthenticatorHandle>,
    origin: Origin,
    metrics: Option<Arc<Metrics>>,
    /// The app's shared TTL result store, from its backends.
    shared_results: Option<SharedResultStore>,
    /// The app's shared rate limits, from its backends.
    shared_limits: Option<SharedLimitStore>,
}

/// Where a call came from, as the `transport` label of its metrics (label name and values unchanged:
/// [`Schedule`](Self::Schedule) is `job` there): set by the adapter that builds the context, inherited
/// by nested calls.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Origin {
    /// A REST route or a web page.
    Rest,
    /// A GraphQL field.
    Graphql,
    /// A gRPC call.
    Grpc,
    /// The command line (`--run=action`).
    Cli,
    /// A scheduled tick (`fixed_rate`, `cron`).
    Schedule,
    /// A background channel's event.
    Channel,
    /// An example run as a test.
    Test,
    /// A call made in code with `App::context` (the default).
    #[default]
    Internal,
}

impl Origin {
    /// Every origin, in the order of [`index`](Self::index).
    pub const ALL: [Self; 8] = [
        Self::Rest,
        Self::Graphql,
        Self::Grpc,
        Self::Cli,
        Self::Schedule,
        Self::Channel,
        Self::Test,
        Self::Internal,
    ];

    /// The label value: `rest`, `graphql`, `grpc`, `cli`, `job`, `channel`, `test` or `internal`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rest => "rest",
            Self::Graphql => "graphql",
            Self::Grpc => "grpc",
            Self::Cli => "cli",
            Self::Schedule => "job",
            Self::Channel => "channel",
            Self::Test => "test",
            Self::Internal => "internal",
        }
    }

    /// The position in [`ALL`](Self::ALL), for tables indexed by transport.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// What an app puts in the context of every call into it.
pub(crate) struct AppValues<'a> {
    pub(crate) extensions: &'a Extensions,
    pub(crate) authenticator: &'a Arc<dyn Authenticator>,
    pub(crate) default_timeout: Option<Duration>,
    pub(crate) default_rate_limit: Option<&'a Arc<RateLimiter>>,
    pub(crate) unknown_fields: UnknownFields,
    pub(crate) metrics: Option<&'a Arc<Metrics>>,
    pub(crate) shared_results: Option<&'a SharedResultStore>,
    pub(crate) shared_limits: Option<&'a SharedLimitStore>,
}

/// The app's authenticator, as a context carries it.
#[derive(Clone)]
struct AuthenticatorHandle(Arc<dyn Authenticator>);

impl std::fmt::Debug for AuthenticatorHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Authenticator")
    }
}

/// Where a call comes from, as the transport saw it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Client {
    /// The peer's address, for a call over a socket.
    pub address: Option<IpAddr>,
    /// The verified TLS client certificate, under two-way TLS.
    pub certificate: Option<ClientCertificate>,
}

/// A TLS client certificate that the server verified against its client CA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCertificate {
    /// The certificate's subject, RFC 4514 style (`CN=billing,O=Example`).
    pub subject: String,
}

impl Context {
    /// A context with a fresh request id and no credentials.
    pub fn new() -> Self {
        Self::with_request_id(new_request_id())
    }

    /// A context carrying the caller's request id.
    pub fn with_request_id(request_id: impl Into<String>) -> Self {
        Self::with_shared_request_id(Arc::from(request_id.into()))
    }

    /// The context of a call into an app: every app-wide value set at once, with no copy made
    /// field by field.
    pub(crate) fn of_app(
        request_id: Arc<str>,
        credentials: Credentials,
        app: AppValues<'_>,
    ) -> Self {
        Self {
            inner: Arc::new(ContextInner {
                request_id,
                credentials,
                switches: BTreeSet::new(),
                extensions: app.extensions.clone(),
                client: Client::default(),
                default_timeout: app.default_timeout,
                default_rate_limit: app.default_rate_limit.cloned(),
                unknown_fields: app.unknown_fields,
                authenticator: Some(AuthenticatorHandle(app.authenticator.clone())),
                origin: Origin::default(),
                metrics: app.metrics.cloned(),
                shared_results: app.shared_results.cloned(),
                shared_limits: app.shared_limits.cloned(),
            }),
        }
    }

    pub(crate) fn with_shared_request_id(request_id: Arc<str>) -> Self {
        Self {
            inner: Arc::new(ContextInner {
                request_id,
                ..ContextInner::default()
            }),
        }
    }

    /// This context with the credentials an adapter found.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        Arc::make_mut(&mut self.inner).credentials = credentials;
        self
    }

    /// This context with the shared values of an app (`App::context` adds its own).
    pub fn extensions(mut self, extensions: Extensions) -> Self {
        Arc::make_mut(&mut self.inner).extensions = extensions;
        self
    }

    /// This context with the app's authenticator, through which actions issue tokens
    /// (`App::context` sets it).
    pub fn authenticator(mut self, authenticator: Arc<dyn Authenticator>) -> Self {
        Arc::make_mut(&mut self.inner).authenticator = Some(AuthenticatorHandle(authenticator));
        self
    }

    /// A token granting `authorization`, issued by the app's authenticator: what a login or register
    /// action returns to its caller.
    pub fn issue_token(&self, authorization: &Authorization) -> Result<String, ActionError> {
        match &self.inner.authenticator {
            Some(AuthenticatorHandle(authenticator)) => authenticator.issue(authorization),
            None => Err(ActionError::internal(std::io::Error::other(
                "this call runs outside an app: no authenticator to issue tokens",
            ))),
        }
    }

    /// This context with where the call comes from. A verified client certificate, when no bearer token
    /// was sent, makes its subject the caller (an `Authorization` without scopes), so that access control
    /// can read it.
    pub fn client(mut self, client: Client) -> Self {
        let inner = Arc::make_mut(&mut self.inner);
        if let (Credentials::Anonymous, Some(certificate)) =
            (&inner.credentials, &client.certificate)
        {
            inner.credentials = Credentials::Valid(Authorization::new(
                certificate.subject.clone(),
                [] as [&str; 0],
            ));
        }
        inner.client = client;
        self
    }

    /// This context with the time limit for actions that declare none (`App::context` sets the
    /// configured one).
    pub fn default_timeout(mut self, limit: Option<Duration>) -> Self {
        Arc::make_mut(&mut self.inner).default_timeout = limit;
        self
    }

    /// This context with the app's rate limiter for actions that declare no limit of their own.
    pub fn default_rate_limit(mut self, limiter: Option<Arc<RateLimiter>>) -> Self {
        Arc::make_mut(&mut self.inner).default_rate_limit = limiter;
        self
    }

    /// This context with where its call came from (each adapter sets its own; nested calls keep it).
    pub fn with_origin(mut self, origin: Origin) -> Self {
        Arc::make_mut(&mut self.inner).origin = origin;
        self
    }

    /// Where this call came from.
    pub fn origin(&self) -> Origin {
        self.inner.origin
    }

    /// This context with the app's metrics, where the invoke path records the call (`App::context`
    /// sets them; a context without records nothing).
    pub fn with_metrics(mut self, metrics: Option<Arc<Metrics>>) -> Self {
        Arc::make_mut(&mut self.inner).metrics = metrics;
        self
    }

    /// This context with the shared result store of the app's backends (`App::context` sets it).
    pub fn with_shared_results(mut self, results: Option<SharedResultStore>) -> Self {
        Arc::make_mut(&mut self.inner).shared_results = results;
        self
    }

    /// Where cached actions keep their results when the app's instances share them.
    pub fn shared_results(&self) -> Option<&SharedResultStore> {
        self.inner.shared_results.as_ref()
    }

    /// This context with the shared rate limits of the app's backends (`App::context` sets them).
    pub fn with_shared_limits(mut self, limits: Option<SharedLimitStore>) -> Self {
        Arc::make_mut(&mut self.inner).shared_limits = limits;
        self
    }

    /// Where rate-limited calls take from when the app's instances share their limits.
    pub fn shared_limits(&self) -> Option<&SharedLimitStore> {
        self.inner.shared_limits.as_ref()
    }

    /// The metrics of the app this call runs in, if it records any.
    pub fn metrics(&self) -> Option<&Arc<Metrics>> {
        self.inner.metrics.as_ref()
    }

    /// The app's rate limiter for actions that declare none (keyed by action and caller).
    pub fn default_rate_limiter(&self) -> Option<&RateLimiter> {
        self.inner.default_rate_limit.as_deref()
    }

    /// What actions that do not say do with input keys they do not declare.
    pub fn unknown_fields(&self) -> UnknownFields {
        self.inner.unknown_fields
    }

    /// The time limit for actions that declare none.
    pub fn time_limit(&self) -> Option<Duration> {
        self.inner.default_timeout
    }

    /// Where the call comes from.
    pub fn client_info(&self) -> &Client {
        &self.inner.client
    }

    /// This context with an authenticated principal.
    pub fn authorized(self, authorization: Authorization) -> Self {
        self.credentials(Credentials::Valid(authorization))
    }

    /// This context with the given switches on.
    pub fn switches(mut self, switches: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Arc::make_mut(&mut self.inner)
            .switches
            .extend(switches.into_iter().map(Into::into));
        self
    }

    /// The request id, chained into nested calls.
    pub fn request_id(&self) -> &str {
        &self.inner.request_id
    }

    /// The request id as a shared handle, kept past the call that consumes this context.
    pub(crate) fn shared_request_id(&self) -> Arc<str> {
        self.inner.request_id.clone()
    }

    /// The caller's valid grant, if any.
    pub fn authorization(&self) -> Option<&Authorization> {
        match &self.inner.credentials {
            Credentials::Valid(auth) => Some(auth),
            _ => None,
        }
    }

    /// The credentials as the adapter found them, including a rejected token's reason.
    pub fn raw_credentials(&self) -> &Credentials {
        &self.inner.credentials
    }

    /// Who is calling, for per-caller limits: the token's (or certificate's) subject, else the peer's
    /// address, else `anonymous`.
    pub fn caller_key(&self) -> String {
        if let Some(subject) = self
            .authorization()
            .and_then(|auth| auth.subject.as_deref())
        {
            return format!("subject {subject}");
        }
        self.inner.client.address.map_or_else(
            || "anonymous".to_owned(),
            |address| format!("address {address}"),
        )
    }

    /// Whether a switch is on.
    pub fn is_switch_on(&self, switch: &str) -> bool {
        self.inner.switches.contains(switch)
    }

    /// The shared value of type `T` of the app this call runs in, if it has one.
    pub fn state<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.inner.extensions.get::<T>()
    }

    /// The shared value of type `T` as an action's `State<T>` parameter receives it; an internal error
    /// when the app has none (the app builder refuses to start without it, so only a hand-made context
    /// meets this).
    pub fn shared<T: Send + Sync + 'static>(&self) -> Result<State<T>, ActionError> {
        self.inner
            .extensions
            .get_shared::<T>()
            .map(State::new)
            .ok_or_else(|| {
                ActionError::internal(std::io::Error::other(format!(
                    "this call's app has no shared value of type `{}`",
                    std::any::type_name::<T>()
                )))
            })
    }

    /// Every shared value of the app this call runs in.
    pub fn shared_values(&self) -> &Extensions {
        &self.inner.extensions
    }

    /// The switches that are on.
    pub fn active_switches(&self) -> impl Iterator<Item = &str> {
        self.inner.switches.iter().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_values_travel_with_clones_and_new_contexts_have_none() {
        let context = Context::new().extensions(Extensions::new().with(42_u32));
        assert_eq!(context.clone().state::<u32>(), Some(&42));
        assert_eq!(Context::new().state::<u32>(), None);
        assert!(Context::new().shared_values().is_empty());
    }
}
