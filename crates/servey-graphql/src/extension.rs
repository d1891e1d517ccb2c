//! servey's one async-graphql extension: the document cache's validation step, the depth and complexity
//! limits, and the action spans of fields. One extension rather than one per concern, because
//! async-graphql wraps every field of every request in every extension's `resolve` (a boxed future each).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextResolve, NextValidation,
    ResolveInfo,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{ServerError, ServerResult, ValidationResult, Value, Variables};

use crate::documents::Documents;
use crate::limits::Limits;
use crate::trace::ActionSpans;

/// What the extension of every request of one schema shares.
#[derive(Clone)]
pub(crate) struct ServeyExtension {
    pub(crate) documents: Documents,
    pub(crate) limits: Limits,
    pub(crate) spans: ActionSpans,
}

impl ExtensionFactory for ServeyExtension {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(PerRequest {
            shared: self.clone(),
            max_depth: AtomicUsize::new(self.limits.max_depth),
        })
    }
}

/// The extension of one request: the depth its document is allowed, known once it is parsed.
struct PerRequest {
    shared: ServeyExtension,
    max_depth: AtomicUsize,
}

#[async_trait::async_trait]
impl Extension for PerRequest {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        self.max_depth.store(
            self.shared.limits.max_depth_of(&document),
            Ordering::Relaxed,
        );
        Ok(document)
    }

    /// The cached or fresh validation, then the limits, so that they apply to a cached one too.
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = self.shared.documents.validate(ctx, next).await?;
        self.shared
            .limits
            .check(result, self.max_depth.load(Ordering::Relaxed))
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        self.shared.spans.resolve(ctx, info, next).await
    }
}
