//! Profiles: a user as a viewer sees them, and following. `following` is always relative to the viewer,
//! and false for an anonymous one.

use sqlx::Row;
use sqlx::sqlite::{SqlitePool, SqliteRow};

use crate::error::ConduitError;
use crate::wire::Profile;

/// The profile of `username` as `viewer` sees it; `NotFound("profile")` for an unknown username.
pub async fn get(
    pool: &SqlitePool,
    username: &str,
    viewer: Option<i64>,
) -> Result<Profile, ConduitError> {
    let row = sqlx::query(
        "SELECT u.username, u.bio, u.image, \
         EXISTS (SELECT 1 FROM follows w WHERE w.follower_id = ?2 AND w.followee_id = u.id) AS following \
         FROM users u WHERE u.username = ?1",
    )
    .bind(username)
    .bind(viewer)
    .fetch_optional(pool)
    .await?
    .ok_or(ConduitError::NotFound("profile"))?;
    Ok(profile_from(&row)?)
}

/// Makes `follower` follow `username` (again is fine); the profile, now with `following: true`.
pub async fn follow(
    pool: &SqlitePool,
    follower: i64,
    username: &str,
) -> Result<Profile, ConduitError> {
    sqlx::query(
        "INSERT OR IGNORE INTO follows (follower_id, followee_id) \
         SELECT ?1, id FROM users WHERE username = ?2",
    )
    .bind(follower)
    .bind(username)
    .execute(pool)
    .await?;
    get(pool, username, Some(follower)).await
}

/// Makes `follower` stop following `username` (if they did); the profile, now with `following: false`.
pub async fn unfollow(
    pool: &SqlitePool,
    follower: i64,
    username: &str,
) -> Result<Profile, ConduitError> {
    sqlx::query(
        "DELETE FROM follows WHERE follower_id = ?1 \
         AND followee_id = (SELECT id FROM users WHERE username = ?2)",
    )
    .bind(follower)
    .bind(username)
    .execute(pool)
    .await?;
    get(pool, username, Some(follower)).await
}

/// Reads a profile from a row with the columns `username`, `bio`, `image` and `following`.
pub(crate) fn profile_from(row: &SqliteRow) -> Result<Profile, sqlx::Error> {
    Ok(Profile {
        username: row.try_get("username")?,
        bio: row.try_get("bio")?,
        image: row.try_get("image")?,
        following: row.try_get("following")?,
    })
}
