//! Builds an app with `servey::Builder`, serves it on port 0 and talks to it over HTTP.

use reqwest::{RequestBuilder, Response};
use serde_json::Value;
use servey::{Action, App, Builder, Method, Registry, ServeyConfig, Trigger};

/// The key the test apps sign their JWTs with.
pub(crate) const JWT_SECRET: &str = "test";

/// The settings of a test app: a fixed JWT key plus `settings`, and no templates, static files
/// or static site (their directories do not exist).
pub(crate) fn config(settings: &[(&str, &str)]) -> ServeyConfig {
    let settings: Vec<(String, String)> = settings
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect();
    let mut config = ServeyConfig::from_lookup(move |key| match key {
        "JWT_SECRET_KEY" => Some(JWT_SECRET.to_owned()),
        _ => settings
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value.clone()),
    });
    let absent = std::env::temp_dir().join("servey-it-absent-directory");
    config.templates_dir = absent.join("templates");
    config.static_dir = absent.join("static");
    config.static_site_dir = absent.join("static_site");
    config
}

/// A builder over `actions` with the test settings.
pub(crate) fn builder(actions: impl IntoIterator<Item = Action>) -> Builder {
    actions
        .into_iter()
        .fold(Builder::new(Registry::builder()), Builder::action)
        .config(config(&[]))
}

/// A web trigger.
pub(crate) fn web(method: Method, path: &str) -> Trigger {
    Trigger::Web {
        method,
        path: Some(path.to_owned().into()),
    }
}

/// A running app and a client for it.
pub(crate) struct Server {
    base: String,
    client: reqwest::Client,
    /// The app being served.
    pub(crate) app: App,
}

/// Builds the app of `builder` and serves it on a free port until the test's runtime ends. The
/// listener is bound before this returns, so requests never race the start.
pub(crate) async fn start(builder: Builder) -> Server {
    let app = builder.build().await.expect("the app builds");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds a free port");
    let base = format!("http://{}", listener.local_addr().expect("has an address"));
    let served = app.clone();
    tokio::spawn(async move {
        servey::serve_with_shutdown(listener, served, std::future::pending())
            .await
            .expect("serves");
    });
    Server {
        base,
        client: reqwest::Client::new(),
        app,
    }
}

impl Server {
    /// `http://127.0.0.1:PORT`.
    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    /// A request to `path`.
    pub(crate) fn request(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        self.client.request(method, format!("{}{path}", self.base))
    }

    /// `GET path`.
    pub(crate) async fn get(&self, path: &str) -> Response {
        send(self.request(reqwest::Method::GET, path)).await
    }

    /// `POST path` with a JSON body.
    pub(crate) async fn post(&self, path: &str, body: &Value) -> Response {
        send(self.request(reqwest::Method::POST, path).json(body)).await
    }

    /// The served OpenAPI document.
    pub(crate) async fn openapi(&self) -> Value {
        let response = self.get("/openapi.json").await;
        assert_eq!(response.status(), 200);
        response.json().await.expect("the document is JSON")
    }
}

/// Sends `request`.
pub(crate) async fn send(request: RequestBuilder) -> Response {
    request.send().await.expect("the server answers")
}

/// A response's header `name`, which must be present once and be text.
pub(crate) fn header<'a>(response: &'a Response, name: &str) -> &'a str {
    let mut values = response.headers().get_all(name).iter();
    let value = values
        .next()
        .unwrap_or_else(|| panic!("no `{name}` header"));
    assert!(values.next().is_none(), "`{name}` is sent more than once");
    value.to_str().expect("the header is text")
}

/// A response's status, `Content-Type` and JSON body.
pub(crate) async fn json_parts(response: Response) -> (u16, String, Value) {
    let status = response.status().as_u16();
    let content_type = header(&response, "content-type").to_owned();
    let body = response.json().await.expect("the body is JSON");
    (status, content_type, body)
}

/// A real in-memory `redis-server` on a free port, killed when dropped.
#[cfg(feature = "redis")]
pub(crate) struct RedisServer {
    child: std::process::Child,
    port: u16,
}

#[cfg(feature = "redis")]
impl RedisServer {
    /// Starts one and waits until it says it accepts connections.
    pub(crate) fn start() -> Self {
        use std::io::BufRead;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let program =
            std::env::var("SERVEY_TEST_REDIS_SERVER").unwrap_or_else(|_| "redis-server".to_owned());
        let port_arg = port.to_string();
        let mut child = std::process::Command::new(&program)
            .args([
                "--port",
                &port_arg,
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| {
                panic!("cannot start `{program}` ({error}): install redis-server")
            });
        let mut lines = std::io::BufReader::new(child.stdout.take().expect("piped")).lines();
        let ready = lines
            .by_ref()
            .map_while(Result::ok)
            .any(|line| line.contains("Ready to accept connections"));
        assert!(ready, "redis-server exited before it was ready");
        std::thread::spawn(move || lines.for_each(drop));
        Self { child, port }
    }

    /// `redis://127.0.0.1:PORT`.
    pub(crate) fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }
}

#[cfg(feature = "redis")]
impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A log writer into a shared buffer.
pub(crate) struct SharedBuffer(pub(crate) std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for SharedBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("not poisoned").write(bytes)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs the ignored tests matching `filter` in a test process of their own, one at a time, and checks
/// that `passed` of them passed (for tests that need tracing's process-wide callsite cache to themselves).
pub(crate) fn run_in_own_process(filter: &str, passed: usize) {
    let output = std::process::Command::new(std::env::current_exe().expect("the test binary"))
        .args([filter, "--ignored", "--test-threads=1"])
        .output()
        .expect("the test binary runs again");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains(&format!("{passed} passed")),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
