//! What asks for a cargo feature the facade was built without: TLS settings and actions that need a
//! part left out fail the start, the routes of a part left out answer `501`, and its commands exit 2;
//! each names the feature to turn on.

#![cfg(not(all(
    feature = "tls",
    feature = "codegen",
    feature = "web",
    feature = "graphql",
    feature = "schedule"
)))]

use serde_json::json;
use servey::{Action, Trigger};

use crate::support::builder;

/// `GET path` answers `501` with a problem that names `feature`.
#[cfg(not(all(feature = "web", feature = "graphql", feature = "schedule")))]
async fn assert_not_built(server: &crate::support::Server, path: &str, feature: &str) {
    let (status, content_type, problem) = crate::support::json_parts(server.get(path).await).await;
    assert_eq!(
        (status, content_type.as_str()),
        (501, "application/problem+json"),
        "{path}"
    );
    assert_eq!(problem["code"], "not_built", "{path}");
    let detail = problem["detail"].as_str().expect("a detail");
    assert!(
        detail.contains(&format!("servey's `{feature}` feature")),
        "{path}: {detail}"
    );
}

#[cfg(not(feature = "graphql"))]
#[tokio::test]
async fn without_graphql_its_routes_answer_501_and_its_schema_command_exits_2() {
    let server = crate::support::start(builder([ping()])).await;
    for path in ["/graphql", "/graphiql", "/graphiql/index.html"] {
        assert_not_built(&server, path, "graphql").await;
    }
    let app = builder([ping()]).build().await.expect("the app builds");
    assert_eq!(
        servey::run(app, ["app", "--run=graphql-schema"].map(Into::into)).await,
        std::process::ExitCode::from(2)
    );
}

#[cfg(not(feature = "schedule"))]
#[tokio::test]
async fn without_schedule_its_routes_answer_501_and_a_scheduled_action_fails_the_start() {
    let server = crate::support::start(builder([ping()])).await;
    for path in ["/asyncapi.json", "/subscription", "/subscription/news/7"] {
        assert_not_built(&server, path, "schedule").await;
    }
    let app = builder([ping()]).build().await.expect("the app builds");
    assert_eq!(
        servey::run(app, ["app", "--run=asyncapi"].map(Into::into)).await,
        std::process::ExitCode::from(2)
    );
    let tick = Action::builder("tick", |_input, _context| async { Ok(json!(null)) })
        .trigger(Trigger::FixedRate { seconds: 60 })
        .build();
    let error = builder([ping(), tick])
        .build()
        .await
        .expect_err("no schedule");
    assert_eq!(
        error.to_string(),
        "action `tick` (every 60s) needs servey's `schedule` feature, which this binary was built \
         without: servey = { features = [\"schedule\"] }"
    );
}

#[cfg(not(feature = "web"))]
#[tokio::test]
async fn without_web_the_docs_page_answers_501_and_a_page_action_fails_the_start() {
    let server = crate::support::start(builder([ping()])).await;
    for path in ["/docs", "/docs/", "/docs/index.html"] {
        assert_not_built(&server, path, "web").await;
    }
    assert_eq!(server.get("/openapi.json").await.status(), 200);
    let page = Action::builder("home", |_input, _context| async { Ok(json!({})) })
        .trigger(Trigger::WebPage {
            path: Some("/home".into()),
            template: Some("home.j2".into()),
        })
        .build();
    let error = builder([ping(), page]).build().await;
    let error = match error {
        Ok(app) => servey::router(&app).expect_err("no pages"),
        Err(error) => error,
    };
    assert_eq!(
        error.to_string(),
        "REST routes: action `home` is a web page, which needs servey's `web` feature: \
         servey = { features = [\"web\"] }"
    );
}

fn ping() -> Action {
    Action::builder("ping", |_input, _context| async { Ok(json!("pong")) })
        .trigger(Trigger::web_get())
        .build()
}

#[cfg(not(feature = "tls"))]
#[tokio::test]
async fn tls_settings_without_the_tls_feature_fail_the_start_naming_it() {
    for setting in ["SERVEY_TLS_CERT", "SERVEY_TLS_KEY", "SERVEY_TLS_CLIENT_CA"] {
        let app = builder([ping()])
            .config(crate::support::config(&[(setting, "/etc/servey/tls.pem")]))
            .build()
            .await
            .expect("the app builds");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binds a free port");
        let error = servey::serve_with_shutdown(listener, app, std::future::pending())
            .await
            .expect_err("the start fails");
        assert!(
            matches!(error, servey::StartError::Tls(_)),
            "{setting}: {error:?}"
        );
        assert_eq!(
            error.to_string(),
            "TLS: SERVEY_TLS_CERT, SERVEY_TLS_KEY and SERVEY_TLS_CLIENT_CA need servey's `tls` \
             feature: servey = { features = [\"tls\"] }",
            "{setting}"
        );
    }
}

#[cfg(not(feature = "codegen"))]
#[tokio::test]
async fn generators_without_the_codegen_feature_exit_2() {
    for mode in ["--run=client", "--run=sam"] {
        let app = builder([ping()]).build().await.expect("the app builds");
        assert_eq!(
            servey::run(app, ["app", mode].map(Into::into)).await,
            std::process::ExitCode::from(2),
            "{mode}"
        );
    }
}

#[cfg(not(feature = "grpc"))]
#[tokio::test]
async fn without_grpc_the_proto_command_exits_2() {
    let app = builder([ping()]).build().await.expect("the app builds");
    assert_eq!(
        servey::run(app, ["app", "--run=proto"].map(Into::into)).await,
        std::process::ExitCode::from(2)
    );
}
