//! Server functions of the vendor pages: one vendor's record, and the league table.
#![expect(missing_docs, reason = "#[server] generates argument structs whose fields cannot carry docs")]

use crate::UiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A vendor's record within the user's scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VendorStats {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Quotes seen.
    pub quotes: usize,
    /// Flags by code label: (label, count).
    pub flags: Vec<(String, usize)>,
    /// Total flags.
    pub flag_total: usize,
    /// Median ratio of price to the benchmark ceiling by category: (label, ratio "1.35", lines).
    pub ratios: Vec<(String, String, usize)>,
    /// Median ratio over all benchmarked lines.
    pub overall_ratio: Option<String>,
    /// Complaints by status: (label, count).
    pub complaints: Vec<(String, usize)>,
    /// Total complaints.
    pub complaint_total: usize,
}

/// The league as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeagueTable {
    /// The vendors, sorted as asked.
    pub rows: Vec<VendorStats>,
    /// When the rows were computed (日本時間), when they are a computation behind: something the
    /// audit reads changed since, and the league is being computed again.
    pub computed_at: Option<String>,
}

#[cfg(feature = "ssr")]
fn median(mut v: Vec<rust_decimal::Decimal>) -> Option<rust_decimal::Decimal> {
    if v.is_empty() {
        return None;
    }
    v.sort();
    let n = v.len();
    Some(if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / rust_decimal::Decimal::from(2) })
}

/// A confirmed quote as a vendor's record audits it, with its lines.
#[cfg(feature = "ssr")]
#[derive(sqlx::FromRow)]
struct AuditedQuote {
    vendor_id: i64,
    tax_inclusive: bool,
    #[sqlx(flatten)]
    written: crate::ssr::db::quotes::Written,
    /// The facility's facts, as its quote page reads them.
    #[sqlx(flatten)]
    facts: crate::ssr::db::provisioning::FactsRow,
    /// The lines in order, as a JSON array of `[[stored line's columns in order], comparable price]`.
    lines: String,
}

/// What the records count, per vendor, as the quotes go by.
#[cfg(feature = "ssr")]
#[derive(Default)]
struct Tally {
    quotes: usize,
    flags: Vec<(String, usize)>,
    ratios: Vec<(rules::category::Category, Vec<rust_decimal::Decimal>)>,
}

/// How the audits of [`audits`] run, off the async workers either way.
#[cfg(feature = "ssr")]
enum Run {
    /// For the page that waits, within its deadline (a vendor's record audited alone).
    Page,
    /// Kept for every view when done (a league): to the end, unless the server stops.
    Kept,
}

/// The confirmed quotes of the scope (of one vendor, or of all), audited as the quote page
/// audits them: one query streaming the quotes with their lines, one peer group per facility
/// type with each quote's own prices left out in turn. Auditing quote by quote took a dozen
/// queries and a peer group each: 8,000 facilities took 484 s.
///
/// `generation` (of `audit_generation`) is read by the caller before: the peer groups kept
/// at it are used. The audits run on a blocking thread (the national league audits 230,000
/// quotes, ~10 s of CPU), which waits there for each quote from the database and stops when
/// told to ([`crate::ssr::heavy_work::Cancel`]).
#[cfg(feature = "ssr")]
async fn audits(
    pool: &sqlx::SqlitePool,
    scope: &rules::access::Scope,
    only: Option<i64>,
    generation: i64,
    (work, run): (&crate::ssr::heavy_work::HeavyWork, Run),
) -> Result<std::collections::BTreeMap<i64, Tally>, UiError> {
    use crate::ssr::{context::internal, db};
    let bench = db::benchmarks::stored(pool).await.map_err(internal)?;
    let peers = db::peers::every_facility_type(pool, generation).await.map_err(internal)?;
    let (pool, scope) = (pool.clone(), *scope);
    let audit_all =
        move |cancel: &crate::ssr::heavy_work::Cancel| audit_quotes(&pool, &scope, only, &bench, &peers, cancel);
    match run {
        Run::Page => work.page(audit_all).await,
        Run::Kept => work.background(audit_all).await,
    }
}

