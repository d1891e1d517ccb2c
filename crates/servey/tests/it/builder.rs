//! The builder's routing switches: a path prefix for action routes, built-in routes switched
//! off, tower layers around the routes, and the start-up errors of bad switches.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use serde_json::json;
use servey::{Action, ActionError, AppError, ErrorCode, Method, StartError};

use crate::support::{builder, header, json_parts, start, web};

/// `GET /things`: an empty list.
fn list_things() -> Action {
    Action::builder("list_things", |_, _| async { Ok(json!([])) })
        .trigger(web(Method::Get, "/things"))
        .build()
}

/// `GET /missing`: always 404.
fn missing() -> Action {
    Action::builder("missing", |_, _| async {
        Err(ActionError::new(ErrorCode::NotFound, "no such thing"))
    })
    .trigger(web(Method::Get, "/missing"))
    .build()
}

#[tokio::test]
async fn a_path_prefix_moves_action_routes_but_not_built_in_ones() {
    let server = start(builder([list_things()]).path_prefix("/api")).await;
    assert_eq!(
        json_parts(server.get("/api/things").await).await,
        (200, "application/json".into(), json!([]))
    );
    assert_eq!(server.get("/things").await.status(), 404);
    assert_eq!(server.get("/health").await.status(), 200);
    let document = server.openapi().await;
    let paths: Vec<&String> = document["paths"]
        .as_object()
        .expect("paths")
        .keys()
        .collect();
    assert_eq!(paths, ["/api/things", "/jobs"]);
}

#[cfg(feature = "graphql")]
#[tokio::test]
async fn a_switched_off_built_in_route_is_404() {
    let served = start(builder([list_things()])).await;
    assert_eq!(served.get("/graphiql").await.status(), 200);
    let server = start(builder([list_things()]).without_route("/graphiql")).await;
    assert_eq!(server.get("/graphiql").await.status(), 404);
    assert_eq!(server.get("/things").await.status(), 200);
}

/// The built-in routes a GET reaches (`/login` answers POST, `/static` only files; `/jobs` answers a
/// GET with 405 while it is served).
const BUILT_IN_PAGES: [&str; 9] = [
    "/health",
    "/actions",
    "/openapi.json",
    "/docs/",
    "/graphql",
    "/graphiql",
    "/subscription",
    "/asyncapi.json",
    "/jobs",
];

#[tokio::test]
async fn every_built_in_route_can_be_switched_off() {
    let served = start(builder([list_things()])).await;
    for path in BUILT_IN_PAGES {
        assert_ne!(served.get(path).await.status(), 404, "{path} is served");
    }
    let switched_off = BUILT_IN_PAGES
        .iter()
        .fold(builder([list_things()]), |builder, path| {
            builder.without_route(path.trim_end_matches('/'))
        });
    let server = start(switched_off).await;
    for path in BUILT_IN_PAGES {
        assert_eq!(
            server.get(path).await.status(),
            404,
            "{path} is switched off"
        );
    }
    assert_eq!(server.get("/things").await.status(), 200);
}

#[tokio::test]
async fn bad_switches_are_start_up_errors() {
    let unknown = builder([list_things()])
        .without_route("/nope")
        .build()
        .await
        .expect_err("not a built-in route");
    assert!(
        matches!(&unknown, StartError::App(AppError::UnknownRoute(path)) if path == "/nope"),
        "{unknown:?}"
    );
    let prefix = builder([list_things()])
        .path_prefix("api/")
        .build()
        .await
        .expect_err("a malformed prefix");
    assert_eq!(
        prefix.to_string(),
        "the path prefix `api/` must start with `/` and not end with one (`/api`)"
    );
}

/// Marks every response it wraps.
async fn mark(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .insert("x-layer", HeaderValue::from_static("on"));
    response
}

#[tokio::test]
async fn a_layer_wraps_action_responses() {
    let app = builder([list_things(), missing()]).layer(axum::middleware::from_fn(mark));
    let server = start(app).await;
    assert_eq!(header(&server.get("/things").await, "x-layer"), "on");
    assert_eq!(header(&server.get("/missing").await, "x-layer"), "on");
}

#[cfg(not(feature = "redis"))]
#[tokio::test]
async fn a_redis_url_without_the_redis_feature_fails_the_build_naming_the_feature() {
    let error = builder([list_things()])
        .redis_url("redis://127.0.0.1:6379")
        .build()
        .await
        .expect_err("no Redis backend is compiled in");
    assert!(matches!(error, StartError::RedisFeatureOff), "{error:?}");
    assert_eq!(
        error.to_string(),
        "SERVEY_REDIS_URL is set, but servey was built without its `redis` feature: turn it on \
         (`servey = { version = \"0.1\", features = [\"redis\"] }`) or unset SERVEY_REDIS_URL to run \
         everything in this process"
    );
}

#[cfg(feature = "redis")]
#[tokio::test]
async fn an_unreachable_redis_url_fails_the_build_naming_it() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let url = format!("redis://127.0.0.1:{port}");
    let error = builder([list_things()])
        .redis_url(&url)
        .build()
        .await
        .expect_err("nobody listens there");
    assert!(matches!(error, StartError::Redis(_)), "{error:?}");
    assert!(
        error
            .to_string()
            .starts_with(&format!("cannot use Redis at {url}: ")),
        "{error}"
    );
}

#[cfg(feature = "redis")]
#[tokio::test]
async fn a_redis_url_shares_the_apps_channels_through_redis() {
    let redis = crate::support::RedisServer::start();
    let app = builder([list_things()])
        .redis_url(redis.url())
        .build()
        .await
        .expect("Redis answers");
    let channels = servey::channels::Channels::of(&app).expect("built with channels");
    assert!(channels.is_scaled_out());
    let in_process = builder([list_things()]).build().await.expect("builds");
    assert!(
        !servey::channels::Channels::of(&in_process)
            .expect("built with channels")
            .is_scaled_out()
    );
}
