//! JWTs: `JwtAuthorizer` signs and checks HS256 tokens with one key; `JwtBearer` is the built-in
//! [`Authenticator`] that reads them from `Authorization: <scheme> <token>` under configurable scheme
//! names (`Bearer` by default, `Token` for APIs such as RealWorld's).

use std::time::Duration;

use chrono::{DateTime, Utc};
use http::HeaderMap;
use jwt_compact::alg::{Hs256, Hs256Key};
use jwt_compact::{AlgorithmExt, Claims, Header, TimeOptions, UntrustedToken, ValidationError};
use serde::{Deserialize, Serialize};

use super::{Authenticator, Authorization, Credentials, SecurityScheme, random_token, unix_now};
use crate::config::ServeyConfig;
use crate::error::ActionError;

/// The claims of a servey JWT besides the registered times (`exp`, `nbf`, `iat`).
#[derive(Debug, Serialize, Deserialize)]
struct Grant {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sub: Option<String>,
    #[serde(default)]
    scope: String,
}

/// The header fields servey reads besides `alg`: `crit`, to refuse what it does not understand.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct CriticalHeaders {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    crit: Option<Vec<String>>,
}

/// How far ahead of this server's clock a token's `iat` may be.
const MAX_CLOCK_SKEW_SECS: u64 = 60;

/// The JWS algorithm names a token may carry (RFC 7518 section 3.1): any other `alg`, `none` included,
/// makes the token malformed rather than signed with another algorithm.
const JWS_ALGORITHMS: [&str; 12] = [
    "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256",
    "PS384", "PS512",
];

/// Issues and checks HS256 JWTs. Built once at start from the configured (or a generated) key.
#[derive(Clone)]
pub struct JwtAuthorizer {
    key: Hs256Key,
    is_ephemeral: bool,
}

impl std::fmt::Debug for JwtAuthorizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtAuthorizer")
            .field("is_ephemeral", &self.is_ephemeral)
            .finish_non_exhaustive()
    }
}

/// A time in seconds since the epoch as a JWT library timestamp; `None` past chrono's range.
fn timestamp(secs: u64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(i64::try_from(secs).ok()?, 0)
}

/// A JWT library timestamp in seconds since the epoch (times before it read as 0).
fn seconds(time: DateTime<Utc>) -> u64 {
    u64::try_from(time.timestamp()).unwrap_or(0)
}

/// This server's clock, at the whole second as every JWT time is, and no leeway.
fn exact_time() -> TimeOptions<impl Fn() -> DateTime<Utc>> {
    TimeOptions::new(chrono::Duration::zero(), || {
        timestamp(unix_now()).unwrap_or_default()
    })
}

impl JwtAuthorizer {
    /// An authorizer for the given secret, or for a random one when `None`.
    pub fn new(secret: Option<&str>) -> Self {
        let key = match secret {
            Some(secret) => Hs256Key::new(secret.as_bytes()),
            None => Hs256Key::new(random_token(48).as_bytes()),
        };
        Self {
            key,
            is_ephemeral: false,
        }
    }

    /// An authorizer with a freshly generated key, valid only for this process.
    pub fn generated() -> Self {
        Self {
            is_ephemeral: true,
            ..Self::new(None)
        }
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
        let out_of_range = || ActionError::internal("a token time is out of range");
        let mut claims = Claims::new(Grant {
            sub: authorization.subject.clone(),
            scope: authorization
                .scopes
                .iter()
                .cloned()
                .collect::<Vec<_>>()
                .join(" "),
        });
        let expire_at = authorization
            .expire_at
            .unwrap_or(now.saturating_add(lifetime.as_secs()));
        claims.expiration = Some(timestamp(expire_at).ok_or_else(out_of_range)?);
        claims.issued_at = Some(timestamp(now).ok_or_else(out_of_range)?);
        claims.not_before = match authorization.not_before {
            Some(nbf) => Some(timestamp(nbf).ok_or_else(out_of_range)?),
            None => None,
        };
        Hs256
            .token(&Header::empty().with_token_type("JWT"), &claims, &self.key)
            .map_err(ActionError::from)
    }

    /// Checks a token's algorithm, signature, critical headers and times, and returns its grant. The
    /// reason of a refusal is one of a few fixed phrases: nothing of the token or the library is echoed.
    pub fn verify(&self, token: &str) -> Result<Authorization, String> {
        let refusal = |reason: &str| reason.to_owned();
        let untrusted = UntrustedToken::<CriticalHeaders>::try_from(token)
            .map_err(|_| refusal("the token is malformed"))?;
        let token = Hs256
            .validator::<Grant>(&self.key)
            .validate(&untrusted)
            .map_err(|error| {
                refusal(match error {
                    ValidationError::AlgorithmMismatch { actual, .. }
                        if JWS_ALGORITHMS.contains(&actual.as_str()) =>
                    {
                        "the token's algorithm is not HS256"
                    }
                    ValidationError::InvalidSignature
                    | ValidationError::InvalidSignatureLen { .. } => {
                        "the token's signature is invalid"
                    }
                    _ => "the token is malformed",
                })
            })?;
        let claims = token.claims();
        let time = exact_time();
        claims.validate_expiration(&time).map_err(|error| {
            refusal(match error {
                ValidationError::Expired => "the token has expired",
                _ => "the token has no `exp` claim",
            })
        })?;
        if claims.not_before.is_some() {
            claims
                .validate_maturity(&time)
                .map_err(|_| refusal("the token is not valid yet"))?;
        }
        // RFC 7515 4.1.11: a recipient must reject critical extensions it does not understand; servey
        // understands none.
        if token.header().other_fields.crit.is_some() {
            return Err(refusal(
                "the token names critical header extensions (`crit`)",
            ));
        }
        if claims
            .issued_at
            .is_some_and(|issued| seconds(issued) > unix_now() + MAX_CLOCK_SKEW_SECS)
        {
            return Err(refusal("the token is issued in the future"));
        }
        Ok(Authorization {
            subject: claims.custom.sub.clone(),
            scopes: claims
                .custom
                .scope
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
            not_before: claims.not_before.map(seconds),
            expire_at: claims.expiration.map(seconds),
            raw_token: None,
        })
    }
}

