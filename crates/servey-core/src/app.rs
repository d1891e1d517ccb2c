//! `App`: what every adapter is built from at start: the registry, the configuration and the token
//! authorizer (decoded keys made once).

use std::sync::Arc;

use crate::auth::JwtAuthorizer;
use crate::config::ServeyConfig;
use crate::context::{Context, is_usable_request_id, new_request_id};
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

    /// The context of one incoming call, from its `Authorization` header and `X-Request-Id` (one is
    /// generated when absent or unusable). Every transport adapter builds contexts here.
    pub fn context(&self, authorization: Option<&str>, request_id: Option<&str>) -> Context {
        let request_id = request_id
            .filter(|id| is_usable_request_id(id.as_bytes()))
            .map_or_else(new_request_id, str::to_owned);
        Context::with_request_id(request_id)
            .credentials(self.inner.authorizer.credentials_from_header(authorization))
    }
}
