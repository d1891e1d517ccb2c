//! Conduit's JSON, exactly as the RealWorld spec shapes it: the resources, the `{"user": ..}`-style envelopes
//! around them, and the request bodies. Schema names follow the spec's `openapi.yml`; every type derives
//! `utoipa::ToSchema`, and its doc comments become the OpenAPI and GraphQL descriptions.

mod articles;
mod comments;
mod profiles;
mod users;

pub use articles::{
    Article, ArticleQuery, FeedQuery, MultipleArticlesResponse, NewArticle, NewArticleRequest,
    SingleArticleResponse, UpdateArticle, UpdateArticleRequest,
};
pub use comments::{
    Comment, MultipleCommentsResponse, NewComment, NewCommentRequest, SingleCommentResponse,
};
pub use profiles::{GenericErrorModel, Profile, ProfileResponse, TagsResponse};
pub use users::{
    LoginUser, LoginUserRequest, NewUser, NewUserRequest, UpdateUser, UpdateUserRequest, User,
    UserResponse,
};

/// Timestamps as the spec's tests want them: ISO 8601 in UTC with milliseconds, `2026-11-26T12:00:00.000Z`.
pub(crate) mod timestamp {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    /// Writes `2026-11-26T12:00:00.000Z`.
    pub(crate) fn serialize<S: Serializer>(at: &DateTime<Utc>, out: S) -> Result<S::Ok, S::Error> {
        out.serialize_str(&at.to_rfc3339_opts(SecondsFormat::Millis, true))
    }

    /// Reads any RFC 3339 timestamp, converted to UTC.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        input: D,
    ) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(input)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|at| at.with_timezone(&Utc))
            .map_err(D::Error::custom)
    }
}
