//! The parts an app is built with beyond REST: GraphQL (the `graphql` feature) and the schedule with its
//! channels and websockets (the `schedule` feature). What a part left out would have done is refused in
//! words that name its feature: its routes answer `501`, its commands exit 2, and an action that needs it
//! stops the build. Nothing silently disappears.

use axum::Router;
use servey_core::route::ReservedRoute;
use servey_core::{App, Backends, Extensions, Registry};

use crate::serve::StartError;

/// Why a part the app asks for is not in this binary: the feature to turn on and what asked for it.
#[derive(Debug, thiserror::Error)]
#[error(
    "{what} needs servey's `{feature}` feature, which this binary was built without: \
     servey = {{ features = [\"{feature}\"] }}"
)]
pub struct FeatureOff {
    /// The cargo feature of the `servey` crate to turn on.
    pub feature: &'static str,
    /// What needed it: a route, a command, an action.
    pub what: String,
}

impl FeatureOff {
    /// `what` needs `feature`.
    pub(crate) fn new(feature: &'static str, what: impl Into<String>) -> Self {
        Self {
            feature,
            what: what.into(),
        }
    }
}

/// The routes GraphQL serves; reserved in a build without it too, where they answer `501`.
#[cfg(any(test, not(feature = "graphql")))]
const GRAPHQL_ROUTES: &[ReservedRoute] = &[
    ReservedRoute::exact("/graphql", "the GraphQL endpoint").answering("GET, POST"),
    ReservedRoute::prefix("/graphiql", "GraphiQL"),
];
#[cfg(all(not(test), feature = "graphql"))]
const GRAPHQL_ROUTES: &[ReservedRoute] = servey_graphql::RESERVED_ROUTES;

/// The routes the schedule serves; reserved in a build without it too, where they answer `501`.
#[cfg(any(test, not(feature = "schedule")))]
const SCHEDULE_ROUTES: &[ReservedRoute] = &[
    ReservedRoute::prefix("/subscription", "the websocket subscriptions"),
    ReservedRoute::exact("/asyncapi.json", "the AsyncAPI document"),
];
#[cfg(all(not(test), feature = "schedule"))]
const SCHEDULE_ROUTES: &[ReservedRoute] = servey_schedule::RESERVED_ROUTES;

/// The routes every adapter serves itself, whether compiled in or not: what the app reserves.
pub(crate) fn reserved_routes() -> Vec<ReservedRoute> {
    [servey_web::RESERVED_ROUTES, GRAPHQL_ROUTES, SCHEDULE_ROUTES].concat()
}

/// Whether `route` is served by a part compiled into this binary (a part left out answers `501`).
pub(crate) fn is_compiled_in(route: &ReservedRoute) -> bool {
    let graphql_ok = cfg!(feature = "graphql") || !GRAPHQL_ROUTES.contains(route);
    let schedule_ok = cfg!(feature = "schedule") || !SCHEDULE_ROUTES.contains(route);
    graphql_ok && schedule_ok
}

/// Refuses a registry whose actions need a part this binary lacks (a schedule without `schedule`).
pub(crate) fn check(registry: &Registry) -> Result<(), FeatureOff> {
    if cfg!(feature = "schedule") {
        return Ok(());
    }
    let scheduled = registry.iter().find_map(|action| {
        action
            .triggers
            .iter()
            .find(|trigger| trigger.is_scheduled())
            .map(|trigger| (action, trigger))
    });
    match scheduled {
        Some((action, trigger)) => Err(FeatureOff::new(
            "schedule",
            format!("action `{}` ({})", action.name, trigger.describe()),
        )),
        None => Ok(()),
    }
}

/// Builds the app's channels over `backends` into `state` (the `schedule` feature); returns the
/// backends with the channels offered to GraphQL subscriptions (core's seam: adapters never meet).
/// Without the feature, refuses the actions that need it.
pub(crate) fn channels_over(
    registry: &Registry,
    backends: Backends,
    state: &mut Extensions,
) -> Result<Backends, StartError> {
    check(registry)?;
    #[cfg(feature = "schedule")]
    {
        let channels = servey_schedule::Channels::builder(registry)
            .backends(&backends)
            .build()?;
        let subscriptions = servey_core::EventSubscriptions::new(channels.clone());
        state.insert(channels);
        Ok(backends.with_event_subscriptions(subscriptions))
    }
    #[cfg(not(feature = "schedule"))]
    {
        let _ = state;
        Ok(backends)
    }
}

/// Every route of the parts compiled in, and a `501` naming the feature on the routes of each one left
/// out; the REST adapter's first.
pub(crate) fn routes(app: &App) -> Result<Router, StartError> {
    let routes = servey_web::router(app)?;
    #[cfg(feature = "graphql")]
    let routes = routes.merge(servey_graphql::router(app)?);
    #[cfg(not(feature = "graphql"))]
    let routes = routes.merge(absent(app, "graphql", GRAPHQL_ROUTES));
    #[cfg(feature = "schedule")]
    let routes = routes.merge(servey_schedule::router(app)?);
    #[cfg(not(feature = "schedule"))]
    let routes = routes.merge(absent(app, "schedule", SCHEDULE_ROUTES));
    Ok(routes)
}

