//! Starts the tour app on a real socket (port 0) and hands out a base URL; no sleeping to wait for start.
#![allow(dead_code)] // each adapter's tests use their part

use std::path::PathBuf;

use servey::{App, ServeyConfig};

/// The JWT secret every test server signs with.
pub(crate) const JWT_SECRET: &str = "integration-test-secret";
/// The debug authenticator's password on test servers.
pub(crate) const PASSWORD: &str = "integration-test-password";

/// A running tour app.
pub(crate) struct TestServer {
    /// `http://127.0.0.1:PORT`.
    pub(crate) base: String,
    /// The app it serves.
    pub(crate) app: App,
}

impl TestServer {
    /// The URL of `path` on this server.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// The workspace root (templates/ and static/ live there).
pub(crate) fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace root exists")
}

/// The configuration tests run with, before per-test changes.
pub(crate) fn test_config() -> ServeyConfig {
    let root = workspace_root();
    let mut config = ServeyConfig::from_lookup(|key| match key {
        "JWT_SECRET_KEY" => Some(JWT_SECRET.to_owned()),
        "SERVEY_DEBUG_AUTHENTICATOR_PASSWORD" => Some(PASSWORD.to_owned()),
        _ => None,
    });
    config.templates_dir = root.join("templates");
    config.static_dir = root.join("examples/hello/static");
    config.static_site_dir = root.join("examples/hello/static_site");
    config
}

/// Starts the tour app with the test configuration.
pub(crate) async fn start() -> TestServer {
    start_with(test_config()).await
}

/// Starts the tour app with `config`.
pub(crate) async fn start_with(config: ServeyConfig) -> TestServer {
    let registry = hello::registry_builder()
        .build()
        .expect("the tour app's registry builds");
    let app = App::new(registry, config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds a free port");
    let base = format!("http://{}", listener.local_addr().expect("has an address"));
    let router = servey::router(&app).expect("the routes build");
    tokio::spawn(async move { axum_serve(listener, router).await });
    TestServer { base, app }
}

async fn axum_serve(listener: tokio::net::TcpListener, router: servey::web::axum::Router) {
    servey::web::axum::serve(listener, router)
        .await
        .expect("the test server runs");
}
