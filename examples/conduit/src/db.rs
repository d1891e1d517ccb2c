//! The SQLite database: opening a pool, applying the migrations embedded from `migrations/`, and the
//! conversions between stored timestamps (milliseconds since the epoch) and `chrono` values.

use std::borrow::Cow;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};

/// The migrations, in order: (version, description, SQL). Embedded, so the binary needs no files beside it.
const MIGRATIONS: &[(i64, &str, &str)] =
    &[(1, "conduit", include_str!("../migrations/0001_conduit.sql"))];

/// How many connections a file database may have open at once (SQLite serializes the writes anyway).
const FILE_POOL_SIZE: u32 = 4;

/// Opens the database at `database_url` (`sqlite://path/to.db`, created when missing, or `sqlite::memory:`)
/// and brings its schema up to date.
///
/// An in-memory database lives only as long as a connection to it, and each connection would otherwise
/// open its own: so it gets a pool of exactly one connection that is never closed for idleness.
pub async fn connect(database_url: &str) -> Result<SqlitePool, sqlx::Error> {
    let options = SqliteConnectOptions::from_str(database_url)?
        .create_if_missing(true)
        .foreign_keys(true);
    let is_in_memory = database_url.contains(":memory:") || database_url.contains("mode=memory");
    let pool = if is_in_memory {
        SqlitePoolOptions::new()
            .min_connections(1)
            .max_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await?
    } else {
        SqlitePoolOptions::new()
            .max_connections(FILE_POOL_SIZE)
            .connect_with(options.journal_mode(SqliteJournalMode::Wal))
            .await?
    };
    migrator().run(&pool).await?;
    Ok(pool)
}

/// The embedded migrations as sqlx's migrator, which records what it applied in `_sqlx_migrations`.
fn migrator() -> Migrator {
    let migrations = MIGRATIONS
        .iter()
        .map(|&(version, description, sql)| {
            Migration::new(
                version,
                Cow::Borrowed(description),
                MigrationType::Simple,
                Cow::Borrowed(sql),
                false,
            )
        })
        .collect::<Vec<_>>();
    Migrator {
        migrations: Cow::Owned(migrations),
        ..Migrator::DEFAULT
    }
}

/// Now, as stored: milliseconds since the Unix epoch.
pub(crate) fn now_millis() -> i64 {
    Utc::now().timestamp_millis()
}

/// A stored timestamp as a `chrono` value.
pub(crate) fn from_millis(millis: i64) -> Result<DateTime<Utc>, sqlx::Error> {
    DateTime::from_timestamp_millis(millis)
        .ok_or_else(|| sqlx::Error::Decode(format!("timestamp {millis} is out of range").into()))
}
