//! Reminders of deadlines a week ahead, by e-mail to the facility's managers: each facility's
//! next deadline (the one its page's banner shows), once per deadline.

use crate::ssr::db;
use chrono::NaiveDate;
use rules::provisioning::{DeadlineStatus, next_deadline};
use rules::scheme::Catalog;
use sqlx::SqlitePool;

/// How far ahead a deadline is reminded (Onshi's own choice: a week leaves time to act).
pub const DAYS_AHEAD: i64 = 7;

/// Queues the reminders of the deadlines due within [`DAYS_AHEAD`] days of `today` that were
/// not reminded yet, for every facility with a manager in Onshi; how many facilities were
/// reminded. Nothing is queued when e-mail is not sent.
pub async fn queue_week_ahead(pool: &SqlitePool, today: NaiveDate) -> sqlx::Result<usize> {
    if db::mail::settings(pool).await?.is_none() {
        return Ok(0);
    }
    let catalog = Catalog::builtin();
    let mut reminded = 0;
    for (f, a, p) in db::provisioning::managed_sections(pool).await? {
        let facts = db::provisioning::facts(&f, a.as_ref(), &p);
        let Some(d) = next_deadline(catalog, &facts, today) else { continue };
        let days = (d.due - today).num_days();
        if matches!(d.status, DeadlineStatus::Missed | DeadlineStatus::Met) || !(0..=DAYS_AHEAD).contains(&days) {
            continue;
        }
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
        let new = sqlx::query(
            "INSERT INTO deadline_reminders (facility_id, kind, due) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(f.id)
        .bind(d.kind.code())
        .bind(d.due.to_string())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if new == 0 {
            continue;
        }
        let managers: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM users WHERE disabled = 0 AND role = 'clinic_manager'
               AND (facility_id = ? OR (corporation_id IS NOT NULL AND corporation_id = ?))",
        )
        .bind(f.id)
        .bind(f.corporation_id)
        .fetch_all(&mut *tx)
        .await?;
        let due = rules::format_wareki_with_western(d.due);
        let body = format!(
            "{}の次の期限まで、あと{days}日です。\n\n期限: {}（{due}）\n{}",
            f.name,
            d.label_ja,
            d.consequence_ja.as_deref().map(|c| format!("間に合わない場合: {c}")).unwrap_or_default()
        );
        for user in managers {
            db::mail::queue_to_user(
                &mut tx,
                user,
                &format!("期限まであと{days}日: {}", f.name),
                &body,
                &format!("/facilities/{}", f.id),
            )
            .await?;
        }
        tx.commit().await?;
        reminded += 1;
    }
    Ok(reminded)
}
