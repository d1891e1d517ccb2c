//! GraphQL's own settings ([`GraphqlLimits`], read from the app's settings once, when the router is
//! built) and the depth and complexity checks (on the cost that [`cost`](crate::cost) counts), made on
//! each validation (a cached one too) so that the standard introspection query (13 levels deep, sent
//! by GraphiQL and code generators) still works under the default depth of 10.

use std::time::Duration;

use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{ServerError, ValidationResult};
use servey_core::Settings;

use crate::document::is_introspection_only;

/// The depth allowed to operations that only introspect, when the configured limit is lower.
pub(crate) const INTROSPECTION_MAX_DEPTH: usize = 20;

/// The bounds of one GraphQL endpoint, each read from the setting named on its field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GraphqlLimits {
    /// `SERVEY_GRAPHQL_MAX_DEPTH` (default 10): the deepest GraphQL selection accepted.
    pub max_depth: usize,
    /// `SERVEY_GRAPHQL_MAX_COMPLEXITY` (default 1000): the most one GraphQL request may cost, a batch
    /// all its operations together: each field costs 1 plus its selection's cost, which a list field
    /// multiplies by its size (its `count`/`limit`/`first`/... argument, else 10).
    pub max_complexity: usize,
    /// `SERVEY_GRAPHQL_DOCUMENT_CACHE` (default 1000, 0 turns it off): how many parsed and validated
    /// GraphQL documents (each kept from the second send of its text), and how many persisted-query
    /// hashes, one app keeps (an entry counts once per 2 KiB it holds: its text, its syntax tree, its
    /// variables).
    pub document_cache: usize,
    /// `SERVEY_GRAPHQL_MAX_RESPONSE_BYTES` (default 4 MiB): the largest GraphQL answer (a batch: all its
    /// operations together) written; past it, the operation is answered with one error instead.
    pub max_response_bytes: usize,
    /// `SERVEY_GRAPHQL_CONNECTION_INIT_TIMEOUT` (seconds, default 10): how long a GraphQL websocket may
    /// stay open without sending `connection_init` before it is closed with code 4408.
    pub connection_init_timeout: Duration,
}

impl Default for GraphqlLimits {
    fn default() -> Self {
        Self::from_settings(&Settings::default())
    }
}

impl GraphqlLimits {
    /// Reads each limit from `settings`; a missing or unparsable value keeps the default.
    pub fn from_settings(settings: &Settings) -> Self {
        Self {
            max_depth: settings.count("SERVEY_GRAPHQL_MAX_DEPTH", 10),
            max_complexity: settings.count("SERVEY_GRAPHQL_MAX_COMPLEXITY", 1000),
            document_cache: settings.count("SERVEY_GRAPHQL_DOCUMENT_CACHE", 1000),
            max_response_bytes: settings.count("SERVEY_GRAPHQL_MAX_RESPONSE_BYTES", 4 << 20),
            connection_init_timeout: settings.seconds("SERVEY_GRAPHQL_CONNECTION_INIT_TIMEOUT", 10),
        }
    }

    /// The depth allowed to `document`.
    pub(crate) fn max_depth_of(&self, document: &ExecutableDocument) -> usize {
        if is_introspection_only(document) {
            self.max_depth.max(INTROSPECTION_MAX_DEPTH)
        } else {
            self.max_depth
        }
    }

    /// `result`, or the error of the limit it passes when `max_depth` is the depth allowed and `cost`
    /// what the operation costs.
    pub(crate) fn check(
        &self,
        result: ValidationResult,
        max_depth: usize,
        cost: usize,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        if result.depth > max_depth {
            return Err(vec![limit_error(format!(
                "The query is nested {} levels deep; the limit is {max_depth}.",
                result.depth
            ))]);
        }
        if cost > self.max_complexity {
            return Err(vec![limit_error(format!(
                "The query has a complexity of {cost}; the limit is {}.",
                self.max_complexity
            ))]);
        }
        Ok(result)
    }
}

/// A validation error for a passed limit.
pub(crate) fn limit_error(message: String) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = async_graphql::ErrorExtensionValues::default();
    extensions.set("code", "GRAPHQL_VALIDATION_FAILED");
    error.extensions = Some(extensions);
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limits_keep_their_defaults_unless_set() {
        let defaults = GraphqlLimits::default();
        assert_eq!(
            (
                defaults.max_depth,
                defaults.max_complexity,
                defaults.document_cache
            ),
            (10, 1000, 1000)
        );
        assert_eq!(defaults.max_response_bytes, 4 << 20);
        assert_eq!(defaults.connection_init_timeout, Duration::from_secs(10));
        let settings = Settings::new(|key| match key {
            "SERVEY_GRAPHQL_MAX_DEPTH" => Some("3".to_owned()),
            "SERVEY_GRAPHQL_CONNECTION_INIT_TIMEOUT" => Some("0.1".to_owned()),
            "SERVEY_GRAPHQL_MAX_COMPLEXITY" => Some("lots".to_owned()),
            _ => None,
        });
        let set = GraphqlLimits::from_settings(&settings);
        assert_eq!((set.max_depth, set.max_complexity), (3, 1000));
        assert_eq!(set.connection_init_timeout, Duration::from_millis(100));
    }
}
