//! The key that seals the second factor's secrets: a file beside the database, made at the
//! first start (`app::ssr::totp::SealingKey`).

use crate::error::StartError;
use app::ssr::totp::{SealingKey, key_path};
use sqlx::SqlitePool;
use std::path::Path;

/// Reads the key file of the database at `db`, or creates it. A new key while secrets are
/// already stored (the database was moved or restored without its key file) cannot open
/// them: said loudly, and those users sign in with a recovery code or are reset by an admin.
pub async fn load(db: &Path, pool: &SqlitePool) -> Result<SealingKey, StartError> {
    let path = key_path(db);
    let (key, created) = SealingKey::load_or_create(&path)
        .map_err(|source| StartError::SecondFactorKey { path: path.clone(), source })?;
    if created {
        let sealed: i64 = sqlx::query_scalar("SELECT count(*) FROM user_totp").fetch_one(pool).await?;
        if sealed > 0 {
            tracing::error!(
                path = %path.display(),
                users = sealed,
                "a new second-factor key file was made, but secrets sealed with another one are stored: \
                 put the database's own key file back (and restart), or those users sign in with a \
                 recovery code or have their second factor reset by an admin"
            );
        } else {
            tracing::info!(path = %path.display(), "second-factor key file created");
        }
    }
    Ok(key)
}
