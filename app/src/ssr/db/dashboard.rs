//! Aggregates for the dashboards, every one limited to the user's scope and the filters.
//!
//! Reviewers' and auditors' pages read `dashboard_totals` (running totals by prefecture ×
//! type × month, kept by triggers: migrations/20261122000008) when the period is whole months
//! or open; a period starting or ending mid-month, and a manager's own facilities, count the
//! raw rows. Both give the same figures (tests/api/dashboard.rs compares them).

use super::scope::push_scope;
use chrono::{Datelike, NaiveDate};
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

impl Filter {
    /// The period as whole months (first, last as YYYY-MM), if it is whole months or open.
    fn months(&self) -> Option<(Option<String>, Option<String>)> {
        let day = |d: &Option<String>| match d {
            None => Ok(None),
            Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d").map(Some).map_err(|_| ()),
        };
        let (from, to) = (day(&self.from).ok()?, day(&self.to).ok()?);
        let month = |d: NaiveDate| format!("{:04}-{:02}", d.year(), d.month());
        if from.is_some_and(|d| d.day() != 1) || to.is_some_and(|d| d.succ_opt().is_some_and(|next| next.day() != 1)) {
            return None;
        }
        Some((from.map(month), to.map(month)))
    }

    /// The period as typed back into the form: whole months as YYYY-MM, other days as dates.
    pub fn months_typed(&self) -> (Option<String>, Option<String>) {
        self.months().unwrap_or_else(|| (self.from.clone(), self.to.clone()))
    }
}

/// Where a dashboard's figures come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The running totals, for whole months: (first, last) month as YYYY-MM, open when `None`.
    Totals(Option<String>, Option<String>),
    /// The raw rows: any period, any scope.
    Raw,
}

impl Source {
    /// The totals where they answer exactly (a prefecture's or the country's facilities over
    /// whole months), else the raw rows.
    pub fn for_request(scope: &Scope, filter: &Filter) -> Self {
        match scope {
            Scope::Association { .. } | Scope::National => Self::totals(filter).unwrap_or(Self::Raw),
            _ => Self::Raw,
        }
    }

    /// The totals for the filter's period, if it is whole months (whatever the scope: the
    /// totals hold a manager's prefecture and type, not their corporation, so only tests ask).
    pub fn totals(filter: &Filter) -> Option<Self> {
        filter.months().map(|(from, to)| Self::Totals(from, to))
    }
}

/// `WHERE` on the totals alias `f`: metric, scope, type and prefecture. A page that reaches
/// every prefecture and does not group by prefecture reads the national rows (prefecture '').
fn totals_where(
    qb: &mut QueryBuilder<'_, Sqlite>,
    metrics: &[&str],
    scope: &Scope,
    filter: &Filter,
    by_prefecture: bool,
) {
    qb.push(" WHERE f.metric IN (");
    let mut list = qb.separated(", ");
    for m in metrics {
        list.push_bind((*m).to_owned());
    }
    qb.push(")");
    push_scope(qb, scope, "f");
    if let Some(t) = &filter.facility_type {
        qb.push(" AND f.facility_type = ").push_bind(t.clone());
    }
    match &filter.prefecture {
        Some(p) => {
            qb.push(" AND f.prefecture = ").push_bind(p.clone());
        }
        None if !by_prefecture && matches!(scope, Scope::National) => {
            qb.push(" AND f.prefecture = ''");
        }
        None => {
            qb.push(" AND f.prefecture <> ''");
        }
    }
}

