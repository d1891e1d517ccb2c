//! Comments on an article: add, list, delete.

use servey::prelude::*;

use super::{ApiError, user_id, viewer};
use crate::comments;
use crate::wire::{MultipleCommentsResponse, NewComment, SingleCommentResponse};

/// Comment on an article.
#[action(triggers = [post("/articles/{slug}/comments")], errors = [404])]
pub async fn add_comment(
    pool: State<sqlx::SqlitePool>,
    authorization: Authorization,
    slug: String,
    comment: NewComment,
) -> Result<SingleCommentResponse, ApiError> {
    let comment = comments::add(&pool, user_id(&authorization)?, &slug, comment).await?;
    Ok(SingleCommentResponse { comment })
}

/// An article's comments, newest first.
#[action(triggers = [get("/articles/{slug}/comments")], errors = [404])]
pub async fn list_comments(
    pool: State<sqlx::SqlitePool>,
    authorization: Option<Authorization>,
    slug: String,
) -> Result<MultipleCommentsResponse, ApiError> {
    let viewer = viewer(authorization.as_ref())?;
    let comments = comments::list(&pool, &slug, viewer).await?;
    Ok(MultipleCommentsResponse { comments })
}

/// Delete a comment (its author only).
#[action(triggers = [delete("/articles/{slug}/comments/{id}")], errors = [403, 404])]
pub async fn delete_comment(
    pool: State<sqlx::SqlitePool>,
    authorization: Authorization,
    slug: String,
    id: i64,
) -> Result<(), ApiError> {
    Ok(comments::delete(&pool, user_id(&authorization)?, &slug, id).await?)
}
