//! Action errors as gRPC statuses: the code for the HTTP status REST would answer, servey's error code
//! in `ErrorInfo`, each bad field in `BadRequest` (the same paths and codes as REST's problem details),
//! and `RetryInfo` for a rate limit.

use std::collections::HashMap;
use std::time::Duration;

use servey_core::ActionError;
use tonic::{Code, Status};
use tonic_types::{ErrorDetails, FieldViolation, StatusExt};

/// The domain of servey's `ErrorInfo` details.
pub const ERROR_DOMAIN: &str = "servey";

/// The gRPC status of an action's error.
pub fn status_of(error: &ActionError) -> Status {
    let status = error.status();
    let mut details = ErrorDetails::new();
    details.set_error_info(
        error.code_str(),
        ERROR_DOMAIN,
        HashMap::from([("http_status".to_owned(), status.to_string())]),
    );
    if !error.field_errors().is_empty() {
        let violations: Vec<FieldViolation> = error
            .field_errors()
            .iter()
            .map(|field| {
                let mut violation = FieldViolation::new(&field.path, &field.message);
                violation.reason.clone_from(&field.code);
                violation
            })
            .collect();
        details.set_bad_request(violations);
    }
    if let Some(retry) = error.retry_after() {
        details.set_retry_info(Some(Duration::from_secs(retry.seconds)));
    }
    Status::with_error_details(code_of(status), error.detail(), details)
}

/// The gRPC code of an HTTP status (as grpc-gateway and Google's APIs pair them).
pub(crate) fn code_of(status: u16) -> Code {
    match status {
        400 | 415 | 422 => Code::InvalidArgument,
        401 => Code::Unauthenticated,
        403 => Code::PermissionDenied,
        404 => Code::NotFound,
        405 | 501 => Code::Unimplemented,
        408 | 504 => Code::DeadlineExceeded,
        409 => Code::AlreadyExists,
        412 => Code::FailedPrecondition,
        413 | 429 => Code::ResourceExhausted,
        499 => Code::Cancelled,
        503 => Code::Unavailable,
        400..=499 => Code::FailedPrecondition,
        _ => Code::Internal,
    }
}

#[cfg(test)]
mod tests {
    use servey_core::{ErrorCode, FieldError};

    use super::*;

    #[test]
    fn a_bad_input_names_each_field() {
        let error = ActionError::invalid_input(vec![FieldError::new(
            "message.text",
            "missing",
            "the field `text` is required",
        )]);
        let status = status_of(&error);
        assert_eq!(status.code(), Code::InvalidArgument);
        let details = status.get_error_details();
        let bad = details.bad_request().expect("field violations");
        assert_eq!(bad.field_violations[0].field, "message.text");
        assert_eq!(bad.field_violations[0].reason, "missing");
        assert_eq!(
            details.error_info().map(|info| info.reason.as_str()),
            Some(error.code_str())
        );
    }

    #[test]
    fn codes_follow_http_statuses() {
        let denied = ActionError::new(ErrorCode::Forbidden, "no");
        assert_eq!(status_of(&denied).code(), Code::PermissionDenied);
        assert_eq!(code_of(500), Code::Internal);
        assert_eq!(code_of(429), Code::ResourceExhausted);
    }
}
