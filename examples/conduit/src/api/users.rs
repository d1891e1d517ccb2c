//! Register, log in, read and change the signed-in user; each answer carries a fresh token.

use servey::prelude::*;

use super::{ApiError, user_id};
use crate::users::{self, Account};
use crate::wire::{LoginUser, NewUser, UpdateUser, UserResponse};

/// The user with a token the app's authenticator issued for them (subject: their id).
fn signed_in(context: &Context, account: Account) -> Result<UserResponse, ApiError> {
    let token =
        context.issue_token(&Authorization::new(account.id.to_string(), [] as [&str; 0]))?;
    Ok(UserResponse {
        user: account.into_user(token),
    })
}

/// Register a new user.
#[action(
    triggers = [post("/users")],
    status = 201,
    example(
        name = "register",
        anonymous,
        partial,
        params = {"user": {"username": "ann", "email": "ann@example.com", "password": "secret-1"}},
        result = {"user": {"username": "ann", "email": "ann@example.com", "bio": null, "image": null}}
    )
)]
pub async fn register(
    pool: State<sqlx::SqlitePool>,
    context: Context,
    user: NewUser,
) -> Result<UserResponse, ApiError> {
    signed_in(&context, users::register(&pool, user).await?)
}

/// Log in with email and password.
#[action(
    triggers = [post("/users/login")],
    errors = [401],
    example(
        name = "login",
        anonymous,
        partial,
        params = {"user": {"email": "jake@jake.jake", "password": "jakejake"}},
        result = {"user": {"username": "jake", "email": "jake@jake.jake"}}
    )
)]
pub async fn login(
    pool: State<sqlx::SqlitePool>,
    context: Context,
    user: LoginUser,
) -> Result<UserResponse, ApiError> {
    signed_in(&context, users::login(&pool, user).await?)
}

/// The signed-in user.
#[action(
    triggers = [get("/user")],
    example(
        name = "current",
        as = "1",
        partial,
        params = {},
        result = {"user": {"username": "jake", "bio": "I work at statefarm"}}
    )
)]
pub async fn current_user(
    pool: State<sqlx::SqlitePool>,
    context: Context,
    authorization: Authorization,
) -> Result<UserResponse, ApiError> {
    let account = users::by_id(&pool, user_id(&authorization)?).await?;
    // RealWorld echoes the caller's own token; a new one is issued only when none was presented.
    match authorization.token() {
        Some(token) => Ok(UserResponse {
            user: account.into_user(token.to_owned()),
        }),
        None => signed_in(&context, account),
    }
}

/// Change the signed-in user's email, username, password, bio or image.
#[action(triggers = [put("/user")])]
pub async fn update_user(
    pool: State<sqlx::SqlitePool>,
    context: Context,
    authorization: Authorization,
    user: UpdateUser,
) -> Result<UserResponse, ApiError> {
    let account = users::update(&pool, user_id(&authorization)?, user).await?;
    signed_in(&context, account)
}
