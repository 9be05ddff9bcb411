//! Aggregates for the dashboards, every one limited to the user's scope and the filters.
//!
//! Reviewers' and auditors' pages read `dashboard_totals` (running totals by prefecture ×
//! type × month, kept by triggers: migrations/20261122000008) for the whole months of the
//! period, and count the raw rows for the days of a month it covers only in part (found
//! through the indexes of migrations/20261122000009; the country's quote lines from their
//! daily totals, migrations/20261122000010). A manager's own facilities are always
//! counted from the raw rows. Both give the same figures (tests/api/dashboard.rs compares them).

use super::scope::push_scope;
use chrono::{Datelike, Months, NaiveDate};
use rules::access::Scope;
use sqlx::{QueryBuilder, Sqlite, SqlitePool};

/// What the dashboards are narrowed to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Facility type code.
    pub facility_type: Option<String>,
    /// Prefecture code.
    pub prefecture: Option<String>,
    /// First day of the period.
    pub from: Option<NaiveDate>,
    /// Last day of the period.
    pub to: Option<NaiveDate>,
}

impl Filter {
    /// The period as typed back into the form: a first or last day of a month as the month
    /// (YYYY-MM), other days as dates.
    pub fn months_typed(&self) -> (Option<String>, Option<String>) {
        let from = self.from.map(|d| if d.day() == 1 { month(d) } else { d.to_string() });
        let to = self.to.map(|d| if d == last_of_month(d) { month(d) } else { d.to_string() });
        (from, to)
    }

    /// The period as the totals answer it.
    pub fn split(&self) -> Split {
        let whole_first = self.from.map(|d| if d.day() == 1 { d } else { last_of_month(d).succ_opt().unwrap_or(d) });
        let whole_last =
            self.to.map(|d| if d == last_of_month(d) { d } else { first_of_month(d).pred_opt().unwrap_or(d) });
        let months = match (whole_first, whole_last) {
            (Some(first), Some(last)) if first > last => None,
            _ => Some((whole_first.map(month), whole_last.map(month))),
        };
        // The head and the tail, each cut to the period (one span when both are in one month).
        let within = |first: NaiveDate, last: NaiveDate| {
            let first = self.from.map_or(first, |from| first.max(from));
            let last = self.to.map_or(last, |to| last.min(to));
            (first <= last).then_some((first, last))
        };
        let head = self.from.filter(|d| d.day() != 1).and_then(|d| within(d, last_of_month(d)));
        let tail = self.to.filter(|d| *d != last_of_month(*d)).and_then(|d| within(first_of_month(d), d));
        let mut days: Vec<(NaiveDate, NaiveDate)> = head.into_iter().chain(tail).collect();
        days.dedup();
        Split { months, days }
    }

    /// The same filter as of its last day, whatever its first: the funnel counts every step
    /// taken by then.
    fn as_of_end(&self) -> Self {
        Self { from: None, ..self.clone() }
    }
}

/// A period as the running totals answer it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// The whole months in the period, first and last (YYYY-MM, open when `None`); `None`
    /// when it holds no whole month.
    pub months: Option<(Option<String>, Option<String>)>,
    /// The days of the months the period covers only in part, first and last: counted from
    /// the raw rows.
    pub days: Vec<(NaiveDate, NaiveDate)>,
}

fn month(d: NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn last_of_month(d: NaiveDate) -> NaiveDate {
    first_of_month(d).checked_add_months(Months::new(1)).and_then(|d| d.pred_opt()).unwrap_or(d)
}

/// Where a dashboard's figures come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The running totals for whole months, the raw rows for the days of part months.
    Totals,
    /// The raw rows for the whole period.
    Raw,
}

impl Source {
    /// The totals where they answer (a prefecture's or the country's facilities), else the raw
    /// rows: the totals hold a manager's prefecture and type, not their corporation.
    pub fn for_request(scope: &Scope) -> Self {
        match scope {
            Scope::Association { .. } | Scope::National => Self::Totals,
            _ => Self::Raw,
        }
    }
}

/// One part of a chart's figures.
enum Part {
    /// The running totals over whole months (first, last as YYYY-MM; open when `None`).
    Totals(Option<String>, Option<String>),
    /// The raw rows of the whole period (either end open).
    Raw(Option<NaiveDate>, Option<NaiveDate>),
    /// The raw rows of the days of a part month, first and last.
    Days(NaiveDate, NaiveDate),
}

