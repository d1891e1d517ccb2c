//! `servey::builder()`: an app with everything `servey::main()` does (the command line, logging, the
//! schedule, graceful shutdown) plus what a real service adds: shared state, tower layers, an
//! authenticator, an error renderer, a path prefix and built-in routes switched on or off.

use std::future::Future;
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::Arc;

use servey_core::registry::RegistryBuilder;
use servey_core::{
    Action, App, AppError, Authenticator, Backends, EmbeddedDir, ErrorRendering, Extensions,
    Registry, RegistryError, ServeyConfig,
};

use crate::serve::StartError;

mod http;

pub(crate) use http::RouterLayers;

/// What makes shared values once the runtime runs (opening a database pool, running migrations).
type Setup = Box<
    dyn FnOnce(ServeyConfig) -> Pin<Box<dyn Future<Output = Result<Extensions, SetupError>> + Send>>
        + Send,
>;

/// Why an app's setup failed, in its own words.
pub type SetupError = Box<dyn std::error::Error + Send + Sync>;

/// What makes the authenticator from the configuration read at start.
/// What makes the authenticator from the configuration read at start, or says which feature it needs.
type MakeAuthenticator =
    Box<dyn FnOnce(&ServeyConfig) -> Result<Arc<dyn Authenticator>, AppError> + Send>;

/// Builds a servey app: `servey::builder().state(pool).path_prefix("/api").main()`.
///
/// Start from [`builder()`] (every action linked into the binary) or [`Builder::new`] (a registry
/// you choose), add what the app needs, then [`main`](Self::main) to run the command line, or
/// [`build`](Self::build) for the [`App`] itself.
///
/// ```rust,no_run
/// use servey::prelude::*;
///
/// struct Greeting(String);
///
/// #[action(triggers = [get("/greet/{name}")])]
/// fn greet(name: String, greeting: State<Greeting>) -> String {
///     format!("{}, {name}!", greeting.0)
/// }
///
/// fn main() {
///     servey::builder()
///         .state(Greeting("Hello".to_owned()))
///         .path_prefix("/api")
///         .main();
/// }
/// ```
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
    redis_url: Option<String>,
    embedded_templates: Option<EmbeddedDir>,
    embedded_static: Option<EmbeddedDir>,
    /// Builds the app in-process whatever `SERVEY_REDIS_URL` says: for the commands that only write a
    /// document or list the actions.
    pub(crate) in_process: bool,
    layers: RouterLayers,
    deny_unknown_fields: bool,
}

/// A builder over the actions linked into this binary (`#[action]` anywhere in it).
///
/// `servey::builder().main()` is what [`servey::main()`](crate::main()) does.
///
/// ```rust,no_run
/// # use servey::prelude::*;
/// # #[action(triggers = [get("/articles")])]
/// # fn list_articles() -> Vec<String> { Vec::new() }
/// fn main() {
///     servey::builder().path_prefix("/api").main();
/// }
/// ```
pub fn builder() -> Builder {
    Builder::new(Registry::builder().collected())
}

