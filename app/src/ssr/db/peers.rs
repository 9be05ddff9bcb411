//! Peer prices for the audit's outlier test: confirmed lines of other quotes
//! of the same facility type, by category.

use rules::audit::Peers;
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
    // Rows the CHECK constraint let in always parse; anything else is skipped, not fatal.
    Ok(Peers::new(rows.into_iter().filter_map(|(category, price)| Some((category.parse().ok()?, Yen::parse(&price).ok()?)))))
}

/// Every facility type's peer group (by type code), in one query: a vendor's record audits
/// quotes of every type.
pub async fn every_facility_type(pool: &SqlitePool) -> sqlx::Result<std::collections::HashMap<String, Peers>> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT f.facility_type, ql.category, ql.comparable_price
         FROM quote_lines ql
         JOIN quotes q ON q.id = ql.quote_id
         JOIN facilities f ON f.id = q.facility_id
         WHERE q.confirmed = 1 AND ql.comparable_price IS NOT NULL",
    )
    .fetch_all(pool)
    .await?;
    let mut prices: std::collections::HashMap<String, Vec<(rules::category::Category, Yen)>> =
        std::collections::HashMap::new();
    for (kind, category, price) in rows {
        if let (Ok(c), Ok(p)) = (category.parse(), Yen::parse(&price)) {
            prices.entry(kind).or_default().push((c, p));
        }
    }
    Ok(prices.into_iter().map(|(kind, p)| (kind, Peers::new(p))).collect())
}
