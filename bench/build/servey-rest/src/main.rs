//! The routes `axum-utoipa` serves too: a greeting and a stored message, with `/openapi.json` and `/docs`.

use servey::prelude::*;

/// A chat message.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
struct Message {
    /// Who sent it.
    sender: String,
    /// What it says.
    text: String,
}

/// What storing a message answers.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
struct Stored {
    /// The message's id.
    id: u32,
    /// How many characters it has.
    length: usize,
}

/// Greet a user!
#[action(triggers = [web_get])]
fn say_hello(name: String) -> String {
    format!("Hello {name}!")
}

/// Store a message under an id.
#[action(triggers = [web_post])]
fn store_message(message: Message, id: u32) -> Stored {
    Stored {
        id,
        length: message.text.chars().count(),
    }
}

fn main() {
    servey::main()
}
