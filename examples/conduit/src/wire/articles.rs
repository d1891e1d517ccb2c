//! Articles as readers see them, the queries that list them, and the bodies that write them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Profile;

/// An article, seen by a viewer who may have favorited it and may follow its author.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Article {
    /// The URL-safe unique name made from the title, e.g. `how-to-train-your-dragon`.
    pub slug: String,
    /// The headline.
    pub title: String,
    /// A one-line summary.
    pub description: String,
    /// The text, in Markdown.
    pub body: String,
    /// The tags, in alphabetical order.
    pub tag_list: Vec<String>,
    /// When the article was published (UTC, milliseconds).
    #[serde(with = "super::timestamp")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: DateTime<Utc>,
    /// When the article was last changed (UTC, milliseconds).
    #[serde(with = "super::timestamp")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: DateTime<Utc>,
    /// Whether the viewer has favorited it (false for an anonymous viewer).
    pub favorited: bool,
    /// How many users have favorited it.
    pub favorites_count: i64,
    /// Who wrote it.
    pub author: Profile,
}

/// `{"article": ...}`: the body of the single-article endpoints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SingleArticleResponse {
    /// The article.
    pub article: Article,
}

/// `{"articles": [...], "articlesCount": n}`: one page of a list, and how many match in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MultipleArticlesResponse {
    /// The page of articles, newest first.
    pub articles: Vec<Article>,
    /// How many articles match, over all pages.
    pub articles_count: i64,
}

/// The query string of "list articles": filters that all apply, then a page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ArticleQuery {
    /// Only articles with this tag.
    pub tag: Option<String>,
    /// Only articles written by this username.
    pub author: Option<String>,
    /// Only articles favorited by this username.
    pub favorited: Option<String>,
    /// At most this many articles (default 20).
    pub limit: Option<u32>,
    /// Skip this many articles first (default 0).
    pub offset: Option<u32>,
}

/// The query string of "feed": a page of the articles by the users the viewer follows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FeedQuery {
    /// At most this many articles (default 20).
    pub limit: Option<u32>,
    /// Skip this many articles first (default 0).
    pub offset: Option<u32>,
}

/// An article to publish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewArticle {
    /// The headline; the slug is made from it.
    #[schema(pattern = r"\S")]
    pub title: String,
    /// A one-line summary.
    #[schema(pattern = r"\S")]
    pub description: String,
    /// The text, in Markdown.
    #[schema(pattern = r"\S")]
    pub body: String,
    /// Tags to file it under (duplicates and blank ones are dropped).
    #[serde(default)]
    pub tag_list: Vec<String>,
}

/// `{"article": ...}`: the body of create article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewArticleRequest {
    /// The article to publish.
    pub article: NewArticle,
}

/// What to change about an article: each field given replaces the stored one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UpdateArticle {
    /// A new headline; the article gets a new slug from it.
    #[schema(pattern = r"\S")]
    pub title: Option<String>,
    /// A new summary.
    #[schema(pattern = r"\S")]
    pub description: Option<String>,
    /// A new text.
    #[schema(pattern = r"\S")]
    pub body: Option<String>,
}

/// `{"article": ...}`: the body of update article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UpdateArticleRequest {
    /// The changes.
    pub article: UpdateArticle,
}
