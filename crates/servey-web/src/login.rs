//! `POST /login`: the debug authenticator (OAuth2 password flow, as Swagger UI speaks it). User `root`
//! with the configured password, or a random one made at start and logged once; it grants scope `root`.

use std::sync::Arc;

use axum::extract::{Form, rejection::FormRejection};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::post;
use axum::{Router, http::StatusCode};
use serde::{Deserialize, Serialize};
use servey_core::{ActionError, App, Authorization, ErrorCode};

use utoipa::openapi::path::{Operation, OperationBuilder};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
use utoipa::openapi::{ContentBuilder, Required, ResponseBuilder};

use crate::openapi::string_schema;
use crate::operation::ErrorDoc;
use crate::problem::{error_response, status_response};

/// The only user the debug authenticator knows.
pub(crate) const ROOT_USER: &str = "root";

/// The login form (extra OAuth2 fields such as `grant_type` and `scope` are ignored).
#[derive(Debug, Deserialize)]
struct LoginForm {
    username: String,
    password: String,
}

/// What a successful login answers.
#[derive(Debug, Serialize)]
struct TokenResponse {
    access_token: String,
    token_type: &'static str,
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
        post(move |form: Result<Form<LoginForm>, FormRejection>| {
            let password = password.clone();
            let app = app.clone();
            async move { login(&app, &password, form) }
        }),
    )
}

fn login(app: &App, password: &str, form: Result<Form<LoginForm>, FormRejection>) -> Response {
    let Form(form) = match form {
        Ok(form) => form,
        Err(rejection) => {
            let status = rejection.status();
            let status = if status == StatusCode::UNSUPPORTED_MEDIA_TYPE {
                status
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            return status_response(
                app.errors(),
                status,
                format!(
                    "Send a form (`application/x-www-form-urlencoded`) with `username` and \
                     `password`: {}",
                    rejection.body_text()
                ),
            );
        }
    };
    let is_valid = form.username == ROOT_USER
        && constant_time_eq(form.password.as_bytes(), password.as_bytes());
    if !is_valid {
        tracing::info!(username = %form.username, "login refused");
        return error_response(
            app,
            &ActionError::new(ErrorCode::Unauthenticated, "Wrong username or password."),
            false,
        );
    }
    match app
        .authenticator()
        .issue(&Authorization::new(ROOT_USER, [ROOT_USER]))
    {
        Ok(access_token) => Json(TokenResponse {
            access_token,
            token_type: "bearer",
        })
        .into_response(),
        Err(error) => error_response(app, &error, false),
    }
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

/// `POST /login`: the form and the token it answers.
pub(crate) fn operation(errors: &ErrorDoc) -> Operation {
    let string = || string_schema();
    let form = ObjectBuilder::new()
        .property("username", string())
        .property("password", string())
        .property("grant_type", string())
        .property("scope", string())
        .required("username")
        .required("password")
        .build();
    let token = ObjectBuilder::new()
        .property("access_token", string())
        .property(
            "token_type",
            ObjectBuilder::new()
                .schema_type(SchemaType::Type(Type::String))
                .enum_values(Some(["bearer"])),
        )
        .required("access_token")
        .required("token_type")
        .build();
    OperationBuilder::new()
        .operation_id(Some("login"))
        .summary(Some("Log in (the debug authenticator)."))
        .description(Some(
            "OAuth2 password flow: user `root` with the configured password; answers a bearer token \
             with the `root` scope.",
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
        .response("401", errors.response("Wrong username or password."))
        .response("415", errors.response("The body is not a form."))
        .response("422", errors.response("The form lacks `username` or `password`."))
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
