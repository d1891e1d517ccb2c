//! The signed-in user and the bodies that register, log in and change them.

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The signed-in user, with the token that authenticates their next requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct User {
    /// The address the user logs in with.
    pub email: String,
    /// The JWT to send back as `Authorization: Token <token>`.
    pub token: String,
    /// The unique name shown to others.
    pub username: String,
    /// A short text about the user, if they wrote one.
    pub bio: Option<String>,
    /// The URL of the user's picture, if they set one.
    pub image: Option<String>,
}

/// `{"user": ...}`: the body of register, login, current user and update user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UserResponse {
    /// The signed-in user.
    pub user: User,
}

/// Who to register.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewUser {
    /// The unique name shown to others.
    #[schema(pattern = r"\S")]
    pub username: String,
    /// The unique address to log in with.
    #[schema(pattern = r"\S")]
    pub email: String,
    /// The password, stored only as an Argon2 hash.
    #[schema(format = Password, pattern = r"\S")]
    pub password: String,
}

/// `{"user": ...}`: the body of register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewUserRequest {
    /// The user to register.
    pub user: NewUser,
}

/// The credentials to log in with.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LoginUser {
    /// The address registered with.
    #[schema(pattern = r"\S")]
    pub email: String,
    /// The password registered with.
    #[schema(format = Password, pattern = r"\S")]
    pub password: String,
}

/// `{"user": ...}`: the body of login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LoginUserRequest {
    /// The credentials.
    pub user: LoginUser,
}

/// What to change about the signed-in user: each field given replaces the stored one.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UpdateUser {
    /// A new unique address to log in with.
    #[schema(pattern = r"\S")]
    pub email: Option<String>,
    /// A new unique name.
    #[schema(pattern = r"\S")]
    pub username: Option<String>,
    /// A new password.
    #[schema(format = Password, pattern = r"\S")]
    pub password: Option<String>,
    /// A new text about the user; an empty string removes it.
    pub bio: Option<String>,
    /// A new picture URL; an empty string removes it.
    pub image: Option<String>,
}

/// `{"user": ...}`: the body of update user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UpdateUserRequest {
    /// The changes.
    pub user: UpdateUser,
}

// The request types print without their passwords, so a logged request never leaks one.
impl fmt::Debug for NewUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewUser")
            .field("username", &self.username)
            .field("email", &self.email)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for LoginUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginUser")
            .field("email", &self.email)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for UpdateUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UpdateUser")
            .field("email", &self.email)
            .field("username", &self.username)
            .field("bio", &self.bio)
            .field("image", &self.image)
            .finish_non_exhaustive()
    }
}
