//! What can go wrong in the domain layer, as variants a caller can act on. Nothing here knows HTTP:
//! the framework layer maps `Validation` to 422, `NotFound` to 404, `Forbidden` to 403, and so on, and
//! uses [`ConduitError::fields`] for Conduit's `{"errors": {...}}` body.

use std::collections::BTreeMap;

/// Field name -> messages, the shape of Conduit's error body (`{"email": ["has already been taken"]}`).
pub type FieldErrors = BTreeMap<String, Vec<String>>;

/// A failed domain operation.
#[derive(Debug, thiserror::Error)]
pub enum ConduitError {
    /// The input was rejected: a unique value already taken.
    #[error("invalid input: {0:?}")]
    Validation(FieldErrors),
    /// The named thing (`"article"`, `"profile"`, `"comment"`, `"user"`) does not exist.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The caller may not change this: only an article's or a comment's author may.
    #[error("only the author may do this")]
    Forbidden,
    /// Login failed: no user with this email, or the wrong password (deliberately not told apart).
    #[error("email or password is invalid")]
    InvalidCredentials,
    /// Hashing or checking a password failed for a reason other than a wrong password.
    #[error("password hashing failed: {0}")]
    Hashing(String),
    /// The database failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl ConduitError {
    /// A `Validation` error of one field with one message.
    pub fn invalid(field: &str, message: &str) -> Self {
        Self::Validation(BTreeMap::from([(
            field.to_owned(),
            vec![message.to_owned()],
        )]))
    }

    /// A stable word for what went wrong, the `code` of each field error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Validation(_) => "invalid",
            Self::NotFound(_) => "not_found",
            Self::Forbidden => "forbidden",
            Self::InvalidCredentials => "invalid_credentials",
            Self::Hashing(_) | Self::Database(_) => "internal",
        }
    }

    /// The `errors` object of Conduit's error body: field -> messages, or `body` -> a message.
    pub fn fields(&self) -> FieldErrors {
        match self {
            Self::Validation(fields) => fields.clone(),
            Self::InvalidCredentials => BTreeMap::from([(
                "email or password".to_owned(),
                vec!["is invalid".to_owned()],
            )]),
            Self::NotFound(what) => {
                BTreeMap::from([(what.to_string(), vec!["not found".to_owned()])])
            }
            Self::Forbidden => BTreeMap::from([(
                "body".to_owned(),
                vec!["only the author may do this".to_owned()],
            )]),
            Self::Hashing(_) | Self::Database(_) => {
                BTreeMap::from([("body".to_owned(), vec!["internal error".to_owned()])])
            }
        }
    }
}

/// Turns SQLite's "UNIQUE constraint failed: users.email" into `Validation` on `email`; other errors pass.
pub(crate) fn taken(error: sqlx::Error) -> ConduitError {
    if let sqlx::Error::Database(db) = &error
        && db.is_unique_violation()
        && let Some(column) = db.message().rsplit('.').next()
    {
        return ConduitError::invalid(column.trim(), "has already been taken");
    }
    ConduitError::Database(error)
}
