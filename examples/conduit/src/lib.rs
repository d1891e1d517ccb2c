//! The RealWorld "Conduit" backend (a Medium clone's API, <https://realworld-docs.netlify.app>) without
//! its web layer: SQLite storage, the domain operations as plain async functions over a pool, and the
//! spec's JSON shapes. The servey actions in `main.rs` map these to HTTP.
//!
//! Each domain module is one noun of the API. Functions take the viewer's user id where the answer depends
//! on who asks (`Option<i64>` when anonymous is allowed) and fail with a [`ConduitError`].

mod db;
mod error;
mod password;

pub mod articles;
pub mod comments;
pub mod profiles;
pub mod tags;
pub mod users;
pub mod wire;

pub use db::connect;
pub use error::{ConduitError, FieldErrors};
pub use users::Account;