/// `AND f.month` within the months.
fn months_between(qb: &mut QueryBuilder<'_, Sqlite>, from: &Option<String>, to: &Option<String>) {
    if let Some(from) = from {
        qb.push(" AND f.month >= ").push_bind(from.clone());
    }
    if let Some(to) = to {
        qb.push(" AND f.month <= ").push_bind(to.clone());
    }
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
    source: &Source,
    scope: &Scope,
    filter: &Filter,
    by: &str,
) -> sqlx::Result<Vec<(String, i64, i64, i64, i64)>> {
    let mut qb;
    match source {
        Source::Totals(_, to) => {
            // As of the last month: every month up to it.
            qb = QueryBuilder::new(format!("SELECT {by}, sum(CASE WHEN f.metric = 'facilities' THEN f.n ELSE 0 END)"));
            for metric in ["reader_applied", "ready", "operating"] {
                qb.push(format!(", sum(CASE WHEN f.metric = '{metric}'"));
                if let Some(to) = to {
                    qb.push(" AND f.month <= ").push_bind(to.clone());
                }
                qb.push(" THEN f.n ELSE 0 END)");
            }
            qb.push(" FROM dashboard_totals f");
            let by_prefecture = by == "f.prefecture";
            totals_where(
                &mut qb,
                &["facilities", "reader_applied", "ready", "operating"],
                scope,
                filter,
                by_prefecture,
            );
            qb.push(format!(
                " GROUP BY {by} HAVING sum(CASE WHEN f.metric = 'facilities' THEN f.n ELSE 0 END) > 0 ORDER BY {by}"
            ));
        }
        Source::Raw => {
            let applied = done_by("a.applied_on", filter);
            // Ready: 導入完了 (or operating, which needs completed work: seeds/002).
            let ready =
                format!("({} OR {})", done_by("p.completed_on", filter), done_by("p.operation_started_on", filter));
            let operating = done_by("p.operation_started_on", filter);
            qb = QueryBuilder::new(format!(
                "SELECT {by}, count(*), sum({applied}), sum({ready}), sum({operating})
                 FROM facilities f
                 LEFT JOIN reader_applications a ON a.facility_id = f.id
                 LEFT JOIN facility_progress p ON p.facility_id = f.id"
            ));
            facilities_where(&mut qb, scope, filter);
            qb.push(format!(" GROUP BY {by} ORDER BY {by}"));
        }
    }
    qb.build_query_as().fetch_all(pool).await
}

/// A chart grouped by codes: the same figures from the totals or from the raw rows.
struct Grouped {
    /// `SELECT … FROM dashboard_totals f …`.
    totals: &'static str,
    /// The totals' metric.
    metric: &'static str,
    /// `GROUP BY … HAVING … ORDER BY …` on the totals.
    totals_tail: &'static str,
    /// `SELECT … FROM … JOIN facilities f …` on the raw rows.
    raw: &'static str,
    /// Extra `AND …` on the raw rows.
    raw_condition: &'static str,
    /// The raw column the period applies to (a date or a timestamp).
    period: &'static str,
    /// `GROUP BY … ORDER BY …` on the raw rows (the same order as the totals').
    raw_tail: &'static str,
}

async fn grouped<T>(
    pool: &SqlitePool,
    q: &Grouped,
    source: &Source,
    scope: &Scope,
    filter: &Filter,
) -> sqlx::Result<Vec<T>>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
{
    let mut qb;
    match source {
        Source::Totals(from, to) => {
            qb = QueryBuilder::new(q.totals);
            totals_where(&mut qb, &[q.metric], scope, filter, false);
            months_between(&mut qb, from, to);
            qb.push(q.totals_tail);
        }
        Source::Raw => {
            qb = QueryBuilder::new(q.raw);
            facilities_where(&mut qb, scope, filter);
            qb.push(q.raw_condition);
            in_period(&mut qb, q.period, filter);
            qb.push(q.raw_tail);
        }
    }
    qb.build_query_as().fetch_all(pool).await
}

/// Facilities stuck with a blocker: (stage, blocker label, count). The label is the reason's
/// (seeds/002 survey) when the code is known, else the code or the text typed.
pub async fn blockers(
    pool: &SqlitePool,
    source: &Source,
    scope: &Scope,
    filter: &Filter,
) -> sqlx::Result<Vec<(String, String, i64)>> {
    const BLOCKERS: Grouped = Grouped {
        totals: "SELECT f.key, coalesce(b.label_ja, f.detail), sum(f.n)
                 FROM dashboard_totals f LEFT JOIN blocker_reasons b ON b.stage = f.key AND b.code = f.detail",
        metric: "blocker",
        totals_tail: " GROUP BY 1, 2 HAVING sum(f.n) > 0 ORDER BY 3 DESC, 1, 2",
        raw: "SELECT p.stage, coalesce(b.label_ja, p.blocker_code, p.blocker_text), count(*)
              FROM facility_progress p JOIN facilities f ON f.id = p.facility_id
              LEFT JOIN blocker_reasons b ON b.stage = p.stage AND b.code = p.blocker_code",
        raw_condition: " AND (p.blocker_code IS NOT NULL OR p.blocker_text IS NOT NULL)",
        period: "p.updated_at",
        raw_tail: " GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2",
    };
    grouped(pool, &BLOCKERS, source, scope, filter).await
}

