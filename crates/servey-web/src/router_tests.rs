//! The router and OpenAPI document built from run-time actions, exercised in-process (no socket).

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use servey_core::route::ReservedRoute;
use servey_core::{Action, App, Method, Registry, ServeyConfig, Trigger};
use tower::ServiceExt;
use utoipa::ToSchema;

use crate::WebError;

#[derive(ToSchema)]
#[allow(dead_code)]
struct Filter {
    min: u32,
}

#[derive(ToSchema)]
#[allow(dead_code)]
struct ItemParams {
    id: u64,
    tags: Option<Vec<String>>,
    filter: Option<Filter>,
}

fn web(method: Method, path: &'static str) -> Trigger {
    Trigger::Web {
        method,
        path: Some(path.into()),
    }
}

/// An action that answers its input object, with `ItemParams` as its schema.
fn echo(name: &str, triggers: &[Trigger]) -> Action {
    triggers
        .iter()
        .fold(
            Action::builder(name, |input, _| async move { Ok(input) })
                .schema(servey_core::schema::action_schema::<ItemParams, String>()),
            |builder, trigger| builder.trigger(trigger.clone()),
        )
        .build()
}

fn app(actions: Vec<Action>, config: ServeyConfig) -> App {
    let registry = actions
        .into_iter()
        .fold(Registry::builder(), |builder, action| {
            builder.action(action)
        })
        .build()
        .expect("unique names");
    App::new(registry, config)
}

fn item_app() -> App {
    let config = ServeyConfig::from_lookup(|key| {
        (key == "SERVEY_DEBUG_AUTHENTICATOR_PASSWORD").then(|| "pw".to_owned())
    });
    app(
        vec![echo(
            "item",
            &[
                web(Method::Get, "/items/{id}"),
                web(Method::Put, "/items/{id}"),
            ],
        )],
        config,
    )
}

async fn call(app: &App, request: Request<Body>) -> (StatusCode, Value) {
    let router = Router::new().fallback_service(crate::envelop(
        crate::router(app).expect("routes build"),
        app,
        crate::DirectRoutes::of(app).expect("direct routes build"),
    ));
    let response = router.oneshot(request).await.expect("infallible");
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, body)
}

fn request(method: &str, uri: &str, body: &str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .body(Body::from(body.to_owned()))
        .expect("a valid request")
}

