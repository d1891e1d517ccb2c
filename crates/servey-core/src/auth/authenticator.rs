//! The `Authenticator` trait: how an app reads a caller's credentials from a request and verifies them,
//! issues tokens to actions that log callers in, challenges a `401`, and describes itself in OpenAPI.

use http::HeaderMap;

use super::{Authorization, Credentials};
use crate::error::ActionError;

/// Reads credentials from a request and verifies them. [`JwtBearer`](super::JwtBearer) is the built-in
/// one; an app plugs in its own with the builder's `authenticator(..)`.
pub trait Authenticator: Send + Sync + 'static {
    /// The caller's credentials from a request's headers: `Anonymous` when it sent none, `Rejected` with
    /// a short reason (never echoing the token) when what it sent fails.
    fn authenticate(&self, headers: &HeaderMap) -> Credentials;

    /// The credentials of a bare token: the CLI's `--token`, a websocket's `?token=`. A valid grant
    /// carries the token as sent ([`Authorization::with_token`](super::Authorization::with_token)), so
    /// that actions can read it back.
    fn verify_token(&self, token: &str) -> Credentials;

    /// A token granting `authorization`, for an action that logs a caller in
    /// ([`Context::issue_token`](crate::Context::issue_token)).
    fn issue(&self, authorization: &Authorization) -> Result<String, ActionError>;

    /// The `WWW-Authenticate` value of a `401`; `token_rejected` when a token was sent and refused
    /// (RFC 6750 section 3: `error="invalid_token"`).
    fn challenge(&self, token_rejected: bool) -> String;

    /// How the OpenAPI document describes this way of authenticating.
    fn security_scheme(&self) -> SecurityScheme;

    /// Whether its tokens die with the process (a key generated at start), to warn about at start.
    fn is_ephemeral(&self) -> bool {
        false
    }
}

/// How a way of authenticating is described in OpenAPI (`components.securitySchemes`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecurityScheme {
    /// An HTTP bearer token: `Authorization: Bearer <token>`, named `bearer`.
    Bearer {
        /// What the token is (`JWT`).
        format: Option<String>,
    },
    /// A token in a request header, under any other scheme (`Authorization: Token <jwt>`) or alone
    /// (`X-Api-Key: <key>`).
    ApiKeyHeader {
        /// The scheme's name in the document (`token`).
        name: String,
        /// The header it travels in.
        header: String,
        /// How to send it, in words.
        description: String,
    },
}

impl SecurityScheme {
    /// The scheme's name in the document, which each operation's security requirement names.
    pub fn name(&self) -> &str {
        match self {
            Self::Bearer { .. } => "bearer",
            Self::ApiKeyHeader { name, .. } => name,
        }
    }
}

/// An authenticator that reads no credentials: every call is anonymous. The default of a build without
/// servey's `jwt` feature; the app's start check refuses actions that need credentials with it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Anonymous;

impl Authenticator for Anonymous {
    fn authenticate(&self, _headers: &HeaderMap) -> Credentials {
        Credentials::Anonymous
    }

    fn verify_token(&self, _token: &str) -> Credentials {
        Credentials::Anonymous
    }

    fn issue(&self, _authorization: &Authorization) -> Result<String, ActionError> {
        Err(ActionError::internal(
            "issuing a token needs an authenticator: servey's `jwt` cargo feature (the built-in JWT bearer) is off and the app plugs in none",
        ))
    }

    fn challenge(&self, _token_rejected: bool) -> String {
        "Bearer".to_owned()
    }

    fn security_scheme(&self) -> SecurityScheme {
        SecurityScheme::Bearer { format: None }
    }
}