/// The parts that make up a chart's figures for the period.
fn parts(source: Source, filter: &Filter) -> Vec<Part> {
    match source {
        Source::Raw => vec![Part::Raw(filter.from, filter.to)],
        Source::Totals => {
            let split = filter.split();
            let totals = split.months.map(|(first, last)| Part::Totals(first, last));
            totals.into_iter().chain(split.days.into_iter().map(|(a, b)| Part::Days(a, b))).collect()
        }
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
        None if !by_prefecture && reads_national_rows(scope, filter) => {
            qb.push(" AND f.prefecture = ''");
        }
        None => {
            qb.push(" AND f.prefecture <> ''");
        }
    }
}

/// Whether a chart not grouped by prefecture can read the national rows (prefecture ''):
/// the page reaches every prefecture and is not narrowed to one.
fn reads_national_rows(scope: &Scope, filter: &Filter) -> bool {
    matches!(scope, Scope::National) && filter.prefecture.is_none()
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

/// `AND column` between two days, both included. The column holds dates or timestamps as
/// text; comparing the column itself (not its date part) lets SQLite use its index.
fn between_days(qb: &mut QueryBuilder<'_, Sqlite>, column: &str, first: Option<NaiveDate>, last: Option<NaiveDate>) {
    if let Some(first) = first {
        qb.push(format!(" AND {column} >= ")).push_bind(first.to_string());
    }
    if let Some(after) = last.and_then(|d| d.succ_opt()) {
        qb.push(format!(" AND {column} < ")).push_bind(after.to_string());
    }
}

/// `column` set and on or before the day: the funnel counts a step as of that day.
fn done_by(column: &str, day: Option<NaiveDate>) -> String {
    match day {
        // A date prints as YYYY-MM-DD: nothing to quote.
        Some(day) => format!("({column} IS NOT NULL AND {column} <= '{day}')"),
        None => format!("({column} IS NOT NULL)"),
    }
}

/// The day a facility became ready: 導入完了 or 運用開始, whichever came first (operating
/// needs completed work: seeds/002). The expression is migration 20261122000009's index.
const READY_DAY: &str =
    "min(coalesce(p.completed_on, p.operation_started_on), coalesce(p.operation_started_on, p.completed_on))";

/// Adds the parts as `UNION ALL` arms; false when there is none (an empty period).
fn push_parts(
    qb: &mut QueryBuilder<'_, Sqlite>,
    parts: &[Part],
    mut arm: impl FnMut(&mut QueryBuilder<'_, Sqlite>, &Part),
) -> bool {
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            qb.push(" UNION ALL ");
        }
        arm(qb, part);
    }
    !parts.is_empty()
}

/// Facilities by a grouping key with the funnel's steps as of the period's end: (key,
/// facilities, reader applied, ready, operating). `by` is `f.facility_type` or `f.prefecture`.
pub async fn funnel(
    db: impl sqlx::SqliteExecutor<'_>,
    source: Source,
    scope: &Scope,
    filter: &Filter,
    by: &str,
) -> sqlx::Result<Vec<(String, i64, i64, i64, i64)>> {
    let as_of = filter.as_of_end();
    let by_prefecture = by == "f.prefecture";
    let mut qb = QueryBuilder::new("SELECT k, sum(n), sum(reader_applied), sum(ready), sum(operating) FROM (");
    let arm = |qb: &mut QueryBuilder<'_, Sqlite>, part: &Part| match part {
        Part::Totals(_, last) => {
            // Every facility, and the steps taken in every month up to the last.
            qb.push(format!("SELECT {by} AS k, sum(CASE WHEN f.metric = 'facilities' THEN f.n ELSE 0 END) AS n"));
            for metric in ["reader_applied", "ready", "operating"] {
                qb.push(format!(", sum(CASE WHEN f.metric = '{metric}'"));
                if let Some(last) = last {
                    qb.push(" AND f.month <= ").push_bind(last.clone());
                }
                qb.push(format!(" THEN f.n ELSE 0 END) AS {metric}"));
            }
            qb.push(" FROM dashboard_totals f");
            totals_where(qb, &["facilities", "reader_applied", "ready", "operating"], scope, filter, by_prefecture);
            qb.push(" GROUP BY 1");
        }
        // The whole period from the raw rows: every facility, with the steps done by its end
        // (the funnel's period has no start: `as_of_end`).
        Part::Raw(_, last) => {
            let applied = done_by("a.applied_on", *last);
            let ready = done_by(READY_DAY, *last);
            let operating = done_by("p.operation_started_on", *last);
            qb.push(format!(
                "SELECT {by} AS k, count(*) AS n, sum({applied}) AS reader_applied, sum({ready}) AS ready,
                        sum({operating}) AS operating
                 FROM facilities f
                 LEFT JOIN reader_applications a ON a.facility_id = f.id
                 LEFT JOIN facility_progress p ON p.facility_id = f.id"
            ));
            facilities_where(qb, scope, filter);
            qb.push(" GROUP BY 1");
        }
        // The steps taken on the days of a part month, each found through its day's index.
        Part::Days(first, last) => {
            let steps = [
                ("0, count(*), 0, 0", "reader_applications a", "a", "a.applied_on"),
                ("0, 0, count(*), 0", "facility_progress p", "p", READY_DAY),
                ("0, 0, 0, count(*)", "facility_progress p", "p", "p.operation_started_on"),
            ];
            for (i, (counts, table, alias, day)) in steps.into_iter().enumerate() {
                if i > 0 {
                    qb.push(" UNION ALL ");
                }
                qb.push(format!("SELECT {by}, {counts} FROM {table} JOIN facilities f ON f.id = {alias}.facility_id"));
                facilities_where(qb, scope, filter);
                between_days(qb, day, Some(*first), Some(*last));
                qb.push(" GROUP BY 1");
            }
        }
    };
    if !push_parts(&mut qb, &parts(source, &as_of), arm) {
        return Ok(Vec::new());
    }
    qb.push(") GROUP BY k HAVING sum(n) > 0 ORDER BY k");
    qb.build_query_as().fetch_all(db).await
}

