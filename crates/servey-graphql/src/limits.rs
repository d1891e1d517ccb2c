//! Depth and complexity limits (`SERVEY_GRAPHQL_MAX_DEPTH`, `SERVEY_GRAPHQL_MAX_COMPLEXITY` on the cost
//! that [`cost`](crate::cost) counts), checked on each validation (a cached one too) so that the
//! standard introspection query (13 levels deep, sent by GraphiQL and code generators) still works
//! under the default depth of 10.

use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{ServerError, ValidationResult};

use crate::document::is_introspection_only;

/// The depth allowed to operations that only introspect, when the configured limit is lower.
pub(crate) const INTROSPECTION_MAX_DEPTH: usize = 20;

/// The limits of one schema.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// The deepest selection accepted.
    pub(crate) max_depth: usize,
    /// The most one operation may cost (see [`cost`](crate::cost)).
    pub(crate) max_complexity: usize,
    /// The largest answer, in bytes of JSON.
    pub(crate) max_response_bytes: usize,
}

impl Limits {
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
