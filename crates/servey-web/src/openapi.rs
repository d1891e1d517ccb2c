//! The OpenAPI 3.1 document: one operation per web trigger (see `operation`), schemas from the registry,
//! the app's error body, and the security schemes of its authenticator (plus the OAuth2 password flow of
//! the debug `/login`, when it is served). Built with utoipa's builders.

use std::collections::BTreeSet;

use servey_core::schema::Components;
use servey_core::{Action, App, Method, Trigger};
use utoipa::openapi::path::{HttpMethod, PathsBuilder};
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, Flow, HttpAuthScheme, HttpBuilder, OAuth2, Password, Scopes,
    SecurityScheme,
};
use utoipa::openapi::server::Server;
use utoipa::openapi::{ComponentsBuilder, InfoBuilder, OpenApi, OpenApiBuilder};

use crate::operation::{DocumentParts, ErrorDoc, operation};

/// The name of the debug login's OAuth2 password flow in the document.
pub(crate) const OAUTH2_SCHEME: &str = "oauth2";

/// The OpenAPI 3.1 document of `app`'s web actions (what `/openapi.json` serves).
pub fn openapi(app: &App) -> OpenApi {
    let config = app.config();
    let info = InfoBuilder::new()
        .title(config.api_title.clone())
        .version(config.api_version.clone())
        .description(config.api_description.clone())
        .build();
    let mut paths = PathsBuilder::new();
    let mut schemas = Components::new();
    let mut scopes = BTreeSet::from([crate::login::ROOT_USER.to_owned()]);
    let scheme = app.authenticator().security_scheme();
    let serves_login = app.serves("/login");
    let mut security_schemes = vec![scheme.name().to_owned()];
    if serves_login {
        security_schemes.push(OAUTH2_SCHEME.to_owned());
    }
    let document = DocumentParts {
        errors: ErrorDoc::of(app),
        security_schemes,
        default_rate_limit: app.config().limits.rate_limit,
    };
    // Every named type first, so that the request bodies' names (see `parameters`) avoid them.
    for action in app.registry().iter() {
        for (name, schema) in action.schema.components() {
            schemas
                .entry(name.clone())
                .or_insert_with(|| schema.clone());
        }
        if let Some(policy) = &action.access_control {
            scopes.extend(policy.required_scopes());
        }
    }
    for action in app.registry().iter() {
        let routes = web_routes(app, action);
        for (index, (method, path, is_page)) in routes.iter().enumerate() {
            let operation_id = match routes.len() {
                1 => action.name.clone(),
                _ if routes.iter().filter(|(m, ..)| m == method).count() == 1 => {
                    format!("{}_{}", action.name, method.as_str().to_ascii_lowercase())
                }
                _ => format!("{}_{index}", action.name),
            };
            let route = (*method, path.as_str(), *is_page);
            let mut operation = operation(action, route, operation_id, &document, &mut schemas);
            if servey_core::features::HAS_MSGPACK {
                crate::media::offer_msgpack(&mut operation);
            }
            paths = paths.path(
                path.clone(),
                utoipa::openapi::PathItem::new(http_method(*method), operation),
            );
        }
    }
    if serves_login {
        paths = paths.path(
            "/login",
            utoipa::openapi::PathItem::new(
                HttpMethod::Post,
                crate::login::operation(&document.errors),
            ),
        );
    }
    if app.serves("/jobs") {
        let (operation, components) = crate::jobs::operation(&document);
        paths = paths.path(
            "/jobs",
            utoipa::openapi::PathItem::new(HttpMethod::Post, operation),
        );
        schemas.extend(components);
    }
    schemas.extend(document.errors.components());
    let mut components = ComponentsBuilder::new()
        .schemas_from_iter(schemas)
        .security_scheme(scheme.name(), security_scheme(&scheme));
    if serves_login {
        let flow = Flow::Password(Password::new(
            "/login",
            Scopes::from_iter(
                scopes
                    .iter()
                    .map(|scope| (scope.clone(), format!("Grants the `{scope}` scope."))),
            ),
        ));
        components =
            components.security_scheme(OAUTH2_SCHEME, SecurityScheme::OAuth2(OAuth2::new([flow])));
    }
    let mut components = components.build();
    let paths = paths.build();
    crate::references::keep_referenced(&paths, &mut components.schemas);
    let server = config.public_url.as_deref().unwrap_or("/");
    OpenApiBuilder::new()
        .info(info)
        .servers(Some([Server::new(server)]))
        .paths(paths)
        .components(Some(components))
        .build()
}

/// The OpenAPI document as pretty JSON (what `/openapi.json` serves and `--run=openapi` writes).
pub fn openapi_json(app: &App) -> String {
    openapi(app).to_pretty_json().unwrap_or_else(|error| {
        tracing::error!(%error, "the OpenAPI document does not serialize");
        "{}".to_owned()
    })
}

/// The routes of an action, under the app's path prefix: method, path, and whether it is a page.
pub(crate) fn web_routes(app: &App, action: &Action) -> Vec<(Method, String, bool)> {
    action
        .triggers
        .iter()
        .filter_map(|trigger| match trigger {
            Trigger::Web {
                method,
                path: Some(path),
            } => Some((*method, app.route_path(path), false)),
            Trigger::WebPage {
                path: Some(path), ..
            } => Some((Method::Get, app.route_path(path), true)),
            _ => None,
        })
        .collect()
}

/// An authenticator's scheme as OpenAPI describes it.
fn security_scheme(scheme: &servey_core::SecurityScheme) -> SecurityScheme {
    match scheme {
        servey_core::SecurityScheme::Bearer { format } => {
            let mut http = HttpBuilder::new().scheme(HttpAuthScheme::Bearer);
            if let Some(format) = format {
                http = http.bearer_format(format.clone());
            }
            SecurityScheme::Http(http.build())
        }
        servey_core::SecurityScheme::ApiKeyHeader {
            header,
            description,
            ..
        } => SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
            header.clone(),
            description.clone(),
        ))),
    }
}

fn http_method(method: Method) -> HttpMethod {
    match method {
        Method::Get => HttpMethod::Get,
        Method::Post => HttpMethod::Post,
        Method::Put => HttpMethod::Put,
        Method::Patch => HttpMethod::Patch,
        Method::Delete => HttpMethod::Delete,
    }
}

/// `{"type": "string"}`.
pub(crate) fn string_schema() -> Schema {
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::String))
            .build(),
    )
}