/// The `routes` of a part built without `feature`, but those the app switched off
/// (`Builder::without_route`), which stay `404`.
#[cfg(not(all(feature = "graphql", feature = "schedule")))]
fn absent(app: &App, feature: &'static str, routes: &[ReservedRoute]) -> Router {
    let detail = FeatureOff::new(feature, "This route").to_string();
    let mut served = Vec::new();
    for route in routes.iter().filter(|route| app.serves(route.path)) {
        served.push(route.path.to_owned());
        if route.is_prefix {
            served.push(format!("{}/{{*rest}}", route.path));
        }
    }
    let served: Vec<&str> = served.iter().map(String::as_str).collect();
    servey_web::absent_routes(app, &served, &detail)
}

/// The OpenAPI document of `app` (`--run=openapi`, `/openapi.json`), as JSON text.
pub fn openapi_json(app: &App) -> String {
    servey_web::openapi_json(app)
}

/// The GraphQL SDL of `app`'s actions (`--run=graphql-schema`); without the `graphql` feature, the error
/// that names it.
pub fn graphql_sdl(app: &App) -> Result<String, StartError> {
    #[cfg(feature = "graphql")]
    return Ok(servey_graphql::sdl(app)?);
    #[cfg(not(feature = "graphql"))]
    {
        let _ = app;
        Err(FeatureOff::new("graphql", "`--run=graphql-schema`").into())
    }
}

/// The AsyncAPI document of `app`'s channels (`--run=asyncapi`), as JSON text; without the `schedule`
/// feature, the error that names it.
pub fn asyncapi_json(app: &App) -> Result<String, StartError> {
    #[cfg(feature = "schedule")]
    return Ok(servey_schedule::asyncapi_json(app)?);
    #[cfg(not(feature = "schedule"))]
    {
        let _ = app;
        Err(FeatureOff::new("schedule", "`--run=asyncapi`").into())
    }
}

/// The `.proto` of `app`'s gRPC service (`--run=proto`); without the `grpc` feature, the error that
/// names it.
pub fn proto(app: &App) -> Result<String, StartError> {
    #[cfg(feature = "grpc")]
    return Ok(servey_grpc::proto(app)?);
    #[cfg(not(feature = "grpc"))]
    {
        let _ = app;
        Err(FeatureOff::new("grpc", "`--run=proto`").into())
    }
}

/// What runs beside the routes while an app is served: its schedule and its channels' background work.
pub(crate) struct Background {
    #[cfg(feature = "schedule")]
    channels: servey_schedule::Channels,
    #[cfg(feature = "schedule")]
    scheduler: servey_schedule::Scheduler,
}

impl Background {
    /// Starts `app`'s schedule.
    pub(crate) async fn start(app: &App) -> Result<Self, StartError> {
        #[cfg(feature = "schedule")]
        return Ok(Self {
            channels: servey_schedule::Channels::of(app)?.clone(),
            scheduler: servey_schedule::start(app).await?,
        });
        #[cfg(not(feature = "schedule"))]
        {
            let _ = app;
            Ok(Self {})
        }
    }

    /// What closes the websockets when a stop begins (they would hold the drain otherwise): with 1012
    /// (reconnect) when `is_restart` (dev mode, where a stop is a new build taking over), else 1001.
    pub(crate) fn closer(&self, is_restart: bool) -> impl FnOnce() + Send + 'static {
        #[cfg(feature = "schedule")]
        let channels = self.channels.clone();
        move || {
            #[cfg(feature = "schedule")]
            if is_restart {
                channels.subscribers().restart_all();
            } else {
                channels.subscribers().close_all();
            }
            #[cfg(not(feature = "schedule"))]
            let _ = is_restart;
        }
    }

    /// Stops the schedule, waits for its runs, and finishes the channels' background work.
    pub(crate) async fn stop(self) -> Result<(), StartError> {
        #[cfg(feature = "schedule")]
        {
            let stopped = self.scheduler.shutdown().await;
            self.channels.flush().await;
            stopped?;
        }
        Ok(())
    }
}

/// Finishes the background events and webhook deliveries `app`'s calls published on this runtime.
pub(crate) async fn flush(app: &App) {
    #[cfg(feature = "schedule")]
    if let Ok(channels) = servey_schedule::Channels::of(app) {
        channels.flush().await;
    }
    #[cfg(not(feature = "schedule"))]
    let _ = app;
}

/// Whether `app`'s channels go through a shared backend (Redis) rather than this process alone.
pub(crate) fn is_scaled_out(app: &App) -> bool {
    #[cfg(feature = "schedule")]
    return servey_schedule::Channels::of(app).is_ok_and(|channels| channels.is_scaled_out());
    #[cfg(not(feature = "schedule"))]
    {
        let _ = app;
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_routes_kept_for_a_part_left_out_are_the_parts_own() {
        #[cfg(feature = "graphql")]
        assert_eq!(GRAPHQL_ROUTES, servey_graphql::RESERVED_ROUTES);
        #[cfg(feature = "schedule")]
        assert_eq!(SCHEDULE_ROUTES, servey_schedule::RESERVED_ROUTES);
        let paths: Vec<&str> = reserved_routes().iter().map(|route| route.path).collect();
        assert!(paths.contains(&"/graphql") && paths.contains(&"/subscription"));
        assert!(paths.contains(&"/health") && paths.contains(&"/asyncapi.json"));
    }
}
