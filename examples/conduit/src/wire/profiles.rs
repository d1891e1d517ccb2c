//! A user as others see them, plus the small bodies that fit nowhere else: tags and errors.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ConduitError, FieldErrors};

/// A user's public face, seen by a viewer who may or may not follow them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Profile {
    /// The unique name shown to others.
    pub username: String,
    /// A short text about the user, if they wrote one.
    pub bio: Option<String>,
    /// The URL of the user's picture, if they set one.
    pub image: Option<String>,
    /// Whether the viewer follows this user (false for an anonymous viewer).
    pub following: bool,
}

/// `{"profile": ...}`: the body of the profile endpoints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ProfileResponse {
    /// The profile asked for.
    pub profile: Profile,
}

/// `{"tags": [...]}`: every tag in use, sorted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TagsResponse {
    /// The tags, in alphabetical order.
    pub tags: Vec<String>,
}

/// `{"errors": {"field": ["message"]}}`: Conduit's body for every failed request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct GenericErrorModel {
    /// Field (or `body`) -> what is wrong with it.
    pub errors: FieldErrors,
}

impl From<&ConduitError> for GenericErrorModel {
    fn from(error: &ConduitError) -> Self {
        Self {
            errors: error.fields(),
        }
    }
}