#[tokio::test]
async fn path_segments_fill_parameters_coerced_by_schema() {
    let app = item_app();
    assert_eq!(
        call(&app, request("GET", "/items/7?filter.min=3&tags=a,b", "")).await,
        (
            StatusCode::OK,
            json!({"id": 7, "filter": {"min": 3}, "tags": ["a", "b"]})
        )
    );
    assert_eq!(
        call(&app, request("PUT", "/items/8", r#"{"tags": ["x"]}"#)).await,
        (StatusCode::OK, json!({"id": 8, "tags": ["x"]}))
    );
    assert_eq!(
        call(&app, request("PUT", "/items/9", "")).await,
        (StatusCode::OK, json!({"id": 9}))
    );
}

#[tokio::test]
async fn a_non_object_body_with_path_parameters_is_malformed() {
    let (status, body) = call(&item_app(), request("PUT", "/items/8", "[1]")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("malformed_input"))
    );
}

#[test]
fn two_actions_on_one_route_are_a_start_error_naming_both() {
    let app = app(
        vec![
            echo("first", &[web(Method::Get, "/items/{id}")]),
            // Untyped, so any parameter name fits its path.
            Action::builder("second", |input, _| async move { Ok(input) })
                .trigger(web(Method::Get, "/items/{key}"))
                .build(),
        ],
        ServeyConfig::default(),
    );
    assert_eq!(
        crate::router(&app).err(),
        Some(WebError::RouteConflict {
            method: "GET".into(),
            path: "/items/{key}".into(),
            first: "action `first`".into(),
            second: "action `second`".into(),
        })
    );
}

#[test]
fn an_action_on_a_built_in_route_is_a_start_error() {
    let app = app(
        vec![echo("health", &[web(Method::Get, "/health")])],
        ServeyConfig::default(),
    );
    let error = crate::router(&app).expect_err("conflict");
    assert_eq!(
        error.to_string(),
        "action `health` has the path `/health`, which the health check serves; give the action \
         another `path`"
    );
}

#[test]
fn an_action_on_the_graphql_or_a_channel_route_is_a_start_error_not_a_panic() {
    for (path, owner) in [
        ("/graphql", "the GraphQL endpoint"),
        (
            "/subscription/messenger/{id}",
            "the websocket subscriptions",
        ),
        ("/docs/index.html", "the docs page (Swagger UI)"),
    ] {
        let action = Action::builder("taken", |input, _| async move { Ok(input) })
            .trigger(web(Method::Post, path))
            .build();
        let registry = Registry::builder().action(action).build().expect("one");
        // The other adapters' routes, as the facade reserves them.
        let app = App::builder(registry, ServeyConfig::default())
            .reserve(&[
                ReservedRoute::exact("/graphql", "the GraphQL endpoint"),
                ReservedRoute::prefix("/subscription", "the websocket subscriptions"),
            ])
            .build()
            .expect("an app");
        let error = crate::router(&app).expect_err("a reserved route");
        assert_eq!(
            error.to_string(),
            format!(
                "action `taken` has the path `{path}`, which {owner} serves; give the action another `path`"
            )
        );
    }
}

#[test]
fn a_path_parameter_that_is_not_a_parameter_is_a_start_error() {
    let app = app(
        vec![echo("item", &[web(Method::Get, "/items/{nope}")])],
        ServeyConfig::default(),
    );
    assert!(matches!(
        crate::router(&app),
        Err(WebError::InvalidPath { action, .. }) if action == "item"
    ));
}

#[tokio::test]
async fn the_static_site_answers_behind_every_route() {
    let site = std::env::temp_dir().join(format!("servey-web-site-{}", std::process::id()));
    std::fs::create_dir_all(&site).expect("created");
    std::fs::write(site.join("index.html"), "<h1>site</h1>").expect("written");
    let config = ServeyConfig {
        static_site_dir: site.clone(),
        ..ServeyConfig::default()
    };
    let app = app(
        vec![echo("item", &[web(Method::Get, "/items/{id}")])],
        config,
    );
    let router = Router::new().fallback_service(crate::envelop(
        crate::router(&app).expect("routes"),
        &app,
        crate::DirectRoutes::none(),
    ));
    let index = router
        .clone()
        .oneshot(request("GET", "/", ""))
        .await
        .expect("infallible");
    assert_eq!(index.status(), StatusCode::OK);
    let missing = router
        .oneshot(request("GET", "/missing.js", ""))
        .await
        .expect("infallible");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        missing.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    let _ = std::fs::remove_dir_all(site);
}

#[test]
fn openapi_describes_parameters_bodies_and_suffixed_operation_ids() {
    let document = serde_json::to_value(crate::openapi(&item_app())).expect("JSON");
    let item = &document["paths"]["/items/{id}"];
    assert_eq!(item["get"]["operationId"], "item_get");
    assert_eq!(item["put"]["operationId"], "item_put");
    assert_eq!(
        item["get"]["parameters"],
        json!([
            {"name": "id", "in": "path", "required": true,
             "schema": {"type": "integer", "format": "int64", "minimum": 0, "maximum": i64::MAX}},
            {"name": "tags", "in": "query", "required": false,
             "schema": {"type": ["array", "null"], "items": {"type": "string"}}},
            {"name": "filter", "in": "query", "required": false,
             "content": {"application/json": {"schema": {"oneOf": [
                 {"$ref": "#/components/schemas/Filter"}, {"type": "null"}]}}}}
        ])
    );
    let body = &item["put"]["requestBody"];
    assert_eq!(body["required"], false);
    assert_eq!(
        body["content"]["application/json"]["schema"],
        json!({"$ref": "#/components/schemas/ItemBody"})
    );
    assert_eq!(
        document["components"]["schemas"]["ItemBody"]["properties"]
            .as_object()
            .map(|properties| properties
                .keys()
                .cloned()
                .collect::<std::collections::BTreeSet<_>>()),
        Some(["filter".to_owned(), "tags".to_owned()].into())
    );
    // No policy: credentials are optional, and read when sent.
    assert_eq!(item["get"]["security"], json!([{}, {"bearer": []}]));
    assert_eq!(
        item["get"]["responses"]
            .as_object()
            .map(|responses| responses.keys().cloned().collect::<Vec<_>>()),
        // 401: credentials that are sent and rejected are refused by every action.
        Some(["200", "401", "422", "500"].map(str::to_owned).to_vec())
    );
    assert!(document["components"]["schemas"]["Filter"].is_object());
    assert!(document["components"]["schemas"]["Problem"].is_object());
    // The debug login is opt-in: not in this app's document.
    assert!(document["paths"].get("/login").is_none());
    assert!(
        document["components"]["securitySchemes"]
            .get("oauth2")
            .is_none()
    );
}

#[tokio::test]
async fn plain_routes_are_answered_before_the_router_alike() {
    let app = app(
        vec![
            echo(
                "list",
                &[web(Method::Get, "/items"), web(Method::Post, "/items")],
            ),
            echo("item", &[web(Method::Get, "/items/{id}")]),
        ],
        ServeyConfig::from_lookup(|_| None),
    );
    let direct = crate::DirectRoutes::of(&app).expect("direct routes");
    let found = |method: axum::http::Method, path: &str| {
        direct
            .find(&method, path)
            .map(|e| e.action.name.to_string())
    };
    assert_eq!(
        found(axum::http::Method::GET, "/items").as_deref(),
        Some("list")
    );
    assert_eq!(
        found(axum::http::Method::POST, "/items").as_deref(),
        Some("list")
    );
    // A route with path parameters, another method, HEAD, or another path: the router's.
    assert_eq!(found(axum::http::Method::GET, "/items/7"), None);
    assert_eq!(found(axum::http::Method::PUT, "/items"), None);
    assert_eq!(found(axum::http::Method::HEAD, "/items"), None);
    assert_eq!(found(axum::http::Method::GET, "/items/"), None);

    // The same answers, request id included, with and without answering them directly.
    let answer = |direct: crate::DirectRoutes, request: Request<Body>| {
        let router = Router::new().fallback_service(crate::envelop(
            crate::router(&app).expect("routes"),
            &app,
            direct,
        ));
        async move {
            let response = router.oneshot(request).await.expect("infallible");
            let id = response.headers()["x-request-id"].clone();
            let status = response.status();
            let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
                .await
                .expect("body");
            (status, id, bytes)
        }
    };
    for (method, uri, body) in [
        ("GET", "/items?id=3&tags=a", ""),
        ("POST", "/items", r#"{"id": 4}"#),
        ("POST", "/items", "{"),
        ("DELETE", "/items", ""),
    ] {
        let with_id = || {
            let mut request = request(method, uri, body);
            request
                .headers_mut()
                .insert("x-request-id", "abc-1".parse().expect("header"));
            request
        };
        assert_eq!(
            answer(direct.clone(), with_id()).await,
            answer(crate::DirectRoutes::none(), with_id()).await,
            "{method} {uri}"
        );
    }
    let (status, id, _) = answer(direct, request("GET", "/items?id=1", "")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!id.is_empty(), "a fresh request id");
    // CORS must see every request: with it configured, nothing is answered before the router.
    let cors =
        ServeyConfig::from_lookup(|key| (key == "CORS_ALLOWED_ORIGINS").then(|| "*".to_owned()));
    let cors_app = app_with(cors);
    let none = crate::DirectRoutes::of(&cors_app).expect("direct routes");
    assert!(none.find(&axum::http::Method::GET, "/items").is_none());
}

fn app_with(config: ServeyConfig) -> App {
    app(vec![echo("list", &[web(Method::Get, "/items")])], config)
}
