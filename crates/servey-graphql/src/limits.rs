//! Depth and complexity limits (`SERVEY_GRAPHQL_MAX_DEPTH`, `SERVEY_GRAPHQL_MAX_COMPLEXITY`), as an
//! async-graphql extension so that the standard introspection query (13 levels deep, sent by GraphiQL
//! and code generators) still works under the default depth of 10.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{ServerError, ServerResult, ValidationResult, Variables};

use crate::document::is_introspection_only;

/// The depth allowed to operations that only introspect, when the configured limit is lower.
pub(crate) const INTROSPECTION_MAX_DEPTH: usize = 20;

/// The limits of one schema; creates a fresh checker per request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// The deepest selection accepted.
    pub(crate) max_depth: usize,
    /// The most fields one operation may select.
    pub(crate) max_complexity: usize,
}

impl ExtensionFactory for Limits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(LimitCheck {
            limits: *self,
            is_introspection: AtomicBool::new(false),
        })
    }
}

struct LimitCheck {
    limits: Limits,
    is_introspection: AtomicBool,
}

#[async_trait::async_trait]
impl Extension for LimitCheck {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        self.is_introspection
            .store(is_introspection_only(&document), Ordering::Relaxed);
        Ok(document)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        let max_depth = if self.is_introspection.load(Ordering::Relaxed) {
            self.limits.max_depth.max(INTROSPECTION_MAX_DEPTH)
        } else {
            self.limits.max_depth
        };
        if result.depth > max_depth {
            return Err(vec![limit_error(format!(
                "The query is nested {} levels deep; the limit is {max_depth}.",
                result.depth
            ))]);
        }
        if result.complexity > self.limits.max_complexity {
            return Err(vec![limit_error(format!(
                "The query has a complexity of {}; the limit is {}.",
                result.complexity, self.limits.max_complexity
            ))]);
        }
        Ok(result)
    }
}

fn limit_error(message: String) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = async_graphql::ErrorExtensionValues::default();
    extensions.set("code", "GRAPHQL_VALIDATION_FAILED");
    error.extensions = Some(extensions);
    error
}
