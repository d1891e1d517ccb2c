//! JWTs: `JwtAuthorizer` signs and checks HS256 tokens with one key; `JwtBearer` is the built-in
//! [`Authenticator`] that reads them from `Authorization: <scheme> <token>` under configurable scheme
//! names (`Bearer` by default, `Token` for APIs such as RealWorld's).

use std::time::Duration;

use http::HeaderMap;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use super::{Authenticator, Authorization, Credentials, SecurityScheme, random_token, unix_now};
use crate::config::ServeyConfig;
use crate::error::ActionError;

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
            Ok(authorization) => Credentials::Valid(authorization),
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
