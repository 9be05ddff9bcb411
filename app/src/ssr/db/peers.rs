//! Peer prices for the audit's outlier test: confirmed lines of other quotes
//! of the same facility type, by category.

use rules::audit::Peers;
use rules::category::Category;
use rules::{FacilityType, Yen};
use sqlx::SqlitePool;

/// Comparable prices of every confirmed line of facilities of this type.
pub async fn for_facility_type(pool: &SqlitePool, kind: FacilityType) -> sqlx::Result<Peers> {
    excluding(pool, kind, None).await
}

/// The same, leaving out one quote (a stored quote is not its own peer).
pub async fn excluding(pool: &SqlitePool, kind: FacilityType, quote_id: Option<i64>) -> sqlx::Result<Peers> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT ql.category, ql.comparable_price
         FROM quote_lines ql
         JOIN quotes q ON q.id = ql.quote_id
         JOIN facilities f ON f.id = q.facility_id
         WHERE q.confirmed = 1 AND f.facility_type = ? AND ql.comparable_price IS NOT NULL AND q.id IS NOT ?",
    )
    .bind(kind.code())
    .bind(quote_id)
    .fetch_all(pool)
    .await?;
    let mut peers = Peers::default();
    for (category, price) in rows {
        // Rows the CHECK constraint let in always parse; anything else is skipped, not fatal.
        if let (Ok(c), Ok(p)) = (category.parse::<Category>(), Yen::parse(&price)) {
            peers.by_category.entry(c).or_default().push(p);
        }
    }
    Ok(peers)
}
