//! The dashboard totals of a batch in a few statements instead of a trigger per row.
//!
//! The triggers of migrations/20261122000008 keep `dashboard_totals` on every write; for a
//! batch of thousands of facilities and tens of thousands of quote lines they cost the import
//! 2.5× its time (BENCHMARKS.md). Inside the batch's transaction the triggers are dropped, the
//! rows written, the batch's share of the totals added from the `dashboard_contributions`
//! view, and the triggers created again from their own stored SQL — all before the commit,
//! so no other connection ever sees the schema without them, and a failed batch rolls back
//! the drop with everything else.

use sqlx::SqliteConnection;

/// The dashboard triggers as they were: (name, SQL).
pub struct Suspended(Vec<(String, String)>);

/// Drops every dashboard trigger for the rest of the transaction.
pub async fn suspend(tx: &mut SqliteConnection) -> sqlx::Result<Suspended> {
    let triggers: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'
           AND (name LIKE 'dashboard\\_%' ESCAPE '\\' OR name LIKE 'audit\\_generation\\_%' ESCAPE '\\')",
    )
    .fetch_all(&mut *tx)
    .await?;
    for (name, _) in &triggers {
        sqlx::query(&format!("DROP TRIGGER \"{name}\"")).execute(&mut *tx).await?;
    }
    Ok(Suspended(triggers))
}

/// Adds the share of facilities `first..=last` (prefecture rows, national rows and the national
/// quote lines by day), and moves
/// the generation on, then creates the triggers again.
pub async fn add_and_resume(
    tx: &mut SqliteConnection,
    suspended: Suspended,
    first: i64,
    last: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "CREATE TEMP TABLE IF NOT EXISTS batch_totals (
             metric TEXT, prefecture TEXT, facility_type TEXT, key TEXT, detail TEXT, month TEXT,
             n INTEGER, amount INTEGER, free_item_lines INTEGER, granted INTEGER)",
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM batch_totals").execute(&mut *tx).await?;
    sqlx::query(
        "INSERT INTO batch_totals
         SELECT c.metric, f.prefecture, f.facility_type, c.key, c.detail, c.month,
                sum(c.n), sum(c.amount), sum(c.free_item_lines), sum(c.granted)
         FROM dashboard_contributions c JOIN facilities f ON f.id = c.facility_id
         WHERE c.facility_id BETWEEN ? AND ?
         GROUP BY 1, 2, 3, 4, 5, 6",
    )
    .bind(first)
    .bind(last)
    .execute(&mut *tx)
    .await?;
    for by_prefecture in ["prefecture", "''"] {
        sqlx::query(&format!(
            "INSERT INTO dashboard_totals
             SELECT metric, {by_prefecture}, facility_type, key, detail, month,
                    sum(n), sum(amount), sum(free_item_lines), sum(granted)
             FROM batch_totals WHERE true
             GROUP BY metric, {by_prefecture}, facility_type, key, detail, month
             ON CONFLICT DO UPDATE SET n = n + excluded.n, amount = amount + excluded.amount,
                 free_item_lines = free_item_lines + excluded.free_item_lines, granted = granted + excluded.granted"
        ))
        .execute(&mut *tx)
        .await?;
    }
    // The country's quote lines by day (migrations/20261122000010).
    sqlx::query(
        "INSERT INTO dashboard_line_days
         SELECT c.day, f.facility_type, c.category, sum(c.n), sum(c.amount), sum(c.free_item_lines)
         FROM dashboard_line_day_contributions c JOIN facilities f ON f.id = c.facility_id
         WHERE c.facility_id BETWEEN ? AND ?
         GROUP BY 1, 2, 3
         ON CONFLICT DO UPDATE SET n = n + excluded.n, amount = amount + excluded.amount,
             free_item_lines = free_item_lines + excluded.free_item_lines",
    )
    .bind(first)
    .bind(last)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE dashboard_generation SET generation = generation + 1").execute(&mut *tx).await?;
    // The peer groups and the vendor league (migration 0012), whose triggers are suspended too.
    sqlx::query("UPDATE audit_generation SET generation = generation + 1").execute(&mut *tx).await?;
    for (_, sql) in suspended.0 {
        sqlx::query(&sql).execute(&mut *tx).await?;
    }
    Ok(())
}
