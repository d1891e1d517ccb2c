//! Conduit's errors on the wire: domain errors become servey's `ActionError` (status and fields), and
//! `ConduitErrors` renders every error, servey's own included, as `{"errors": {"field": ["message"]}}`.

use servey::{ActionError, ErrorCode, ErrorRenderer, FieldError};

use crate::ConduitError;
use crate::wire::GenericErrorModel;

/// A failed Conduit action: `?` makes one from a domain error, servey takes it as an `ActionError`.
pub struct ApiError(ActionError);

impl From<ConduitError> for ApiError {
    fn from(error: ConduitError) -> Self {
        let fields = |error: &ConduitError| {
            error
                .fields()
                .into_iter()
                .flat_map(|(path, messages)| {
                    messages
                        .into_iter()
                        .map(move |message| FieldError::new(path.clone(), error.code(), message))
                })
                .collect::<Vec<_>>()
        };
        let action_error = match &error {
            ConduitError::Validation(_) => ActionError::invalid_input(fields(&error)),
            ConduitError::NotFound(what) => {
                ActionError::new(ErrorCode::NotFound, format!("No such {what}."))
                    .with_field_errors(fields(&error))
            }
            ConduitError::Forbidden => {
                ActionError::new(ErrorCode::Forbidden, "Only the author may do this.")
                    .with_field_errors(fields(&error))
            }
            // A wrong password is the caller's mistake, not a problem with the auth scheme: a 401
            // without a `WWW-Authenticate` challenge.
            ConduitError::InvalidCredentials => ActionError::custom(
                401,
                "invalid_credentials",
                "The email or password is invalid.",
            )
            .with_field_errors(fields(&error)),
            ConduitError::Hashing(_) | ConduitError::Database(_) => ActionError::internal(error),
        };
        Self(action_error)
    }
}

impl From<ActionError> for ApiError {
    fn from(error: ActionError) -> Self {
        Self(error)
    }
}

impl From<ApiError> for ActionError {
    fn from(error: ApiError) -> Self {
        error.0
    }
}

/// Renders errors as RealWorld's `GenericErrorModel`: the fields an error names (by their own name:
/// `user.email` is `email`), else `body` with its detail. The input checks servey makes from the wire
/// types' constraints (a required field missing, or blank against its `\S` pattern) read as RealWorld's
/// "can't be blank". Statuses stay servey's: 401, 403, 404, 422, 500.
#[derive(Debug, Clone, Copy, Default)]
pub struct ConduitErrors;

impl ErrorRenderer for ConduitErrors {
    type Body = GenericErrorModel;

    fn body(&self, error: &ActionError) -> GenericErrorModel {
        let mut errors = crate::FieldErrors::new();
        for field in error.field_errors() {
            let name = field.path.rsplit('.').next().unwrap_or(&field.path);
            let message = match field.code.as_str() {
                "missing" | "pattern" => "can't be blank",
                _ => &field.message,
            };
            errors
                .entry(name.to_owned())
                .or_default()
                .push(message.to_owned());
        }
        if errors.is_empty() {
            errors.insert("body".to_owned(), vec![error.detail().to_owned()]);
        }
        GenericErrorModel { errors }
    }
}
