//! The auction house's webhook receiver: records each POSTed receipt, and answers the first one 503 (as
//! a receiver that is briefly down), the rest 200.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use serde_json::Value;

/// Each POST: the status it was answered and its body.
type Received = Arc<Mutex<Vec<(StatusCode, Value)>>>;

/// The running receiver.
pub(crate) struct Receiver {
    address: SocketAddr,
    received: Received,
}

async fn receive(State(received): State<Received>, body: String) -> StatusCode {
    let mut received = received.lock().expect("not poisoned");
    let status = match received.is_empty() {
        true => StatusCode::SERVICE_UNAVAILABLE,
        false => StatusCode::OK,
    };
    received.push((
        status,
        serde_json::from_str(&body).unwrap_or(Value::String(body)),
    ));
    status
}

impl Receiver {
    /// Serves the receiver on a free port.
    pub(crate) async fn start() -> Self {
        let received = Arc::new(Mutex::new(Vec::new()));
        let routes = Router::new()
            .route("/receipts", post(receive))
            .with_state(received.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binds a free port");
        let address = listener.local_addr().expect("has an address");
        tokio::spawn(async move { axum::serve(listener, routes).await });
        Self { address, received }
    }

    /// The URL the app POSTs receipts to (`RECEIPTS_URL`).
    pub(crate) fn url(&self) -> String {
        format!("http://{}/receipts", self.address)
    }

    /// Every POST so far: the status it was answered and its body.
    pub(crate) fn received(&self) -> Vec<(StatusCode, Value)> {
        self.received.lock().expect("not poisoned").clone()
    }
}
