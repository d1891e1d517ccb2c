//! `POST /jobs`: several actions called serially in one request, each answered by its result or its
//! error (core's [`run_job`](servey_core::job::run_job) decides), in JSON or MessagePack. Only actions
//! with a web route are reachable: a job exposes nothing the REST routes do not.

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::post;
use servey_core::job::{JobRequest, run_job};
use servey_core::{Action, App, BodyFormat, Trigger};

use utoipa::openapi::path::OperationBuilder;
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Required, ResponseBuilder, Schema};
use utoipa::{PartialSchema, ToSchema};

use crate::problem::{error_response, status_response, too_large_detail};

/// `POST /jobs`, unless switched off.
pub(crate) fn router(app: &App) -> Router {
    if !app.serves("/jobs") {
        return Router::new();
    }
    let app = app.clone();
    Router::new().route(
        "/jobs",
        post(move |request: Request| {
            let app = app.clone();
            async move { answer(&app, request).await }
        }),
    )
}

/// Whether a job may call `action`: it has a REST route or a page.
pub(crate) fn is_served_on_the_web(action: &Action) -> bool {
    action
        .triggers
        .iter()
        .any(|trigger| matches!(trigger, Trigger::Web { .. } | Trigger::WebPage { .. }))
}

async fn answer(app: &App, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let header = |name| {
        parts
            .headers
            .get(name)
            .and_then(|value: &HeaderValue| value.to_str().ok())
    };
    let answer_format = match BodyFormat::of_answer(header(header::ACCEPT)) {
        Ok(format) => format,
        Err(refusal) => {
            return status_response(app.errors(), StatusCode::NOT_ACCEPTABLE, refusal.0);
        }
    };
    let request_format = match BodyFormat::of_request(header(header::CONTENT_TYPE)) {
        Ok(format) => format,
        Err(error) => return error_response(app, &error, false),
    };
    let limit = app.config().limits.body_bytes;
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        return status_response(
            app.errors(),
            StatusCode::PAYLOAD_TOO_LARGE,
            too_large_detail(limit),
        );
    };
    let job: JobRequest = match request_format.decode(&bytes) {
        Ok(job) => job,
        Err(error) => return error_response(app, &error, false),
    };
    let context = crate::routes::rest_context(app, &parts, None, None);
    let answered = run_job(app, job, context, is_served_on_the_web)
        .await
        .and_then(|response| answer_format.encode(&response));
    match answered {
        Ok(bytes) => {
            let mut response = Response::new(Body::from(bytes));
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(answer_format.content_type()),
            );
            response
        }
        Err(error) => error_response(app, &error, false),
    }
}

/// The `POST /jobs` operation, and the schemas it refers to.
pub(crate) fn operation(
    document: &crate::operation::DocumentParts,
) -> (
    utoipa::openapi::path::Operation,
    Vec<(String, RefOr<Schema>)>,
) {
    use servey_core::job::JobResponse;
    let errors = &document.errors;
    let mut components = Vec::new();
    for (name, schema) in [
        (JobRequest::name(), JobRequest::schema()),
        (JobResponse::name(), JobResponse::schema()),
    ] {
        components.push((name.into_owned(), schema));
    }
    JobRequest::schemas(&mut components);
    JobResponse::schemas(&mut components);
    let content = |name: &str| {
        [JSON, servey_core::format::MSGPACK_CONTENT_TYPE].map(|media_type| {
            (
                media_type,
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name(name)))
                    .build(),
            )
        })
    };
    let mut body = RequestBodyBuilder::new().required(Some(Required::True));
    for (media_type, schema) in content("JobRequest") {
        body = body.content(media_type, schema);
    }
    let mut answer = ResponseBuilder::new().description(
        "One outcome per action that ran, in order: its result, or its error as problem details (the \
         `Problem` schema, whatever error body the app's own routes answer). A job that stopped at an \
         error has fewer outcomes than actions.",
    );
    for (media_type, schema) in content("JobResponse") {
        answer = answer.content(media_type, schema);
    }
    // No credentials (a job of public actions needs none), or the token the caller holds: generated
    // clients then send it, and the job's protected actions see their caller.
    let security = std::iter::once(SecurityRequirement::default()).chain(
        document
            .security_schemes
            .iter()
            .map(|scheme| SecurityRequirement::new(scheme, Vec::<String>::new())),
    );
    let operation = OperationBuilder::new()
        .operation_id(Some("jobs"))
        .securities(Some(security))
        .summary(Some("Call several actions serially in one request."))
        .description(Some(
            "Runs each action through the same checks as its own route (credentials, access control, \
             input), in order; stops at the first error unless `continue_on_error`. Only actions \
             served on a web route can be called. Bodies and answers are JSON or MessagePack.",
        ))
        .request_body(Some(body.build()))
        .response("200", answer.build())
        .response(
            "415",
            errors.response("The body is sent as neither JSON nor MessagePack."),
        )
        .response(
            "422",
            errors.response("The body is not a job, or holds more than 100 actions."),
        )
        .build();
    (operation, components)
}

const JSON: &str = "application/json";
