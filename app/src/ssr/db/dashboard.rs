//! Aggregates for the dashboards, every one limited to the user's scope and the filters.

use super::scope::push_scope;
use rules::access::Scope;
use sqlx::{QueryBuilder, Sqlite, SqlitePool};

/// What the dashboards are narrowed to; the period is (from, to) as YYYY-MM-DD.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Facility type code.
    pub facility_type: Option<String>,
    /// Prefecture code.
    pub prefecture: Option<String>,
    /// First day of the period.
    pub from: Option<String>,
    /// Last day of the period.
    pub to: Option<String>,
}

/// `WHERE` on the facility alias `f`: scope, type and prefecture.
fn facilities_where(qb: &mut QueryBuilder<'_, Sqlite>, scope: &Scope, filter: &Filter) {
    qb.push(" WHERE 1 = 1");
    push_scope(qb, scope, "f");
    if let Some(t) = &filter.facility_type {
        qb.push(" AND f.facility_type = ").push_bind(t.clone());
    }
    if let Some(p) = &filter.prefecture {
        qb.push(" AND f.prefecture = ").push_bind(p.clone());
    }
}

/// `AND column` within the period (dates or timestamps as text; the end day is inclusive).
fn in_period(qb: &mut QueryBuilder<'_, Sqlite>, column: &str, filter: &Filter) {
    if let Some(from) = &filter.from {
        qb.push(format!(" AND {column} >= ")).push_bind(from.clone());
    }
    if let Some(to) = &filter.to {
        qb.push(format!(" AND substr({column}, 1, 10) <= ")).push_bind(to.clone());
    }
}

/// `column` set and on or before the period's end: the funnel counts a step as of that day.
fn done_by(column: &str, filter: &Filter) -> String {
    match &filter.to {
        // Dates come from forms as YYYY-MM-DD (checked before they get here); quoting keeps SQL plain.
        Some(to) if to.len() == 10 && to.bytes().all(|b| b.is_ascii_digit() || b == b'-') => {
            format!("({column} IS NOT NULL AND {column} <= '{to}')")
        }
        _ => format!("({column} IS NOT NULL)"),
    }
}

/// Facilities by a grouping key with the funnel's steps: (key, facilities, reader applied,
/// ready, operating). `by` is `f.facility_type` or `f.prefecture`.
pub async fn funnel(
    pool: &SqlitePool,
    scope: &Scope,
    filter: &Filter,
    by: &str,
) -> sqlx::Result<Vec<(String, i64, i64, i64, i64)>> {
    let applied = done_by("a.applied_on", filter);
    // Ready: 導入完了 (or operating, which needs completed work: seeds/002).
    let ready = format!("({} OR {})", done_by("p.completed_on", filter), done_by("p.operation_started_on", filter));
    let operating = done_by("p.operation_started_on", filter);
    let mut qb = QueryBuilder::new(format!(
        "SELECT {by}, count(*), sum({applied}), sum({ready}), sum({operating})
         FROM facilities f
         LEFT JOIN reader_applications a ON a.facility_id = f.id
         LEFT JOIN facility_progress p ON p.facility_id = f.id"
    ));
    facilities_where(&mut qb, scope, filter);
    qb.push(format!(" GROUP BY {by} ORDER BY {by}"));
    qb.build_query_as().fetch_all(pool).await
}

/// Facilities stuck with a blocker: (stage, blocker label, count).
pub async fn blockers(pool: &SqlitePool, scope: &Scope, filter: &Filter) -> sqlx::Result<Vec<(String, String, i64)>> {
    let mut qb = QueryBuilder::new(
        "SELECT p.stage, coalesce(b.label_ja, p.blocker_text, p.blocker_code), count(*)
         FROM facility_progress p JOIN facilities f ON f.id = p.facility_id
         LEFT JOIN blocker_reasons b ON b.stage = p.stage AND b.code = p.blocker_code",
    );
    facilities_where(&mut qb, scope, filter);
    qb.push(" AND (p.blocker_code IS NOT NULL OR p.blocker_text IS NOT NULL)");
    in_period(&mut qb, "p.updated_at", filter);
    qb.push(" GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2");
    qb.build_query_as().fetch_all(pool).await
}

/// Confirmed quote lines by category: (category, lines, amount, lines charging for a free
/// item, lines of running costs). The two flag counts are the ones the category alone proves
/// (free_item_charged, ineligible_running_cost); the others need the whole audit.
pub async fn quote_categories(
    pool: &SqlitePool,
    scope: &Scope,
    filter: &Filter,
) -> sqlx::Result<Vec<(String, i64, i64, i64, i64)>> {
    let mut qb = QueryBuilder::new(
        "SELECT l.category, count(*), coalesce(sum(CAST(l.amount AS INTEGER)), 0),
                sum(l.category IN ('card_reader', 'app_software') AND CAST(l.amount AS INTEGER) > 0),
                sum(l.category IN ('maintenance', 'line_fee'))
         FROM quote_lines l JOIN quotes q ON q.id = l.quote_id JOIN facilities f ON f.id = q.facility_id",
    );
    facilities_where(&mut qb, scope, filter);
    qb.push(" AND q.confirmed = 1");
    in_period(&mut qb, "coalesce(q.quote_date, q.created_at)", filter);
    qb.push(" GROUP BY l.category ORDER BY 3 DESC");
    qb.build_query_as().fetch_all(pool).await
}

/// Complaints by vendor and status: (vendor, status, count).
pub async fn complaints(pool: &SqlitePool, scope: &Scope, filter: &Filter) -> sqlx::Result<Vec<(String, String, i64)>> {
    let mut qb = QueryBuilder::new(
        "SELECT coalesce(v.name, 'ベンダー未登録'), c.status, count(*)
         FROM complaints c JOIN facilities f ON f.id = c.facility_id LEFT JOIN vendors v ON v.id = c.vendor_id",
    );
    facilities_where(&mut qb, scope, filter);
    in_period(&mut qb, "c.filed_at", filter);
    qb.push(" GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2");
    qb.build_query_as().fetch_all(pool).await
}

/// Subsidy applications by status: (status, count, applied for, granted) in whole yen.
pub async fn subsidies(
    pool: &SqlitePool,
    scope: &Scope,
    filter: &Filter,
) -> sqlx::Result<Vec<(String, i64, i64, i64)>> {
    let mut qb = QueryBuilder::new(
        "SELECT a.status, count(*), coalesce(sum(CAST(a.subsidy AS INTEGER)), 0),
                coalesce(sum(CAST(a.paid_amount AS INTEGER)), 0)
         FROM subsidy_applications a JOIN facilities f ON f.id = a.facility_id",
    );
    facilities_where(&mut qb, scope, filter);
    in_period(&mut qb, "a.applied_on", filter);
    qb.push(" GROUP BY a.status ORDER BY a.status");
    qb.build_query_as().fetch_all(pool).await
}

/// Published figures: (series, as_of, source, facility type, prefecture, metric, value).
pub async fn published(pool: &SqlitePool) -> sqlx::Result<Vec<(String, String, String, String, String, String, i64)>> {
    sqlx::query_as(
        "SELECT series, as_of, source, facility_type, prefecture, metric, value FROM adoption_stats
         WHERE metric IN ('facilities', 'reader_applied', 'ready', 'connected', 'operating')
         ORDER BY as_of, series",
    )
    .fetch_all(pool)
    .await
}
