//! The action routes the envelope answers itself, before the router: each plain REST route (a fixed
//! path, no path parameter) looked up by method and path, its endpoint called with the request id the
//! envelope settled. What the router adds per request (matched path, URL parameters, a boxed route, the
//! body-limit layer) is what such a route never reads; every other request goes through the router.

use std::sync::Arc;

use axum::http::Method;
use servey_core::App;

use crate::error::WebError;
use crate::routes::Endpoint;

/// The plain REST routes of an app, by path and method.
#[derive(Clone, Default)]
pub struct DirectRoutes {
    // Sorted by path length, then path: most comparisons of a binary search end at the length.
    routes: Arc<[(Box<str>, Methods)]>,
}

/// A path's endpoints, one slot per method (see [`slot`]).
type Methods = [Option<Arc<Endpoint>>; 5];

impl std::fmt::Debug for DirectRoutes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.routes.iter().map(|(path, _)| path))
            .finish()
    }
}

impl DirectRoutes {
    /// No route answered before the router: what an app whose router carries its own layers gets, so
    /// that they see every request.
    pub fn none() -> Self {
        Self::default()
    }

    /// The plain REST routes of `app`'s actions (the same endpoints [`router`](crate::router) serves);
    /// none when CORS is configured, whose layer must see every request.
    pub fn of(app: &App) -> Result<Self, WebError> {
        if !app.config().cors_allowed_origins.is_empty() {
            return Ok(Self::none());
        }
        let mut routes: Vec<(Box<str>, Methods)> = Vec::new();
        for route in crate::endpoints::endpoints(app)? {
            if route.page.is_some() || route.endpoint.has_path_params() {
                continue;
            }
            let at = match routes.iter().position(|(path, _)| **path == *route.path) {
                Some(at) => at,
                None => {
                    routes.push((route.path.into(), Default::default()));
                    routes.len() - 1
                }
            };
            routes[at].1[slot(route.method)] = Some(route.endpoint);
        }
        routes.sort_by(|(a, _), (b, _)| by_length(a, b));
        Ok(Self {
            routes: routes.into(),
        })
    }

    /// The endpoint serving `method` on exactly `path`, if it is a plain REST route.
    pub(crate) fn find(&self, method: &Method, path: &str) -> Option<&Arc<Endpoint>> {
        if self.routes.is_empty() {
            return None;
        }
        let slot = match *method {
            Method::GET => 0,
            Method::POST => 1,
            Method::PUT => 2,
            Method::PATCH => 3,
            Method::DELETE => 4,
            _ => return None,
        };
        let at = self
            .routes
            .binary_search_by(|(candidate, _)| by_length(candidate, path))
            .ok()?;
        self.routes[at].1[slot].as_ref()
    }
}

fn by_length(a: &str, b: &str) -> std::cmp::Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// The slot of `method` in [`Methods`], in the order [`DirectRoutes::find`] reads them.
fn slot(method: servey_core::Method) -> usize {
    match method {
        servey_core::Method::Get => 0,
        servey_core::Method::Post => 1,
        servey_core::Method::Put => 2,
        servey_core::Method::Patch => 3,
        servey_core::Method::Delete => 4,
    }
}
