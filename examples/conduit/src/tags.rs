//! Tags: the list of every tag some article is filed under. Articles carry their own tags (see
//! [`crate::articles`]); a tag exists exactly as long as one article uses it.

use sqlx::sqlite::SqlitePool;

use crate::error::ConduitError;

/// Every tag in use, each once, in alphabetical order.
pub async fn list(pool: &SqlitePool) -> Result<Vec<String>, ConduitError> {
    Ok(
        sqlx::query_scalar("SELECT DISTINCT tag FROM article_tags ORDER BY tag")
            .fetch_all(pool)
            .await?,
    )
}
