//! Web pages (`web_page` triggers: the result rendered by a minijinja template as `model`) and the
//! static files under `/static/`.

use std::sync::Arc;

use axum::extract::{OriginalUri, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, any, get};
use minijinja::{AutoEscape, Environment};
use servey_core::App;
use tower_http::services::ServeDir;

use crate::problem::{not_found, status_response};
use crate::routes::Endpoint;

/// The template environment, made once at start with a loader on the templates directory.
pub(crate) struct Pages {
    environment: Arc<Environment<'static>>,
}

impl Pages {
    /// An environment that loads templates from `config.templates_dir` and escapes for HTML.
    pub(crate) fn new(app: &App) -> Self {
        let mut environment = Environment::new();
        environment.set_loader(minijinja::path_loader(&app.config().templates_dir));
        environment.set_auto_escape_callback(|_| AutoEscape::Html);
        Self {
            environment: Arc::new(environment),
        }
    }

    /// `GET` on a page: calls the action and renders `template` with the result as `model`.
    pub(crate) fn method_router(&self, endpoint: Arc<Endpoint>, template: &str) -> MethodRouter {
        if let Err(error) = self.environment.get_template(template) {
            tracing::warn!(
                action = %endpoint.action.name,
                template,
                %error,
                "the page template cannot be loaded; the page will answer 500 until it can"
            );
        }
        let environment = self.environment.clone();
        let template: Arc<str> = template.into();
        get(move |request: Request| {
            let endpoint = endpoint.clone();
            let environment = environment.clone();
            let template = template.clone();
            async move {
                match endpoint.call(request).await {
                    Ok(output) => match output.to_value() {
                        Ok(model) => render(endpoint.app(), &environment, &template, model),
                        Err(error) => crate::problem::error_response(endpoint.app(), &error, false),
                    },
                    Err(response) => response,
                }
            }
        })
    }
}

/// The page, or a 500 problem naming the template when it is missing or fails to render.
fn render(
    app: &App,
    environment: &Environment<'static>,
    template: &str,
    model: serde_json::Value,
) -> Response {
    let rendered = environment.get_template(template).and_then(|page| {
        page.render(
            minijinja::context! { model => minijinja::Value::from(minijinja::value::Serde(model)) },
        )
    });
    match rendered {
        Ok(html) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            )],
            html,
        )
            .into_response(),
        Err(error) => {
            let detail = if error.kind() == minijinja::ErrorKind::TemplateNotFound {
                format!("The page template `{template}` was not found in the templates directory.")
            } else {
                format!("The page template `{template}` failed to render.")
            };
            tracing::error!(template, error = %format!("{error:#}"), "{detail}");
            status_response(app.errors(), StatusCode::INTERNAL_SERVER_ERROR, detail)
        }
    }
}

/// The longest file name most file systems take (NAME_MAX).
const MAX_NAME_BYTES: usize = 255;

/// `config.static_dir` as a service (mounted at `/static`), files only: nested under `/static`, a
/// directory redirect would send `/static/.` to `/./`.
pub(crate) fn static_files(app: &App) -> MethodRouter {
    files(app, &app.config().static_dir, false)
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn environment(source: &'static str) -> Environment<'static> {
        let mut environment = Environment::new();
        environment.set_auto_escape_callback(|_| AutoEscape::Html);
        environment
            .add_template("page.j2", source)
            .expect("template parses");
        environment
    }

    async fn body_text(response: Response) -> String {
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        String::from_utf8(bytes.to_vec()).expect("utf-8")
    }

    #[tokio::test]
    async fn the_result_renders_as_model_with_html_escaping() {
        let app = App::new(Default::default(), Default::default());
        let response = render(
            &app,
            &environment("<p>{{ model.now }}</p>"),
            "page.j2",
            json!({"now": "<soon>"}),
        );
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(body_text(response).await, "<p>&lt;soon&gt;</p>");
    }

    #[tokio::test]
    async fn missing_and_failing_templates_are_500_naming_the_template() {
        let app = App::new(Default::default(), Default::default());
        let missing = render(&app, &environment(""), "other.j2", json!({}));
        assert_eq!(missing.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let problem: serde_json::Value =
            serde_json::from_str(&body_text(missing).await).expect("json");
        assert_eq!(
            problem["detail"],
            "The page template `other.j2` was not found in the templates directory."
        );
        let failing = render(
            &app,
            &environment("{{ model.now | nosuchfilter }}"),
            "page.j2",
            json!({}),
        );
        let problem: serde_json::Value =
            serde_json::from_str(&body_text(failing).await).expect("json");
        assert_eq!(
            problem["detail"],
            "The page template `page.j2` failed to render."
        );
    }
}
