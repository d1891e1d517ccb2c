//! Building and serving an app: its channels built into its state, every adapter's routes merged into
//! one axum `Router`, bound to `SERVER_HOST:SERVER_PORT`, served until a shutdown signal.

use std::future::Future;

use axum::Router;
use servey_core::{App, Backends, Extensions, Registry, ServeyConfig};
use tokio::net::TcpListener;

use crate::adapters::FeatureOff;
use crate::scale_out::RedisSettings;

/// Why the server could not start.
///
/// Each variant says which part refused; its message is meant for the operator, as
/// `servey::main()` prints it (`servey could not start: ...`).
///
/// ```rust
/// use servey::{Builder, Registry, RegistryError, StartError};
///
/// # #[tokio::main]
/// # async fn main() {
/// let error = Builder::new(Registry::builder()).build().await.expect_err("no actions");
/// assert!(matches!(error, StartError::Registry(RegistryError::Empty)));
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The REST routes could not be built.
    #[error("REST routes: {0}")]
    Web(#[from] servey_web::WebError),
    /// The GraphQL schema could not be built.
    #[cfg(feature = "graphql")]
    #[error("GraphQL schema: {0}")]
    Graphql(#[from] servey_graphql::GraphqlError),
    /// The gRPC face could not be built from the schemas.
    #[cfg(feature = "grpc")]
    #[error("gRPC: {0}")]
    Grpc(#[from] servey_grpc::GrpcError),
    /// The channels or a schedule could not start (two channels with one name, a background channel
    /// naming no action, a bad cron expression, an app built without `servey::app`).
    #[cfg(feature = "schedule")]
    #[error("schedule: {0}")]
    Schedule(#[from] servey_schedule::ScheduleError),
    /// The app needs a part this binary was built without (its cargo feature is named).
    #[error("{0}")]
    FeatureOff(#[from] FeatureOff),
    /// The TLS certificate, key or client CA could not be used.
    #[error("TLS: {0}")]
    Tls(#[from] crate::tls::TlsError),
    /// The actions could not be registered (two with one name, none at all).
    #[error("{0}")]
    Registry(#[from] servey_core::RegistryError),
    /// The app cannot run as built (an action's `State<T>` missing, a malformed path prefix).
    #[error("{0}")]
    App(#[from] servey_core::AppError),
    /// The app's own setup (`Builder::setup`) failed.
    #[error("setup: {0}")]
    Setup(crate::builder::SetupError),
    /// The address could not be bound or served.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// `SERVEY_METRICS_ADDR` could not be listened on.
    #[error(
        "SERVEY_METRICS_ADDR `{wanted}` cannot be listened on (expected HOST:PORT, as 127.0.0.1:9100): {source}"
    )]
    MetricsAddr {
        /// The address asked for.
        wanted: String,
        /// Why it could not be bound.
        source: std::io::Error,
    },
    /// Redis (`SERVEY_REDIS_URL`) did not answer.
    #[cfg(feature = "redis")]
    #[error("{0}")]
    Redis(servey_redis::RedisError),
    /// `SERVEY_REDIS_URL` (or `Builder::redis_url`) is set, but servey was built without its `redis`
    /// feature.
    #[error(
        "SERVEY_REDIS_URL is set, but servey was built without its `redis` feature: turn it on \
         (`servey = {{ version = \"0.1\", features = [\"redis\"] }}`) or unset SERVEY_REDIS_URL to run \
         everything in this process"
    )]
    RedisFeatureOff,
}

/// Puts into `state` the event channels of an app over `registry`, and returns the app's backends
/// they publish through: the Redis of `SERVEY_REDIS_URL` in `config`'s settings when set (connected
/// and subscribed now, so a Redis that does not answer fails the start), else in-process.
pub(crate) async fn install_channels(
    registry: &Registry,
    config: &ServeyConfig,
    state: &mut Extensions,
) -> Result<Backends, StartError> {
    let redis = RedisSettings::from_settings(&config.settings);
    let backends = match &redis.url {
        Some(url) => redis_backends(registry, url, &redis).await?,
        None => Backends::in_process(registry).with_fan_out(
            servey_core::backend::InProcess::with_history(redis.channel_history),
        ),
    };
    #[cfg(feature = "lambda")]
    {
        // Boxed: the SDK's futures are deep, and every caller's future would carry them inline.
        let aws = Box::pin(crate::lambda::AwsBackends::from_settings(&config.settings)).await;
        let backends = crate::adapters::channels_over(registry, aws.over(backends), state)?;
        if let Some(channels) = state.get::<servey_schedule::Channels>() {
            aws.attach(channels);
        }
        Ok(backends)
    }
    #[cfg(not(feature = "lambda"))]
    crate::adapters::channels_over(registry, backends, state)
}

/// The backends of an app over `registry`, all in the Redis at `url`.
#[cfg(feature = "redis")]
async fn redis_backends(
    registry: &Registry,
    url: &str,
    settings: &RedisSettings,
) -> Result<Backends, StartError> {
    let backend = servey_redis::RedisBackend::connect(url)
        .await
        .map_err(StartError::Redis)?
        .call_timeout(settings.timeout)
        .history(settings.channel_history);
    tracing::info!(url = backend.url(), "instances share work through Redis");
    backend.backends(registry).await.map_err(StartError::Redis)
}

/// Without the `redis` feature, a Redis URL is refused rather than ignored.
#[cfg(not(feature = "redis"))]
async fn redis_backends(
    _registry: &Registry,
    _url: &str,
    _settings: &RedisSettings,
) -> Result<Backends, StartError> {
    Err(StartError::RedisFeatureOff)
}

/// The app over `registry` with `config`: what [`Builder::build`](crate::Builder::build) makes of them
/// (`Builder::new(registry.into()).config(config).build()`), the same checks and the same backends (the
/// Redis of `SERVEY_REDIS_URL` when set), for serving it yourself or calling its actions in a test.
/// [`builder`](crate::builder()) adds shared state, layers and the rest.
///
/// ```rust,standalone_crate
/// use servey::prelude::*;
/// use servey::{Registry, ServeyConfig};
///
/// #[action(triggers = [web_get])]
/// fn say_hello(name: String) -> String {
///     format!("Hello {name}!")
/// }
///
/// #[tokio::main]
/// async fn main() -> Result<(), Box<dyn std::error::Error>> {
///     let app = servey::app(Registry::collect()?, ServeyConfig::default()).await?;
///     assert!(app.registry().get("say_hello").is_some());
///
///     let empty = servey::app(Registry::default(), ServeyConfig::default()).await;
///     assert!(matches!(empty, Err(servey::StartError::Registry(_))));
///     Ok(())
/// }
/// ```
pub async fn app(registry: Registry, config: ServeyConfig) -> Result<App, StartError> {
    crate::Builder::new(registry.into())
        .config(config)
        .build()
        .await
}

/// Every route of `app` (REST, GraphQL, websockets) as one plain axum `Router`, servey's whole answer
/// being its fallback: add your own routes to it or merge it into yours (your routes come first; it
/// must stay the only fallback), layer it, nest it, serve it.
///
/// `app` comes from [`app`] or [`Builder::build`](crate::Builder::build): an app without its channels is
/// refused. The router runs no schedule and lacks servey's listener (header-read timeout, TLS, the
/// caller's address); [`serve_with_shutdown`] has both.
///
/// ```rust,standalone_crate
/// use servey::prelude::*;
/// use servey::axum::{Router, routing::get};
///
/// #[action(triggers = [web_get])]
/// fn say_hello(name: String) -> String {
///     format!("Hello {name}!")
/// }
///
/// #[tokio::main]
/// async fn main() -> Result<(), Box<dyn std::error::Error>> {
///     let app = servey::builder().build().await?;
///     let routes: Router = Router::new()
///         .route("/version", get(|| async { env!("CARGO_PKG_VERSION") }))
///         .merge(servey::router(&app)?);
///     // servey::axum::serve(listener, routes).await?;
///     # let _ = routes;
///     Ok(())
/// }
/// ```
pub fn router(app: &App) -> Result<Router, StartError> {
    Ok(Router::new().fallback_service(http_service(app)?))
}

/// The app's whole answer over HTTP: every adapter's routes with the builder's layers, inside the
/// envelope (request id, span, limits, panics, problem details, CORS). The server, [`router`] and Lambda
/// all answer through it, so they answer alike.
pub(crate) fn http_service(
    app: &App,
) -> Result<
    impl tower::Service<
        axum::extract::Request,
        Response = axum::response::Response,
        Error = std::convert::Infallible,
        Future: Send,
    > + servey_web::Answer
    + servey_web::ForClient
    + Clone
    + Send
    + Sync
    + 'static,
    StartError,
> {
    let routes = crate::adapters::routes(app)?;
    // The app's own layers must see every request: with them, no route is answered before the router.
    let (routes, direct) = match app.extensions().get::<crate::builder::RouterLayers>() {
        Some(layers) if !layers.is_empty() => {
            (layers.apply(routes), servey_web::DirectRoutes::none())
        }
        _ => (routes, servey_web::DirectRoutes::of(app)?),
    };
    // Around the router as one service, not a layer on each route: no boxed route per request.
    let web = servey_web::envelop(routes, app, direct);
    #[cfg(feature = "grpc")]
    return Ok(crate::grpc::WithGrpc::new(
        web,
        servey_grpc::GrpcService::new(app)?,
    ));
    #[cfg(not(feature = "grpc"))]
    Ok(web)
}

/// Serves `app` on its configured host and port (`SERVER_HOST`, `SERVER_PORT`) until Ctrl-C or SIGTERM,
/// then stops gracefully (see [`serve_with_shutdown`]). A stop that a worker stuck in an action holds
/// up past `SERVEY_SHUTDOWN_GRACE` ends the process (exit code 1).
///
/// A process manager may hand the listening socket down instead, as systemd's socket activation,
/// `systemfd` and `cargo servey dev` do: with `LISTEN_FDS=1` (and `LISTEN_PID` this process's id, or
/// unset), fd 3 is served and nothing is bound. With `NOTIFY_SOCKET` set, `READY=1` is sent there once
/// the app serves and `STOPPING=1` when it begins to stop (systemd's `Type=notify`).
///
/// ```rust,no_run
/// use servey::prelude::*;
///
/// #[action(triggers = [web_get])]
/// fn say_hello(name: String) -> String {
///     format!("Hello {name}!")
/// }
///
/// #[tokio::main]
/// async fn main() -> Result<(), servey::StartError> {
///     let app = servey::builder().build().await?;
///     servey::serve(app).await
/// }
/// ```
pub async fn serve(app: App) -> Result<(), StartError> {
    let listener = crate::activation::listener(app.config()).await?;
    serve_on(listener, app).await
}

/// Serves `app` on an already-bound listener, with its scheduled jobs running, until Ctrl-C or SIGTERM;
/// tells `NOTIFY_SOCKET`, when set, that it is ready and, later, that it stops.
///
/// ```rust,no_run
/// # use servey::prelude::*;
/// # #[action(triggers = [web_get])]
/// # fn say_hello(name: String) -> String { format!("Hello {name}!") }
/// #[tokio::main]
/// async fn main() -> Result<(), servey::StartError> {
///     let app = servey::builder().build().await?;
///     let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
///     servey::serve_on(listener, app).await
/// }
/// ```
pub async fn serve_on(listener: TcpListener, app: App) -> Result<(), StartError> {
    serve_with(listener, app, crate::control::stop_signal(), true).await
}

/// Serves `app` on an already-bound listener, with its scheduled jobs running, until `signal` resolves.
/// Then, within `limits.shutdown_grace` in all: stops taking connections, closes websockets with 1001
/// (1012 in dev mode, `SERVEY_DEV`),
/// answers the requests in progress, stops the schedule and waits for its runs, and flushes the channels'
/// background work.
///
/// Tests serve on port `0` with a signal they control:
///
/// ```rust,standalone_crate
/// use servey::prelude::*;
/// use servey::ServeyConfig;
///
/// #[action(triggers = [web_get])]
/// fn say_hello(name: String) -> String {
///     format!("Hello {name}!")
/// }
///
/// #[tokio::main]
/// async fn main() {
///     let app = servey::builder().config(ServeyConfig::default()).build().await.expect("builds");
///     let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
///     let url = format!("http://{}/actions/say-hello?name=World", listener.local_addr().unwrap());
///     let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
///     let server = tokio::spawn(servey::serve_with_shutdown(listener, app, async {
///         let _ = stopped.await;
///     }));
///
///     let body = reqwest::get(url).await.expect("answered").text().await.expect("a body");
///     assert_eq!(body, r#""Hello World!""#);
///
///     stop.send(()).expect("the server still runs");
///     server.await.expect("no panic").expect("a clean stop");
/// }
/// ```
pub async fn serve_with_shutdown(
    listener: TcpListener,
    app: App,
    signal: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    serve_with(listener, app, signal, false).await
}

/// Serves `app` until `signal`; `exits_at_deadline` when the server owns the process's signals, so that a
/// stop held up past its grace period by a worker that never yields ends the process.
async fn serve_with(
    listener: TcpListener,
    app: App,
    signal: impl Future<Output = ()> + Send + 'static,
    exits_at_deadline: bool,
) -> Result<(), StartError> {
    let service = http_service(&app)?;
    let tls = crate::tls::Tls::from_config(app.config())?;
    let background = crate::adapters::Background::start(&app).await?;
    let address = listener.local_addr()?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    let metrics_listener = crate::served::MetricsListener::start(&app).await?;
    let metrics_url = metrics_listener.as_ref().map(|listener| listener.url());
    log_routes(
        &app,
        &format!("{scheme}://{address}"),
        metrics_url.as_deref(),
    );
    tracing::info!("servey listening on {scheme}://{address}");
    let limits = app.config().limits.clone();
    let deadline = std::sync::Arc::new(std::sync::OnceLock::new());
    // Only a server that owns the process speaks for it to the process manager.
    let notifier = crate::activation::Notifier::from_config(app.config(), exits_at_deadline);
    let stopping = {
        let (deadline, close_websockets, grace) = (
            deadline.clone(),
            background.closer(app.config().dev),
            limits.shutdown_grace,
        );
        let notifier = notifier.clone();
        async move {
            signal.await;
            notifier.stopping();
            let _ = deadline.set(tokio::time::Instant::now() + grace);
            tracing::info!("stopping: closing websockets, finishing requests, jobs and events");
            close_websockets();
        }
    };
    // The signal is waited for on the control thread, which also answers while no worker is free.
    let listener = listener.into_std()?;
    let plane = crate::control::Plane {
        app: app.clone(),
        listener: listener.try_clone()?,
        tls: tls.clone(),
        exits_at_deadline,
    };
    let listener = TcpListener::from_std(listener)?;
    let mut control = crate::control::start(plane, stopping)?;
    notifier.ready();
    let served = crate::listen::serve(listener, service, &limits, tls, control.signalled()).await;
    if let Some(metrics_listener) = metrics_listener
        && let Err(error) = metrics_listener.stop().await
    {
        tracing::warn!(%error, "the metrics listener did not stop cleanly");
    }
    let deadline = deadline
        .get()
        .copied()
        .unwrap_or_else(|| tokio::time::Instant::now() + limits.shutdown_grace);
    let drained = tokio::time::timeout_at(deadline, background.stop()).await;
    match drained {
        Ok(stopped) => stopped?,
        Err(_) => {
            tracing::warn!("jobs or background events still running at the deadline are dropped")
        }
    }
    served?;
    tracing::info!("servey stopped");
    drop(control);
    Ok(())
}

/// One log line per way in, as served ([`route_lines`](crate::served::route_lines)).
fn log_routes(app: &App, address: &str, metrics_address: Option<&str>) {
    for line in crate::served::route_lines(app, address, metrics_address) {
        tracing::info!("{line}");
    }
    if app.authenticator().is_ephemeral() {
        tracing::warn!(
            "JWT_SECRET_KEY is not set: tokens are signed with a key generated at start and die with \
             this process"
        );
    }
    let redis = RedisSettings::from_settings(&app.config().settings);
    if redis.url.is_some() && !crate::adapters::is_scaled_out(app) {
        tracing::warn!(
            "SERVEY_REDIS_URL is set, but this app was built by `App::builder` rather than \
             `servey::builder()` or `servey::app`: everything runs in this process"
        );
    }
}
