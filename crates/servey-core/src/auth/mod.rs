//! Who is calling and what they may do: `Authorization`, the credentials found on a call, the
//! `AccessControl` trait with `Scope`, and the pluggable `Authenticator` with the JWT one built in.

mod authenticator;
#[cfg(feature = "jwt")]
mod jwt;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

pub use authenticator::{Anonymous, Authenticator, SecurityScheme};
#[cfg(feature = "jwt")]
pub use jwt::{DEFAULT_TOKEN_LIFETIME, JwtAuthorizer, JwtBearer};

use crate::error::{ActionError, ErrorCode};

/// An authenticated principal: who it is, the scopes it holds and when its grant is valid.
#[derive(Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Authorization {
    /// The subject (user name or id), if known.
    pub subject: Option<String>,
    /// The scopes granted.
    pub scopes: BTreeSet<String>,
    /// Seconds since the epoch before which the grant is not valid.
    pub not_before: Option<u64>,
    /// Seconds since the epoch after which the grant has expired.
    pub expire_at: Option<u64>,
    /// The credential as the caller sent it, when the authenticator read one (read it with
    /// [`token`](Self::token)); never serialized, and redacted by `Debug`.
    #[serde(skip)]
    #[schema(ignore)]
    pub raw_token: Option<Arc<str>>,
}

impl std::fmt::Debug for Authorization {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Authorization")
            .field("subject", &self.subject)
            .field("scopes", &self.scopes)
            .field("not_before", &self.not_before)
            .field("expire_at", &self.expire_at)
            .field("raw_token", &self.raw_token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// Two grants are equal when they grant the same, whichever token presented them.
impl PartialEq for Authorization {
    fn eq(&self, other: &Self) -> bool {
        (&self.subject, &self.scopes, self.not_before, self.expire_at)
            == (
                &other.subject,
                &other.scopes,
                other.not_before,
                other.expire_at,
            )
    }
}

impl Eq for Authorization {}

impl Authorization {
    /// A grant for `subject` with the given scopes and no time limits.
    pub fn new(
        subject: impl Into<String>,
        scopes: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Self {
            subject: Some(subject.into()),
            scopes: scopes.into_iter().map(Into::into).collect(),
            not_before: None,
            expire_at: None,
            raw_token: None,
        }
    }

    /// The token the caller presented, exactly as sent (the `<token>` of `Authorization: Bearer
    /// <token>`): for an action that hands it back, as RealWorld's `GET /user` does. `None` for a
    /// grant made in process, or by an authenticator that does not keep it.
    pub fn token(&self) -> Option<&str> {
        self.raw_token.as_deref()
    }

    /// This grant, presented with `token` (what an [`Authenticator`] sets on the grant it verified).
    #[must_use]
    pub fn with_token(mut self, token: impl Into<Arc<str>>) -> Self {
        self.raw_token = Some(token.into());
        self
    }

    /// Whether the grant holds `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.contains(scope)
    }

    /// Whether the grant is valid at `now` (seconds since the epoch).
    pub fn is_valid_at(&self, now: u64) -> bool {
        self.not_before.is_none_or(|nbf| nbf <= now) && self.expire_at.is_none_or(|exp| now < exp)
    }
}

/// The credentials an adapter found on a call, before any action looks at them.
#[derive(Debug, Clone, Default)]
pub enum Credentials {
    /// The caller sent none.
    #[default]
    Anonymous,
    /// The caller sent a valid token.
    Valid(Authorization),
    /// The caller sent a token that was rejected, with the reason.
    Rejected(String),
}

impl Credentials {
    /// The caller's grant as access control sees it: `None` for an anonymous caller, the grant of a valid
    /// token, and for a token that was sent and rejected the `401` every transport answers with.
    pub fn authorization(&self) -> Result<Option<&Authorization>, ActionError> {
        match self {
            Self::Anonymous => Ok(None),
            Self::Valid(authorization) => Ok(Some(authorization)),
            Self::Rejected(reason) => Err(ActionError::new(
                ErrorCode::Unauthenticated,
                format!("The credentials were rejected: {reason}."),
            )),
        }
    }

