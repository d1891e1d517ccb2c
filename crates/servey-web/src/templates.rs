//! Web pages (`web_page` triggers, the `pages` feature): the action's result rendered by a minijinja
//! template as `model`. A template is compiled when first used and kept; in dev mode (`SERVEY_DEV`, as
//! `cargo servey dev` runs an app) each render first checks its file (and those it includes) and
//! recompiles what changed, so that an edited template shows on the next page without a restart.

use std::sync::Arc;

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use minijinja::{AutoEscape, Environment};
use servey_core::App;

use crate::problem::status_response;
use crate::routes::Endpoint;

/// The template environment, made once at start with a loader on the templates directory, or on the
/// templates built into the binary.
pub(crate) struct Pages {
    environment: Arc<Environment<'static>>,
}

impl Pages {
    /// An environment that loads templates from `config.templates_dir` and escapes for HTML; in dev
    /// mode it reloads a template whose file changed (a `stat` per render), else never.
    pub(crate) fn new(app: &App) -> Self {
        let mut environment = Environment::new();
        match app.config().templates_in_binary() {
            Some(embedded) => environment.set_loader(move |name| embedded_template(embedded, name)),
            None => environment.set_loader(minijinja::path_loader(&app.config().templates_dir)),
        }
        environment.set_auto_reload(app.config().dev);
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

/// The template `name` from the files built into the binary, if there is one.
fn embedded_template(
    embedded: servey_core::EmbeddedDir,
    name: &str,
) -> Result<Option<String>, minijinja::Error> {
    embedded
        .get(name)
        .map(|bytes| {
            String::from_utf8(bytes.to_vec()).map_err(|_| {
                minijinja::Error::new(
                    minijinja::ErrorKind::CannotDeserialize,
                    format!("the template `{name}` is not UTF-8"),
                )
            })
        })
        .transpose()
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
