//! `POST /login`: the debug authenticator, an OAuth2 token endpoint for the password grant (RFC 6749
//! §4.3, as Swagger UI and oauthlib speak it). User `root` with the configured password, or a random one
//! made at start and logged once; it grants scope `root`. Errors are RFC 6749's `400 {"error": ..}`.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Form, rejection::FormRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::post;
use serde::{Deserialize, Serialize};
use servey_core::{App, Authorization};

use utoipa::openapi::path::{Operation, OperationBuilder};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, SchemaType, Type};
use utoipa::openapi::{ContentBuilder, Required, ResponseBuilder};

use crate::openapi::string_schema;
use crate::operation::ErrorDoc;
use crate::problem::error_response;

/// The only user the debug authenticator knows.
pub(crate) const ROOT_USER: &str = "root";

/// The token request of the password grant (RFC 6749 §4.3.2); every field is read as optional so
/// that a missing one is answered `invalid_request`, as §5.2 says, rather than by the form extractor.
#[derive(Debug, Deserialize)]
struct TokenRequest {
    grant_type: Option<String>,
    username: Option<String>,
    password: Option<String>,
    scope: Option<String>,
}

/// What a successful login answers (RFC 6749 §5.1).
#[derive(Debug, Serialize)]
struct TokenResponse {
    access_token: String,
    token_type: &'static str,
    expires_in: u64,
    scope: &'static str,
}

/// An error of the token endpoint (RFC 6749 §5.2): `400` with one of its error words.
#[derive(Debug, Serialize)]
struct TokenError {
    error: &'static str,
    error_description: String,
}

/// `POST /login`, with the password fixed now (configured, or generated and logged once).
pub(crate) fn router(app: &App) -> Router {
    let password: Arc<str> = match &app.config().debug_authenticator_password {
        Some(password) => password.as_str().into(),
        None => {
            let password = servey_core::auth::random_token(24);
            tracing::warn!(
                user = ROOT_USER,
                %password,
                "SERVEY_DEBUG_AUTHENTICATOR_PASSWORD is not set: log in at POST /login with this \
                 generated password"
            );
            password.into()
        }
    };
    let app = app.clone();
    Router::new().route(
        "/login",
        post(move |form: Result<Form<TokenRequest>, FormRejection>| {
            let password = password.clone();
            let app = app.clone();
            async move { login(&app, &password, form) }
        }),
    )
}

fn login(app: &App, password: &str, form: Result<Form<TokenRequest>, FormRejection>) -> Response {
    let Form(form) = match form {
        Ok(form) => form,
        Err(rejection) => {
            return token_error(
                "invalid_request",
                format!(
                    "Send a form (`application/x-www-form-urlencoded`) with `grant_type=password`, \
                     `username` and `password`: {}",
                    rejection.body_text()
                ),
            );
        }
    };
    let (Some(grant_type), Some(username), Some(given)) =
        (&form.grant_type, &form.username, &form.password)
    else {
        let missing: Vec<&str> = [
            ("grant_type", form.grant_type.is_none()),
            ("username", form.username.is_none()),
            ("password", form.password.is_none()),
        ]
        .into_iter()
        .filter_map(|(name, is_missing)| is_missing.then_some(name))
        .collect();
        return token_error(
            "invalid_request",
            format!("The form lacks `{}`.", missing.join("`, `")),
        );
    };
    if grant_type != "password" {
        return token_error(
            "unsupported_grant_type",
            format!("Only `grant_type=password` is served here, not `{grant_type}`."),
        );
    }
    if let Some(unknown) = form
        .scope
        .iter()
        .flat_map(|scope| scope.split(' '))
        .find(|scope| !scope.is_empty() && *scope != ROOT_USER)
    {
        return token_error(
            "invalid_scope",
            format!("The scope `{unknown}` is not granted here; only `{ROOT_USER}` is."),
        );
    }
    let is_valid = username == ROOT_USER && constant_time_eq(given.as_bytes(), password.as_bytes());
    if !is_valid {
        tracing::info!(%username, "login refused");
        return token_error("invalid_grant", "Wrong username or password.".to_owned());
    }
    let authenticator = app.authenticator();
    let access_token = match authenticator.issue(&Authorization::new(ROOT_USER, [ROOT_USER])) {
        Ok(token) => token,
        Err(error) => return error_response(app, &error, false),
    };
    let expire_at = authenticator
        .verify_token(&access_token)
        .authorization()
        .ok()
        .flatten()
        .and_then(|granted| granted.expire_at);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    let body = TokenResponse {
        access_token,
        token_type: "bearer",
        expires_in: expire_at.map_or(0, |expire_at| expire_at.saturating_sub(now)),
        scope: ROOT_USER,
    };
    no_store(Json(body).into_response())
}