    /// Whether the caller sent a token that was rejected.
    pub fn is_rejected(&self) -> bool {
        matches!(self, Self::Rejected(_))
    }
}

/// Decides whether a caller may run an action. Plug in your own by naming a `Default` type in
/// `access_control = MyPolicy`.
pub trait AccessControl: Send + Sync + 'static {
    /// `Ok` when allowed, else an `unauthenticated` or `forbidden` error.
    fn check(&self, authorization: Option<&Authorization>) -> Result<(), ActionError>;

    /// The scopes this policy asks for, for documentation (OpenAPI security requirements).
    fn required_scopes(&self) -> Vec<String> {
        Vec::new()
    }

    /// Whether an authenticated caller can still be refused (`forbidden`, 403), for documentation;
    /// a policy that only asks for credentials answers `false`.
    fn may_forbid(&self) -> bool {
        true
    }
}

/// Allows callers holding one scope: `access_control = scope("root")`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope(pub String);

impl AccessControl for Scope {
    fn check(&self, authorization: Option<&Authorization>) -> Result<(), ActionError> {
        match authorization {
            None => Err(ActionError::new(
                ErrorCode::Unauthenticated,
                "This action needs credentials.",
            )),
            Some(auth) if auth.has_scope(&self.0) => Ok(()),
            Some(_) => Err(ActionError::new(
                ErrorCode::Forbidden,
                format!("This action needs the scope `{}`.", self.0),
            )),
        }
    }

    fn required_scopes(&self) -> Vec<String> {
        vec![self.0.clone()]
    }
}

/// Allows any authenticated caller; used for actions that take `Authorization` (not `Option`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Authenticated;

impl AccessControl for Authenticated {
    fn check(&self, authorization: Option<&Authorization>) -> Result<(), ActionError> {
        match authorization {
            Some(_) => Ok(()),
            None => Err(ActionError::new(
                ErrorCode::Unauthenticated,
                "This action needs credentials.",
            )),
        }
    }

    fn may_forbid(&self) -> bool {
        false
    }
}

