//! `App`: what every adapter is built from at start: the registry, the configuration, the token
//! authorizer (decoded keys made once) and the shared values (`Extensions`) its calls reach.

use std::sync::Arc;

use crate::auth::JwtAuthorizer;
use crate::config::ServeyConfig;
use crate::context::{Context, is_usable_request_id, new_request_id};
use crate::rate::RateLimiter;
use crate::registry::Registry;
use crate::state::Extensions;

/// The registry, configuration, authorizer and shared values of a running app. Cheap to clone.
#[derive(Debug, Clone)]
pub struct App {
    inner: Arc<AppInner>,
}

#[derive(Debug)]
struct AppInner {
    registry: Registry,
    config: ServeyConfig,
    authorizer: JwtAuthorizer,
    extensions: Extensions,
    /// The configured limit of actions that declare none, keyed by action and caller.
    default_rate_limit: Option<Arc<RateLimiter>>,
}

impl App {
    /// An app over `registry` with `config` and no shared values; the JWT key comes from the config or
    /// is generated.
    pub fn new(registry: Registry, config: ServeyConfig) -> Self {
        Self::with_state(registry, config, Extensions::new())
    }

    /// An app over `registry` with `config` whose calls reach the shared values in `extensions`.
    pub fn with_state(registry: Registry, config: ServeyConfig, extensions: Extensions) -> Self {
        let authorizer = match &config.jwt_secret_key {
            Some(secret) => JwtAuthorizer::new(Some(secret)),
            None => JwtAuthorizer::generated(),
        };
        let default_rate_limit = config
            .limits
            .rate_limit
            .map(|limit| Arc::new(RateLimiter::new(limit)));
        Self {
            inner: Arc::new(AppInner {
                registry,
                config,
                authorizer,
                extensions,
                default_rate_limit,
            }),
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

    /// Issues and checks bearer tokens.
    pub fn authorizer(&self) -> &JwtAuthorizer {
        &self.inner.authorizer
    }

    /// The shared value of type `T`, if the app was built with one.
    pub fn state<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.inner.extensions.get::<T>()
    }

    /// Every shared value the app was built with.
    pub fn extensions(&self) -> &Extensions {
        &self.inner.extensions
    }

    /// The context of one incoming call, from its `Authorization` header and `X-Request-Id` (one is
    /// generated when absent or unusable), carrying the app's shared values. Every transport adapter builds
    /// contexts here.
    pub fn context(&self, authorization: Option<&str>, request_id: Option<&str>) -> Context {
        let request_id = request_id
            .filter(|id| is_usable_request_id(id.as_bytes()))
            .map_or_else(new_request_id, str::to_owned);
        Context::with_request_id(request_id)
            .extensions(self.inner.extensions.clone())
            .default_timeout(self.inner.config.limits.action_timeout)
            .default_rate_limit(self.inner.default_rate_limit.clone())
            .credentials(self.inner.authorizer.credentials_from_header(authorization))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contexts_of_an_app_carry_its_shared_values() {
        let app = App::with_state(
            Registry::default(),
            ServeyConfig::default(),
            Extensions::new().with("pool"),
        );
        assert_eq!(app.state::<&str>(), Some(&"pool"));
        assert_eq!(app.context(None, None).state::<&str>(), Some(&"pool"));
        let other = App::new(Registry::default(), ServeyConfig::default());
        assert_eq!(other.context(None, None).state::<&str>(), None);
    }
}
