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
    corporation_id: Option<i64>,
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
            stage: None,
        }
    }
}

fn select() -> QueryBuilder<'static, Sqlite> {
    QueryBuilder::new(
        "SELECT f.id, f.facility_code, f.name, f.kana, f.facility_type, f.prefecture, f.address,
                c.name AS corporation_name, f.corporation_id, f.online_billing
         FROM facilities f LEFT JOIN corporations c ON c.id = f.corporation_id
         WHERE 1 = 1",
    )
}

/// A facility in a list, with the columns its stage is worked out from.
#[derive(sqlx::FromRow)]
struct ListRow {
    #[sqlx(flatten)]
    facility: FacilityRow,
    #[sqlx(flatten)]
    progress: super::provisioning::StageRow,
}

impl ListRow {
    fn summary(&self) -> FacilitySummary {
        let f = &self.facility;
        let stage = self.progress.effective(&f.facility_type, f.online_billing);
        FacilitySummary { stage: Some(stage.label_ja().to_owned()), ..f.summary() }
    }
}

/// What the facility list is narrowed to (codes checked at the edge, `search` trimmed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// Facility type code.
    pub facility_type: Option<String>,
    /// Prefecture code.
    pub prefecture: Option<String>,
    /// Part of the name or its kana, or the start of the 医療機関コード.
    pub search: Option<String>,
}

/// `text` for a LIKE pattern with `\` as its escape: `%` and `_` typed are themselves.
fn like_escaped(text: &str) -> String {
    text.chars().fold(String::with_capacity(text.len()), |mut out, c| {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
        out
    })
}

fn push_list_filter(qb: &mut QueryBuilder<'_, Sqlite>, scope: &Scope, filter: &ListFilter) {
    push_scope(qb, scope, "f");
    push_facility_filter(qb, filter);
}

/// Appends ` AND …` for `filter` on the facility alias `f` (the list, and the CSV exports of
/// what it shows).
pub fn push_facility_filter(qb: &mut QueryBuilder<'_, Sqlite>, filter: &ListFilter) {
    if let Some(t) = &filter.facility_type {
        qb.push(" AND f.facility_type = ").push_bind(t.clone());
    }
    if let Some(p) = &filter.prefecture {
        qb.push(" AND f.prefecture = ").push_bind(p.clone());
    }
    if let Some(text) = &filter.search {
        let part = format!("%{}%", like_escaped(text));
        qb.push(" AND (f.name LIKE ").push_bind(part.clone()).push(" ESCAPE '\\' OR f.kana LIKE ");
        qb.push_bind(part).push(" ESCAPE '\\' OR f.facility_code LIKE ");
        qb.push_bind(format!("{}%", like_escaped(text))).push(" ESCAPE '\\')");
    }
}

/// How many facilities the scope reaches through `filter`.
pub async fn count_visible(pool: &SqlitePool, scope: &Scope, filter: &ListFilter) -> sqlx::Result<i64> {
    let mut qb = QueryBuilder::new("SELECT count(*) FROM facilities f WHERE 1 = 1");
    push_list_filter(&mut qb, scope, filter);
    qb.build_query_scalar().fetch_one(pool).await
}

