//! Queries on `quotes` and `quote_lines`, limited to the user's scope.

use super::scope::push_scope;
use crate::api::facilities::{QuoteDetail, QuoteLineView};
use rules::access::Scope;
use sqlx::{QueryBuilder, SqlitePool};

#[derive(sqlx::FromRow)]
struct QuoteRow {
    id: i64,
    facility_id: i64,
    facility_name: String,
    file_name: String,
    vendor: Option<String>,
    quote_date: Option<String>,
    tax_inclusive: bool,
    confirmed: bool,
}

/// One quote with its lines, if the scope reaches its facility.
pub async fn detail(pool: &SqlitePool, scope: &Scope, id: i64) -> sqlx::Result<Option<QuoteDetail>> {
    let mut qb = QueryBuilder::new(
        "SELECT q.id, q.facility_id, f.name AS facility_name, q.file_name, v.name AS vendor, q.quote_date,
                q.tax_inclusive, q.confirmed
         FROM quotes q JOIN facilities f ON f.id = q.facility_id LEFT JOIN vendors v ON v.id = q.vendor_id
         WHERE q.id = ",
    );
    qb.push_bind(id);
    push_scope(&mut qb, scope, "f");
    let Some(q) = qb.build_query_as::<QuoteRow>().fetch_optional(pool).await? else {
        return Ok(None);
    };
    let lines: Vec<QuoteLineView> = sqlx::query_as(
        "SELECT sheet_row, description, category, quantity, unit, unit_price, amount
         FROM quote_lines WHERE quote_id = ? ORDER BY position",
    )
    .bind(q.id)
    .fetch_all(pool)
    .await?;
    Ok(Some(QuoteDetail {
        id: q.id,
        facility_id: q.facility_id,
        facility_name: q.facility_name,
        file_name: q.file_name,
        vendor: q.vendor,
        quote_date: q.quote_date,
        tax_inclusive: q.tax_inclusive,
        confirmed: q.confirmed,
        lines,
    }))
}
