//! The RealWorld "Conduit" backend (a Medium clone's API, <https://realworld-docs.netlify.app>) without
//! its web layer: SQLite storage, the domain operations as plain async functions over a pool, and the
//! spec's JSON shapes; and [`api`], the servey actions that serve them.
//!
//! Each domain module is one noun of the API. Functions take the viewer's user id where the answer depends
//! on who asks (`Option<i64>` when anonymous is allowed) and fail with a [`ConduitError`].

mod db;
mod error;
mod password;

pub mod api;
pub mod articles;
pub mod comments;
pub mod profiles;
pub mod tags;
pub mod users;
pub mod wire;

pub use db::connect;
pub use error::{ConduitError, FieldErrors};
pub use users::Account;

/// The Conduit app on the database at `database_url`: every action of this crate under `/api`, tokens
/// read as `Authorization: Token <jwt>`, errors as RealWorld's `{"errors": {...}}`, and the pool opened
/// (and migrated) at start. What `main.rs` runs and the tests serve.
pub fn builder(database_url: String) -> servey::Builder {
    servey::Builder::new(servey::Registry::builder().collected())
        .path_prefix("/api")
        .bearer_schemes(["Token"])
        .error_renderer(api::ConduitErrors)
        .setup(move |_config| async move {
            let pool = connect(&database_url).await?;
            Ok::<_, sqlx::Error>(servey::Extensions::new().with(pool))
        })
}