/// A chart grouped by codes: the same figures from the totals and from the raw rows. Both
/// arms name their columns as `outer` reads them.
struct Grouped {
    /// `SELECT … FROM (` over the arms, which sums their figures by key.
    outer: &'static str,
    /// `) GROUP BY … HAVING … ORDER BY …`.
    outer_tail: &'static str,
    /// `SELECT … FROM dashboard_totals f …` (joins included).
    totals: &'static str,
    /// The totals' metric.
    metric: &'static str,
    /// `SELECT … FROM … JOIN facilities f …` on the raw rows.
    raw: &'static str,
    /// Extra `AND …` on the raw rows.
    raw_condition: &'static str,
    /// The raw column the period applies to (a date or a timestamp; indexed).
    period: &'static str,
    /// `GROUP BY …` in each arm.
    group: &'static str,
    /// `SELECT … FROM … f` over national rows by day (`f.day`, `f.facility_type`), when the
    /// chart has them: a part month's days for the whole country (migrations/20261122000010).
    national_days: Option<&'static str>,
}

async fn grouped<T>(
    db: impl sqlx::SqliteExecutor<'_>,
    q: &Grouped,
    source: Source,
    scope: &Scope,
    filter: &Filter,
) -> sqlx::Result<Vec<T>>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
{
    let mut qb = QueryBuilder::new(q.outer);
    let raw = |qb: &mut QueryBuilder<'_, Sqlite>, first: Option<NaiveDate>, last: Option<NaiveDate>| {
        qb.push(q.raw);
        facilities_where(qb, scope, filter);
        qb.push(q.raw_condition);
        between_days(qb, q.period, first, last);
        qb.push(q.group);
    };
    let arm = |qb: &mut QueryBuilder<'_, Sqlite>, part: &Part| match part {
        Part::Totals(first, last) => {
            qb.push(q.totals);
            totals_where(qb, &[q.metric], scope, filter, false);
            months_between(qb, first, last);
            qb.push(q.group);
        }
        Part::Raw(first, last) => raw(qb, *first, *last),
        Part::Days(first, last) => match q.national_days {
            Some(days) if reads_national_rows(scope, filter) => {
                qb.push(days);
                qb.push(" WHERE f.day >= ").push_bind(first.to_string());
                qb.push(" AND f.day <= ").push_bind(last.to_string());
                if let Some(t) = &filter.facility_type {
                    qb.push(" AND f.facility_type = ").push_bind(t.clone());
                }
                qb.push(q.group);
            }
            _ => raw(qb, Some(*first), Some(*last)),
        },
    };
    if !push_parts(&mut qb, &parts(source, filter), arm) {
        return Ok(Vec::new());
    }
    qb.push(q.outer_tail);
    qb.build_query_as().fetch_all(db).await
}

