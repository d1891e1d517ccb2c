//! Comments under an article and the body that writes one.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Profile;

/// A comment on an article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Comment {
    /// The comment's id, used to delete it.
    pub id: i64,
    /// When it was written (UTC, milliseconds).
    #[serde(with = "super::timestamp")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: DateTime<Utc>,
    /// When it was last changed (UTC, milliseconds).
    #[serde(with = "super::timestamp")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: DateTime<Utc>,
    /// The text.
    pub body: String,
    /// Who wrote it.
    pub author: Profile,
}

/// `{"comment": ...}`: the body of add comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SingleCommentResponse {
    /// The comment.
    pub comment: Comment,
}

/// `{"comments": [...]}`: an article's comments, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MultipleCommentsResponse {
    /// The comments, newest first.
    pub comments: Vec<Comment>,
}

/// A comment to add.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewComment {
    /// The text.
    #[schema(pattern = r"\S")]
    pub body: String,
}

/// `{"comment": ...}`: the body of add comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewCommentRequest {
    /// The comment to add.
    pub comment: NewComment,
}
