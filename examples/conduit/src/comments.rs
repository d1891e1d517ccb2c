//! Comments under an article: add, list (newest first, authors as the viewer sees them), and delete
//! (only by their author).

use sqlx::Row;
use sqlx::sqlite::{SqlitePool, SqliteRow};

use crate::articles::locate;
use crate::db::{from_millis, now_millis};
use crate::error::ConduitError;
use crate::profiles::profile_from;
use crate::wire::{Comment, NewComment};

/// The columns of a [`Comment`] as seen by the viewer bound to `?1`.
macro_rules! select_comments {
    () => {
        "SELECT c.id, c.body, c.created_at, c.updated_at, u.username, u.bio, u.image, \
         EXISTS (SELECT 1 FROM follows w WHERE w.followee_id = c.author_id AND w.follower_id = ?1) \
           AS following \
         FROM comments c JOIN users u ON u.id = c.author_id"
    };
}

/// Adds a comment by `author` under the article `slug`.
pub async fn add(
    pool: &SqlitePool,
    author: i64,
    slug: &str,
    new: NewComment,
) -> Result<Comment, ConduitError> {
    let (article, _) = locate(pool, slug).await?;
    let id = sqlx::query(
        "INSERT INTO comments (article_id, author_id, body, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?4)",
    )
    .bind(article)
    .bind(author)
    .bind(&new.body)
    .bind(now_millis())
    .execute(pool)
    .await?
    .last_insert_rowid();
    let row = sqlx::query(concat!(select_comments!(), " WHERE c.id = ?2"))
        .bind(author)
        .bind(id)
        .fetch_one(pool)
        .await?;
    Ok(comment_from(&row)?)
}

/// The comments under the article `slug`, newest first, as `viewer` sees their authors.
pub async fn list(
    pool: &SqlitePool,
    slug: &str,
    viewer: Option<i64>,
) -> Result<Vec<Comment>, ConduitError> {
    let (article, _) = locate(pool, slug).await?;
    let rows = sqlx::query(concat!(
        select_comments!(),
        " WHERE c.article_id = ?2 ORDER BY c.created_at DESC, c.id DESC"
    ))
    .bind(viewer)
    .bind(article)
    .fetch_all(pool)
    .await?;
    Ok(rows.iter().map(comment_from).collect::<Result<_, _>>()?)
}

/// Deletes comment `id` under the article `slug`; `NotFound("comment")` when it is not there,
/// `Forbidden` unless `user` wrote it.
pub async fn delete(pool: &SqlitePool, user: i64, slug: &str, id: i64) -> Result<(), ConduitError> {
    let (article, _) = locate(pool, slug).await?;
    let author: i64 =
        sqlx::query_scalar("SELECT author_id FROM comments WHERE id = ?1 AND article_id = ?2")
            .bind(id)
            .bind(article)
            .fetch_optional(pool)
            .await?
            .ok_or(ConduitError::NotFound("comment"))?;
    if author != user {
        return Err(ConduitError::Forbidden);
    }
    sqlx::query("DELETE FROM comments WHERE id = ?1")
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

fn comment_from(row: &SqliteRow) -> Result<Comment, sqlx::Error> {
    Ok(Comment {
        id: row.try_get("id")?,
        created_at: from_millis(row.try_get("created_at")?)?,
        updated_at: from_millis(row.try_get("updated_at")?)?,
        body: row.try_get("body")?,
        author: profile_from(row)?,
    })
}
