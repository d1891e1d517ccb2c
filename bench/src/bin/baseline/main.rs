//! The baseline of `cargo xtask bench`: the tour app's benchmarked routes written as bare axum handlers and
//! a static async-graphql schema, doing the same work servey does, so the ratio shows servey's cost.
//!
//! Run: `SERVER_PORT=8001 cargo run --release -p servey-bench --bin baseline`; with `--middleware`, the
//! routes sit inside the middleware stack servey's requests get (see `middleware.rs`).

mod middleware;

use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema, SimpleObject};
use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

#[derive(Deserialize)]
struct HelloQuery {
    name: String,
}

async fn say_hello(Query(query): Query<HelloQuery>) -> Json<String> {
    Json(format!("Hello {}!", query.name))
}

#[derive(Clone, Serialize, Deserialize)]
struct Message {
    sender: String,
    text: String,
}

#[derive(Deserialize)]
struct StoreInput {
    message: Message,
    id: Option<u64>,
}

#[derive(Serialize)]
struct StoredMessage {
    id: u64,
    message: Message,
    length: usize,
}

async fn store_message(Json(input): Json<StoreInput>) -> Json<StoredMessage> {
    let length = input.message.text.chars().count();
    Json(StoredMessage {
        id: input.id.unwrap_or(1),
        message: input.message,
        length,
    })
}

/// Facts about a number, as the tour app's `number_stats`.
#[derive(SimpleObject)]
#[graphql(complex)]
struct NumberStats {
    value: u64,
    is_even: bool,
}

#[async_graphql::ComplexObject]
impl NumberStats {
    async fn factorial(&self) -> u64 {
        (1..=self.value).fold(1_u64, |product, n| product.saturating_mul(n))
    }
}

struct QueryRoot;

#[Object]
impl QueryRoot {
    async fn say_hello(&self, name: String) -> String {
        format!("Hello {name}!")
    }

    async fn number_stats(&self, value: u64) -> NumberStats {
        NumberStats {
            value,
            is_even: value.is_multiple_of(2),
        }
    }

    /// Stats for `count` numbers from `start`, as the tour app's `number_range` (at most 1000).
    async fn number_range(
        &self,
        start: u64,
        count: u32,
    ) -> async_graphql::Result<Vec<NumberStats>> {
        if count > 1000 {
            return Err("count must be at most 1000".into());
        }
        Ok((start..start.saturating_add(u64::from(count)))
            .map(|value| NumberStats {
                value,
                is_even: value.is_multiple_of(2),
            })
            .collect())
    }
}

type BaselineSchema = Schema<QueryRoot, EmptyMutation, EmptySubscription>;

#[derive(Clone)]
struct AppState {
    schema: BaselineSchema,
    events: broadcast::Sender<String>,
}

async fn graphql(
    State(state): State<AppState>,
    Json(request): Json<async_graphql::Request>,
) -> Json<async_graphql::Response> {
    Json(state.schema.execute(request).await)
}

async fn broadcast_message(
    State(state): State<AppState>,
    Json(input): Json<serde_json::Value>,
) -> Json<serde_json::Value> {
    let message = input.get("message").cloned().unwrap_or_default();
    let _ = state.events.send(message.to_string());
    Json(message)
}

async fn subscribe(State(state): State<AppState>, upgrade: WebSocketUpgrade) -> Response {
    let receiver = state.events.subscribe();
    // The read buffer servey's hub uses: tungstenite's default (128 KiB) is zero-filled on every write,
    // and with it this app under callgrind drops connections before 10k subscribers.
    upgrade
        .read_buffer_size(1024)
        .on_upgrade(move |socket| forward(socket, receiver))
        .into_response()
}

async fn forward(mut socket: WebSocket, mut receiver: broadcast::Receiver<String>) {
    while let Ok(event) = receiver.recv().await {
        if socket.send(WsMessage::Text(event.into())).await.is_err() {
            return;
        }
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let schema = Schema::build(QueryRoot, EmptyMutation, EmptySubscription).finish();
    let (events, _) = broadcast::channel(1024);
    let router = Router::new()
        .route("/actions/say-hello", get(say_hello))
        .route("/actions/store-message", post(store_message))
        .route("/actions/broadcast-message", post(broadcast_message))
        .route("/subscription/messenger/{id}", get(subscribe))
        .route("/graphql", post(graphql))
        .route(
            "/health",
            get(|| async { Json(serde_json::json!({"status": "ok"})) }),
        )
        .with_state(AppState { schema, events });
    let router = if std::env::args().any(|arg| arg == "--middleware") {
        middleware::wrap(router)
    } else {
        router
    };
    let port = std::env::var("SERVER_PORT").unwrap_or_else(|_| "8001".to_owned());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    axum::serve(listener, router).await
}
