//! A stand-in for a websocket API's Management API (`POST` and `DELETE /{stage}/@connections/{id}`):
//! it records what is posted to each connection and which are closed, and answers 410 Gone for the
//! connections whose id starts with `gone`, as API Gateway does for a client that left.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::Value;

#[derive(Default)]
struct Recorded {
    posted: HashMap<String, Vec<Value>>,
    closed: Vec<String>,
}

/// The running stand-in.
pub(crate) struct Management {
    address: SocketAddr,
    recorded: Arc<Mutex<Recorded>>,
}

fn gone() -> Response {
    (
        StatusCode::GONE,
        [
            ("x-amzn-errortype", "GoneException"),
            ("content-type", "application/json"),
        ],
        r#"{"message": "Gone"}"#,
    )
        .into_response()
}

async fn posted(
    State(recorded): State<Arc<Mutex<Recorded>>>,
    Path(id): Path<String>,
    body: String,
) -> Response {
    let message = serde_json::from_str(&body).unwrap_or(Value::String(body));
    recorded
        .lock()
        .expect("not poisoned")
        .posted
        .entry(id.clone())
        .or_default()
        .push(message);
    if id.starts_with("gone") {
        return gone();
    }
    StatusCode::OK.into_response()
}

async fn closed(State(recorded): State<Arc<Mutex<Recorded>>>, Path(id): Path<String>) -> Response {
    recorded
        .lock()
        .expect("not poisoned")
        .closed
        .push(id.clone());
    if id.starts_with("gone") {
        return gone();
    }
    StatusCode::NO_CONTENT.into_response()
}

impl Management {
    /// Serves the stand-in on a free port.
    pub(crate) async fn start() -> Self {
        let recorded = Arc::new(Mutex::new(Recorded::default()));
        let routes = Router::new()
            .route("/live/@connections/{id}", post(posted).delete(closed))
            .with_state(recorded.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binds a free port");
        let address = listener.local_addr().expect("has an address");
        tokio::spawn(async move { axum::serve(listener, routes).await });
        Self { address, recorded }
    }

    /// The endpoint the function is given (`SERVEY_AWS_WEBSOCKET_ENDPOINT`), with its stage.
    pub(crate) fn endpoint(&self) -> String {
        format!("http://{}/live", self.address)
    }

    /// What was posted to `connection` since the last look (each message as JSON).
    pub(crate) fn posted(&self, connection: &str) -> Vec<Value> {
        self.recorded
            .lock()
            .expect("not poisoned")
            .posted
            .remove(connection)
            .unwrap_or_default()
    }

    /// The connections closed so far.
    pub(crate) fn closed(&self) -> Vec<String> {
        self.recorded.lock().expect("not poisoned").closed.clone()
    }
}