/// Facilities stuck with a blocker: (stage, blocker label, count). The label is the reason's
/// (seeds/002 survey) when the code is known, else the code or the text typed.
pub async fn blockers(
    db: impl sqlx::SqliteExecutor<'_>,
    source: Source,
    scope: &Scope,
    filter: &Filter,
) -> sqlx::Result<Vec<(String, String, i64)>> {
    const BLOCKERS: Grouped = Grouped {
        outer: "SELECT stage, label, sum(n) FROM (",
        outer_tail: ") GROUP BY 1, 2 HAVING sum(n) > 0 ORDER BY 3 DESC, 1, 2",
        totals: "SELECT f.key AS stage, coalesce(b.label_ja, f.detail) AS label, sum(f.n) AS n
                 FROM dashboard_totals f LEFT JOIN blocker_reasons b ON b.stage = f.key AND b.code = f.detail",
        metric: "blocker",
        raw: "SELECT p.stage AS stage, coalesce(b.label_ja, p.blocker_code, p.blocker_text) AS label, count(*) AS n
              FROM facility_progress p JOIN facilities f ON f.id = p.facility_id
              LEFT JOIN blocker_reasons b ON b.stage = p.stage AND b.code = p.blocker_code",
        raw_condition: " AND (p.blocker_code IS NOT NULL OR p.blocker_text IS NOT NULL)",
        period: "p.updated_at",
        group: " GROUP BY 1, 2",
        national_days: None,
    };
    grouped(db, &BLOCKERS, source, scope, filter).await
}

/// Confirmed quote lines by category: (category, lines, amount, lines charging for a free
/// item, lines of running costs). The two flag counts are the ones the category alone proves
/// (free_item_charged, ineligible_running_cost); the others need the whole audit.
pub async fn quote_categories(
    db: impl sqlx::SqliteExecutor<'_>,
    source: Source,
    scope: &Scope,
    filter: &Filter,
) -> sqlx::Result<Vec<(String, i64, i64, i64, i64)>> {
    const QUOTE_CATEGORIES: Grouped = Grouped {
        outer: "SELECT category, sum(n), sum(amount), sum(free_items), sum(running) FROM (",
        outer_tail: ") GROUP BY 1 HAVING sum(n) > 0 ORDER BY 3 DESC, 1",
        totals:
            "SELECT f.key AS category, sum(f.n) AS n, sum(f.amount) AS amount, sum(f.free_item_lines) AS free_items,
                        sum(CASE WHEN f.key IN ('maintenance', 'line_fee') THEN f.n ELSE 0 END) AS running
                 FROM dashboard_totals f",
        metric: "quote_line",
        raw: "SELECT l.category AS category, count(*) AS n, coalesce(sum(CAST(l.amount AS INTEGER)), 0) AS amount,
                     sum(l.category IN ('card_reader', 'app_software') AND CAST(l.amount AS INTEGER) > 0) AS free_items,
                     sum(l.category IN ('maintenance', 'line_fee')) AS running
              FROM quotes q JOIN quote_lines l ON l.quote_id = q.id JOIN facilities f ON f.id = q.facility_id",
        raw_condition: " AND q.confirmed = 1",
        period: "coalesce(q.quote_date, q.created_at)",
        group: " GROUP BY 1",
        national_days: Some(
            "SELECT f.category AS category, sum(f.n) AS n, sum(f.amount) AS amount, sum(f.free_item_lines) AS free_items,
                    sum(CASE WHEN f.category IN ('maintenance', 'line_fee') THEN f.n ELSE 0 END) AS running
             FROM dashboard_line_days f",
        ),
    };
    grouped(db, &QUOTE_CATEGORIES, source, scope, filter).await
}

/// Complaints by vendor and status: (vendor, status, count).
pub async fn complaints(
    db: impl sqlx::SqliteExecutor<'_>,
    source: Source,
    scope: &Scope,
    filter: &Filter,
) -> sqlx::Result<Vec<(String, String, i64)>> {
    const COMPLAINTS: Grouped = Grouped {
        outer: "SELECT vendor, status, sum(n) FROM (",
        outer_tail: ") GROUP BY 1, 2 HAVING sum(n) > 0 ORDER BY 3 DESC, 1, 2",
        totals: "SELECT coalesce(v.name, 'ベンダー未登録') AS vendor, f.key AS status, sum(f.n) AS n
                 FROM dashboard_totals f LEFT JOIN vendors v ON f.detail <> '' AND v.id = CAST(f.detail AS INTEGER)",
        metric: "complaint",
        raw: "SELECT coalesce(v.name, 'ベンダー未登録') AS vendor, c.status AS status, count(*) AS n
              FROM complaints c JOIN facilities f ON f.id = c.facility_id LEFT JOIN vendors v ON v.id = c.vendor_id",
        raw_condition: "",
        period: "c.filed_at",
        group: " GROUP BY 1, 2",
        national_days: None,
    };
    grouped(db, &COMPLAINTS, source, scope, filter).await
}

