//! Password hashing with Argon2id (the crate's default parameters), off the async threads: a hash takes
//! tens of milliseconds of CPU by design, which would stall every other request on that thread.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Argon2, password_hash};

use crate::error::ConduitError;

/// The PHC string (`$argon2id$v=19$...`) of `password` under a fresh random salt.
pub(crate) async fn hash(password: String) -> Result<String, ConduitError> {
    blocking(move || {
        let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>()).map_err(failed)?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(failed)
    })
    .await
}

/// Whether `password` matches the stored PHC string.
pub(crate) async fn verify(password: String, stored: String) -> Result<bool, ConduitError> {
    blocking(move || {
        let parsed = PasswordHash::new(&stored).map_err(failed)?;
        match Argon2::default().verify_password(password.as_bytes(), &parsed) {
            Ok(()) => Ok(true),
            Err(password_hash::Error::Password) => Ok(false),
            Err(error) => Err(failed(error)),
        }
    })
    .await
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ConduitError> + Send + 'static,
) -> Result<T, ConduitError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| ConduitError::Hashing(error.to_string()))?
}

fn failed(error: password_hash::Error) -> ConduitError {
    ConduitError::Hashing(error.to_string())
}
