//! What an app serves, as its start-up log lists it: each action's routes (under the path prefix) and
//! schedules, then every built-in route this binary and these settings serve, at the address serving
//! it; and the listener of `SERVEY_METRICS_ADDR`, which serves `/metrics` apart from the main port.

use std::net::SocketAddr;

use servey_core::route::ReservedRoute;
use servey_core::{App, Trigger};
use tokio::net::TcpListener;

use crate::serve::StartError;

/// One line per way in, as served: `GET http://127.0.0.1:8000/api/articles - action `list_articles``
/// for a route, `every 60s - action `tick`` for a schedule, the built-in routes after the actions'.
pub(crate) fn route_lines(app: &App, address: &str, metrics_address: Option<&str>) -> Vec<String> {
    let mut lines = Vec::new();
    for action in app.registry().iter() {
        for trigger in &action.triggers {
            let way_in = match trigger {
                Trigger::Web {
                    method,
                    path: Some(path),
                } => format!("{} {address}{}", method.as_str(), app.route_path(path)),
                Trigger::WebPage {
                    path: Some(path), ..
                } => format!("GET {address}{} (page)", app.route_path(path)),
                other => other.describe(),
            };
            lines.push(format!("{way_in} - action `{}`", action.name));
        }
    }
    for route in app.reserved_routes() {
        if !is_served(app, route) {
            continue;
        }
        let at = match route.path {
            "/metrics" => metrics_address.unwrap_or(address),
            _ => address,
        };
        let slash = if route.is_prefix { "/" } else { "" };
        lines.push(format!(
            "{} {at}{}{slash} - {}",
            route.methods, route.path, route.owner
        ));
    }
    #[cfg(feature = "grpc")]
    lines.push(format!(
        "gRPC {address}/{}/{{Method}} - every web action and channel (content type application/grpc), \
         with reflection and health",
        servey_grpc::service_name(app)
    ));
    let site = &app.config().static_site_dir;
    if site.is_dir() {
        lines.push(format!(
            "GET {address}/ - the static site ({}), behind every other route",
            site.display()
        ));
    }
    lines
}

/// Whether the built-in `route` answers in this app: switched on, compiled in, and with something to
/// serve (`/metrics` with metrics recorded, `/static` with its directory there).
fn is_served(app: &App, route: &ReservedRoute) -> bool {
    if !app.serves(route.path) || !crate::adapters::is_compiled_in(route) {
        return false;
    }
    match route.path {
        "/metrics" => app.metrics().is_some(),
        "/docs" => cfg!(feature = "web"),
        "/static" => app.config().static_dir.is_dir(),
        _ => true,
    }
}

/// `/metrics` served on `SERVEY_METRICS_ADDR`, apart from the main port, until [`stop`](Self::stop).
pub(crate) struct MetricsListener {
    address: SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    served: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl MetricsListener {
    /// Binds `SERVEY_METRICS_ADDR` and serves `/metrics` there; `None` when it is not set or the
    /// app records no metrics.
    pub(crate) async fn start(app: &App) -> Result<Option<Self>, StartError> {
        let Some(wanted) = app.config().metrics_addr.clone() else {
            return Ok(None);
        };
        if app.metrics().is_none() || !app.serves("/metrics") {
            return Ok(None);
        }
        let bound = match TcpListener::bind(wanted.as_str()).await {
            Ok(listener) => listener,
            Err(source) => return Err(StartError::MetricsAddr { wanted, source }),
        };
        let address = bound.local_addr()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let router = servey_web::metrics_router(app);
        let served = tokio::spawn(async move {
            axum::serve(bound, router)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
        });
        Ok(Some(Self {
            address,
            stop,
            served,
        }))
    }

    /// `http://ADDRESS`, for the start-up log.
    pub(crate) fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Stops taking scrapes and waits for the listener to close.
    pub(crate) async fn stop(self) -> Result<(), StartError> {
        let _ = self.stop.send(());
        match self.served.await {
            Ok(served) => Ok(served?),
            Err(join) => Err(StartError::Io(std::io::Error::other(join))),
        }
    }
}
