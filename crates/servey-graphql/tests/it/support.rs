//! Serves run-time actions on port 0 and posts GraphQL to them; runs graphql-core on an SDL.

use std::path::PathBuf;

use serde_json::{Value, json};
use servey_core::{Action, ActionSchema, App, Registry, ServeyConfig};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;

/// A schema from its JSON Schema text.
pub(crate) fn schema(json: Value) -> RefOr<Schema> {
    serde_json::from_value(json).expect("a valid utoipa schema")
}

/// An action schema from JSON: input, output and named components.
pub(crate) fn action_schema(
    input: Value,
    output: Value,
    components: &[(&str, Value)],
) -> ActionSchema {
    ActionSchema::new(
        schema(input),
        schema(output),
        components
            .iter()
            .map(|(name, json)| ((*name).to_owned(), schema(json.clone())))
            .collect(),
    )
}

/// An app over `actions`.
pub(crate) fn app(actions: Vec<Action>) -> App {
    let registry = actions
        .into_iter()
        .fold(Registry::builder(), |builder, action| {
            builder.action(action)
        })
        .build()
        .expect("unique names");
    App::new(registry, ServeyConfig::default())
}

/// A running GraphQL router.
pub(crate) struct Server {
    base: String,
}

impl Server {
    /// Serves `app`'s GraphQL routes on a free port.
    pub(crate) async fn start(app: &App) -> Self {
        Self::serve(servey_graphql::router(app).expect("the schema builds")).await
    }

    /// Serves `router` on a free port.
    pub(crate) async fn serve(router: axum::Router) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binds a free port");
        let base = format!("http://{}", listener.local_addr().expect("has an address"));
        tokio::spawn(async move { axum::serve(listener, router).await.expect("serves") });
        Self { base }
    }

    /// The server's base URL (`http://127.0.0.1:PORT`).
    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    /// Posts `query` with extra headers and returns the JSON response.
    pub(crate) async fn post(&self, query: &str, headers: &[(&str, &str)]) -> Value {
        let mut request = reqwest::Client::new()
            .post(format!("{}/graphql", self.base))
            .json(&json!({ "query": query }));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("sent");
        assert_eq!(response.status(), 200);
        response.json().await.expect("JSON")
    }
}

impl Server {
    /// Posts `body` as JSON to `/graphql` with extra headers; returns the status and the JSON response.
    pub(crate) async fn post_json(&self, body: &Value, headers: &[(&str, &str)]) -> (u16, Value) {
        let mut request = reqwest::Client::new()
            .post(format!("{}/graphql", self.base))
            .json(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("sent");
        let status = response.status().as_u16();
        (status, response.json().await.expect("JSON"))
    }
}

/// graphql-core's verdict on an SDL: the validation errors (empty when valid).
pub(crate) async fn graphql_core_errors(sdl: &str) -> Vec<String> {
    let python = std::env::var_os("SERVEY_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../target/servey-tools/venv/bin/python")
        });
    assert!(
        python.exists(),
        "{} is missing: run `cargo xtask setup` to create the checkers' venv",
        python.display()
    );
    let script = "import json, sys; from graphql import build_schema, validate_schema; \
                  print(json.dumps([e.message for e in validate_schema(build_schema(sys.argv[1]))]))";
    let output = tokio::process::Command::new(python)
        .args(["-c", script, sdl])
        .output()
        .await
        .expect("python runs");
    assert!(
        output.status.success(),
        "graphql-core rejected the SDL: {}\n{sdl}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("a JSON list")
}