/// The body of [`audits`], on a blocking thread.
#[cfg(feature = "ssr")]
fn audit_quotes(
    pool: &sqlx::SqlitePool,
    scope: &rules::access::Scope,
    only: Option<i64>,
    bench: &rules::audit::Benchmarks,
    peers: &std::collections::HashMap<String, rules::audit::Peers>,
    cancel: &crate::ssr::heavy_work::Cancel,
) -> Result<std::collections::BTreeMap<i64, Tally>, UiError> {
    use crate::ssr::db::scope::push_scope;
    use crate::ssr::{context::internal, db};
    use futures_util::TryStreamExt;
    use std::collections::BTreeMap;
    let runtime = tokio::runtime::Handle::current();
    let confirmed = |select: &str| {
        let mut qb = sqlx::QueryBuilder::new(select);
        qb.push(" WHERE q.confirmed = 1 AND q.vendor_id IS NOT NULL");
        if let Some(id) = only {
            qb.push(" AND q.vendor_id = ");
            qb.push_bind(id);
        }
        push_scope(&mut qb, scope, "f");
        qb
    };
    // One row per quote, its lines packed into JSON by SQLite: the driver hands each value
    // across threads on its own, and 2.3 million lines × 11 values took most of the national
    // league's time (BENCHMARKS.md, vendor league).
    // The facts of each quote's facility come in its row. Its progress dates do not move
    // `audit_generation`, and need not: they choose among schemes whose caps are the same for a
    // type and reader count (rules/data/schemes.json), and the flags counted here read only the
    // cap, never the subsidy.
    let mut qb = confirmed(&format!(
        "SELECT q.vendor_id, q.tax_inclusive, q.written_subtotal AS subtotal,
                q.written_tax AS tax, q.written_tax_included AS tax_included, q.written_total AS total,
                q.written_summary AS summary,
                {}, {} AS lines
         FROM quotes q JOIN facilities f ON f.id = q.facility_id {}",
        db::provisioning::FACTS_COLUMNS,
        db::audit_lines::PACKED_LINES,
        db::provisioning::FACTS_JOINS
    ));
    qb.push(" ORDER BY q.id");
    let mut tallies: BTreeMap<i64, Tally> = BTreeMap::new();
    let mut quotes = qb.build_query_as::<AuditedQuote>().fetch(pool);
    while let Some(q) = runtime.block_on(quotes.try_next()).map_err(internal)? {
        cancel.check()?;
        let kind = q.facts.facility_type.parse::<rules::FacilityType>().map_err(internal)?;
        let (stored, priced) = db::audit_lines::unpack(&q.lines).map_err(internal)?;
        let (quote, classified) = db::quotes::audit_input(&stored, &q.written, q.tax_inclusive);
        let ctx = rules::audit::AuditContext::of_facility(&q.facts.facts());
        let mut group = peers.get(&q.facts.facility_type).cloned().unwrap_or_default();
        group.leave_out(priced.iter().copied());
        let r =
            rules::audit::audit_classified(&quote, &classified, &ctx, bench, &group, rules::scheme::Catalog::builtin());
        let t = tallies.entry(q.vendor_id).or_default();
        t.quotes += 1;
        for f in r.flags.iter().chain(r.lines.iter().flat_map(|l| l.flags.iter())) {
            let label = f.code.label_ja();
            match t.flags.iter_mut().find(|(c, _)| c == label) {
                Some((_, n)) => *n += 1,
                None => t.flags.push((label.to_owned(), 1)),
            }
        }
        for (c, p) in priced {
            let Some(range) = bench.price_range(c, kind) else { continue };
            if range.high.amount().is_zero() {
                continue;
            }
            let ratio = p.amount() / range.high.amount();
            match t.ratios.iter_mut().find(|(x, _)| *x == c) {
                Some((_, v)) => v.push(ratio),
                None => t.ratios.push((c, vec![ratio])),
            }
        }
    }
    drop(quotes);
    Ok(tallies)
}

