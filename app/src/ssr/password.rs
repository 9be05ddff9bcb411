//! Password hashing with argon2id, off the async threads.

use argon2::{Algorithm, Argon2, Params, Version};
use argon2::{PasswordHash, PasswordHasher, PasswordVerifier};

pub use crate::api::admin::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};

/// Whether a password's length is within the policy (counted in characters, not bytes):
/// `Err(true)` too short, `Err(false)` too long.
pub fn check_length(password: &str) -> Result<(), bool> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        Err(true)
    } else if chars > MAX_PASSWORD_CHARS {
        Err(false)
    } else {
        Ok(())
    }
}

/// Argon2id with OWASP's recommended minimum: m = 19 MiB, t = 2, p = 1.
/// Source: OWASP Password Storage Cheat Sheet (Argon2id).
fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password into a PHC string.
pub async fn hash(password: String) -> Result<String, String> {
    tokio::task::spawn_blocking(move || {
        hasher().hash_password(password.as_bytes()).map(|h| h.to_string()).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}

/// Whether the password matches the stored PHC hash. A malformed hash never matches.
pub async fn verify(password: &str, phc: &str) -> bool {
    let password = password.to_owned();
    let phc = phc.to_owned();
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&phc).is_ok_and(|parsed| hasher().verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await
    .unwrap_or(false)
}

/// A fixed hash of a random string, so a login for an unknown account costs
/// the same as one for a known account.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0Rk0mXyF1pbNw6u2pWcQbYV/C3Gc2aZ6b2u7cBqPQy8";

/// Spends a verification's worth of work; always false.
pub async fn verify_against_dummy(password: &str) -> bool {
    verify(password, DUMMY_HASH).await
}
