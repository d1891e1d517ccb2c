//! Articles: reading them (one by slug, filtered lists, the feed) here, writing them in `write`.
//! Every read is relative to a viewer: `favorited` and the author's `following` are theirs, false when
//! anonymous. Lists are newest first.

mod slug;
mod write;

pub(crate) use write::locate;
pub use write::{create, delete, favorite, unfavorite, update};

use sqlx::Row;
use sqlx::sqlite::{SqlitePool, SqliteRow};

use crate::db::from_millis;
use crate::error::ConduitError;
use crate::profiles::profile_from;
use crate::wire::{Article, ArticleQuery, FeedQuery, MultipleArticlesResponse};

/// How many articles a list returns when the query gives no `limit`.
pub const DEFAULT_LIMIT: u32 = 20;

/// The columns of an [`Article`] as seen by the viewer bound to `?1`.
macro_rules! select_articles {
    () => {
        "SELECT a.id, a.slug, a.title, a.description, a.body, a.created_at, a.updated_at, \
         (SELECT json_group_array(t.tag ORDER BY t.tag) FROM article_tags t WHERE t.article_id = a.id) \
           AS tag_list, \
         EXISTS (SELECT 1 FROM favorites f WHERE f.article_id = a.id AND f.user_id = ?1) AS favorited, \
         (SELECT COUNT(*) FROM favorites f WHERE f.article_id = a.id) AS favorites_count, \
         u.username, u.bio, u.image, \
         EXISTS (SELECT 1 FROM follows w WHERE w.followee_id = a.author_id AND w.follower_id = ?1) \
           AS following \
         FROM articles a JOIN users u ON u.id = a.author_id"
    };
}

/// The filters of "list articles": each applies only when its parameter (?2 tag, ?3 author, ?4 favorited
/// by) is not null.
macro_rules! list_filter {
    () => {
        " WHERE (?2 IS NULL OR EXISTS \
           (SELECT 1 FROM article_tags t WHERE t.article_id = a.id AND t.tag = ?2)) \
         AND (?3 IS NULL OR u.username = ?3) \
         AND (?4 IS NULL OR EXISTS (SELECT 1 FROM favorites f JOIN users fu ON fu.id = f.user_id \
           WHERE f.article_id = a.id AND fu.username = ?4))"
    };
}

/// Only the articles whose author the viewer (?1) follows.
macro_rules! feed_filter {
    () => {
        " WHERE a.author_id IN (SELECT followee_id FROM follows WHERE follower_id = ?1)"
    };
}

/// Newest first, then a page: `$limit` articles after skipping `$offset` (both parameter names).
macro_rules! page {
    ($limit:literal, $offset:literal) => {
        concat!(
            " ORDER BY a.created_at DESC, a.id DESC LIMIT ",
            $limit,
            " OFFSET ",
            $offset
        )
    };
}

/// The article with this slug as `viewer` sees it; `NotFound("article")` for an unknown slug.
pub async fn get(
    pool: &SqlitePool,
    slug: &str,
    viewer: Option<i64>,
) -> Result<Article, ConduitError> {
    let row = sqlx::query(concat!(select_articles!(), " WHERE a.slug = ?2"))
        .bind(viewer)
        .bind(slug)
        .fetch_optional(pool)
        .await?
        .ok_or(ConduitError::NotFound("article"))?;
    Ok(article_from(&row)?)
}

/// One page of the articles matching every filter in `query`, and how many match in all.
pub async fn list(
    pool: &SqlitePool,
    query: &ArticleQuery,
    viewer: Option<i64>,
) -> Result<MultipleArticlesResponse, ConduitError> {
    let (limit, offset) = page_of(query.limit, query.offset);
    let bind = |sql| {
        sqlx::query(sql)
            .bind(viewer)
            .bind(query.tag.as_deref())
            .bind(query.author.as_deref())
            .bind(query.favorited.as_deref())
    };
    let rows = bind(concat!(
        select_articles!(),
        list_filter!(),
        page!("?5", "?6")
    ))
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await?;
    // ?1 (the viewer) is unused here; binding it anyway keeps one parameter list for both queries.
    let count = bind(concat!(
        "SELECT COUNT(*) AS n FROM articles a JOIN users u ON u.id = a.author_id",
        list_filter!()
    ))
    .fetch_one(pool)
    .await?;
    page_response(&rows, &count)
}

/// One page of the articles by the users `viewer` follows, and how many there are in all.
pub async fn feed(
    pool: &SqlitePool,
    viewer: i64,
    query: &FeedQuery,
) -> Result<MultipleArticlesResponse, ConduitError> {
    let (limit, offset) = page_of(query.limit, query.offset);
    let rows = sqlx::query(concat!(
        select_articles!(),
        feed_filter!(),
        page!("?2", "?3")
    ))
    .bind(viewer)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await?;
    let count = sqlx::query(concat!(
        "SELECT COUNT(*) AS n FROM articles a",
        feed_filter!()
    ))
    .bind(viewer)
    .fetch_one(pool)
    .await?;
    page_response(&rows, &count)
}

/// The article with this id as `viewer` sees it (after a write, which knows the id).
async fn by_id(pool: &SqlitePool, id: i64, viewer: Option<i64>) -> Result<Article, ConduitError> {
    let row = sqlx::query(concat!(select_articles!(), " WHERE a.id = ?2"))
        .bind(viewer)
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or(ConduitError::NotFound("article"))?;
    Ok(article_from(&row)?)
}

fn page_of(limit: Option<u32>, offset: Option<u32>) -> (i64, i64) {
    (
        i64::from(limit.unwrap_or(DEFAULT_LIMIT)),
        i64::from(offset.unwrap_or(0)),
    )
}

fn page_response(
    rows: &[SqliteRow],
    count: &SqliteRow,
) -> Result<MultipleArticlesResponse, ConduitError> {
    Ok(MultipleArticlesResponse {
        articles: rows.iter().map(article_from).collect::<Result<_, _>>()?,
        articles_count: count.try_get("n")?,
    })
}

fn article_from(row: &SqliteRow) -> Result<Article, sqlx::Error> {
    let tags: String = row.try_get("tag_list")?;
    Ok(Article {
        slug: row.try_get("slug")?,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        body: row.try_get("body")?,
        tag_list: serde_json::from_str(&tags).map_err(|error| sqlx::Error::Decode(error.into()))?,
        created_at: from_millis(row.try_get("created_at")?)?,
        updated_at: from_millis(row.try_get("updated_at")?)?,
        favorited: row.try_get("favorited")?,
        favorites_count: row.try_get("favorites_count")?,
        author: profile_from(row)?,
    })
}
