//! What `servey-rest` serves, written by hand: a greeting and a stored message, `/openapi.json` and
//! `/docs` (Swagger UI from the binary).

use axum::extract::Query;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_swagger_ui::SwaggerUi;

/// The greeting's query.
#[derive(Deserialize, IntoParams)]
struct Name {
    /// Who to greet.
    name: String,
}

/// A chat message.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
struct Message {
    /// Who sent it.
    sender: String,
    /// What it says.
    text: String,
}

/// Storing a message: the message and its id.
#[derive(Debug, Deserialize, ToSchema)]
struct StoreMessage {
    message: Message,
    id: u32,
}

/// What storing a message answers.
#[derive(Debug, Serialize, ToSchema)]
struct Stored {
    /// The message's id.
    id: u32,
    /// How many characters it has.
    length: usize,
}

/// Greet a user!
#[utoipa::path(get, path = "/actions/say-hello", params(Name), responses((status = 200, body = String)))]
async fn say_hello(Query(query): Query<Name>) -> Json<String> {
    Json(format!("Hello {}!", query.name))
}

/// Store a message under an id.
#[utoipa::path(post, path = "/actions/store-message", request_body = StoreMessage, responses((status = 200, body = Stored)))]
async fn store_message(Json(body): Json<StoreMessage>) -> Json<Stored> {
    Json(Stored {
        id: body.id,
        length: body.message.text.chars().count(),
    })
}

#[derive(OpenApi)]
#[openapi(paths(say_hello, store_message))]
struct Api;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let app = Router::new()
        .route("/actions/say-hello", get(say_hello))
        .route("/actions/store-message", post(store_message))
        .merge(SwaggerUi::new("/docs").url("/openapi.json", Api::openapi()));
    let port = std::env::var("SERVER_PORT").unwrap_or_else(|_| "8000".to_owned());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
