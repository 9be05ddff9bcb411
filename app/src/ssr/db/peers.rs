//! Peer prices for the audit's outlier test: confirmed lines of other quotes
//! of the same facility type, by category.

use rules::audit::Peers;
use rules::category::Category;
use rules::{FacilityType, Yen};
use sqlx::SqlitePool;

/// Comparable prices of every confirmed line of facilities of this type.
pub async fn for_facility_type(pool: &SqlitePool, kind: FacilityType) -> sqlx::Result<Peers> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT ql.category, ql.comparable_price
         FROM quote_lines ql
         JOIN quotes q ON q.id = ql.quote_id
         JOIN facilities f ON f.id = q.facility_id
         WHERE q.confirmed = 1 AND f.facility_type = ? AND ql.comparable_price IS NOT NULL",
    )
    .bind(kind.code())
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
