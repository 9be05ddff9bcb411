//! Queries on `facilities`, always limited to the user's scope.

use super::scope::push_scope;
use crate::api::facilities::{FacilityDetail, FacilitySummary, QuoteSummary};
use rules::access::Scope;
use sqlx::{QueryBuilder, Sqlite, SqlitePool};

#[derive(sqlx::FromRow)]
struct FacilityRow {
    id: i64,
    facility_code: String,
    name: String,
    kana: String,
    facility_type: String,
    prefecture: String,
    address: String,
    corporation_name: Option<String>,
    online_billing: bool,
}

impl FacilityRow {
    fn summary(&self) -> FacilitySummary {
        FacilitySummary {
            id: self.id,
            code: self.facility_code.clone(),
            name: self.name.clone(),
            facility_type: self.facility_type.clone(),
            prefecture: self.prefecture.clone(),
            corporation: self.corporation_name.clone(),
            online_billing: self.online_billing,
        }
    }
}

fn select() -> QueryBuilder<'static, Sqlite> {
    QueryBuilder::new(
        "SELECT f.id, f.facility_code, f.name, f.kana, f.facility_type, f.prefecture, f.address,
                c.name AS corporation_name, f.online_billing
         FROM facilities f LEFT JOIN corporations c ON c.id = f.corporation_id
         WHERE 1 = 1",
    )
}

/// Every facility the scope reaches, by prefecture and name.
pub async fn visible(pool: &SqlitePool, scope: &Scope) -> sqlx::Result<Vec<FacilitySummary>> {
    let mut qb = select();
    push_scope(&mut qb, scope, "f");
    qb.push(" ORDER BY f.prefecture, f.kana, f.name");
    let rows: Vec<FacilityRow> = qb.build_query_as().fetch_all(pool).await?;
    Ok(rows.iter().map(FacilityRow::summary).collect())
}

/// One facility with its quotes, if the scope reaches it (None otherwise, as for a missing id).
pub async fn detail(pool: &SqlitePool, scope: &Scope, id: i64) -> sqlx::Result<Option<FacilityDetail>> {
    let mut qb = select();
    qb.push(" AND f.id = ").push_bind(id);
    push_scope(&mut qb, scope, "f");
    let Some(row) = qb.build_query_as::<FacilityRow>().fetch_optional(pool).await? else {
        return Ok(None);
    };
    let quotes: Vec<QuoteSummary> = sqlx::query_as(
        "SELECT q.id, q.file_name, v.name AS vendor, q.quote_date, q.created_at, q.confirmed,
                (SELECT count(*) FROM quote_lines l WHERE l.quote_id = q.id) AS lines
         FROM quotes q LEFT JOIN vendors v ON v.id = q.vendor_id
         WHERE q.facility_id = ? ORDER BY q.created_at DESC, q.id DESC",
    )
    .bind(row.id)
    .fetch_all(pool)
    .await?;
    Ok(Some(FacilityDetail { summary: row.summary(), kana: row.kana, address: row.address, quotes }))
}
