//! What asks for a cargo feature the facade was built without: TLS settings fail the start, and
//! `--run=client` and `--run=sam` exit 2; each names the feature to turn on.

#![cfg(not(all(feature = "tls", feature = "codegen")))]

use serde_json::json;
use servey::{Action, Trigger};

use crate::support::builder;

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