/// `limit` facilities from `offset` of those the scope reaches through `filter`, by prefecture
/// and name, with where their rollout stands.
pub async fn visible(
    pool: &SqlitePool,
    scope: &Scope,
    filter: &ListFilter,
    offset: i64,
    limit: i64,
) -> sqlx::Result<Vec<FacilitySummary>> {
    let mut qb = QueryBuilder::new(
        "SELECT f.id, f.facility_code, f.name, f.kana, f.facility_type, f.prefecture, f.address,
                c.name AS corporation_name, f.corporation_id, f.online_billing,
                p.stage, a.applied_on AS reader_applied_on, a.model_chosen_on, p.vendor_contract_on,
                p.completed_on, p.operation_started_on
         FROM facilities f LEFT JOIN corporations c ON c.id = f.corporation_id
         LEFT JOIN facility_progress p ON p.facility_id = f.id
         LEFT JOIN reader_applications a ON a.facility_id = f.id
         WHERE f.id IN (SELECT f.id FROM facilities f WHERE 1 = 1",
    );
    // The page's ids first, from the list-order index alone: with the joins in the same query
    // SQLite joined every row it skipped (the last national page took 0.5 s, now ~16 ms).
    push_list_filter(&mut qb, scope, filter);
    qb.push(" ORDER BY f.prefecture, f.kana, f.name, f.id LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
    qb.push(") ORDER BY f.prefecture, f.kana, f.name, f.id");
    let rows: Vec<ListRow> = qb.build_query_as().fetch_all(pool).await?;
    Ok(rows.iter().map(ListRow::summary).collect())
}

/// One facility with its quotes, if the scope reaches it (None otherwise, as for a missing id).
pub async fn detail(conn: &mut sqlx::SqliteConnection, scope: &Scope, id: i64) -> sqlx::Result<Option<FacilityDetail>> {
    let mut qb = select();
    qb.push(" AND f.id = ").push_bind(id);
    push_scope(&mut qb, scope, "f");
    let Some(row) = qb.build_query_as::<FacilityRow>().fetch_optional(&mut *conn).await? else {
        return Ok(None);
    };
    let quotes: Vec<QuoteSummary> = sqlx::query_as(
        "SELECT q.id, q.file_name, v.name AS vendor, q.quote_date, q.created_at, q.confirmed,
                (SELECT count(*) FROM quote_lines l WHERE l.quote_id = q.id) AS lines
         FROM quotes q LEFT JOIN vendors v ON v.id = q.vendor_id
         WHERE q.facility_id = ? ORDER BY q.created_at DESC, q.id DESC",
    )
    .bind(row.id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Some(FacilityDetail {
        summary: row.summary(),
        kana: row.kana,
        address: row.address,
        corporation_id: row.corporation_id,
        quotes,
        can_edit: false,
    }))
}

/// Inserts (`id` 0) or updates a facility and records the change; `Ok(Err(field error))`
/// when the 医療機関コード already belongs to another facility.
pub async fn save(
    pool: &SqlitePool,
    actor: &crate::ssr::audit_log::Actor,
    id: i64,
    f: &rules::facility::ValidFacility,
    corporation_id: Option<i64>,
) -> Result<Result<i64, (&'static str, String)>, crate::UiError> {
    use crate::ssr::audit_log::{self, Change};
    use crate::ssr::context::internal;
    let mut tx = audit_log::begin(pool).await.map_err(internal)?;
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM facilities WHERE facility_code = ? AND id != ?")
        .bind(f.code.as_str())
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(internal)?;
    if taken.is_some() {
        return Ok(Err(("code", format!("医療機関コード {} は既に登録されています", f.code))));
    }
    let before = if id == 0 { None } else { snapshot(&mut tx, id).await.map_err(internal)? };
    let saved: i64 = if id == 0 {
        sqlx::query_scalar(
            "INSERT INTO facilities (facility_code, name, kana, facility_type, prefecture, address, corporation_id,
                                     online_billing, group_monthly_prescriptions)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
    } else {
        sqlx::query_scalar(
            "UPDATE facilities SET facility_code = ?, name = ?, kana = ?, facility_type = ?, prefecture = ?, address = ?,
                    corporation_id = ?, online_billing = ?, group_monthly_prescriptions = ?
             WHERE id = ? RETURNING id",
        )
    }
    .bind(f.code.as_str())
    .bind(f.name.as_str())
    .bind(&f.kana)
    .bind(f.facility_type.code())
    .bind(f.prefecture.code())
    .bind(&f.address)
    .bind(corporation_id)
    .bind(f.online_billing)
    .bind(f.group_monthly_prescriptions.map(i64::from))
    .bind(id)
    .fetch_one(&mut *tx)
    .await
    .map_err(internal)?;
    let after = snapshot(&mut tx, saved).await.map_err(internal)?;
    let json = |s: Option<String>| s.and_then(|t| serde_json::from_str(&t).ok());
    let change = Change {
        action: if id == 0 { "create" } else { "update" },
        entity: "facility",
        entity_id: saved.to_string(),
        before: json(before),
        after: json(after),
    };
    audit_log::record(&mut tx, actor, change).await.map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    Ok(Ok(saved))
}

/// The facility row as JSON, for the audit trail.
async fn snapshot(tx: &mut sqlx::Transaction<'_, Sqlite>, id: i64) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT json_object('facility_code', facility_code, 'name', name, 'kana', kana, 'facility_type', facility_type,
                'prefecture', prefecture, 'address', address, 'corporation_id', corporation_id,
                'online_billing', online_billing, 'group_monthly_prescriptions', group_monthly_prescriptions)
         FROM facilities WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await
}