impl Builder {
    /// A builder over the actions of `registry`: the collected ones, run-time ones, or both.
    ///
    /// ```rust,standalone_crate
    /// use serde_json::json;
    /// use servey::{Action, Builder, Registry, ServeyConfig, Trigger};
    ///
    /// # #[tokio::main]
    /// # async fn main() -> Result<(), servey::StartError> {
    /// let ping = Action::builder("ping", |_input, _context| async { Ok(json!("pong")) })
    ///     .trigger(Trigger::web_get())
    ///     .build();
    /// let app = Builder::new(Registry::builder().collected().action(ping))
    ///     .config(ServeyConfig::default())
    ///     .build()
    ///     .await?;
    /// assert!(app.registry().get("ping").is_some());
    /// # Ok(())
    /// # }
    /// ```
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
            redis_url: None,
            embedded_templates: None,
            embedded_static: None,
            in_process: false,
            layers: RouterLayers::default(),
            deny_unknown_fields: false,
        }
    }

    /// Adds an action built at run time (with [`Action::builder`]).
    ///
    /// ```rust,no_run
    /// use serde_json::json;
    /// use servey::{Action, Trigger};
    ///
    /// fn main() {
    ///     let ping = Action::builder("ping", |_input, _context| async { Ok(json!("pong")) })
    ///         .doc("Answer `pong`.")
    ///         .trigger(Trigger::web_get())
    ///         .build();
    ///     servey::builder().action(ping).main();
    /// }
    /// ```
    pub fn action(mut self, action: Action) -> Self {
        self.registry = self.registry.action(action);
        self
    }

    /// Uses `config` instead of reading the environment at start: fixed settings for a test, or your
    /// own way of reading them.
    ///
    /// ```rust,standalone_crate
    /// # use servey::prelude::*;
    /// # #[action(triggers = [web_get])]
    /// # fn ping() -> String { "pong".to_owned() }
    /// use servey::ServeyConfig;
    ///
    /// # #[tokio::main]
    /// # async fn main() -> Result<(), servey::StartError> {
    /// let config = ServeyConfig::from_lookup(|key| match key {
    ///     "SERVER_PORT" => Some("9000".to_owned()),
    ///     _ => None,
    /// });
    /// let app = servey::builder().config(config).build().await?;
    /// assert_eq!(app.config().port, 9000);
    /// # Ok(())
    /// # }
    /// ```
    pub fn config(mut self, config: ServeyConfig) -> Self {
        self.config = Some(config);
        self
    }

    /// Reads page templates from `templates`, built into the binary, rather than from
    /// `SERVEY_TEMPLATES` (`templates/`) at run time: the binary serves its pages from any directory,
    /// in a container or on Lambda. In dev mode (`SERVEY_DEV`) the directory on disk is read instead,
    /// so that edits show at once.
    ///
    /// ```rust,no_run
    /// # use servey::prelude::*;
    /// # #[action(triggers = [web_get])]
    /// # fn ping() -> String { "pong".to_owned() }
    /// fn main() {
    ///     servey::builder()
    ///         .embedded_templates(servey::embed_dir!("../../templates"))
    ///         .embedded_static(servey::embed_dir!("../../static"))
    ///         .main();
    /// }
    /// ```
    pub fn embedded_templates(mut self, templates: EmbeddedDir) -> Self {
        self.embedded_templates = Some(templates);
        self
    }

    /// Serves `/static/` from `files`, built into the binary, rather than from `SERVEY_STATIC`
    /// (`static/`) at run time (the directory on disk in dev mode).
    pub fn embedded_static(mut self, files: EmbeddedDir) -> Self {
        self.embedded_static = Some(files);
        self
    }

    /// Shares the app's work with its other instances through the Redis at `url` (as
    /// `SERVEY_REDIS_URL` does): each scheduled tick runs once across them, background events are
    /// durable jobs any instance runs, websocket events reach the subscribers of every instance. The
    /// build fails, naming the URL, when Redis does not answer.
    ///
    /// ```rust,no_run
    /// # use servey::prelude::*;
    /// # #[action(triggers = [web_get])]
    /// # fn ping() -> String { "pong".to_owned() }
    /// fn main() {
    ///     servey::builder().redis_url("redis://127.0.0.1:6379").main();
    /// }
    /// ```
    pub fn redis_url(mut self, url: impl Into<String>) -> Self {
        self.redis_url = Some(url.into());
        self
    }

    /// Adds a shared value, injected into actions that take `State<T>`; one per type, a later one
    /// replacing an earlier one.
    ///
    /// An app that lacks a value some action takes does not build: the error names the action and
    /// the type.
    ///
    /// ```rust,standalone_crate
    /// use serde_json::json;
    /// use servey::prelude::*;
    /// use servey::{Input, ServeyConfig};
    ///
    /// struct Greeting(String);
    ///
    /// #[action(triggers = [get("/greet/{name}")])]
    /// fn greet(name: String, greeting: State<Greeting>) -> String {
    ///     format!("{}, {name}!", greeting.0)
    /// }
    ///
    /// # #[tokio::main]
    /// # async fn main() {
    /// let app = servey::builder()
    ///     .config(ServeyConfig::default())
    ///     .state(Greeting("Hello".to_owned()))
    ///     .build()
    ///     .await
    ///     .expect("every state present");
    /// let greet = app.registry().get("greet").expect("declared");
    /// let input = Input::from_value(json!({"name": "Ann"}));
    /// let output = servey::invoke(greet, input, app.context()).await.expect("greets");
    /// assert_eq!(output.to_value().expect("JSON"), json!("Hello, Ann!"));
    ///
    /// let missing = servey::builder().config(ServeyConfig::default()).build().await;
    /// assert!(missing.expect_err("no Greeting").to_string().contains("State<"));
    /// # }
    /// ```
    pub fn state<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        self.state.insert(value);
        self
    }

    /// Refuses input keys an action does not declare (422, code `unknown_field`) for every action that
    /// does not say otherwise with `#[action(deny_unknown_fields = false)]`; by default they are
    /// ignored, as serde does.
    pub fn deny_unknown_fields(mut self, deny: bool) -> Self {
        self.deny_unknown_fields = deny;
        self
    }

    /// Makes shared values once the runtime runs, from the configuration: open a pool, run
    /// migrations. A failure stops the start with its message.
    ///
    /// Setups run in order when the app is built, before anything is served; their values replace
    /// [`state`](Self::state) values of the same type.
    ///
    /// ```rust,standalone_crate
    /// # use servey::prelude::*;
    /// # #[action(triggers = [web_get])]
    /// # fn ping() -> String { "pong".to_owned() }
    /// use servey::{Extensions, ServeyConfig};
    ///
    /// /// Stands in for a database pool.
    /// struct Pool {
    ///     url: String,
    /// }
    ///
    /// async fn connect(url: &str) -> Result<Pool, std::io::Error> {
    ///     Ok(Pool { url: url.to_owned() })
    /// }
    ///
    /// # #[tokio::main]
    /// # async fn main() -> Result<(), servey::StartError> {
    /// let app = servey::builder()
    ///     .config(ServeyConfig::default())
    ///     .setup(|_config: ServeyConfig| async move {
    ///         let pool = connect("sqlite::memory:").await?;
    ///         Ok::<_, std::io::Error>(Extensions::new().with(pool))
    ///     })
    ///     .build()
    ///     .await?;
    /// assert_eq!(app.state::<Pool>().map(|pool| pool.url.as_str()), Some("sqlite::memory:"));
    /// # Ok(())
    /// # }
    /// ```
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

    /// The app: registry checked, setup run, channels made, every action's state present.
    ///
    /// For serving it yourself ([`serve_with_shutdown`](crate::serve_with_shutdown)), merging its
    /// [`router`](crate::router()) into an axum app, or calling actions in a test:
    ///
    /// ```rust,standalone_crate
    /// use serde_json::json;
    /// use servey::prelude::*;
    /// use servey::Input;
    ///
    /// #[action(triggers = [web_get])]
    /// fn say_hello(name: String) -> String {
    ///     format!("Hello {name}!")
    /// }
    ///
    /// # #[tokio::main]
    /// # async fn main() -> Result<(), servey::StartError> {
    /// let app = servey::builder().config(servey::ServeyConfig::default()).build().await?;
    /// let action = app.registry().get("say_hello").expect("declared");
    /// let input = Input::from_value(json!({"name": "World"}));
    /// let output = servey::invoke(action, input, app.context()).await.expect("greets");
    /// assert_eq!(output.to_value().expect("JSON"), json!("Hello World!"));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn build(self) -> Result<App, StartError> {
        let registry = self.registry.build()?;
        if registry.is_empty() {
            return Err(RegistryError::Empty.into());
        }
        let mut config = self.config.unwrap_or_else(ServeyConfig::from_env);
        if let Some(serve) = self.debug_login {
            config.debug_login = serve;
        }
        if let Some(url) = self.redis_url {
            config.settings = config.settings.with("SERVEY_REDIS_URL", url);
        }
        config.embedded_templates = self.embedded_templates.or(config.embedded_templates);
        config.embedded_static = self.embedded_static.or(config.embedded_static);
        let mut state = self.state;
        for setup in self.setups {
            let made = setup(config.clone()).await.map_err(StartError::Setup)?;
            state = state.merged(made);
        }
        let backends = if self.in_process {
            crate::adapters::channels_over(&registry, Backends::in_process(&registry), &mut state)?
        } else {
            crate::serve::install_channels(&registry, &config, &mut state).await?
        };
        state.insert(crate::telemetry::trace_propagation());
        state.insert(self.layers);
        let mut app = App::builder(registry, config.clone())
            .reserve(&crate::adapters::reserved_routes())
            .extensions(state)
            .backends(backends)
            .error_rendering(self.errors)
            .path_prefix(self.path_prefix)
            .deny_unknown_fields(self.deny_unknown_fields);
        if let Some(make) = self.authenticator {
            app = app.shared_authenticator(make(&config)?);
        }
        for path in self.without {
            app = app.without_route(path);
        }
        Ok(app.build()?)
    }

    /// Runs the app's command line (serve, run one action, write a document) and exits non-zero on
    /// failure: what `servey::main()` does with the defaults.
    ///
    /// It starts a tokio runtime and logging, builds the app (a failure is printed as
    /// `servey could not start: ...`), then runs what the arguments ask for.
    ///
    /// ```rust,no_run
    /// # use servey::prelude::*;
    /// # #[action(triggers = [web_get])]
    /// # fn ping() -> String { "pong".to_owned() }
    /// fn main() {
    ///     servey::builder().debug_login(true).main();
    /// }
    /// ```
    pub fn main(self) {
        if crate::cli::start(self) != ExitCode::SUCCESS {
            std::process::exit(1);
        }
    }
}
