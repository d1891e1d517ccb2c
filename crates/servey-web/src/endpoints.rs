//! Every route of an app's actions, resolved once at start into endpoints: what the router serves and
//! what the envelope answers itself ([`DirectRoutes`](crate::DirectRoutes)) are built from this one list.

use std::sync::Arc;

use servey_core::{App, Method};

use crate::error::WebError;
use crate::routes::Endpoint;
use crate::shape::Shape;

/// One route of one action: a REST route, or a web page rendering `page`.
pub(crate) struct ActionRoute<'a> {
    pub(crate) path: String,
    pub(crate) method: Method,
    pub(crate) endpoint: Arc<Endpoint>,
    pub(crate) page: Option<&'a str>,
}

/// Every route of `app`'s actions, in the order of the registry and of each action's triggers.
pub(crate) fn endpoints(app: &App) -> Result<Vec<ActionRoute<'_>>, WebError> {
    let mut routes = Vec::new();
    for action in app.registry().iter() {
        let shape = Shape::of_input(action.schema.model());
        for trigger in &action.triggers {
            let (method, path, page) = match trigger {
                servey_core::Trigger::Web {
                    method,
                    path: Some(path),
                } => (*method, path, None),
                servey_core::Trigger::WebPage {
                    path: Some(path),
                    template: Some(template),
                } => {
                    if !cfg!(feature = "pages") {
                        return Err(WebError::PagesOff {
                            action: action.name.to_string(),
                        });
                    }
                    (Method::Get, path, Some(template.as_ref()))
                }
                _ => continue,
            };
            let path = app.route_path(path);
            let endpoint = Endpoint::new(app, action, method, &path, &shape)?;
            routes.push(ActionRoute {
                path,
                method,
                endpoint,
                page,
            });
        }
    }
    Ok(routes)
}
