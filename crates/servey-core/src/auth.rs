//! Who is calling and what they may do: `Authorization`, the `AccessControl` trait with `Scope`, and JWT tokens.

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::error::{ActionError, ErrorCode};

/// An authenticated principal: who it is, the scopes it holds and when its grant is valid.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Authorization {
    /// The subject (user name or id), if known.
    pub subject: Option<String>,
    /// The scopes granted.
    pub scopes: BTreeSet<String>,
    /// Seconds since the epoch before which the grant is not valid.
    pub not_before: Option<u64>,
    /// Seconds since the epoch after which the grant has expired.
    pub expire_at: Option<u64>,
}

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
        }
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
                format!("The bearer token was rejected: {reason}."),
            )),
        }
    }

    /// Whether the caller sent a token that was rejected.
    pub fn is_rejected(&self) -> bool {
        matches!(self, Self::Rejected(_))
    }
}

/// The `WWW-Authenticate` value of a `401` answer (RFC 6750 section 3): `Bearer`, with
/// `error="invalid_token"` when the caller's token was sent and rejected.
pub fn bearer_challenge(token_rejected: bool) -> &'static str {
    if token_rejected {
        r#"Bearer error="invalid_token""#
    } else {
        "Bearer"
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
}

/// Allows callers holding one scope: `access_control = scope("root")`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope(pub String);

impl AccessControl for Scope {
    fn check(&self, authorization: Option<&Authorization>) -> Result<(), ActionError> {
        match authorization {
            None => Err(ActionError::new(
                ErrorCode::Unauthenticated,
                "This action needs a bearer token.",
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
                "This action needs a bearer token.",
            )),
        }
    }
}

/// The claims of a servey JWT.
#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sub: Option<String>,
    #[serde(default)]
    scope: String,
    // Optional here so that a missing `exp` is reported as such by validation, which requires it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    exp: Option<u64>,
    #[serde(default)]
    iat: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nbf: Option<u64>,
}

/// How far ahead of this server's clock a token's `iat` may be.
const MAX_CLOCK_SKEW_SECS: u64 = 60;

/// Issues and checks HS256 JWTs. Built once at start from the configured (or a generated) key.
#[derive(Clone)]
pub struct JwtAuthorizer {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    is_ephemeral: bool,
}

impl std::fmt::Debug for JwtAuthorizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtAuthorizer")
            .field("is_ephemeral", &self.is_ephemeral)
            .finish_non_exhaustive()
    }
}

impl JwtAuthorizer {
    /// An authorizer for the given secret, or for a random one when `None`.
    pub fn new(secret: Option<&str>) -> Self {
        let generated;
        let secret = match secret {
            Some(secret) => secret.as_bytes(),
            None => {
                generated = random_token(48);
                generated.as_bytes()
            }
        };
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.validate_nbf = true;
        validation.required_spec_claims = ["exp".to_owned()].into_iter().collect();
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            is_ephemeral: false,
        }
        .ephemeral(false)
    }

    fn ephemeral(mut self, is_ephemeral: bool) -> Self {
        self.is_ephemeral = is_ephemeral;
        self
    }

    /// An authorizer with a freshly generated key, valid only for this process.
    pub fn generated() -> Self {
        Self::new(None).ephemeral(true)
    }

    /// Whether the key was generated at start (tokens die with the process).
    pub fn is_ephemeral(&self) -> bool {
        self.is_ephemeral
    }

    /// A signed token for `authorization`, valid for `lifetime` from now.
    pub fn issue(
        &self,
        authorization: &Authorization,
        lifetime: Duration,
    ) -> Result<String, ActionError> {
        let now = unix_now();
        let claims = Claims {
            sub: authorization.subject.clone(),
            scope: authorization
                .scopes
                .iter()
                .cloned()
                .collect::<Vec<_>>()
                .join(" "),
            exp: Some(authorization.expire_at.unwrap_or(now + lifetime.as_secs())),
            iat: Some(now),
            nbf: authorization.not_before,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(ActionError::from)
    }

    /// Checks a token's algorithm, signature, critical headers and times, and returns its grant. The
    /// reason of a refusal is one of a few fixed phrases: nothing of the token or the library is echoed.
    pub fn verify(&self, token: &str) -> Result<Authorization, String> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|error| {
                use jsonwebtoken::errors::ErrorKind;
                match error.kind() {
                    ErrorKind::ExpiredSignature => "the token has expired",
                    ErrorKind::ImmatureSignature => "the token is not valid yet",
                    ErrorKind::InvalidAlgorithm => "the token's algorithm is not HS256",
                    ErrorKind::InvalidSignature => "the token's signature is invalid",
                    ErrorKind::MissingRequiredClaim(_) => "the token has no `exp` claim",
                    _ => "the token is malformed",
                }
                .to_owned()
            })?;
        // RFC 7515 4.1.11: a recipient must reject critical extensions it does not understand; servey
        // understands none.
        if data.header.crit.is_some() {
            return Err("the token names critical header extensions (`crit`)".to_owned());
        }
        let claims = data.claims;
        if claims
            .iat
            .is_some_and(|issued| issued > unix_now() + MAX_CLOCK_SKEW_SECS)
        {
            return Err("the token is issued in the future".to_owned());
        }
        Ok(Authorization {
            subject: claims.sub,
            scopes: claims.scope.split_whitespace().map(str::to_owned).collect(),
            not_before: claims.nbf,
            expire_at: claims.exp,
        })
    }

    /// Reads an `Authorization` header value (`Bearer <token>`) into credentials.
    pub fn credentials_from_header(&self, header: Option<&str>) -> Credentials {
        match header {
            None => Credentials::Anonymous,
            Some(value) => match value.split_once(' ') {
                Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => {
                    match self.verify(token.trim()) {
                        Ok(auth) => Credentials::Valid(auth),
                        Err(reason) => Credentials::Rejected(reason),
                    }
                }
                _ => Credentials::Rejected(
                    "the Authorization header is not `Bearer <token>`".to_owned(),
                ),
            },
        }
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
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

#[cfg(test)]
mod tests {
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
            (401, "The bearer token was rejected: the token has expired.")
        );
        assert_eq!(
            (rejected.is_rejected(), bearer_challenge(true)),
            (true, r#"Bearer error="invalid_token""#)
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
        assert_eq!(bearer_challenge(false), "Bearer");
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
