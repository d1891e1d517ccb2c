//! Errors: [`GraphqlError`] when the schema cannot be built at start, and the translation of an
//! action's `ActionError` into a GraphQL error with `extensions.code` at run time.

use async_graphql::{ErrorExtensions, Value};
use servey_core::{ActionError, ErrorCode};

use crate::naming::camel_path;

/// Why the GraphQL schema could not be built from the registry.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GraphqlError {
    /// Two actions, properties or nested actions end up with the same GraphQL name.
    #[error(
        "{what} `{first}` and `{second}` both become the GraphQL name `{name}`; rename one of them"
    )]
    NameClash {
        /// What kind of names clash (`Query fields`, `fields of NumberStats`, ...).
        what: String,
        /// The GraphQL name both map to.
        name: String,
        /// The first source name.
        first: String,
        /// The second source name.
        second: String,
    },
    /// A component name is used for two different GraphQL types.
    #[error(
        "the type name `{name}` is used by two different types (a schema component and {other}); \
         rename one of the Rust types"
    )]
    TypeClash {
        /// The GraphQL type name.
        name: String,
        /// What else claims it.
        other: String,
    },
    /// A schema refers to a component that no action's schema defines.
    #[error("action `{action}` refers to the schema `{reference}`, which no action defines")]
    MissingComponent {
        /// The action whose schema has the dangling reference.
        action: String,
        /// The `$ref` target.
        reference: String,
    },
    /// async-graphql rejected the schema.
    #[error("async-graphql rejected the schema: {0}")]
    Schema(#[from] async_graphql::dynamic::SchemaError),
}

/// The GraphQL `extensions.code` for an action error: the Apollo words where one fits, else the
/// error's own code word in capitals (`already_exists` -> `ALREADY_EXISTS`).
pub(crate) fn graphql_code(error: &ActionError) -> String {
    if error.code_str() != error.code().as_str() {
        return error.code_str().to_ascii_uppercase();
    }
    match error.code() {
        ErrorCode::InvalidInput | ErrorCode::MalformedInput => "BAD_USER_INPUT",
        ErrorCode::UnsupportedMediaType => "BAD_REQUEST",
        ErrorCode::Unauthenticated => "UNAUTHENTICATED",
        ErrorCode::Forbidden => "FORBIDDEN",
        ErrorCode::NotFound => "NOT_FOUND",
        ErrorCode::Timeout => "TIMEOUT",
        ErrorCode::RateLimited => "RATE_LIMITED",
        ErrorCode::Internal => "INTERNAL_SERVER_ERROR",
    }
    .to_owned()
}

/// The GraphQL error a failed action field reports: the detail as message; `code`, `status` and (for
/// invalid input) `errors` with each bad argument's path in extensions. Internal causes are never
/// shown (the invoke path logged them).
pub(crate) fn field_error(error: &ActionError) -> async_graphql::Error {
    let code = graphql_code(error);
    let status = error.status();
    let fields: Vec<Value> = error
        .field_errors()
        .iter()
        .map(|field| {
            let mut object = async_graphql::indexmap::IndexMap::new();
            object.insert(
                async_graphql::Name::new("path"),
                Value::from(camel_path(&field.path)),
            );
            object.insert(
                async_graphql::Name::new("code"),
                Value::from(field.code.clone()),
            );
            object.insert(
                async_graphql::Name::new("message"),
                Value::from(field.message.clone()),
            );
            Value::Object(object)
        })
        .collect();
    let retry_after = error.retry_after().map(|retry| retry.seconds);
    async_graphql::Error::new(error.detail()).extend_with(|_, extensions| {
        extensions.set("code", code);
        extensions.set("status", i32::from(status));
        if !fields.is_empty() {
            extensions.set("errors", Value::List(fields));
        }
        if let Some(seconds) = retry_after {
            extensions.set("retryAfter", seconds);
        }
    })
}

/// A GraphQL error with just a code, for failures outside any action (bad parent values, context).
pub(crate) fn coded(code: &str, message: impl Into<String>) -> async_graphql::Error {
    let code = code.to_owned();
    async_graphql::Error::new(message)
        .extend_with(move |_, extensions| extensions.set("code", code))
}
