//! `ActionError`: the one error type of the invoke path, and its RFC 9457 problem-details rendering.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One bad input field: where it is (`name`, `address.zip`, `items[2]`), a stable code for what is wrong
/// with it (see [`Violation`]) and the same in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FieldError {
    /// Path of the field inside the input object.
    pub path: String,
    /// Stable machine word for what is wrong: `missing`, `type`, `range`, `min_length`, ... or the app's
    /// own.
    pub code: String,
    /// What is wrong, in words.
    pub message: String,
}

impl FieldError {
    /// The field at `path` is wrong in the way `code` names, as `message` says.
    pub fn new(
        path: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            path: path.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

/// The built-in field error codes: what the checks servey makes before an action runs report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Violation {
    /// A required field is absent.
    Missing,
    /// A value of the wrong JSON type (`null` where none is allowed included).
    Type,
    /// A key the input does not declare, refused by the unknown-field policy.
    UnknownField,
    /// A string that is not one of the declared values.
    Enum,
    /// A number outside its bounds (`minimum`, `maximum`, the exclusive ones, an integer's width).
    Range,
    /// A number that is not a multiple of `multiple_of`.
    MultipleOf,
    /// A string shorter than `min_length` characters.
    MinLength,
    /// A string longer than `max_length` characters.
    MaxLength,
    /// A string that does not match `pattern`.
    Pattern,
    /// A string that is not in its checked `format` (date, date-time, email, uri, uuid).
    Format,
    /// A list with fewer than `min_items` items.
    MinItems,
    /// A list with more than `max_items` items.
    MaxItems,
    /// A list whose items must be unique repeats one.
    UniqueItems,
    /// An object with fewer than `min_properties` keys.
    MinProperties,
    /// An object with more than `max_properties` keys.
    MaxProperties,
    /// A value of the right JSON type that still does not decode (a type's own rules).
    Invalid,
}

impl Violation {
    /// The machine word used in [`FieldError::code`].
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::Type => "type",
            Self::UnknownField => "unknown_field",
            Self::Enum => "enum",
            Self::Range => "range",
            Self::MultipleOf => "multiple_of",
            Self::MinLength => "min_length",
            Self::MaxLength => "max_length",
            Self::Pattern => "pattern",
            Self::Format => "format",
            Self::MinItems => "min_items",
            Self::MaxItems => "max_items",
            Self::UniqueItems => "unique_items",
            Self::MinProperties => "min_properties",
            Self::MaxProperties => "max_properties",
            Self::Invalid => "invalid",
        }
    }
}

impl From<Violation> for String {
    fn from(violation: Violation) -> Self {
        violation.as_str().to_owned()
    }
}

/// A stable machine word that says what went wrong, with the HTTP status it maps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The input was well-formed but did not fit the action's parameters (422).
    InvalidInput,
    /// The input was not JSON, or not a JSON object (422).
    MalformedInput,
    /// A body in a media type the action cannot read: not JSON (415).
    UnsupportedMediaType,
    /// No credentials, or credentials that are invalid or expired (401).
    Unauthenticated,
    /// Valid credentials that lack the needed scope (403).
    Forbidden,
    /// No such action or resource (404).
    NotFound,
    /// The action did not finish within its timeout (504).
    Timeout,
    /// The caller made more calls than the action's rate limit allows (429).
    RateLimited,
    /// The action failed; the cause is logged, never shown (500).
    Internal,
}

impl ErrorCode {
    /// The machine word used in the `code` member.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidInput => "invalid_input",
            Self::MalformedInput => "malformed_input",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::Unauthenticated => "unauthenticated",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::Timeout => "timeout",
            Self::RateLimited => "rate_limited",
            Self::Internal => "internal_error",
        }
    }

    /// The HTTP status this code is served with.
    pub fn status(self) -> u16 {
        match self {
            Self::InvalidInput | Self::MalformedInput => 422,
            Self::UnsupportedMediaType => 415,
            Self::Unauthenticated => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::Timeout => 504,
            Self::RateLimited => 429,
            Self::Internal => 500,
        }
    }

    /// The short human title of the problem type.
    pub fn title(self) -> &'static str {
        match self {
            Self::InvalidInput => "Invalid input",
            Self::MalformedInput => "Malformed input",
            Self::UnsupportedMediaType => "Unsupported media type",
            Self::Unauthenticated => "Unauthenticated",
            Self::Forbidden => "Forbidden",
            Self::NotFound => "Not found",
            Self::Timeout => "Timeout",
            Self::RateLimited => "Too many requests",
            Self::Internal => "Internal error",
        }
    }
}

/// The message of a panic payload: its text, when it is a string.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a non-string panic payload".to_owned())
}