/// `rows` (vendors' audits) with the complaints in the scope about each vendor (of `only`, or
/// of all) and the vendors' names as they are now, a row added for a vendor with complaints
/// but no quotes. Read for every view: a grouped count over the complaints, milliseconds at
/// national scale, so a complaint does not throw the kept audits away (migration 0014).
#[cfg(feature = "ssr")]
async fn with_complaints(
    pool: &sqlx::SqlitePool,
    scope: &rules::access::Scope,
    only: Option<i64>,
    rows: Vec<VendorStats>,
) -> Result<Vec<VendorStats>, UiError> {
    use crate::ssr::{context::internal, db::scope::push_scope};
    use rules::complaint::ComplaintStatus;
    let mut qb = sqlx::QueryBuilder::new(
        "SELECT c.vendor_id, c.status, count(*) FROM complaints c JOIN facilities f ON f.id = c.facility_id
         WHERE c.vendor_id IS NOT NULL",
    );
    if let Some(id) = only {
        qb.push(" AND c.vendor_id = ").push_bind(id);
    }
    push_scope(&mut qb, scope, "f");
    qb.push(" GROUP BY 1, 2");
    let mut counts: Vec<(i64, String, i64)> = qb.build_query_as().fetch_all(pool).await.map_err(internal)?;
    let position = |s: &str| ComplaintStatus::ALL.iter().position(|k| k.code() == s).unwrap_or(usize::MAX);
    counts.sort_by_key(|(vendor, status, _)| (*vendor, position(status)));
    let names: std::collections::HashMap<i64, String> =
        sqlx::query_as("SELECT id, name FROM vendors").fetch_all(pool).await.map_err(internal)?.into_iter().collect();
    let mut by_vendor: std::collections::BTreeMap<i64, VendorStats> = rows.into_iter().map(|r| (r.id, r)).collect();
    for (vendor, status, n) in counts {
        let row = by_vendor.entry(vendor).or_insert_with(|| stats(vendor, String::new(), Tally::default()));
        let label = status.parse::<ComplaintStatus>().map(|s| s.label_ja().to_owned()).unwrap_or(status);
        let n = usize::try_from(n).unwrap_or(0);
        row.complaints.push((label, n));
        row.complaint_total += n;
    }
    Ok(by_vendor
        .into_values()
        .filter_map(|mut r| {
            r.name = names.get(&r.id)?.clone();
            Some(r)
        })
        .collect())
}

/// A vendor's record from its tally.
#[cfg(feature = "ssr")]
fn stats(id: i64, name: String, t: Tally) -> VendorStats {
    let all: Vec<rust_decimal::Decimal> = t.ratios.iter().flat_map(|(_, v)| v.iter().copied()).collect();
    VendorStats {
        id,
        name,
        quotes: t.quotes,
        flag_total: t.flags.iter().map(|(_, n)| n).sum(),
        flags: t.flags,
        ratios: t
            .ratios
            .into_iter()
            .map(|(c, v)| {
                let n = v.len();
                (c.label_ja().to_owned(), median(v).map(|m| format!("{:.2}", m.round_dp(2))).unwrap_or_default(), n)
            })
            .collect(),
        overall_ratio: median(all).map(|m| format!("{:.2}", m.round_dp(2))),
        complaint_total: 0,
        complaints: Vec::new(),
    }
}

/// A league's audits as computed (one row per vendor with confirmed quotes, without names or
/// complaints): when (UTC, `YYYY-MM-DDTHH:MM:SSZ`) and how long it took.
#[cfg(feature = "ssr")]
struct Computed {
    rows: Vec<VendorStats>,
    at: String,
    took: std::time::Duration,
}

/// The league's audits by database file and scope, kept until the generation moves: the national
/// league audits every confirmed quote (9 s at 230,000 facilities, BENCHMARKS.md). Every change
/// to what the audits read moves `audit_generation` (migrations 0012, 0014); a clinic's progress,
/// a complaint or a vendor's name does not (they are read for each view).
#[cfg(feature = "ssr")]
static LEAGUES: crate::ssr::generation_cache::GenerationCache<Computed> =
    crate::ssr::generation_cache::GenerationCache::new();

/// One league computed at a time (per database): a burst of views after a change waits for the
/// first instead of auditing the country once per request.
#[cfg(feature = "ssr")]
static COMPUTING: crate::ssr::per_database::PerDatabase<tokio::sync::Mutex<()>> =
    crate::ssr::per_database::PerDatabase::new(|| tokio::sync::Mutex::new(()));

/// The leagues (by key) being computed again in the background.
#[cfg(feature = "ssr")]
static REFRESHING: std::sync::LazyLock<std::sync::Mutex<std::collections::HashSet<String>>> =
    std::sync::LazyLock::new(Default::default);

