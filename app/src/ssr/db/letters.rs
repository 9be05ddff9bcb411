//! Queries on `counter_offer_letters`: the letter to the vendor as its facility's manager edited
//! it; every save and reset also goes into the audit trail, with the text before and after.

use crate::UiError;
use crate::ssr::audit_log::{self, Actor, Change};
use crate::ssr::context::internal;
use sqlx::SqlitePool;

/// An edited letter as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Saved {
    /// The edited text (`api::letter::LetterText` as JSON).
    pub letter_json: String,
    /// When, UTC.
    pub edited_at: String,
    /// Who, by display name (None when the user is gone).
    pub edited_by: Option<String>,
}

/// The edited letter of a quote (call after a scoped check), None when it was never edited or
/// was reset.
pub async fn saved(db: impl sqlx::SqliteExecutor<'_>, quote_id: i64) -> sqlx::Result<Option<Saved>> {
    sqlx::query_as(
        "SELECT l.letter_json, l.edited_at, u.display_name AS edited_by
         FROM counter_offer_letters l LEFT JOIN users u ON u.id = l.edited_by WHERE l.quote_id = ?",
    )
    .bind(quote_id)
    .fetch_optional(db)
    .await
}

/// The letter last edited for any quote of a facility: its phone and person in charge start
/// the next letter.
pub async fn last_of_facility(db: impl sqlx::SqliteExecutor<'_>, facility_id: i64) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT l.letter_json FROM counter_offer_letters l JOIN quotes q ON q.id = l.quote_id
         WHERE q.facility_id = ? ORDER BY l.edited_at DESC, l.rowid DESC LIMIT 1",
    )
    .bind(facility_id)
    .fetch_optional(db)
    .await
}

/// The facility's name, 医療機関コード and address: the sender of its letters.
pub async fn sender(db: impl sqlx::SqliteExecutor<'_>, facility_id: i64) -> sqlx::Result<(String, String, String)> {
    sqlx::query_as("SELECT name, facility_code, address FROM facilities WHERE id = ?")
        .bind(facility_id)
        .fetch_one(db)
        .await
}

/// The letter's text before a write, as the audit trail keeps it.
async fn before(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    quote_id: i64,
) -> Result<Option<serde_json::Value>, UiError> {
    let json: Option<String> = sqlx::query_scalar("SELECT letter_json FROM counter_offer_letters WHERE quote_id = ?")
        .bind(quote_id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(internal)?;
    json.map(|j| serde_json::from_str(&j).map_err(internal)).transpose()
}

/// Stores the edited letter of a quote (call after a scoped check), replacing an earlier one.
pub async fn save(pool: &SqlitePool, actor: &Actor, quote_id: i64, letter: serde_json::Value) -> Result<(), UiError> {
    let mut tx = audit_log::begin(pool).await.map_err(internal)?;
    let before = before(&mut tx, quote_id).await?;
    sqlx::query(
        "INSERT INTO counter_offer_letters (quote_id, letter_json, edited_by) VALUES (?, ?, ?)
         ON CONFLICT (quote_id) DO UPDATE SET
             letter_json = excluded.letter_json, edited_by = excluded.edited_by,
             edited_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
    )
    .bind(quote_id)
    .bind(letter.to_string())
    .bind(actor.user_id)
    .execute(&mut *tx)
    .await
    .map_err(internal)?;
    let action = if before.is_some() { "update" } else { "create" };
    logged(tx, actor, quote_id, action, (before, Some(letter))).await
}

/// Drops the edited letter of a quote (call after a scoped check): the letter is built from
/// the audit again. Nothing is written when there was no edit.
pub async fn reset(pool: &SqlitePool, actor: &Actor, quote_id: i64) -> Result<(), UiError> {
    let mut tx = audit_log::begin(pool).await.map_err(internal)?;
    let Some(before) = before(&mut tx, quote_id).await? else { return Ok(()) };
    sqlx::query("DELETE FROM counter_offer_letters WHERE quote_id = ?")
        .bind(quote_id)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
    logged(tx, actor, quote_id, "reset", (Some(before), None)).await
}

/// Records a write of a quote's letter in the audit trail and commits it with the write.
async fn logged(
    mut tx: sqlx::Transaction<'_, sqlx::Sqlite>,
    actor: &Actor,
    quote_id: i64,
    action: &str,
    (before, after): (Option<serde_json::Value>, Option<serde_json::Value>),
) -> Result<(), UiError> {
    let change = Change { action, entity: "counter_offer_letter", entity_id: quote_id.to_string(), before, after };
    audit_log::record(&mut tx, actor, change).await.map_err(internal)?;
    tx.commit().await.map_err(internal)
}