/// Confirmed quote lines by category: (category, lines, amount, lines charging for a free
/// item, lines of running costs). The two flag counts are the ones the category alone proves
/// (free_item_charged, ineligible_running_cost); the others need the whole audit.
pub async fn quote_categories(
    pool: &SqlitePool,
    source: &Source,
    scope: &Scope,
    filter: &Filter,
) -> sqlx::Result<Vec<(String, i64, i64, i64, i64)>> {
    const QUOTE_CATEGORIES: Grouped = Grouped {
        totals: "SELECT f.key, sum(f.n), sum(f.amount), sum(f.free_item_lines),
                        sum(CASE WHEN f.key IN ('maintenance', 'line_fee') THEN f.n ELSE 0 END)
                 FROM dashboard_totals f",
        metric: "quote_line",
        totals_tail: " GROUP BY f.key HAVING sum(f.n) > 0 ORDER BY 3 DESC, 1",
        raw: "SELECT l.category, count(*), coalesce(sum(CAST(l.amount AS INTEGER)), 0),
                     sum(l.category IN ('card_reader', 'app_software') AND CAST(l.amount AS INTEGER) > 0),
                     sum(l.category IN ('maintenance', 'line_fee'))
              FROM quote_lines l JOIN quotes q ON q.id = l.quote_id JOIN facilities f ON f.id = q.facility_id",
        raw_condition: " AND q.confirmed = 1",
        period: "coalesce(q.quote_date, q.created_at)",
        raw_tail: " GROUP BY l.category ORDER BY 3 DESC, 1",
    };
    grouped(pool, &QUOTE_CATEGORIES, source, scope, filter).await
}

/// Complaints by vendor and status: (vendor, status, count).
pub async fn complaints(
    pool: &SqlitePool,
    source: &Source,
    scope: &Scope,
    filter: &Filter,
) -> sqlx::Result<Vec<(String, String, i64)>> {
    const COMPLAINTS: Grouped = Grouped {
        totals: "SELECT coalesce(v.name, 'ベンダー未登録'), f.key, sum(f.n)
                 FROM dashboard_totals f LEFT JOIN vendors v ON f.detail <> '' AND v.id = CAST(f.detail AS INTEGER)",
        metric: "complaint",
        totals_tail: " GROUP BY 1, 2 HAVING sum(f.n) > 0 ORDER BY 3 DESC, 1, 2",
        raw: "SELECT coalesce(v.name, 'ベンダー未登録'), c.status, count(*)
              FROM complaints c JOIN facilities f ON f.id = c.facility_id LEFT JOIN vendors v ON v.id = c.vendor_id",
        raw_condition: "",
        period: "c.filed_at",
        raw_tail: " GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2",
    };
    grouped(pool, &COMPLAINTS, source, scope, filter).await
}

/// Subsidy applications by status: (status, count, applied for, granted) in whole yen.
pub async fn subsidies(
    pool: &SqlitePool,
    source: &Source,
    scope: &Scope,
    filter: &Filter,
) -> sqlx::Result<Vec<(String, i64, i64, i64)>> {
    const SUBSIDIES: Grouped = Grouped {
        totals: "SELECT f.key, sum(f.n), sum(f.amount), sum(f.granted) FROM dashboard_totals f",
        metric: "subsidy",
        totals_tail: " GROUP BY f.key HAVING sum(f.n) > 0 ORDER BY f.key",
        raw: "SELECT a.status, count(*), coalesce(sum(CAST(a.subsidy AS INTEGER)), 0),
                     coalesce(sum(CAST(a.paid_amount AS INTEGER)), 0)
              FROM subsidy_applications a JOIN facilities f ON f.id = a.facility_id",
        raw_condition: "",
        period: "a.applied_on",
        raw_tail: " GROUP BY a.status ORDER BY a.status",
    };
    grouped(pool, &SUBSIDIES, source, scope, filter).await
}

/// The totals' generation: it changes whenever anything the dashboards show changes
/// (migrations/20261122000008).
pub async fn generation(pool: &SqlitePool) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT generation FROM dashboard_generation WHERE id = 1").fetch_one(pool).await
}

/// Rows where the running totals differ from the raw rows: none unless a write bypassed the
/// triggers (the tests run it after every kind of write).
pub async fn totals_drift(
    pool: &SqlitePool,
) -> sqlx::Result<Vec<(String, String, String, String, String, String, i64)>> {
    sqlx::query_as("SELECT metric, prefecture, facility_type, key, detail, month, n FROM dashboard_totals_drift")
        .fetch_all(pool)
        .await
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
