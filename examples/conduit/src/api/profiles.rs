//! Profiles: read one, follow and unfollow; the tag list.

use servey::prelude::*;

use super::{ApiError, user_id, viewer};
use crate::wire::{ProfileResponse, TagsResponse};
use crate::{profiles, tags};

/// A user's public profile, with whether the signed-in user follows them.
#[action(
    triggers = [get("/profiles/{username}")],
    errors = [404],
    example(
        name = "jake",
        anonymous,
        params = {"username": "jake"},
        result = {"profile": {"username": "jake", "bio": "I work at statefarm", "image": null, "following": false}}
    )
)]
pub async fn get_profile(
    pool: State<sqlx::SqlitePool>,
    authorization: Option<Authorization>,
    username: String,
) -> Result<ProfileResponse, ApiError> {
    let viewer = viewer(authorization.as_ref())?;
    let profile = profiles::get(&pool, &username, viewer).await?;
    Ok(ProfileResponse { profile })
}

/// Follow a user.
#[action(triggers = [post("/profiles/{username}/follow")], errors = [404])]
pub async fn follow_user(
    pool: State<sqlx::SqlitePool>,
    authorization: Authorization,
    username: String,
) -> Result<ProfileResponse, ApiError> {
    let profile = profiles::follow(&pool, user_id(&authorization)?, &username).await?;
    Ok(ProfileResponse { profile })
}

/// Stop following a user.
#[action(triggers = [delete("/profiles/{username}/follow")], errors = [404])]
pub async fn unfollow_user(
    pool: State<sqlx::SqlitePool>,
    authorization: Authorization,
    username: String,
) -> Result<ProfileResponse, ApiError> {
    let profile = profiles::unfollow(&pool, user_id(&authorization)?, &username).await?;
    Ok(ProfileResponse { profile })
}

/// Every tag in use.
#[action(
    triggers = [get("/tags")],
    example(name = "seeded", anonymous, params = {}, result = {"tags": ["dragons", "training"]})
)]
pub async fn list_tags(pool: State<sqlx::SqlitePool>) -> Result<TagsResponse, ApiError> {
    Ok(TagsResponse {
        tags: tags::list(&pool).await?,
    })
}
