//! Writing articles: publish, change and delete them (only their author may change or delete one), and
//! favorite them.

use sqlx::Row;
use sqlx::sqlite::SqlitePool;

use super::{by_id, slug};
use crate::db::now_millis;
use crate::error::{ConduitError, taken};
use crate::wire::{Article, NewArticle, UpdateArticle};

/// Publishes an article by `author` with a slug made from its title.
pub async fn create(
    pool: &SqlitePool,
    author: i64,
    new: NewArticle,
) -> Result<Article, ConduitError> {
    let title = new.title.trim();
    let now = now_millis();
    let mut tx = pool.begin().await?;
    let slug = slug::unique(&mut tx, &slug::slugify(title), None).await?;
    let id = sqlx::query(
        "INSERT INTO articles (slug, title, description, body, author_id, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    )
    .bind(slug)
    .bind(title)
    .bind(&new.description)
    .bind(&new.body)
    .bind(author)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(taken)?
    .last_insert_rowid();
    for tag in new.tag_list.iter().map(|tag| tag.trim()) {
        if !tag.is_empty() {
            sqlx::query("INSERT OR IGNORE INTO article_tags (article_id, tag) VALUES (?1, ?2)")
                .bind(id)
                .bind(tag)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    by_id(pool, id, Some(author)).await
}

/// Changes the given fields of the article `slug`; a new title gives it a new slug. `Forbidden` unless
/// `user` wrote it.
pub async fn update(
    pool: &SqlitePool,
    user: i64,
    slug: &str,
    changes: UpdateArticle,
) -> Result<Article, ConduitError> {
    let title = changes.title.as_deref().map(str::trim);
    let mut tx = pool.begin().await?;
    let row = sqlx::query("SELECT id, author_id, title FROM articles WHERE slug = ?1")
        .bind(slug)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(ConduitError::NotFound("article"))?;
    let (id, author): (i64, i64) = (row.try_get("id")?, row.try_get("author_id")?);
    if author != user {
        return Err(ConduitError::Forbidden);
    }
    let nothing_given = title.is_none() && changes.description.is_none() && changes.body.is_none();
    if nothing_given {
        // Release the connection first: an in-memory database's pool has only this one.
        drop(tx);
        return by_id(pool, id, Some(user)).await;
    }
    let new_slug = match title {
        Some(title) if title != row.try_get::<&str, _>("title")? => {
            Some(slug::unique(&mut tx, &slug::slugify(title), Some(id)).await?)
        }
        _ => None,
    };
    sqlx::query(
        "UPDATE articles SET slug = COALESCE(?1, slug), title = COALESCE(?2, title), \
         description = COALESCE(?3, description), body = COALESCE(?4, body), updated_at = ?5 \
         WHERE id = ?6",
    )
    .bind(new_slug)
    .bind(title)
    .bind(changes.description)
    .bind(changes.body)
    .bind(now_millis())
    .bind(id)
    .execute(&mut *tx)
    .await
    .map_err(taken)?;
    tx.commit().await?;
    by_id(pool, id, Some(user)).await
}

/// Deletes the article `slug` with its comments, tags and favorites; `Forbidden` unless `user` wrote it.
pub async fn delete(pool: &SqlitePool, user: i64, slug: &str) -> Result<(), ConduitError> {
    let (id, author) = locate(pool, slug).await?;
    if author != user {
        return Err(ConduitError::Forbidden);
    }
    sqlx::query("DELETE FROM articles WHERE id = ?1")
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Marks the article `slug` as a favorite of `user` (again is fine); the article as `user` now sees it.
pub async fn favorite(pool: &SqlitePool, user: i64, slug: &str) -> Result<Article, ConduitError> {
    let (id, _) = locate(pool, slug).await?;
    sqlx::query("INSERT OR IGNORE INTO favorites (user_id, article_id) VALUES (?1, ?2)")
        .bind(user)
        .bind(id)
        .execute(pool)
        .await?;
    by_id(pool, id, Some(user)).await
}

/// Removes the article `slug` from `user`'s favorites (if there); the article as `user` now sees it.
pub async fn unfavorite(pool: &SqlitePool, user: i64, slug: &str) -> Result<Article, ConduitError> {
    let (id, _) = locate(pool, slug).await?;
    sqlx::query("DELETE FROM favorites WHERE user_id = ?1 AND article_id = ?2")
        .bind(user)
        .bind(id)
        .execute(pool)
        .await?;
    by_id(pool, id, Some(user)).await
}

/// The id and author id of the article `slug`; `NotFound("article")` for an unknown slug.
pub(crate) async fn locate(pool: &SqlitePool, slug: &str) -> Result<(i64, i64), ConduitError> {
    let row = sqlx::query("SELECT id, author_id FROM articles WHERE slug = ?1")
        .bind(slug)
        .fetch_optional(pool)
        .await?
        .ok_or(ConduitError::NotFound("article"))?;
    Ok((row.try_get("id")?, row.try_get("author_id")?))
}
