//! How errors leave an app: an [`ErrorRenderer`] turns an `ActionError` into the API's own body and
//! status (RFC 9457 problem details unless the app plugs in another), and the OpenAPI document describes
//! the same body.

use std::sync::Arc;

use bytes::Bytes;
use serde::Serialize;
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

use crate::error::{ActionError, PROBLEM_CONTENT_TYPE, Problem};

/// Renders errors as an API's own body: `{"errors": {"body": ["can't be empty"]}}` instead of problem
/// details, for instance. Plugged in with the app builder's `error_renderer(..)`.
pub trait ErrorRenderer: Send + Sync + 'static {
    /// The body of an error response, documented as every operation's error schema.
    type Body: Serialize + ToSchema;

    /// The body for `error`.
    fn body(&self, error: &ActionError) -> Self::Body;

    /// The status for `error`: its own unless overridden.
    fn status(&self, error: &ActionError) -> u16 {
        error.status()
    }

    /// The body's media type.
    fn content_type(&self) -> &'static str {
        "application/json"
    }
}

/// The default renderer: RFC 9457 problem details (`application/problem+json`).
#[derive(Debug, Clone, Copy, Default)]
pub struct ProblemDetails;

impl ErrorRenderer for ProblemDetails {
    type Body = Problem;

    fn body(&self, error: &ActionError) -> Problem {
        error.problem()
    }

    fn content_type(&self) -> &'static str {
        PROBLEM_CONTENT_TYPE
    }
}

/// An error response, ready for a transport.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedError {
    /// The HTTP status.
    pub status: u16,
    /// The body's media type.
    pub content_type: &'static str,
    /// The body.
    pub body: Bytes,
}

/// The documented error body: its schema's name, the schema and the components it refers to.
#[derive(Debug, Clone)]
pub struct ErrorSchema {
    /// The component name of the body's schema (`Problem`).
    pub name: String,
    /// The body's schema.
    pub schema: RefOr<Schema>,
    /// Every schema it refers to, by name.
    pub components: Vec<(String, RefOr<Schema>)>,
    /// The body's media type.
    pub content_type: &'static str,
}

/// An app's error renderer with its body type erased. Cheap to clone.
#[derive(Clone)]
pub struct ErrorRendering {
    renderer: Arc<dyn ErasedRenderer>,
    is_problem_details: bool,
}

impl std::fmt::Debug for ErrorRendering {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ErrorRendering")
            .field("schema", &self.renderer.schema().name)
            .finish()
    }
}

impl Default for ErrorRendering {
    fn default() -> Self {
        Self::new(ProblemDetails)
    }
}

impl ErrorRendering {
    /// Keeps `renderer`.
    pub fn new<R: ErrorRenderer>(renderer: R) -> Self {
        Self {
            renderer: Arc::new(Typed(renderer)),
            is_problem_details: std::any::TypeId::of::<R>()
                == std::any::TypeId::of::<ProblemDetails>(),
        }
    }

    /// The response for `error`.
    pub fn render(&self, error: &ActionError) -> RenderedError {
        self.renderer.render(error)
    }

    /// The documented body.
    pub fn schema(&self) -> ErrorSchema {
        self.renderer.schema()
    }

    /// Whether errors leave as servey's own problem details (the default renderer).
    pub fn is_problem_details(&self) -> bool {
        self.is_problem_details
    }
}

trait ErasedRenderer: Send + Sync {
    fn render(&self, error: &ActionError) -> RenderedError;
    fn schema(&self) -> ErrorSchema;
}

struct Typed<R>(R);

impl<R: ErrorRenderer> ErasedRenderer for Typed<R> {
    fn render(&self, error: &ActionError) -> RenderedError {
        let status = self.0.status(error);
        let status = if (400..=599).contains(&status) {
            status
        } else {
            500
        };
        // A body that fails to serialize is a renderer bug; the client still gets the status.
        let body = serde_json::to_vec(&self.0.body(error)).unwrap_or_default();
        RenderedError {
            status,
            content_type: self.0.content_type(),
            body: Bytes::from(body),
        }
    }

    fn schema(&self) -> ErrorSchema {
        let mut components = Vec::new();
        R::Body::schemas(&mut components);
        for (_, schema) in &mut components {
            crate::schema::normalize_integers(schema);
        }
        let mut schema = R::Body::schema();
        crate::schema::normalize_integers(&mut schema);
        ErrorSchema {
            name: R::Body::name().into_owned(),
            schema,
            components,
            content_type: self.0.content_type(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::error::{ErrorCode, FieldError};

    /// RealWorld's error body.
    #[derive(Serialize, ToSchema)]
    struct Errors {
        errors: BTreeMap<String, Vec<String>>,
    }

    struct RealWorld;

    impl ErrorRenderer for RealWorld {
        type Body = Errors;

        fn body(&self, error: &ActionError) -> Errors {
            let mut errors = BTreeMap::new();
            for field in error.field_errors() {
                errors
                    .entry(field.path.clone())
                    .or_insert_with(Vec::new)
                    .push(field.message.clone());
            }
            if errors.is_empty() {
                errors.insert("body".to_owned(), vec![error.detail().to_owned()]);
            }
            Errors { errors }
        }
    }

    #[test]
    fn an_apps_renderer_shapes_the_body_and_keeps_the_status() {
        let rendering = ErrorRendering::new(RealWorld);
        let error = ActionError::invalid_input(vec![FieldError::new(
            "email",
            "taken",
            "has already been taken",
        )]);
        let rendered = rendering.render(&error);
        assert_eq!(
            (rendered.status, rendered.content_type, &rendered.body[..]),
            (
                422,
                "application/json",
                &br#"{"errors":{"email":["has already been taken"]}}"#[..]
            )
        );
        assert_eq!(rendering.schema().name, "Errors");
        assert!(!rendering.is_problem_details());
    }

    #[test]
    fn problem_details_are_the_default() {
        let rendering = ErrorRendering::default();
        let rendered = rendering.render(&ActionError::new(ErrorCode::NotFound, "no such article"));
        assert_eq!(
            (rendered.status, rendered.content_type),
            (404, "application/problem+json")
        );
        assert_eq!(rendering.schema().name, "Problem");
    }
}