/// The error every action call can end in: a code, a detail for humans and the bad fields.
///
/// It deliberately does not implement `std::error::Error`, so that any error converts into it with `?`.
pub struct ActionError {
    code: ErrorCode,
    /// Overrides `code.as_str()` for errors that users define (`ActionError::custom`).
    custom: Option<(u16, String)>,
    detail: String,
    errors: Vec<FieldError>,
    // Boxed: rare, and it would make every `Result<_, ActionError>` larger.
    retry_after: Option<Box<crate::rate::RetryAfter>>,
    cause: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl ActionError {
    /// An error with a built-in code and a detail for humans.
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            custom: None,
            detail: detail.into(),
            errors: Vec::new(),
            retry_after: None,
            cause: None,
        }
    }

    /// An error with the user's own status and code word, shown to callers as given.
    pub fn custom(status: u16, code: impl Into<String>, detail: impl Into<String>) -> Self {
        let mut error = Self::new(ErrorCode::Internal, detail);
        error.custom = Some((status, code.into()));
        error
    }

    /// Invalid input, listing every bad field.
    pub fn invalid_input(errors: Vec<FieldError>) -> Self {
        let detail = match errors.len() {
            1 => "1 invalid field".to_owned(),
            n => format!("{n} invalid fields"),
        };
        Self {
            errors,
            ..Self::new(ErrorCode::InvalidInput, detail)
        }
    }

    /// This error with `errors` naming the fields it is about (also for codes other than invalid input:
    /// a login refused over `email`, a conflict over `slug`).
    #[must_use]
    pub fn with_field_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.errors = errors;
        self
    }

    /// An internal failure whose cause is kept for the log and never shown to the caller.
    pub fn internal(cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self {
            cause: Some(cause.into()),
            ..Self::new(ErrorCode::Internal, "The action failed.")
        }
    }

    /// The built-in code (`Internal` for custom errors).
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The stable machine word of this error.
    pub fn code_str(&self) -> &str {
        self.custom
            .as_ref()
            .map_or(self.code.as_str(), |(_, code)| code)
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> u16 {
        self.custom
            .as_ref()
            .map_or(self.code.status(), |(status, _)| *status)
    }

    /// The detail shown to callers.
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// The bad input fields, if any.
    pub fn field_errors(&self) -> &[FieldError] {
        &self.errors
    }

    /// For a `429`: the limit hit and when to try again.
    pub fn retry_after(&self) -> Option<crate::rate::RetryAfter> {
        self.retry_after.as_deref().copied()
    }

    pub(crate) fn set_retry_after(&mut self, retry_after: crate::rate::RetryAfter) {
        self.retry_after = Some(Box::new(retry_after));
    }

    /// The hidden cause, for logging.
    pub fn cause(&self) -> Option<&(dyn std::error::Error + Send + Sync)> {
        self.cause.as_deref()
    }

    /// The RFC 9457 problem-details body of this error.
    pub fn problem(&self) -> Problem {
        let status = self.status();
        let title = match &self.custom {
            Some(_) => status_title(status),
            None => self.code.title(),
        };
        Problem {
            kind: "about:blank".to_owned(),
            title: title.to_owned(),
            status,
            code: self.code_str().to_owned(),
            detail: self.detail.clone(),
            errors: self.errors.clone(),
        }
    }
}

fn status_title(status: u16) -> &'static str {
    match status {
        400 => "Bad request",
        401 => "Unauthenticated",
        403 => "Forbidden",
        404 => "Not found",
        409 => "Conflict",
        422 => "Invalid input",
        429 => "Too many requests",
        503 => "Unavailable",
        _ if status < 500 => "Client error",
        _ => "Server error",
    }
}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for ActionError {
    fn from(cause: E) -> Self {
        Self::internal(cause)
    }
}

impl fmt::Debug for ActionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ActionError")
            .field("code", &self.code_str())
            .field("status", &self.status())
            .field("detail", &self.detail)
            .field("errors", &self.errors)
            .field("cause", &self.cause.as_ref().map(ToString::to_string))
            .finish()
    }
}

impl fmt::Display for ActionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code_str(), self.detail)?;
        for error in &self.errors {
            write!(f, "; {}: {}", error.path, error.message)?;
        }
        if let Some(cause) = &self.cause {
            write!(f, " (cause: {cause})")?;
        }
        Ok(())
    }
}

/// The RFC 9457 problem-details document every adapter renders errors as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Problem {
    /// Always `about:blank`: the `code` member names the problem.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short human title of the problem.
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// Stable machine word: `invalid_input`, `unauthenticated`, `forbidden`, ...
    pub code: String,
    /// Human explanation of this occurrence.
    pub detail: String,
    /// Every bad input field, with its path.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// The media type of problem-details bodies.
pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_input_renders_every_field() {
        let error = ActionError::invalid_input(vec![
            FieldError::new("name", Violation::Missing, "is required"),
            FieldError::new("items[2]", Violation::Range, "must be at most 255"),
        ]);
        let json = serde_json::to_value(error.problem()).expect("problem serializes");
        assert_eq!(json["status"], 422);
        assert_eq!(json["code"], "invalid_input");
        assert_eq!(json["detail"], "2 invalid fields");
        assert_eq!(json["type"], "about:blank");
        assert_eq!(json["errors"][1]["path"], "items[2]");
        assert_eq!(json["errors"][1]["code"], "range");
    }

    #[test]
    fn foreign_errors_become_opaque_internal_errors() {
        let error: ActionError = std::io::Error::other("disk on fire").into();
        assert_eq!(error.status(), 500);
        assert_eq!(error.detail(), "The action failed.");
        assert!(error.to_string().contains("disk on fire"));
        assert!(
            !serde_json::to_string(&error.problem())
                .expect("json")
                .contains("disk")
        );
    }

    #[test]
    fn custom_errors_keep_their_status_and_code() {
        let problem = ActionError::custom(409, "already_exists", "That user exists.").problem();
        assert_eq!(
            (
                problem.status,
                problem.code.as_str(),
                problem.title.as_str()
            ),
            (409, "already_exists", "Conflict")
        );
    }
}