/// How long a token issued by [`JwtBearer`] is valid, unless configured otherwise.
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

/// The built-in authenticator: HS256 JWTs in `Authorization: <scheme> <token>`, `Bearer` unless
/// configured with other scheme names.
#[derive(Debug, Clone)]
pub struct JwtBearer {
    keys: JwtAuthorizer,
    schemes: Vec<String>,
    lifetime: Duration,
}

impl JwtBearer {
    /// Tokens signed with `secret`, read under the `Bearer` scheme.
    pub fn new(secret: &str) -> Self {
        Self::with_keys(JwtAuthorizer::new(Some(secret)))
    }

    /// Tokens signed with a key generated now: they die with the process.
    pub fn generated() -> Self {
        Self::with_keys(JwtAuthorizer::generated())
    }

    /// The key from `JWT_SECRET_KEY` when configured, else a generated one.
    pub fn from_config(config: &ServeyConfig) -> Self {
        match &config.jwt_secret_key {
            Some(secret) => Self::new(secret),
            None => Self::generated(),
        }
    }

    fn with_keys(keys: JwtAuthorizer) -> Self {
        Self {
            keys,
            schemes: vec!["Bearer".to_owned()],
            lifetime: DEFAULT_TOKEN_LIFETIME,
        }
    }

    /// Reads tokens under these scheme names instead (matched without regard to case); the first one
    /// is the scheme of the `401` challenge. `["Token"]` reads `Authorization: Token <jwt>`.
    #[must_use]
    pub fn schemes(mut self, schemes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        let schemes: Vec<String> = schemes.into_iter().map(Into::into).collect();
        if !schemes.is_empty() {
            self.schemes = schemes;
        }
        self
    }

    /// Issued tokens are valid for `lifetime` (one hour unless set).
    #[must_use]
    pub fn lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime;
        self
    }

    /// The signing and checking keys.
    pub fn keys(&self) -> &JwtAuthorizer {
        &self.keys
    }

    /// Reads an `Authorization` header value (`<scheme> <token>`) into credentials.
    pub fn credentials_from_header(&self, header: Option<&str>) -> Credentials {
        let Some(value) = header else {
            return Credentials::Anonymous;
        };
        match value.split_once(' ') {
            Some((scheme, token))
                if self.schemes.iter().any(|s| s.eq_ignore_ascii_case(scheme)) =>
            {
                self.verify_token(token.trim())
            }
            _ => Credentials::Rejected(format!(
                "the Authorization header is not `{} <token>`",
                self.schemes[0]
            )),
        }
    }
}

impl Authenticator for JwtBearer {
    fn authenticate(&self, headers: &HeaderMap) -> Credentials {
        match headers.get(http::header::AUTHORIZATION) {
            None => Credentials::Anonymous,
            Some(value) => match value.to_str() {
                Ok(value) => self.credentials_from_header(Some(value)),
                Err(_) => Credentials::Rejected(
                    "the Authorization header is not visible ASCII".to_owned(),
                ),
            },
        }
    }

    fn verify_token(&self, token: &str) -> Credentials {
        match self.keys.verify(token) {
            Ok(authorization) => Credentials::Valid(authorization.with_token(token)),
            Err(reason) => Credentials::Rejected(reason),
        }
    }

    fn issue(&self, authorization: &Authorization) -> Result<String, ActionError> {
        self.keys.issue(authorization, self.lifetime)
    }

    fn challenge(&self, token_rejected: bool) -> String {
        let scheme = &self.schemes[0];
        if token_rejected {
            format!(r#"{scheme} error="invalid_token""#)
        } else {
            scheme.clone()
        }
    }

    fn security_scheme(&self) -> SecurityScheme {
        let scheme = &self.schemes[0];
        if scheme.eq_ignore_ascii_case("bearer") {
            SecurityScheme::Bearer {
                format: Some("JWT".to_owned()),
            }
        } else {
            SecurityScheme::ApiKeyHeader {
                name: scheme.to_lowercase(),
                header: "Authorization".to_owned(),
                description: format!("A JWT, sent as `Authorization: {scheme} <token>`."),
            }
        }
    }

    fn is_ephemeral(&self) -> bool {
        self.keys.is_ephemeral()
    }
}

#[cfg(test)]
mod tests;
