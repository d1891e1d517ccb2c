//! Self-description: `/health`, the probes `/health/live` and `/health/ready`, and `/actions` (every
//! action with its triggers and links to its routes), built once at start.

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use bytes::Bytes;
use serde::Serialize;
use servey_core::backend::Probes;
use servey_core::{Action, App, Trigger};

use crate::openapi::web_routes;

/// `/health`, `/health/live`, `/health/ready` and `/actions`, each unless switched off.
pub(crate) fn router(app: &App) -> Router {
    let listing = Bytes::from(
        serde_json::to_vec(&listing(app, app.registry().iter().map(AsRef::as_ref)))
            .unwrap_or_default(),
    );
    let mut router = Router::new();
    if app.serves("/health") {
        router = router.route(
            "/health",
            get(|| async { json(Bytes::from_static(br#"{"status":"ok"}"#)) }),
        );
    }
    if app.serves("/health/live") {
        router = router.route(
            "/health/live",
            get(|| async { json(Bytes::from_static(br#"{"status":"ok"}"#)) }),
        );
    }
    if app.serves("/health/ready") {
        let probes = app.backends().probes().required(&app.config().settings);
        router = router.route(
            "/health/ready",
            get(move || {
                let probes = probes.clone();
                async move { ready(&probes).await }
            }),
        );
    }
    if app.serves("/actions") {
        router = router.route(
            "/actions",
            get(move || {
                let listing = listing.clone();
                async move { json(listing) }
            }),
        );
    }
    router
}

/// `200` when every required backend answers, else `503` naming each one that did not.
async fn ready(probes: &Probes) -> axum::response::Response {
    if probes.is_empty() {
        return json(Bytes::from_static(br#"{"status":"ok"}"#)).into_response();
    }
    let unready = probes.unready().await;
    if unready.is_empty() {
        return json(Bytes::from_static(br#"{"status":"ok"}"#)).into_response();
    }
    let body = serde_json::json!({
        "status": "not_ready",
        "unreachable": unready
            .iter()
            .map(|unready| serde_json::json!({"backend": unready.backend, "error": unready.error}))
            .collect::<Vec<_>>(),
    });
    (StatusCode::SERVICE_UNAVAILABLE, axum::Json(body)).into_response()
}

fn json(body: Bytes) -> ([(header::HeaderName, HeaderValue); 1], Bytes) {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
}

/// One action in the `/actions` listing.
#[derive(Debug, Serialize, PartialEq)]
struct ActionEntry {
    name: String,
    summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    field_of: Option<String>,
    triggers: Vec<String>,
    links: Vec<Link>,
}

/// A route an action answers.
#[derive(Debug, Serialize, PartialEq)]
struct Link {
    method: &'static str,
    href: String,
    rel: &'static str,
}

fn listing<'a>(app: &App, actions: impl Iterator<Item = &'a Action>) -> Vec<ActionEntry> {
    actions
        .map(|action| ActionEntry {
            name: action.name.clone(),
            summary: action.summary.clone(),
            field_of: action.owner.clone(),
            triggers: action.triggers.iter().map(Trigger::describe).collect(),
            links: web_routes(app, action)
                .into_iter()
                .map(|(method, href, is_page)| Link {
                    method: method.as_str(),
                    href,
                    rel: if is_page { "page" } else { "action" },
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    #[test]
    fn actions_are_listed_with_triggers_and_links() {
        let action = Action::builder("say_hello", |_, _| async { Ok(Value::Null) })
            .doc("Greet.")
            .trigger(Trigger::web_get())
            .trigger(Trigger::FixedRate { seconds: 5 })
            .build();
        let app = App::new(Default::default(), Default::default());
        let listed = serde_json::to_value(listing(&app, [&action].into_iter())).expect("json");
        assert_eq!(
            listed,
            json!([{
                "name": "say_hello",
                "summary": "Greet.",
                "triggers": ["GET /actions/say-hello", "every 5s"],
                "links": [{"method": "GET", "href": "/actions/say-hello", "rel": "action"}]
            }])
        );
    }
}
