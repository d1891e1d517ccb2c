//! `App`: what every adapter is built from at start: the registry, the configuration and the token
//! authorizer (decoded keys made once).

use std::sync::Arc;

use crate::auth::JwtAuthorizer;
use crate::config::ServeyConfig;
use crate::registry::Registry;

/// The registry, configuration and authorizer of a running app. Cheap to clone.
#[derive(Debug, Clone)]
pub struct App {
    inner: Arc<AppInner>,
}

#[derive(Debug)]
struct AppInner {
    registry: Registry,
    config: ServeyConfig,
    authorizer: JwtAuthorizer,
}

impl App {
    /// An app over `registry` with `config`; the JWT key comes from the config or is generated.
    pub fn new(registry: Registry, config: ServeyConfig) -> Self {
        let authorizer = match &config.jwt_secret_key {
            Some(secret) => JwtAuthorizer::new(Some(secret)),
            None => JwtAuthorizer::generated(),
        };
        Self {
            inner: Arc::new(AppInner {
                registry,
                config,
                authorizer,
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
}