/// Subsidy applications by status: (status, count, applied for, granted) in whole yen.
pub async fn subsidies(
    db: impl sqlx::SqliteExecutor<'_>,
    source: Source,
    scope: &Scope,
    filter: &Filter,
) -> sqlx::Result<Vec<(String, i64, i64, i64)>> {
    const SUBSIDIES: Grouped = Grouped {
        outer: "SELECT status, sum(n), sum(amount), sum(granted) FROM (",
        outer_tail: ") GROUP BY 1 HAVING sum(n) > 0 ORDER BY 1",
        totals: "SELECT f.key AS status, sum(f.n) AS n, sum(f.amount) AS amount, sum(f.granted) AS granted
                 FROM dashboard_totals f",
        metric: "subsidy",
        raw: "SELECT a.status AS status, count(*) AS n, coalesce(sum(CAST(a.subsidy AS INTEGER)), 0) AS amount,
                     coalesce(sum(CAST(a.paid_amount AS INTEGER)), 0) AS granted
              FROM subsidy_applications a JOIN facilities f ON f.id = a.facility_id",
        raw_condition: "",
        period: "a.applied_on",
        group: " GROUP BY 1",
        national_days: None,
    };
    grouped(db, &SUBSIDIES, source, scope, filter).await
}

/// Subsidy applications by prefecture, facility type and status from the running totals:
/// (prefecture, type, status, count, 補助金申請額, 交付額) in whole yen, for the application list's
/// totals of a reviewer or an auditor (the totals hold no corporation or name:
/// `db::applications::by_place` reads those from the rows). They hold every prefecture's rows, so
/// a national page reads 47 × 5 × 3 rows at most.
pub async fn subsidies_by_place(
    db: impl sqlx::SqliteExecutor<'_>,
    scope: &Scope,
    filter: &Filter,
) -> sqlx::Result<Vec<(String, String, String, i64, i64, i64)>> {
    let mut qb = QueryBuilder::new(
        "SELECT f.prefecture, f.facility_type, f.key, sum(f.n), sum(f.amount), sum(f.granted) FROM dashboard_totals f",
    );
    totals_where(&mut qb, &["subsidy"], scope, filter, true);
    // Rows of applications since moved or deleted stay, at zero.
    qb.push(" GROUP BY 1, 2, 3 HAVING sum(f.n) <> 0 ORDER BY 1, 2, 3");
    qb.build_query_as().fetch_all(db).await
}

/// The totals' generation: it changes whenever anything the dashboards show changes
/// (migrations/20261122000008).
pub async fn generation(pool: &SqlitePool) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT generation FROM dashboard_generation WHERE id = 1").fetch_one(pool).await
}

/// Rows where the running totals (monthly, and the national quote lines by day) differ from
/// the raw rows: none unless a write bypassed the triggers (the tests run it after every kind
/// of write).
pub async fn totals_drift(
    db: impl sqlx::SqliteExecutor<'_>,
) -> sqlx::Result<Vec<(String, String, String, String, String, String, i64)>> {
    sqlx::query_as(
        "SELECT metric, prefecture, facility_type, key, detail, month, n FROM dashboard_totals_drift
         UNION ALL
         SELECT 'quote_line_day', '', facility_type, category, '', day, n FROM dashboard_line_days_drift",
    )
    .fetch_all(db)
    .await
}

/// Published figures: (series, as_of, source, facility type, prefecture, metric, value).
pub async fn published(
    db: impl sqlx::SqliteExecutor<'_>,
) -> sqlx::Result<Vec<(String, String, String, String, String, String, i64)>> {
    sqlx::query_as(
        "SELECT series, as_of, source, facility_type, prefecture, metric, value FROM adoption_stats
         WHERE metric IN ('facilities', 'reader_applied', 'ready', 'connected', 'operating')
         ORDER BY as_of, series",
    )
    .fetch_all(db)
    .await
}
