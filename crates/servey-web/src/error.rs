//! `WebError`: why the REST routes could not be built at start.

/// Why the REST routes could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebError {
    /// Two routes answer the same method on the same path.
    #[error(
        "route conflict: {method} {path} is claimed by both {first} and {second}; give one of them \
         its own `path`"
    )]
    RouteConflict {
        /// The HTTP method both answer.
        method: String,
        /// The path both claim (as written by the second).
        path: String,
        /// Who claimed it first (an action or a built-in route).
        first: String,
        /// Who claimed it second.
        second: String,
    },
    /// A trigger's path cannot be routed (malformed, naming no parameter, or a route servey serves).
    #[error("action `{action}` has the path `{path}`, which {reason}")]
    InvalidPath {
        /// The action whose trigger has the path.
        action: String,
        /// The path as written.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A `web_page` action in a binary built without pages (servey's `web` feature).
    #[error(
        "action `{action}` is a web page, which needs servey's `web` feature: \
         servey = {{ features = [\"web\"] }}"
    )]
    PagesOff {
        /// The page's action.
        action: String,
    },
}
