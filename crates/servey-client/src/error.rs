//! `ClientError`: how a call can fail, the same whether it ran in-process or over HTTP.

use servey_core::{ActionError, FieldError, Problem};

/// Why a call failed: the action's own error (identical for every transport), or the service could
/// not be reached, or its answer could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The action (or the service, before any action ran) answered with an error.
    #[error("{} ({}): {}", .0.code, .0.status, .0.detail)]
    Problem(Box<Problem>),
    /// The input could not be encoded as an object of parameters.
    #[error("the input could not be encoded: {0}")]
    Input(String),
    /// The call never got an answer (connection refused, reset, timed out).
    #[error("the service could not be reached: {0}")]
    Unreachable(String),
    /// An answer came that is not what the caller expected (another type, another format).
    #[error("the answer could not be read: {0}")]
    Answer(String),
}

impl ClientError {
    /// The problem details, when the service answered with an error.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            Self::Problem(problem) => Some(problem),
            _ => None,
        }
    }

    /// The HTTP status of the error the service answered (`422`, `404`, ...).
    pub fn status(&self) -> Option<u16> {
        self.problem().map(|problem| problem.status)
    }

    /// The stable machine word of the error the service answered (`invalid_input`, ...).
    pub fn code(&self) -> Option<&str> {
        self.problem().map(|problem| problem.code.as_str())
    }

    /// The bad input fields, with their paths.
    pub fn field_errors(&self) -> &[FieldError] {
        self.problem().map_or(&[], |problem| &problem.errors)
    }

    /// This error as an action's own, to pass a downstream refusal on to the caller unchanged (its
    /// status, code, detail and fields); an unreachable service or an unreadable answer is internal.
    /// (`?` alone makes every client error an internal one.)
    pub fn into_action_error(self) -> ActionError {
        match self {
            Self::Problem(problem) => {
                let Problem {
                    status,
                    code,
                    detail,
                    errors,
                    ..
                } = *problem;
                ActionError::custom(status, code, detail).with_field_errors(errors)
            }
            other => ActionError::internal(other),
        }
    }

    pub(crate) fn answer(error: impl std::fmt::Display) -> Self {
        Self::Answer(error.to_string())
    }
}

impl From<ActionError> for ClientError {
    fn from(error: ActionError) -> Self {
        Self::Problem(Box::new(error.problem()))
    }
}
