//! One OpenAPI operation per route of an action: parameters or request body, the success response with
//! its status and headers, and the error responses in the app's error body.

use servey_core::render::ErrorSchema;
use servey_core::route::PathTemplate;
use servey_core::schema::Components;
use servey_core::{Action, App, Method, RateLimit};
use utoipa::openapi::path::{OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Required, ResponseBuilder};

use crate::openapi::{OAUTH2_SCHEME, string_schema};
use crate::parameters::{query_parameters, request_body};
use crate::shape::Shape;

/// What every operation of a document shares: the error body, the security schemes a protected
/// operation accepts, the app's default rate limit.
pub(crate) struct DocumentParts {
    pub(crate) errors: ErrorDoc,
    pub(crate) security_schemes: Vec<String>,
    pub(crate) default_rate_limit: Option<RateLimit>,
}

/// The documented error body of an app: a response with it, for each error status.
pub(crate) struct ErrorDoc {
    schema: ErrorSchema,
}

impl ErrorDoc {
    /// The error body of `app`'s renderer.
    pub(crate) fn of(app: &App) -> Self {
        Self {
            schema: app.errors().schema(),
        }
    }

    /// The body's schema and the ones it refers to, for the document's components.
    pub(crate) fn components(&self) -> Vec<(String, RefOr<Schema>)> {
        let mut components = vec![(self.schema.name.clone(), self.schema.schema.clone())];
        components.extend(self.schema.components.iter().cloned());
        components
    }

    /// A response carrying the error body.
    pub(crate) fn response(&self, description: &str) -> utoipa::openapi::Response {
        ResponseBuilder::new()
            .description(description)
            .content(
                self.schema.content_type,
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name(self.schema.name.as_str())))
                    .build(),
            )
            .build()
    }
}

/// The operation of one route of `action`.
pub(crate) fn operation(
    action: &Action,
    (method, path, is_page): (Method, &str, bool),
    id: String,
    document: &DocumentParts,
    components: &mut Components,
) -> utoipa::openapi::path::Operation {
    let errors = &document.errors;
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
        .description(non_empty(&action.description))
        .tags((!action.tags.is_empty()).then(|| action.tags.clone()));
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
    // Whether the caller sends any input (a 422 then may answer it), and whether in a body (a 415).
    let mut has_body = false;
    let mut has_input = !path_params.is_empty();
    if method.reads_query() {
        let model = action.schema.model().input.as_object();
        for parameter in query_parameters(input, model, &shape, &path_params, first_example) {
            builder = builder.parameter(parameter);
            has_input = true;
        }
    } else if let Some(body) = request_body(action, input, &path_params, components) {
        builder = builder.request_body(Some(body));
        (has_body, has_input) = (true, true);
    }
    builder = builder.response(action.status.to_string(), success_response(action, is_page));
    if action.cache_control.is_some() && method == Method::Get {
        builder = builder.response(
            "304",
            ResponseBuilder::new()
                .description("Not modified: the copy named by `If-None-Match` is current.")
                .build(),
        );
    }
    if has_input {
        builder = builder.response(
            "422",
            errors.response("The input does not fit the parameters."),
        );
    }
    if has_body {
        builder = builder.response(
            "415",
            errors.response("The body is sent as neither JSON nor MessagePack."),
        );
    }
    // Credentials that are sent and rejected are a 401 on every action, also one that reads none.
    builder = builder.response(
        "401",
        errors.response(if action.access_control.is_some() {
            "No credentials, or credentials that were rejected."
        } else {
            "Credentials were sent and rejected."
        }),
    );
    match &action.access_control {
        // Only a policy that can refuse an authenticated caller answers 403.
        Some(policy) if policy.may_forbid() => {
            builder = builder.response(
                "403",
                errors.response("The credentials lack a required scope."),
            );
        }
        Some(_) => {}
        None => {
            // Credentials are optional here, and read when sent (an action may look at its caller):
            // the empty alternative says "none", the others tell generators to send the token they
            // hold.
            builder = builder.security(SecurityRequirement::default());
        }
    }
    for scheme in &document.security_schemes {
        let scopes = match &action.access_control {
            Some(policy) if scheme == OAUTH2_SCHEME => policy.required_scopes(),
            _ => Vec::new(),
        };
        builder = builder.security(SecurityRequirement::new(scheme, scopes));
    }
    let rate_limit = action
        .rate_limit
        .as_ref()
        .map(|limiter| limiter.limit())
        .or(document.default_rate_limit);
    if let Some(limit) = rate_limit {
        let header = |description: &str| {
            utoipa::openapi::HeaderBuilder::new()
                .schema(Some(string_schema()))
                .description(Some(description))
                .build()
        };
        let mut response = errors.response(&format!(
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
        builder = builder.response("504", errors.response("The action did not finish in time."));
    }
    let mut operation = builder
        .response(
            "500",
            errors.response("The action failed; the cause is logged."),
        )
        .build();
    for status in &action.error_statuses {
        let reason = axum::http::StatusCode::from_u16(*status)
            .ok()
            .and_then(|status| status.canonical_reason())
            .unwrap_or("Error");
        operation
            .responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| {
                RefOr::T(errors.response(&format!("{reason}: the action says why.")))
            });
    }
    operation
}

fn success_response(action: &Action, is_page: bool) -> utoipa::openapi::Response {
    let mut response = if action.status == 204 {
        ResponseBuilder::new()
            .description("Done; no content.")
            .build()
    } else {
        result_response(action, is_page)
    };
    for name in &action.response_headers {
        let header = utoipa::openapi::HeaderBuilder::new()
            .schema(Some(string_schema()))
            .description(Some(format!("Set by the action (`{name}`).")))
            .build();
        response.headers.insert(name.clone(), RefOr::T(header));
    }
    response
}

fn result_response(action: &Action, is_page: bool) -> utoipa::openapi::Response {
    if is_page {
        return ResponseBuilder::new()
            .description("The rendered page.")
            .content(
                "text/html",
                ContentBuilder::new().schema(Some(string_schema())).build(),
            )
            .build();
    }
    // A `partial` example lists only some keys of the result: published, it would not fit the schema.
    let examples = action.examples.iter().enumerate();
    let examples = examples
        .filter(|(_, example)| !example.partial)
        .map(|(index, example)| {
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
