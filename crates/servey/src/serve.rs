//! Building and serving an app: its channels built into its state, every adapter's routes merged into
//! one axum `Router`, bound to `SERVER_HOST:SERVER_PORT`, served until a shutdown signal.

use std::future::Future;

use axum::Router;
use servey_core::{App, Extensions, Registry, ServeyConfig};
use servey_schedule::Channels;
use tokio::net::TcpListener;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The REST routes could not be built.
    #[error("REST routes: {0}")]
    Web(#[from] servey_web::WebError),
    /// The GraphQL schema could not be built.
    #[error("GraphQL schema: {0}")]
    Graphql(#[from] servey_graphql::GraphqlError),
    /// The channels or a schedule could not start (two channels with one name, a background channel
    /// naming no action, a bad cron expression, an app built without `servey::app`).
    #[error("schedule: {0}")]
    Schedule(#[from] servey_schedule::ScheduleError),
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
}

/// The app over `registry` with `config`, with what servey's adapters own at run time (its event
/// channels) built into its state: what `main` serves and runs actions against.
///
/// Fails when two channels share a name or a background channel names an action `registry` lacks.
pub fn app(registry: Registry, config: ServeyConfig) -> Result<App, StartError> {
    app_with_state(registry, config, Extensions::new())
}

/// Like [`app`], with the app's own shared values (a pool, a client) that its actions reach through
/// `Context::state`.
pub fn app_with_state(
    registry: Registry,
    config: ServeyConfig,
    mut state: Extensions,
) -> Result<App, StartError> {
    state.insert(Channels::new(&registry)?);
    state.insert(crate::telemetry::trace_propagation());
    Ok(App::with_state(registry, config, state))
}

/// Every route of `app` (REST, GraphQL, websockets) as one plain axum `Router`: nest it, layer it, serve it.
///
/// `app` comes from [`app`]: an app without its channels is refused.
pub fn router(app: &App) -> Result<Router, StartError> {
    let routes = servey_web::router(app)?
        .merge(servey_graphql::router(app)?)
        .merge(servey_schedule::router(app)?);
    let routes = match app.extensions().get::<crate::builder::RouterLayers>() {
        Some(layers) => layers.apply(routes),
        None => routes,
    };
    Ok(servey_web::finish(routes, app))
}

/// Serves `app` on its configured host and port until Ctrl-C or SIGTERM.
pub async fn serve(app: App) -> Result<(), StartError> {
    let address = format!("{}:{}", app.config().host, app.config().port);
    let listener = TcpListener::bind(&address).await?;
    serve_on(listener, app).await
}

/// Serves `app` on an already-bound listener, with its scheduled jobs running, until Ctrl-C or SIGTERM.
pub async fn serve_on(listener: TcpListener, app: App) -> Result<(), StartError> {
    serve_with_shutdown(listener, app, stop_signal()).await
}

/// Serves `app` on an already-bound listener, with its scheduled jobs running, until `signal` resolves.
/// Then, within `limits.shutdown_grace` in all: stops taking connections, closes websockets with 1001,
/// answers the requests in progress, stops the schedule and waits for its runs, and flushes the channels'
/// background work.
pub async fn serve_with_shutdown(
    listener: TcpListener,
    app: App,
    signal: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    let router = router(&app)?;
    let tls = crate::tls::Tls::from_config(app.config())?;
    let channels = servey_schedule::Channels::of(&app)?.clone();
    let scheduler = servey_schedule::start(&app).await?;
    let address = listener.local_addr()?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    log_routes(&app, &format!("{scheme}://{address}"));
    tracing::info!("servey listening on {scheme}://{address}");
    let limits = app.config().limits.clone();
    let deadline = std::sync::Arc::new(std::sync::OnceLock::new());
    let stopping = {
        let (deadline, channels, grace) =
            (deadline.clone(), channels.clone(), limits.shutdown_grace);
        async move {
            signal.await;
            let _ = deadline.set(tokio::time::Instant::now() + grace);
            tracing::info!("stopping: closing websockets, finishing requests, jobs and events");
            channels.subscribers().close_all();
        }
    };
    let served = crate::listen::serve(listener, router, &limits, tls, stopping).await;
    let deadline = deadline
        .get()
        .copied()
        .unwrap_or_else(|| tokio::time::Instant::now() + limits.shutdown_grace);
    let drained = tokio::time::timeout_at(deadline, async {
        let stopped = scheduler.shutdown().await;
        channels.flush().await;
        stopped
    })
    .await;
    match drained {
        Ok(stopped) => stopped?,
        Err(_) => {
            tracing::warn!("jobs or background events still running at the deadline are dropped")
        }
    }
    served?;
    tracing::info!("servey stopped");
    Ok(())
}

/// One log line per way in: each action's triggers, then the built-in routes.
fn log_routes(app: &App, address: &str) {
    for action in app.registry().iter() {
        for trigger in &action.triggers {
            tracing::info!(action = %action.name, "{}", trigger.describe());
        }
    }
    for route in servey_core::route::RESERVED_ROUTES {
        let slash = if route.is_prefix { "/" } else { "" };
        tracing::info!("{address}{}{slash} - {}", route.path, route.owner);
    }
}

/// Ctrl-C (SIGINT) or SIGTERM, whichever comes first; never for one that cannot be listened for.
async fn stop_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                terminate.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => tracing::info!("Ctrl-C received"),
        () = terminate => tracing::info!("SIGTERM received"),
    }
}
