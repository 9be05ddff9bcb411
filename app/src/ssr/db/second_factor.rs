//! Queries on `user_totp` and `user_recovery_codes`; every enrolment, reset and use of a
//! recovery code is recorded in the audit trail in the same transaction.

use crate::ssr::audit_log::{self, Actor, Change};
use serde_json::json;
use sqlx::SqlitePool;

/// A user's TOTP enrolment as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Enrolment {
    /// Never reused: sessions remember it.
    pub id: i64,
    /// The sealed secret (`totp::SealingKey::seal`).
    pub secret_sealed: String,
    /// The time-step of the last code accepted.
    pub last_step: i64,
    /// When it was set up (UTC, ISO 8601).
    pub enrolled_at: String,
}

/// The enrolment of a user, if any.
pub async fn enrolment(pool: &SqlitePool, user_id: i64) -> sqlx::Result<Option<Enrolment>> {
    sqlx::query_as("SELECT id, secret_sealed, last_step, enrolled_at FROM user_totp WHERE user_id = ?")
        .bind(user_id)
        .fetch_optional(pool)
        .await
}

/// Records `step` as used, if it is later than the last step used. False for a replayed
/// code, also when two logins race with one code: the row's check lets one of them win.
pub async fn use_step(pool: &SqlitePool, enrolment_id: i64, step: i64) -> sqlx::Result<bool> {
    let done = sqlx::query("UPDATE user_totp SET last_step = ? WHERE id = ? AND last_step < ?")
        .bind(step)
        .bind(enrolment_id)
        .bind(step)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// What an enrolment stores.
#[derive(Debug, Clone)]
pub struct NewEnrolment<'a> {
    /// The user enrolled.
    pub user_id: i64,
    /// The sealed secret.
    pub secret_sealed: &'a str,
    /// The step of the code that confirmed it (that code cannot then sign in).
    pub confirmed_step: i64,
    /// Hashes of the recovery codes (`recovery_codes::hash`).
    pub recovery_code_hashes: &'a [String],
}

/// Stores an enrolment with its recovery codes and records it; None when the user already
/// has one (the existing one is kept).
pub async fn enrol(pool: &SqlitePool, actor: &Actor, new: NewEnrolment<'_>) -> sqlx::Result<Option<i64>> {
    let mut tx = audit_log::begin(pool).await?;
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO user_totp (user_id, secret_sealed, last_step) VALUES (?, ?, ?)
         ON CONFLICT (user_id) DO NOTHING RETURNING id",
    )
    .bind(new.user_id)
    .bind(new.secret_sealed)
    .bind(new.confirmed_step)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = id else { return Ok(None) };
    // Codes of an earlier enrolment (reset since) never come back.
    sqlx::query("DELETE FROM user_recovery_codes WHERE user_id = ?").bind(new.user_id).execute(&mut *tx).await?;
    for hash in new.recovery_code_hashes {
        sqlx::query("INSERT INTO user_recovery_codes (user_id, code_hash) VALUES (?, ?)")
            .bind(new.user_id)
            .bind(hash)
            .execute(&mut *tx)
            .await?;
    }
    let change = Change {
        action: "enrol_second_factor",
        entity: "user",
        entity_id: new.user_id.to_string(),
        before: None,
        after: Some(json!({"second_factor": "totp", "recovery_codes": new.recovery_code_hashes.len()})),
    };
    audit_log::record(&mut tx, actor, change).await?;
    tx.commit().await?;
    Ok(Some(id))
}

/// The user's unused recovery codes: (id, stored hash).
pub async fn unused_recovery_codes(pool: &SqlitePool, user_id: i64) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as("SELECT id, code_hash FROM user_recovery_codes WHERE user_id = ? AND used_at IS NULL ORDER BY id")
        .bind(user_id)
        .fetch_all(pool)
        .await
}

/// Uses up a recovery code and records it; the codes left, or None when it was used
/// meanwhile (by a concurrent login).
pub async fn use_recovery_code(
    pool: &SqlitePool,
    actor: &Actor,
    user_id: i64,
    code_id: i64,
) -> sqlx::Result<Option<i64>> {
    let mut tx = audit_log::begin(pool).await?;
    let used = sqlx::query(
        "UPDATE user_recovery_codes SET used_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
         WHERE id = ? AND user_id = ? AND used_at IS NULL",
    )
    .bind(code_id)
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    if used.rows_affected() != 1 {
        return Ok(None);
    }
    let left = unused_count(&mut tx, user_id).await?;
    let change = Change {
        action: "use_recovery_code",
        entity: "user",
        entity_id: user_id.to_string(),
        before: None,
        after: Some(json!({"recovery_codes_left": left})),
    };
    audit_log::record(&mut tx, actor, change).await?;
    tx.commit().await?;
    Ok(Some(left))
}

async fn unused_count(tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>, user_id: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM user_recovery_codes WHERE user_id = ? AND used_at IS NULL")
        .bind(user_id)
        .fetch_one(&mut **tx)
        .await
}

/// Removes a user's enrolment and recovery codes and records it; false when there was none.
/// Sessions signed in with the removed enrolment end at their next request
/// (`second_factor::gate`).
pub async fn reset(pool: &SqlitePool, actor: &Actor, user_id: i64) -> sqlx::Result<bool> {
    let mut tx = audit_log::begin(pool).await?;
    let enrolled_at: Option<String> =
        sqlx::query_scalar("DELETE FROM user_totp WHERE user_id = ? RETURNING enrolled_at")
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some(enrolled_at) = enrolled_at else { return Ok(false) };
    let left = unused_count(&mut tx, user_id).await?;
    sqlx::query("DELETE FROM user_recovery_codes WHERE user_id = ?").bind(user_id).execute(&mut *tx).await?;
    let change = Change {
        action: "reset_second_factor",
        entity: "user",
        entity_id: user_id.to_string(),
        before: Some(json!({"second_factor": "totp", "enrolled_at": enrolled_at, "recovery_codes_left": left})),
        after: Some(json!({"second_factor": null})),
    };
    audit_log::record(&mut tx, actor, change).await?;
    tx.commit().await?;
    Ok(true)
}

/// When the user enrolled and how many recovery codes are left, if enrolled.
pub async fn status(pool: &SqlitePool, user_id: i64) -> sqlx::Result<Option<(String, i64)>> {
    sqlx::query_as(
        "SELECT t.enrolled_at,
                (SELECT count(*) FROM user_recovery_codes r WHERE r.user_id = t.user_id AND r.used_at IS NULL)
         FROM user_totp t WHERE t.user_id = ?",
    )
    .bind(user_id)
    .fetch_optional(pool)
    .await
}