/// Where the league of a scope is kept: database file and scope.
#[cfg(feature = "ssr")]
fn league_key(pool: &sqlx::SqlitePool, scope: &rules::access::Scope) -> String {
    format!("{}|{scope:?}", pool.connect_options().get_filename().display())
}

/// The league of a scope, and when its audits were computed if they are a computation behind.
///
/// Complaints and names are read for every view. After a change to what the audits read, a
/// league that took less than [`crate::ssr::context::LeagueRefresh`] to compute is computed again
/// for the view; a slower one (the country's) is answered with the last audits, dated, while the
/// new ones are computed in the background: an auditor does not wait ~10 s because a clinic
/// somewhere confirmed a quote. A league computed for the view is computed in a task of its own:
/// a view that gives up at the page's deadline leaves it running, kept for the next view.
#[cfg(feature = "ssr")]
async fn league(
    pool: &sqlx::SqlitePool,
    scope: &rules::access::Scope,
    refresh: crate::ssr::context::LeagueRefresh,
    work: crate::ssr::heavy_work::HeavyWork,
) -> Result<(Vec<VendorStats>, Option<String>), UiError> {
    use crate::ssr::{context::internal, db::peers::generation};
    let key = league_key(pool, scope);
    // Read before computing: a change meanwhile leaves the rows a generation behind, so the next
    // view computes them again (rows are never older than the generation they are kept at).
    let at = generation(pool).await.map_err(internal)?;
    let (audited, behind) = match LEAGUES.latest(&key) {
        Some((made, c)) if made == at => (c, None),
        Some((_, c)) if c.took >= refresh.0 => {
            refresh_in_background(pool.clone(), *scope, key, work);
            let at = c.at.clone();
            (c, Some(at))
        }
        _ => {
            let task = tokio::spawn(compute(pool.clone(), *scope, key, at, work.clone()));
            (work.wait_for_page(task).await?, None)
        }
    };
    let rows = with_complaints(pool, scope, None, audited.rows.clone()).await?;
    Ok((rows.into_iter().filter(|r| r.quotes > 0 || r.complaint_total > 0).collect(), behind))
}

/// The league of `key` at generation `at`, computed unless it was while waiting for the lock.
#[cfg(feature = "ssr")]
async fn compute(
    pool: sqlx::SqlitePool,
    scope: rules::access::Scope,
    key: String,
    at: i64,
    work: crate::ssr::heavy_work::HeavyWork,
) -> Result<std::sync::Arc<Computed>, UiError> {
    let lock = COMPUTING.of(&pool);
    let _one = lock.lock().await;
    // Computed meanwhile by the view this one waited for.
    if let Some(c) = LEAGUES.get(&key, at) {
        return Ok(c);
    }
    let started = std::time::Instant::now();
    // Names and complaints are added for each view (`with_complaints`).
    let audited = audits(&pool, &scope, None, at, (&work, Run::Kept)).await?;
    let rows: Vec<VendorStats> = audited.into_iter().map(|(id, t)| stats(id, String::new(), t)).collect();
    let c = std::sync::Arc::new(Computed {
        rows,
        at: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        took: started.elapsed(),
    });
    LEAGUES.put(key, at, c.clone());
    Ok(c)
}

/// Computes the league of `key` again at the generation of the moment, once at a time per key.
#[cfg(feature = "ssr")]
fn refresh_in_background(
    pool: sqlx::SqlitePool,
    scope: rules::access::Scope,
    key: String,
    work: crate::ssr::heavy_work::HeavyWork,
) {
    /// Takes the key off [`REFRESHING`] however the task ends.
    struct Done(String);
    impl Drop for Done {
        fn drop(&mut self) {
            if let Ok(mut keys) = REFRESHING.lock() {
                keys.remove(&self.0);
            }
        }
    }
    let started = REFRESHING.lock().is_ok_and(|mut keys| keys.insert(key.clone()));
    if !started {
        return;
    }
    let done = Done(key.clone());
    tokio::spawn(async move {
        let _done = done;
        let outcome = match crate::ssr::db::peers::generation(&pool).await {
            Ok(at) => compute(pool, scope, key, at, work).await.map(|_| ()),
            Err(e) => Err(crate::ssr::context::internal(e)),
        };
        if let Err(e) = outcome {
            tracing::error!("computing the vendor league in the background failed: {e}");
        }
    });
}

