//! Articles: the global list with filters, the feed, one by slug, write, delete, favorite.

use servey::prelude::*;

use super::{ApiError, user_id, viewer};
use crate::articles;
use crate::wire::{
    ArticleQuery, FeedQuery, MultipleArticlesResponse, NewArticle, SingleArticleResponse,
    UpdateArticle,
};

/// Recent articles, newest first, filtered by tag, author or who favorited them.
#[action(
    triggers = [get("/articles")],
    example(
        name = "by_tag",
        anonymous,
        partial,
        params = {"tag": "dragons"},
        result = {"articlesCount": 1, "articles": [{"slug": "how-to-train-your-dragon", "tagList": ["dragons", "training"]}]}
    )
)]
pub async fn list_articles(
    pool: State<sqlx::SqlitePool>,
    authorization: Option<Authorization>,
    tag: Option<String>,
    author: Option<String>,
    favorited: Option<String>,
    limit: Option<u32>,
    offset: Option<u32>,
) -> Result<MultipleArticlesResponse, ApiError> {
    let query = ArticleQuery {
        tag,
        author,
        favorited,
        limit,
        offset,
    };
    let viewer = viewer(authorization.as_ref())?;
    Ok(articles::list(&pool, &query, viewer).await?)
}

/// Recent articles by the users the signed-in user follows, newest first.
#[action(triggers = [get("/articles/feed")])]
pub async fn feed_articles(
    pool: State<sqlx::SqlitePool>,
    authorization: Authorization,
    limit: Option<u32>,
    offset: Option<u32>,
) -> Result<MultipleArticlesResponse, ApiError> {
    let query = FeedQuery { limit, offset };
    Ok(articles::feed(&pool, user_id(&authorization)?, &query).await?)
}

/// One article.
#[action(triggers = [get("/articles/{slug}")], errors = [404])]
pub async fn get_article(
    pool: State<sqlx::SqlitePool>,
    authorization: Option<Authorization>,
    slug: String,
) -> Result<SingleArticleResponse, ApiError> {
    let viewer = viewer(authorization.as_ref())?;
    let article = articles::get(&pool, &slug, viewer).await?;
    Ok(SingleArticleResponse { article })
}

/// Write an article; answers 201 with its address in `Location`.
#[action(
    triggers = [post("/articles")],
    status = 201,
    headers = ["Location"],
    example(
        name = "write",
        as = "1",
        partial,
        params = {"article": {"title": "Dragons II", "description": "More", "body": "Again.", "tagList": ["dragons"]}},
        result = {"article": {"slug": "dragons-ii", "favorited": false, "author": {"username": "jake"}}}
    )
)]
pub async fn create_article(
    pool: State<sqlx::SqlitePool>,
    authorization: Authorization,
    article: NewArticle,
) -> Result<Reply<SingleArticleResponse>, ApiError> {
    let article = articles::create(&pool, user_id(&authorization)?, article).await?;
    let location = format!("/api/articles/{}", article.slug);
    Ok(Reply::new(SingleArticleResponse { article }).header("Location", location))
}

/// Change an article's title, description or body (its author only).
#[action(triggers = [put("/articles/{slug}")], errors = [403, 404])]
pub async fn update_article(
    pool: State<sqlx::SqlitePool>,
    authorization: Authorization,
    slug: String,
    article: UpdateArticle,
) -> Result<SingleArticleResponse, ApiError> {
    let article = articles::update(&pool, user_id(&authorization)?, &slug, article).await?;
    Ok(SingleArticleResponse { article })
}

/// Delete an article (its author only).
#[action(triggers = [delete("/articles/{slug}")], errors = [403, 404])]
pub async fn delete_article(
    pool: State<sqlx::SqlitePool>,
    authorization: Authorization,
    slug: String,
) -> Result<(), ApiError> {
    Ok(articles::delete(&pool, user_id(&authorization)?, &slug).await?)
}

/// Favorite an article.
#[action(triggers = [post("/articles/{slug}/favorite")], errors = [404])]
pub async fn favorite_article(
    pool: State<sqlx::SqlitePool>,
    authorization: Authorization,
    slug: String,
) -> Result<SingleArticleResponse, ApiError> {
    let article = articles::favorite(&pool, user_id(&authorization)?, &slug).await?;
    Ok(SingleArticleResponse { article })
}

/// Take back a favorite.
#[action(triggers = [delete("/articles/{slug}/favorite")], errors = [404])]
pub async fn unfavorite_article(
    pool: State<sqlx::SqlitePool>,
    authorization: Authorization,
    slug: String,
) -> Result<SingleArticleResponse, ApiError> {
    let article = articles::unfavorite(&pool, user_id(&authorization)?, &slug).await?;
    Ok(SingleArticleResponse { article })
}
