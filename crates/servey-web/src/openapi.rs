//! The OpenAPI 3.1 document: one operation per web trigger, schemas from the registry, problem-details
//! error responses and the OAuth2 password flow of `/login`. Built with utoipa's builders.

use std::collections::BTreeSet;

use servey_core::route::PathTemplate;
use servey_core::schema::Components;
use servey_core::{Action, App, Method, RateLimit, Trigger};
use utoipa::openapi::path::{
    HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, PathsBuilder,
};
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::security::{
    Flow, OAuth2, Password, Scopes, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, OpenApi, OpenApiBuilder, Ref, RefOr, Required,
    ResponseBuilder,
};

use crate::parameters::{query_parameters, request_body};
use crate::shape::Shape;

/// The name of the security scheme every protected operation requires.
const SECURITY_SCHEME: &str = "oauth2";

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
    for action in app.registry().iter() {
        for (name, schema) in action.schema.components() {
            schemas
                .entry(name.clone())
                .or_insert_with(|| schema.clone());
        }
        if let Some(policy) = &action.access_control {
            scopes.extend(policy.required_scopes());
        }
        let routes = web_routes(action);
        for (index, (method, path, is_page)) in routes.iter().enumerate() {
            let operation_id = match routes.len() {
                1 => action.name.clone(),
                _ if routes.iter().filter(|(m, ..)| m == method).count() == 1 => {
                    format!("{}_{}", action.name, method.as_str().to_ascii_lowercase())
                }
                _ => format!("{}_{index}", action.name),
            };
            let operation = operation(
                action,
                (*method, path, *is_page),
                operation_id,
                app.config().limits.rate_limit,
            );
            paths = paths.path(
                path.clone(),
                utoipa::openapi::PathItem::new(http_method(*method), operation),
            );
        }
    }
    paths = paths.path(
        "/login",
        utoipa::openapi::PathItem::new(HttpMethod::Post, crate::login::operation()),
    );
    let mut problem = vec![(
        <servey_core::Problem as utoipa::ToSchema>::name().into_owned(),
        <servey_core::Problem as utoipa::PartialSchema>::schema(),
    )];
    <servey_core::Problem as utoipa::ToSchema>::schemas(&mut problem);
    schemas.extend(problem);
    let flow = Flow::Password(Password::new(
        "/login",
        Scopes::from_iter(
            scopes
                .iter()
                .map(|scope| (scope.clone(), format!("Grants the `{scope}` scope."))),
        ),
    ));
    let components = ComponentsBuilder::new()
        .schemas_from_iter(schemas)
        .security_scheme(SECURITY_SCHEME, SecurityScheme::OAuth2(OAuth2::new([flow])))
        .build();
    OpenApiBuilder::new()
        .info(info)
        .paths(paths.build())
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