/// Computes the national league (and with it every facility type's peer group) so that the
/// first auditor after a start does not wait for it (~10 s at national scale, BENCHMARKS.md).
/// The server runs it in the background at start (`Settings::warm_league`), as `work` of its own:
/// it stops when the server does.
#[cfg(feature = "ssr")]
pub async fn warm_national_league(
    pool: sqlx::SqlitePool,
    work: crate::ssr::heavy_work::HeavyWork,
) -> Result<(), UiError> {
    let scope = rules::access::Scope::National;
    let at = crate::ssr::db::peers::generation(&pool).await.map_err(crate::ssr::context::internal)?;
    let key = league_key(&pool, &scope);
    compute(pool, scope, key, at, work).await.map(|_| ())
}

/// One vendor's record in the user's scope.
#[server(prefix = "/api", endpoint = "vendor_record")]
pub async fn vendor_record(id: i64) -> Result<VendorStats, UiError> {
    use crate::ssr::context;
    let user = context::require_permission(rules::access::Permission::ReadFacilities)?;
    let pool = context::pool()?;
    let name: Option<String> = sqlx::query_scalar("SELECT name FROM vendors WHERE id = ?")
        .bind(id)
        .fetch_optional(&pool)
        .await
        .map_err(context::internal)?;
    let name = name.ok_or(UiError::NotFound)?;
    let generation = crate::ssr::db::peers::generation(&pool).await.map_err(context::internal)?;
    // The league of the scope, when kept at this generation, holds this vendor's audits: a
    // vendor with tens of thousands of quotes is not audited again on the way from the league.
    let kept = LEAGUES.get(&league_key(&pool, &user.scope), generation).map(|c| {
        c.rows.iter().find(|r| r.id == id).cloned().unwrap_or_else(|| stats(id, String::new(), Tally::default()))
    });
    let audited = match kept {
        Some(row) => row,
        None => {
            let work = crate::ssr::heavy_work::from_context();
            let mut audited = audits(&pool, &user.scope, Some(id), generation, (&work, Run::Page)).await?;
            stats(id, name, audited.remove(&id).unwrap_or_default())
        }
    };
    with_complaints(&pool, &user.scope, Some(id), vec![audited]).await?.pop().ok_or(UiError::NotFound)
}

/// The league table for reviewers (their prefecture) and auditors (national):
/// vendors with quotes or complaints in the scope, sorted by `sort`
/// (flags, ratio, complaints, quotes, name).
#[server(prefix = "/api", endpoint = "vendor_league")]
pub async fn vendor_league(sort: String) -> Result<LeagueTable, UiError> {
    use crate::ssr::context;
    let user = context::require_user()?;
    if !matches!(user.role, rules::Role::Reviewer | rules::Role::Auditor) {
        if let Some(r) = use_context::<leptos_axum::ResponseOptions>() {
            r.set_status(http::StatusCode::FORBIDDEN);
        }
        return Err(UiError::Forbidden);
    }
    let pool = context::pool()?;
    let work = crate::ssr::heavy_work::from_context();
    let (mut rows, behind) = league(&pool, &user.scope, context::league_refresh(), work).await?;
    let ratio = |r: &VendorStats| {
        r.overall_ratio.as_deref().and_then(|x| x.parse::<rust_decimal::Decimal>().ok()).unwrap_or_default()
    };
    match sort.as_str() {
        "name" => rows.sort_by(|a, b| a.name.cmp(&b.name)),
        "quotes" => rows.sort_by_key(|r| std::cmp::Reverse(r.quotes)),
        "complaints" => rows.sort_by_key(|r| std::cmp::Reverse(r.complaint_total)),
        "ratio" => rows.sort_by_key(|r| std::cmp::Reverse(ratio(r))),
        _ => rows.sort_by(|a, b| b.flag_total.cmp(&a.flag_total).then(a.name.cmp(&b.name))),
    }
    Ok(LeagueTable { rows, computed_at: behind.as_deref().map(rules::format_timestamp_jst) })
}
