//! The servey actions of Conduit: each endpoint of the RealWorld API as one `#[action]` over the domain
//! layer. Paths are relative to the app's `/api` prefix; the caller's user id is the token's subject.

pub mod articles;
pub mod comments;
mod errors;
mod fixture;
pub mod profiles;
pub mod users;

pub use errors::{ApiError, ConduitErrors};

use servey::{ActionError, Authorization, ErrorCode};

/// The signed-in user's id: the subject of their token.
fn user_id(authorization: &Authorization) -> Result<i64, ApiError> {
    authorization
        .subject
        .as_deref()
        .and_then(|subject| subject.parse().ok())
        .ok_or_else(|| {
            ActionError::new(
                ErrorCode::Unauthenticated,
                "The token names no Conduit user.",
            )
            .into()
        })
}

/// The viewer's user id, when the caller is signed in.
fn viewer(authorization: Option<&Authorization>) -> Result<Option<i64>, ApiError> {
    authorization.map(user_id).transpose()
}