/// The routes of an action: method, path, and whether it is a page.
pub(crate) fn web_routes(action: &Action) -> Vec<(Method, String, bool)> {
    action
        .triggers
        .iter()
        .filter_map(|trigger| match trigger {
            Trigger::Web {
                method,
                path: Some(path),
            } => Some((*method, path.to_string(), false)),
            Trigger::WebPage {
                path: Some(path), ..
            } => Some((Method::Get, path.to_string(), true)),
            _ => None,
        })
        .collect()
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

fn operation(
    action: &Action,
    (method, path, is_page): (Method, &str, bool),
    id: String,
    default_rate_limit: Option<RateLimit>,
) -> utoipa::openapi::path::Operation {
    let non_empty = |text: &str| (!text.is_empty()).then(|| text.to_owned());
    let shape = Shape::of_input(action.schema.model());
    let input = match action.schema.input() {
        RefOr::T(Schema::Object(object)) => Some(object),
        _ => None,
    };
    let template = PathTemplate::parse(path).ok();
    let path_params: Vec<&str> = template.iter().flat_map(PathTemplate::params).collect();
    let first_example = action.examples.first().map(|example| &example.params);
    let mut builder = OperationBuilder::new()
        .operation_id(Some(id))
        .summary(non_empty(&action.summary))
        .description(non_empty(&action.description));
    for name in &path_params {
        let schema = input
            .and_then(|object| object.properties.get(*name))
            .cloned();
        builder = builder.parameter(
            ParameterBuilder::new()
                .name(*name)
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .schema(Some(schema.unwrap_or_else(|| string_schema().into())))
                .example(first_example.and_then(|params| params.get(*name)).cloned()),
        );
    }
    if method.reads_query() {
        let model = action.schema.model().input.as_object();
        for parameter in query_parameters(input, model, &shape, &path_params, first_example) {
            builder = builder.parameter(parameter);
        }
    } else {
        builder = builder.request_body(Some(request_body(action, input, &path_params)));
    }
    builder = builder.response("200", success_response(action, is_page));
    if action.cache_control.is_some() && method == Method::Get {
        builder = builder.response(
            "304",
            ResponseBuilder::new()
                .description("Not modified: the copy named by `If-None-Match` is current.")
                .build(),
        );
    }
    builder = builder.response(
        "422",
        problem_response("The input does not fit the parameters."),
    );
    if !method.reads_query() {
        builder = builder.response(
            "415",
            problem_response("The body is not sent as `application/json`."),
        );
    }
    if let Some(policy) = &action.access_control {
        builder = builder
            .response(
                "401",
                problem_response("No bearer token, or one that was rejected."),
            )
            .response("403", problem_response("The token lacks a required scope."))
            .security(SecurityRequirement::new(
                SECURITY_SCHEME,
                policy.required_scopes(),
            ));
    }
    let rate_limit = action
        .rate_limit
        .as_ref()
        .map(|limiter| limiter.limit())
        .or(default_rate_limit);
    if let Some(limit) = rate_limit {
        let header = |description: &str| {
            utoipa::openapi::HeaderBuilder::new()
                .schema(Some(string_schema()))
                .description(Some(description))
                .build()
        };
        let mut response = problem_response(&format!(
            "Too many calls: at most {} per {} s per caller.",
            limit.count,
            limit.period_secs()
        ));
        for (name, description) in [
            ("Retry-After", "Seconds until a call is allowed again."),
            ("RateLimit-Policy", "The limit, as `\"default\";q=N;w=S`."),
            ("RateLimit", "What is left, as `\"default\";r=0;t=S`."),
        ] {
            response
                .headers
                .insert(name.to_owned(), RefOr::T(header(description)));
        }
        builder = builder.response("429", response);
    }
    if action.timeout.is_some() {
        builder = builder.response(
            "504",
            problem_response("The action did not finish in time."),
        );
    }
    builder
        .response(
            "500",
            problem_response("The action failed; the cause is logged."),
        )
        .build()
}

fn success_response(action: &Action, is_page: bool) -> utoipa::openapi::Response {
    if is_page {
        return ResponseBuilder::new()
            .description("The rendered page.")
            .content(
                "text/html",
                ContentBuilder::new().schema(Some(string_schema())).build(),
            )
            .build();
    }
    let examples = action.examples.iter().enumerate().map(|(index, example)| {
        let mut built =
            utoipa::openapi::example::ExampleBuilder::new().value(Some(example.result.clone()));
        let summary = match &example.description {
            Some(description) => description.clone(),
            None => format!("The result for {}", example.params),
        };
        built = built.summary(summary);
        (example_name(example, index), built.build())
    });
    ResponseBuilder::new()
        .description("The result, as plain JSON.")
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(action.schema.output().clone()))
                .examples_from_iter(examples)
                .build(),
        )
        .build()
}

pub(crate) fn example_name(example: &servey_core::Example, index: usize) -> String {
    example
        .name
        .clone()
        .unwrap_or_else(|| format!("example_{index}"))
}

/// A response whose body is a problem document.
pub(crate) fn problem_response(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            servey_core::error::PROBLEM_CONTENT_TYPE,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
}

/// `{"type": "string"}`.
pub(crate) fn string_schema() -> Schema {
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::String))
            .build(),
    )
}