/// A `400` of the token endpoint.
fn token_error(error: &'static str, error_description: String) -> Response {
    let body = TokenError {
        error,
        error_description,
    };
    no_store((StatusCode::BAD_REQUEST, Json(body)).into_response())
}

/// Token responses are never cached (RFC 6749 §5.1).
fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// Compares without stopping at the first difference, so timing does not reveal the password.
fn constant_time_eq(given: &[u8], expected: &[u8]) -> bool {
    let length_differs = u8::from(given.len() != expected.len());
    given
        .iter()
        .zip(expected.iter().cycle())
        .fold(length_differs, |differs, (a, b)| differs | (a ^ b))
        == 0
}

/// `POST /login`: the token request, the token it answers and RFC 6749's error body.
pub(crate) fn operation(errors: &ErrorDoc) -> Operation {
    let string = || string_schema();
    let one_of = |values: &[&str]| {
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::String))
            .enum_values(Some(values.to_vec()))
    };
    let form = ObjectBuilder::new()
        .property("grant_type", one_of(&["password"]))
        .property("username", string())
        .property("password", string())
        .property(
            "scope",
            ObjectBuilder::new()
                .schema_type(SchemaType::Type(Type::String))
                .description(Some("Space-separated scopes; only `root` is granted.")),
        )
        .required("grant_type")
        .required("username")
        .required("password")
        .build();
    let token = ObjectBuilder::new()
        .property("access_token", string())
        .property("token_type", one_of(&["bearer"]))
        .property(
            "expires_in",
            ObjectBuilder::new()
                .schema_type(SchemaType::Type(Type::Integer))
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                .minimum(Some(0))
                .description(Some("Seconds until the token expires.")),
        )
        .property("scope", string())
        .required("access_token")
        .required("token_type")
        .required("expires_in")
        .build();
    let token_error = ObjectBuilder::new()
        .property(
            "error",
            one_of(&[
                "invalid_request",
                "invalid_grant",
                "unsupported_grant_type",
                "invalid_scope",
            ]),
        )
        .property("error_description", string())
        .required("error")
        .build();
    OperationBuilder::new()
        .operation_id(Some("login"))
        .summary(Some("Log in (the debug authenticator)."))
        // Called without credentials: it is where they come from.
        .securities(Some(
            Vec::<utoipa::openapi::security::SecurityRequirement>::new(),
        ))
        .description(Some(
            "OAuth2 password grant (RFC 6749 §4.3): user `root` with the configured password; \
             answers a bearer token with the `root` scope.",
        ))
        .request_body(Some(
            RequestBodyBuilder::new()
                .required(Some(Required::True))
                .content(
                    "application/x-www-form-urlencoded",
                    ContentBuilder::new().schema(Some(form)).build(),
                )
                .build(),
        ))
        .response(
            "200",
            ResponseBuilder::new()
                .description("A bearer token.")
                .content(
                    "application/json",
                    ContentBuilder::new().schema(Some(token)).build(),
                )
                .build(),
        )
        .response(
            "400",
            ResponseBuilder::new()
                .description(
                    "RFC 6749 §5.2: a wrong username or password (`invalid_grant`), a grant type \
                     other than `password`, a missing field or a body that is not a form.",
                )
                .content(
                    "application/json",
                    ContentBuilder::new().schema(Some(token_error)).build(),
                )
                .build(),
        )
        .response(
            "500",
            errors.response("No token could be issued; the cause is logged."),
        )
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_compare_exactly() {
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"secret", b"secret2"));
        assert!(!constant_time_eq(b"", b"secret"));
    }
}
