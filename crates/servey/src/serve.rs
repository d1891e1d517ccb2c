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
    Ok(App::with_state(registry, config, state))
}

/// Every route of `app` (REST, GraphQL, websockets) as one plain axum `Router`: nest it, layer it, serve it.
///
/// `app` comes from [`app`]: an app without its channels is refused.
pub fn router(app: &App) -> Result<Router, StartError> {
    let routes = servey_web::router(app)?
        .merge(servey_graphql::router(app)?)
        .merge(servey_schedule::router(app)?);
    Ok(servey_web::finish(routes, app))
}

/// Serves `app` on its configured host and port until Ctrl-C.
pub async fn serve(app: App) -> Result<(), StartError> {
    let address = format!("{}:{}", app.config().host, app.config().port);
    let listener = TcpListener::bind(&address).await?;
    serve_on(listener, app).await
}

/// Serves `app` on an already-bound listener, with its scheduled jobs running, until Ctrl-C.
pub async fn serve_on(listener: TcpListener, app: App) -> Result<(), StartError> {
    serve_with_shutdown(listener, app, ctrl_c()).await
}

/// Serves `app` on an already-bound listener, with its scheduled jobs running, until `signal` resolves;
/// then stops taking connections, lets requests in progress finish, and stops the scheduler.
pub async fn serve_with_shutdown(
    listener: TcpListener,
    app: App,
    signal: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    let router = router(&app)?;
    let scheduler = servey_schedule::start(&app).await?;
    let address = listener.local_addr()?;
    log_routes(&app, &address.to_string());
    tracing::info!("servey listening on http://{address}");
    let served = axum::serve(listener, router)
        .with_graceful_shutdown(signal)
        .await;
    scheduler.shutdown().await?;
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
    for (route, what) in [
        ("/docs/", "Swagger UI"),
        ("/openapi.json", "OpenAPI document"),
        ("/graphiql", "GraphiQL"),
        ("/graphql", "GraphQL endpoint"),
        ("/asyncapi.json", "AsyncAPI document"),
        ("/subscription", "websocket channels"),
        ("/login", "debug authenticator (user root)"),
        ("/actions", "the actions, self-described"),
        ("/health", "health check"),
    ] {
        tracing::info!("http://{address}{route} - {what}");
    }
}

/// Ctrl-C, or never when it cannot be listened for.
async fn ctrl_c() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}
