//! Starts the tour app on a real socket (port 0) and hands out a base URL; no sleeping to wait for start.
#![allow(dead_code)] // each adapter's tests use their part

use std::path::{Path, PathBuf};

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
    test_config_with(&[])
}

/// The test configuration with the settings `extra` added.
pub(crate) fn test_config_with(extra: &'static [(&'static str, &'static str)]) -> ServeyConfig {
    let root = workspace_root();
    let mut config = ServeyConfig::from_lookup(|key| match key {
        _ if extra.iter().any(|(name, _)| *name == key) => extra
            .iter()
            .find(|(name, _)| *name == key)
            .map(|(_, value)| (*value).to_owned()),
        "JWT_SECRET_KEY" => Some(JWT_SECRET.to_owned()),
        "SERVEY_DEBUG_AUTHENTICATOR_PASSWORD" => Some(PASSWORD.to_owned()),
        "SERVEY_DEBUG_LOGIN" => Some("true".to_owned()),
        // What the documents' `info` names (@asyncapi/parser warns without them).
        "SERVEY_API_CONTACT" => Some(
            "The servey tour <tour@example.invalid> (https://example.invalid/servey)".to_owned(),
        ),
        "SERVEY_API_LICENSE" => Some("MIT OR Apache-2.0".to_owned()),
        _ => None,
    });
    config.templates_dir = root.join("templates");
    config.static_dir = root.join("static");
    config.static_site_dir = root.join("examples/hello/static_site");
    config
}

/// The tour app with `config`, not served.
pub(crate) async fn tour_app(config: ServeyConfig) -> App {
    let registry = hello::registry_builder()
        .build()
        .expect("the tour app's registry builds");
    servey::app(registry, config)
        .await
        .expect("the tour app builds")
}

/// Starts the tour app with the test configuration.
pub(crate) async fn start() -> TestServer {
    start_with(test_config()).await
}

/// Starts the tour app with `config`.
pub(crate) async fn start_with(config: ServeyConfig) -> TestServer {
    let app = tour_app(config).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds a free port");
    let base = format!("http://{}", listener.local_addr().expect("has an address"));
    let router = servey::router(&app).expect("the routes build");
    tokio::spawn(async move { axum_serve(listener, router).await });
    TestServer { base, app }
}

async fn axum_serve(listener: tokio::net::TcpListener, router: servey::axum::Router) {
    servey::axum::serve(listener, router)
        .await
        .expect("the test server runs");
}

/// Starts the tour app plus the run-time `extra` actions, with `config`.
pub(crate) async fn start_with_actions(
    config: ServeyConfig,
    extra: Vec<servey::Action>,
) -> TestServer {
    let registry = extra
        .into_iter()
        .fold(hello::registry_builder(), |builder, action| {
            builder.action(action)
        })
        .build()
        .expect("the tour app's registry with the extra actions builds");
    let app = servey::app(registry, config)
        .await
        .expect("the tour app builds");
    let router = servey::router(&app).expect("the routes build");
    let base = serve_router(router).await;
    TestServer { base, app }
}

/// Serves any `router` on a free port and returns its base URL (for tests that compose routes).
pub(crate) async fn serve_router(router: servey::axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds a free port");
    let base = format!("http://{}", listener.local_addr().expect("has an address"));
    tokio::spawn(async move { axum_serve(listener, router).await });
    base
}

/// The Python with the external checkers: `SERVEY_TEST_PYTHON` (set by `cargo xtask ci`/`test`), else
/// the venv `cargo xtask setup` makes. Panics with what to do when neither exists.
pub(crate) fn test_python() -> PathBuf {
    std::env::var_os("SERVEY_TEST_PYTHON")
        .map(PathBuf::from)
        .filter(|python| python.exists())
        .or_else(|| {
            let venv = workspace_root().join("target/servey-tools/venv/bin/python");
            venv.exists().then_some(venv)
        })
        .unwrap_or_else(|| {
            panic!(
                "the external checkers are missing: run `cargo xtask setup` (it creates \
                 target/servey-tools/venv), or set SERVEY_TEST_PYTHON to a Python that has them"
            )
        })
}

/// Headless Chromium: `SERVEY_TEST_CHROMIUM`, else `/usr/bin/chromium`. Panics with what to do when missing.
pub(crate) fn test_chromium() -> PathBuf {
    let chromium = std::env::var_os("SERVEY_TEST_CHROMIUM")
        .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    assert!(
        chromium.exists(),
        "Chromium is missing at {}: run `cargo xtask setup`, or set SERVEY_TEST_CHROMIUM",
        chromium.display()
    );
    chromium
}

/// The switches every headless Chromium run uses (no GPU, network chatter, first-run UI or sync).
const CHROMIUM_HEADLESS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// A headless Chromium command (see [`test_chromium`]) with its profile in `profile`; callers add the rest.
pub(crate) fn headless_chromium(profile: &Path) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(test_chromium());
    command
        .args(CHROMIUM_HEADLESS)
        .arg(format!("--user-data-dir={}", profile.display()));
    command
}

/// A Python command (see [`test_python`]) with `args`.
pub(crate) fn python(args: &[&str]) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(test_python());
    command.args(args);
    command
}

/// A tool's stdout and stderr, for assertion messages.
pub(crate) fn output_text(output: &std::process::Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A fresh empty directory under the system temp dir, for one test's scratch files.
pub(crate) fn scratch_dir(name: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let index = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("servey-it-{}-{name}-{index}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("the scratch directory is created");
    dir
}

/// Runs `command` to completion within `limit`, killing it on timeout; returns its output.
pub(crate) async fn run_tool(
    command: &mut tokio::process::Command,
    limit: std::time::Duration,
) -> std::process::Output {
    command.stdin(std::process::Stdio::null());
    finish_tool(command, limit, None).await
}

/// Like [`run_tool`], with `input` written to the command's stdin.
pub(crate) async fn run_tool_with_input(
    command: &mut tokio::process::Command,
    input: &[u8],
    limit: std::time::Duration,
) -> std::process::Output {
    command.stdin(std::process::Stdio::piped());
    finish_tool(command, limit, Some(input)).await
}

async fn finish_tool(
    command: &mut tokio::process::Command,
    limit: std::time::Duration,
    input: Option<&[u8]>,
) -> std::process::Output {
    use tokio::io::AsyncWriteExt;

    let name = format!("{command:?}");
    command
        .kill_on_drop(true)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = command
        .spawn()
        .unwrap_or_else(|error| panic!("{name} did not start: {error}"));
    if let Some(input) = input {
        let mut stdin = child.stdin.take().expect("stdin is piped");
        stdin
            .write_all(input)
            .await
            .unwrap_or_else(|error| panic!("{name} did not take its input: {error}"));
    }
    match tokio::time::timeout(limit, child.wait_with_output()).await {
        Ok(output) => output.unwrap_or_else(|error| panic!("{name} did not run: {error}")),
        Err(_) => panic!("{name} did not finish within {limit:?}"),
    }
}
