//! Accounts: register, log in, read and change the signed-in user. Functions return an [`Account`]
//! (the user without a token); the caller signs a token for `account.id` and calls [`Account::into_user`].

use sqlx::Row;
use sqlx::sqlite::{SqlitePool, SqliteRow};

use crate::error::{ConduitError, FieldErrors, taken};
use crate::password;
use crate::wire::{LoginUser, NewUser, UpdateUser, User};

/// A user as stored, minus the password: what the caller needs to sign a token and answer with a [`User`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The user's id, the subject of their token.
    pub id: i64,
    /// The address the user logs in with.
    pub email: String,
    /// The unique name shown to others.
    pub username: String,
    /// A short text about the user, if any.
    pub bio: Option<String>,
    /// The URL of the user's picture, if any.
    pub image: Option<String>,
}

impl Account {
    /// The wire [`User`], carrying the token the caller signed for this account.
    pub fn into_user(self, token: String) -> User {
        User {
            email: self.email,
            token,
            username: self.username,
            bio: self.bio,
            image: self.image,
        }
    }
}

/// Registers a user; `Validation` when the email or username is taken. (A blank field never gets here:
/// the wire types' constraints refuse it before the action runs.)
pub async fn register(pool: &SqlitePool, new: NewUser) -> Result<Account, ConduitError> {
    let (email, username) = (new.email.trim(), new.username.trim());
    check_not_taken(pool, Some(email), Some(username), None).await?;
    let password_hash = password::hash(new.password.clone()).await?;
    let id = sqlx::query("INSERT INTO users (email, username, password_hash) VALUES (?1, ?2, ?3)")
        .bind(email)
        .bind(username)
        .bind(password_hash)
        .execute(pool)
        .await
        .map_err(taken)?
        .last_insert_rowid();
    by_id(pool, id).await
}

/// The account with this email and password; `InvalidCredentials` for an unknown email or a wrong password.
pub async fn login(pool: &SqlitePool, login: LoginUser) -> Result<Account, ConduitError> {
    let row = sqlx::query("SELECT id, password_hash FROM users WHERE email = ?1")
        .bind(login.email.trim())
        .fetch_optional(pool)
        .await?
        .ok_or(ConduitError::InvalidCredentials)?;
    let (id, stored): (i64, String) = (row.try_get("id")?, row.try_get("password_hash")?);
    if password::verify(login.password, stored).await? {
        by_id(pool, id).await
    } else {
        Err(ConduitError::InvalidCredentials)
    }
}

/// The account with this id (the subject of a valid token); `NotFound("user")` once it is gone.
pub async fn by_id(pool: &SqlitePool, id: i64) -> Result<Account, ConduitError> {
    let row = sqlx::query("SELECT id, email, username, bio, image FROM users WHERE id = ?1")
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or(ConduitError::NotFound("user"))?;
    Ok(account_from(&row)?)
}

/// Changes the given fields of user `id`: a taken email or username is `Validation`; an empty bio or
/// image removes it.
pub async fn update(
    pool: &SqlitePool,
    id: i64,
    changes: UpdateUser,
) -> Result<Account, ConduitError> {
    let email = changes.email.as_deref().map(str::trim);
    let username = changes.username.as_deref().map(str::trim);
    check_not_taken(pool, email, username, Some(id)).await?;
    let password_hash = match changes.password.clone() {
        Some(password) => Some(password::hash(password).await?),
        None => None,
    };
    let updated = sqlx::query(
        "UPDATE users SET email = COALESCE(?1, email), username = COALESCE(?2, username), \
         password_hash = COALESCE(?3, password_hash), \
         bio = CASE WHEN ?4 IS NULL THEN bio ELSE NULLIF(?4, '') END, \
         image = CASE WHEN ?5 IS NULL THEN image ELSE NULLIF(?5, '') END \
         WHERE id = ?6",
    )
    .bind(email)
    .bind(username)
    .bind(password_hash)
    .bind(changes.bio)
    .bind(changes.image)
    .bind(id)
    .execute(pool)
    .await
    .map_err(taken)?;
    if updated.rows_affected() == 0 {
        return Err(ConduitError::NotFound("user"));
    }
    by_id(pool, id).await
}

/// `Validation` naming every one of `email` and `username` that another user (not `except`) already has.
async fn check_not_taken(
    pool: &SqlitePool,
    email: Option<&str>,
    username: Option<&str>,
    except: Option<i64>,
) -> Result<(), ConduitError> {
    let row = sqlx::query(
        "SELECT EXISTS (SELECT 1 FROM users WHERE email = ?1 AND id IS NOT ?3) AS email_taken, \
         EXISTS (SELECT 1 FROM users WHERE username = ?2 AND id IS NOT ?3) AS username_taken",
    )
    .bind(email)
    .bind(username)
    .bind(except)
    .fetch_one(pool)
    .await?;
    let mut taken = FieldErrors::new();
    for (field, column) in [("email", "email_taken"), ("username", "username_taken")] {
        if row.try_get::<bool, _>(column)? {
            taken.insert(field.to_owned(), vec!["has already been taken".to_owned()]);
        }
    }
    if taken.is_empty() {
        Ok(())
    } else {
        Err(ConduitError::Validation(taken))
    }
}

fn account_from(row: &SqliteRow) -> Result<Account, sqlx::Error> {
    Ok(Account {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        username: row.try_get("username")?,
        bio: row.try_get("bio")?,
        image: row.try_get("image")?,
    })
}