/// The authenticator of an app that plugs in none: the JWT bearer from the config, or without the `jwt`
/// feature one that reads no credentials.
pub(crate) fn built_in(config: &crate::config::ServeyConfig) -> std::sync::Arc<dyn Authenticator> {
    #[cfg(feature = "jwt")]
    return std::sync::Arc::new(JwtBearer::from_config(config));
    #[cfg(not(feature = "jwt"))]
    {
        let _ = config;
        std::sync::Arc::new(Anonymous)
    }
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// A random URL-safe string of `len` characters, for generated keys and passwords.
pub fn random_token(len: usize) -> String {
    // Bytes at or above the largest multiple of the alphabet's length are drawn again, so that every
    // letter is equally likely (228 = 4 * 57: about one byte in nine is dropped).
    const LIMIT: usize = 256 / TOKEN_ALPHABET.len() * TOKEN_ALPHABET.len();
    let mut token = String::with_capacity(len);
    let mut bytes = [0_u8; 64];
    while token.len() < len {
        getrandom::fill(&mut bytes).expect(
            "the operating system's random source answers (as every supported target's does)",
        );
        let letters = bytes
            .iter()
            .map(|&byte| usize::from(byte))
            .filter(|&byte| byte < LIMIT)
            .map(|byte| char::from(TOKEN_ALPHABET[byte % TOKEN_ALPHABET.len()]));
        token.extend(letters.take(len - token.len()));
    }
    token
}

/// The letters of [`random_token`]: ASCII letters and digits without the look-alikes 0, O, 1, I and l.
const TOKEN_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

#[cfg(test)]
mod random_token_tests {
    use super::*;

    #[test]
    fn random_tokens_have_the_length_and_alphabet_asked_for() {
        for len in [0, 1, 10, 48, 200] {
            let token = random_token(len);
            assert_eq!(token.len(), len);
            assert!(
                token.bytes().all(|byte| TOKEN_ALPHABET.contains(&byte)),
                "{token}"
            );
        }
        assert_ne!(random_token(24), random_token(24));
    }
}

#[cfg(all(test, feature = "jwt"))]
mod tests {
    use std::time::Duration;

    use super::*;

    fn authorizer() -> JwtAuthorizer {
        JwtAuthorizer::new(Some("test-secret"))
    }

    #[test]
    fn issued_tokens_verify_with_their_scopes() {
        let token = authorizer().issue(
            &Authorization::new("root", ["root", "admin"]),
            Duration::from_secs(60),
        );
        let auth = authorizer().verify(&token.expect("issued")).expect("valid");
        assert_eq!(auth.subject.as_deref(), Some("root"));
        assert!(auth.has_scope("root") && auth.has_scope("admin"));
    }

    #[test]
    fn expired_and_foreign_tokens_are_rejected() {
        let mut expired = Authorization::new("root", ["root"]);
        expired.expire_at = Some(unix_now() - 10);
        let token = authorizer()
            .issue(&expired, Duration::ZERO)
            .expect("issued");
        assert_eq!(
            authorizer().verify(&token),
            Err("the token has expired".to_owned())
        );
        let foreign = JwtAuthorizer::new(Some("other"))
            .issue(&Authorization::new("x", ["root"]), Duration::from_secs(60));
        assert_eq!(
            authorizer().verify(&foreign.expect("issued")),
            Err("the token's signature is invalid".to_owned())
        );
    }

    #[test]
    fn alg_none_is_rejected() {
        // {"alg":"none","typ":"JWT"} . {"sub":"root","scope":"root","exp":9999999999}
        let token = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJyb290Iiwic2NvcGUiOiJyb290IiwiZXhwIjo5OTk5OTk5OTk5fQ.";
        assert!(authorizer().verify(token).is_err());
    }

    #[test]
    fn rejected_credentials_are_a_401_with_the_reason() {
        let rejected = Credentials::Rejected("the token has expired".into());
        let error = rejected.authorization().expect_err("rejected");
        assert_eq!(
            (error.status(), error.detail()),
            (401, "The credentials were rejected: the token has expired.")
        );
        assert_eq!(
            (
                rejected.is_rejected(),
                JwtBearer::generated().challenge(true)
            ),
            (true, r#"Bearer error="invalid_token""#.to_owned())
        );
        assert!(matches!(Credentials::Anonymous.authorization(), Ok(None)));
        let valid = Credentials::Valid(Authorization::new("ann", ["user"]));
        assert_eq!(
            valid
                .authorization()
                .ok()
                .flatten()
                .and_then(|a| a.subject.as_deref()),
            Some("ann")
        );
        assert_eq!(JwtBearer::generated().challenge(false), "Bearer");
    }

    #[test]
    fn scope_separates_unauthenticated_from_forbidden() {
        let scope = Scope("root".into());
        assert_eq!(scope.check(None).map_err(|e| e.status()), Err(401));
        assert_eq!(
            scope
                .check(Some(&Authorization::new("bob", ["user"])))
                .map_err(|e| e.status()),
            Err(403)
        );
        assert!(
            scope
                .check(Some(&Authorization::new("root", ["root"])))
                .is_ok()
        );
    }
}

#[cfg(all(test, feature = "jwt"))]
mod scheme_tests {
    use http::{HeaderMap, HeaderValue, header};

    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(value).expect("a header value"),
        );
        headers
    }

    #[test]
    fn configured_schemes_replace_bearer() {
        let bearer = JwtBearer::new("secret").schemes(["Token"]);
        let token = bearer
            .issue(&Authorization::new("ann", ["user"]))
            .expect("issued");
        let accepted = bearer.authenticate(&headers(&format!("Token {token}")));
        assert_eq!(
            accepted
                .authorization()
                .ok()
                .flatten()
                .and_then(|a| a.subject.as_deref()),
            Some("ann")
        );
        let refused = bearer.authenticate(&headers(&format!("Bearer {token}")));
        assert!(matches!(
            refused,
            Credentials::Rejected(reason) if reason == "the Authorization header is not `Token <token>`"
        ));
        assert_eq!(
            (bearer.challenge(false), bearer.security_scheme().name()),
            ("Token".to_owned(), "token")
        );
        assert!(matches!(
            bearer.authenticate(&HeaderMap::new()),
            Credentials::Anonymous
        ));
    }
}
