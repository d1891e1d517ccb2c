//! The Conduit server: the RealWorld API under `/api`, on SQLite.
//!
//! Run it: `cargo run -p conduit` (serves on 127.0.0.1:8000 with an in-memory database), or with a file:
//! `DATABASE_URL=sqlite://conduit.db JWT_SECRET_KEY=... cargo run -p conduit`. The official suite runs
//! against it with `cargo xtask conduit`.

/// The database used when `DATABASE_URL` is not set: fresh at every start.
const IN_MEMORY: &str = "sqlite::memory:";

fn main() {
    // The app reads `DATABASE_URL` here, in its binary: servey's own settings stay in `ServeyConfig`.
    let database_url = std::env::var("DATABASE_URL").unwrap_or_else(|_| IN_MEMORY.to_owned());
    conduit::builder(database_url).main();
}
