//! The static files under `/static/` and the static site: files only, and a `404` problem for any
//! other path.

use axum::extract::{OriginalUri, Request};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{MethodRouter, any};
use servey_core::App;
use tower_http::services::ServeDir;

use crate::problem::{not_found, status_response};

/// The longest file name most file systems take (NAME_MAX).
const MAX_NAME_BYTES: usize = 255;

/// `config.static_dir` as a service (mounted at `/static`), files only: nested under `/static`, a
/// directory redirect would send `/static/.` to `/./`.
pub(crate) fn static_files(app: &App) -> MethodRouter {
    match app.config().static_in_binary() {
        Some(embedded) => embedded_files(app, embedded),
        None => files(app, &app.config().static_dir, false),
    }
}

/// The files built into the binary, by their path under `/static/` (`GET` and `HEAD`), with the type
/// their extension says; a 404 problem for anything else.
fn embedded_files(app: &App, embedded: servey_core::EmbeddedDir) -> MethodRouter {
    let errors = app.errors().clone();
    any(
        move |method: axum::http::Method, uri: OriginalUri, request: Request| {
            let errors = errors.clone();
            async move {
                let path = request.uri().path().trim_start_matches('/');
                let found = embedded.get(path).filter(|_| {
                    matches!(method, axum::http::Method::GET | axum::http::Method::HEAD)
                });
                let Some(bytes) = found else {
                    return not_found(&errors, &method, uri);
                };
                let kind = mime_guess::from_path(path).first_or_octet_stream();
                let body = if method == axum::http::Method::HEAD {
                    axum::body::Body::empty()
                } else {
                    axum::body::Body::from(bytes)
                };
                (
                    [
                        (
                            axum::http::header::CONTENT_TYPE,
                            kind.essence_str().to_owned(),
                        ),
                        (axum::http::header::CONTENT_LENGTH, bytes.len().to_string()),
                    ],
                    body,
                )
                    .into_response()
            }
        },
    )
}

/// The files under `dir` (with `index.html` for directories when `with_index`), and a 404 problem for
/// anything else, including names no file can have (a NUL byte, a segment over 255 bytes, a path
/// longer than the file system takes), which ServeDir would report as a 500 with the error logged.
pub(crate) fn files(app: &App, dir: &std::path::Path, with_index: bool) -> MethodRouter {
    let errors = app.errors().clone();
    let missing = {
        let errors = errors.clone();
        any(move |method: axum::http::Method, uri: OriginalUri| {
            let errors = errors.clone();
            async move { not_found(&errors, &method, uri) }
        })
    };
    let files = ServeDir::new(dir)
        .append_index_html_on_directories(with_index)
        .fallback(missing);
    any(move |request: Request| {
        let files = files.clone();
        let errors = errors.clone();
        async move {
            if !is_file_name(request.uri().path()) {
                let (parts, _) = request.into_parts();
                let uri = parts.extensions.get::<OriginalUri>().cloned();
                return not_found(
                    &errors,
                    &parts.method,
                    uri.unwrap_or(OriginalUri(parts.uri)),
                );
            }
            let method = request.method().clone();
            let uri = request.extensions().get::<OriginalUri>().cloned();
            let uri = uri.unwrap_or_else(|| OriginalUri(request.uri().clone()));
            let mut files = files;
            match files.try_call(request).await {
                Ok(response) => response.into_response(),
                Err(error) if names_no_file(&error) => not_found(&errors, &method, uri),
                Err(error) => {
                    tracing::error!(%error, "a static file could not be read");
                    status_response(
                        &errors,
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "The file could not be read.",
                    )
                }
            }
        }
    })
}

/// Whether the file system refused the path itself (too long as a whole, not a valid name): no file
/// has such a name, so it is a `404`, not a server error. A missing file, or a file where a directory
/// was named, goes to the fallback before this.
fn names_no_file(error: &std::io::Error) -> bool {
    use std::io::ErrorKind;
    matches!(
        error.kind(),
        ErrorKind::InvalidFilename
            | ErrorKind::InvalidInput
            | ErrorKind::NotADirectory
            | ErrorKind::IsADirectory
    )
}

/// Whether every decoded segment of `path` could name a file.
fn is_file_name(path: &str) -> bool {
    path.split('/').all(|segment| {
        let decoded: Vec<u8> = percent_encoding::percent_decode_str(segment).collect();
        decoded.len() <= MAX_NAME_BYTES && !decoded.contains(&0)
    })
}
