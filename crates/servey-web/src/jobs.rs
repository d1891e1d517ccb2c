//! `POST /jobs`: several actions called serially in one request, each answered by its result or its
//! error (core's [`run_job`](servey_core::job::run_job) decides), in JSON or MessagePack. Only actions
//! with a web route are reachable: a job exposes nothing the REST routes do not.

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::post;
use servey_core::context::Client;
use servey_core::job::{JobRequest, run_job};
use servey_core::{Action, App, BodyFormat, Transport, Trigger};

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
    let answer_format = BodyFormat::of_answer(header(header::ACCEPT));
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
    let context = app
        .request_context(&parts.headers)
        .with_transport(Transport::Rest)
        .client(
            parts
                .extensions
                .get::<Client>()
                .cloned()
                .unwrap_or_default(),
        );
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
