//! The domain layer against a fresh in-memory SQLite database per test: one module per noun (`lists` for
//! article lists and the feed), plus the JSON shapes of the wire types; and (`served`) the whole app on a
//! real socket.

mod articles;
mod comments;
mod conformance;
mod db;
mod lists;
mod profiles;
mod served;
mod tags;
mod users;
mod wire;

use conduit::wire::{NewArticle, NewUser};
use conduit::{Account, ConduitError};
use sqlx::SqlitePool;

/// A fresh, migrated in-memory database.
async fn pool() -> SqlitePool {
    conduit::connect("sqlite::memory:")
        .await
        .expect("an in-memory database opens")
}

/// Registers `name` with the email `<name>@example.com` and the password `secret-<name>`.
async fn register(pool: &SqlitePool, name: &str) -> Account {
    conduit::users::register(pool, new_user(name))
        .await
        .expect("a fresh user registers")
}

fn new_user(name: &str) -> NewUser {
    NewUser {
        username: name.to_owned(),
        email: format!("{name}@example.com"),
        password: format!("secret-{name}"),
    }
}

fn new_article(title: &str, tags: &[&str]) -> NewArticle {
    NewArticle {
        title: title.to_owned(),
        description: format!("About {title}"),
        body: format!("All of {title}"),
        tag_list: tags.iter().map(|tag| tag.to_string()).collect(),
    }
}

/// The field -> messages of a `Validation` error, or a panic naming what came instead.
fn validation<T: std::fmt::Debug>(result: Result<T, ConduitError>) -> Vec<(String, Vec<String>)> {
    match result {
        Err(ConduitError::Validation(fields)) => fields.into_iter().collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// `[(field, [message])]`, to compare with [`validation`].
fn fields(entries: &[(&str, &str)]) -> Vec<(String, Vec<String>)> {
    entries
        .iter()
        .map(|(field, message)| (field.to_string(), vec![message.to_string()]))
        .collect()
}
