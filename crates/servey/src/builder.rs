//! `servey::builder()`: an app with everything `servey::main()` does (the command line, logging, the
//! schedule, graceful shutdown) plus what a real service adds: shared state, tower layers, an
//! authenticator, an error renderer, a path prefix and built-in routes switched on or off.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::response::IntoResponse;
use axum::routing::Route;
use servey_core::registry::RegistryBuilder;
use servey_core::{
    Action, App, Authenticator, ErrorRenderer, ErrorRendering, Extensions, JwtBearer, Registry,
    RegistryError, ServeyConfig,
};
use tower::{Layer, Service};

use crate::serve::StartError;

/// What makes shared values once the runtime runs (opening a database pool, running migrations).
type Setup = Box<
    dyn FnOnce(ServeyConfig) -> Pin<Box<dyn Future<Output = Result<Extensions, SetupError>> + Send>>
        + Send,
>;

/// Why an app's setup failed, in its own words.
pub type SetupError = Box<dyn std::error::Error + Send + Sync>;

/// What makes the authenticator from the configuration read at start.
type MakeAuthenticator = Box<dyn FnOnce(&ServeyConfig) -> Arc<dyn Authenticator> + Send>;

/// The tower layers an app's routes are wrapped in, kept in its shared values for [`router`](crate::router).
#[derive(Clone, Default)]
pub(crate) struct RouterLayers(Vec<Arc<dyn Fn(Router) -> Router + Send + Sync>>);

impl RouterLayers {
    /// `router` wrapped in every layer, the first added innermost.
    pub(crate) fn apply(&self, router: Router) -> Router {
        self.0.iter().fold(router, |router, layer| layer(router))
    }
}

/// Builds a servey app: `servey::builder().state(pool).path_prefix("/api").main()`.
#[must_use]
pub struct Builder {
    registry: RegistryBuilder,
    config: Option<ServeyConfig>,
    state: Extensions,
    setups: Vec<Setup>,
    authenticator: Option<MakeAuthenticator>,
    errors: ErrorRendering,
    path_prefix: String,
    without: Vec<String>,
    debug_login: Option<bool>,
    layers: RouterLayers,
}

/// A builder over the actions linked into this binary (`#[action]` anywhere in it).
pub fn builder() -> Builder {
    Builder::new(Registry::builder().collected())
}

impl Builder {
    /// A builder over the actions of `registry`.
    pub fn new(registry: RegistryBuilder) -> Self {
        Self {
            registry,
            config: None,
            state: Extensions::new(),
            setups: Vec::new(),
            authenticator: None,
            errors: ErrorRendering::default(),
            path_prefix: String::new(),
            without: Vec::new(),
            debug_login: None,
            layers: RouterLayers::default(),
        }
    }

    /// Adds an action built at run time.
    pub fn action(mut self, action: Action) -> Self {
        self.registry = self.registry.action(action);
        self
    }

    /// Uses `config` instead of reading the environment at start.
    pub fn config(mut self, config: ServeyConfig) -> Self {
        self.config = Some(config);
        self
    }

    /// Adds a shared value, injected into actions that take `State<T>`; one per type.
    pub fn state<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        self.state.insert(value);
        self
    }

    /// Makes shared values once the runtime runs, from the configuration: open a pool, run
    /// migrations. A failure stops the start with its message.
    pub fn setup<F, Fut, E>(mut self, setup: F) -> Self
    where
        F: FnOnce(ServeyConfig) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Extensions, E>> + Send + 'static,
        E: Into<SetupError>,
    {
        self.setups.push(Box::new(move |config| {
            let made = setup(config);
            Box::pin(async move { made.await.map_err(Into::into) })
        }));
        self
    }

    /// Reads credentials with `authenticator` instead of the JWT bearer built from the config.
    pub fn authenticator(mut self, authenticator: impl Authenticator) -> Self {
        let authenticator: Arc<dyn Authenticator> = Arc::new(authenticator);
        self.authenticator = Some(Box::new(move |_| authenticator));
        self
    }

    /// Keeps the built-in JWT authenticator (its key from `JWT_SECRET_KEY`) but reads tokens under
    /// these scheme names: `["Token"]` for `Authorization: Token <jwt>`.
    pub fn bearer_schemes(mut self, schemes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        let schemes: Vec<String> = schemes.into_iter().map(Into::into).collect();
        self.authenticator = Some(Box::new(move |config| {
            Arc::new(JwtBearer::from_config(config).schemes(schemes))
        }));
        self
    }

    /// Renders errors with `renderer` (the API's own body) instead of problem details, on the wire
    /// and in the OpenAPI document.
    pub fn error_renderer(mut self, renderer: impl ErrorRenderer) -> Self {
        self.errors = ErrorRendering::new(renderer);
        self
    }

    /// Serves every action route under `prefix` (`/api`); built-in routes stay where they are.
    pub fn path_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.path_prefix = prefix.into();
        self
    }

    /// Does not serve the built-in route at `path` (`/graphiql`, `/docs`, `/subscription`, ...).
    pub fn without_route(mut self, path: impl Into<String>) -> Self {
        self.without.push(path.into());
        self
    }

    /// Serves (or not) `POST /login`, the debug authenticator that issues `root` tokens; off unless
    /// switched on here or with `SERVEY_DEBUG_LOGIN=true`.
    pub fn debug_login(mut self, serve: bool) -> Self {
        self.debug_login = Some(serve);
        self
    }

    /// Wraps every route in a tower layer (inside servey's own envelope: request id, limits, errors).
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: Layer<Route> + Clone + Send + Sync + 'static,
        L::Service: Service<Request> + Clone + Send + Sync + 'static,
        <L::Service as Service<Request>>::Response: IntoResponse + 'static,
        <L::Service as Service<Request>>::Error: Into<Infallible> + 'static,
        <L::Service as Service<Request>>::Future: Send + 'static,
    {
        self.layers
            .0
            .push(Arc::new(move |router: Router| router.layer(layer.clone())));
        self
    }

    /// The app: registry checked, setup run, channels made, every action's state present.
    pub async fn build(self) -> Result<App, StartError> {
        let registry = self.registry.build()?;
        if registry.is_empty() {
            return Err(RegistryError::Empty.into());
        }
        let mut config = self.config.unwrap_or_else(ServeyConfig::from_env);
        if let Some(serve) = self.debug_login {
            config.debug_login = serve;
        }
        let mut state = self.state;
        for setup in self.setups {
            let made = setup(config.clone()).await.map_err(StartError::Setup)?;
            state = state.merged(made);
        }
        state.insert(servey_schedule::Channels::new(&registry)?);
        state.insert(crate::telemetry::trace_propagation());
        state.insert(self.layers);
        let mut app = App::builder(registry, config.clone())
            .extensions(state)
            .error_rendering(self.errors)
            .path_prefix(self.path_prefix);
        if let Some(make) = self.authenticator {
            app = app.shared_authenticator(make(&config));
        }
        for path in self.without {
            app = app.without_route(path);
        }
        Ok(app.build()?)
    }

    /// Runs the app's command line (serve, run one action, write a document) and exits non-zero on
    /// failure: what `servey::main()` does with the defaults.
    pub fn main(self) {
        if crate::cli::start(self) != ExitCode::SUCCESS {
            std::process::exit(1);
        }
    }
}
