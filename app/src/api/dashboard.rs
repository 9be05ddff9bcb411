//! Server function of the dashboards: adoption funnel beside the published figures, blockers,
//! quotes by category, complaints by vendor, subsidy totals — each chart with its table.
#![expect(missing_docs, reason = "#[server] generates argument structs whose fields cannot carry docs")]

use crate::UiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One row of a chart's table, with the values its bars show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartRow {
    /// The table cells, label first.
    pub cells: Vec<String>,
    /// One value per series.
    pub bars: Vec<i64>,
    /// How each bar's value reads (e.g. 「57.6%」), beside the bar.
    pub bar_labels: Vec<String>,
    /// The row's name on the chart, left of the bars (wrapped there, never cut).
    pub short_label: String,
    /// A published figure rather than live data (drawn lighter, set in italics in the table).
    pub published: bool,
}

/// A chart and its table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chart {
    /// Stable id (the CSV's name).
    pub id: String,
    /// Title.
    pub title: String,
    /// How to read it, and what it leaves out.
    pub note: Option<String>,
    /// Names of the plotted series.
    pub series: Vec<String>,
    /// Table headers.
    pub columns: Vec<String>,
    /// Rows.
    pub rows: Vec<ChartRow>,
}

/// The dashboard page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardView {
    /// The charts in page order, as HTML (rendered on the server, kept like the figures).
    pub charts_html: String,
    /// What the type and prefecture filters offer.
    pub choices: crate::api::filter_choices::FilterChoices,
    /// The filter as applied: type, prefecture, from, to (codes and ISO dates, empty when unset).
    pub applied: [String; 4],
}

/// What to fix, per field: (field, message).
pub type FieldErrors = Vec<(String, String)>;

/// A facility type and a prefecture code as typed (blank for none), checked — the filters of the
/// dashboard, the facility list and the CSV exports: (type, prefecture), or what to fix per field.
#[cfg(feature = "ssr")]
pub fn parse_codes(facility_type: &str, prefecture: &str) -> Result<(Option<String>, Option<String>), FieldErrors> {
    let code = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let mut errors = Vec::new();
    let facility_type = code(facility_type);
    if let Some(t) = &facility_type
        && t.parse::<rules::FacilityType>().is_err()
    {
        errors.push(("facility_type".to_owned(), format!("施設区分 {t} はありません")));
    }
    let prefecture = code(prefecture);
    if let Some(p) = &prefecture
        && p.parse::<rules::Prefecture>().is_err()
    {
        errors.push(("prefecture".to_owned(), format!("都道府県コード {p} はありません（01〜47）")));
    }
    if errors.is_empty() { Ok((facility_type, prefecture)) } else { Err(errors) }
}

/// The filter as typed, checked: unknown codes and impossible dates say what to fix.
#[cfg(feature = "ssr")]
pub fn parse_filter(
    facility_type: &str,
    prefecture: &str,
    from: &str,
    to: &str,
) -> Result<crate::ssr::db::dashboard::Filter, UiError> {
    let code = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let (facility_type, prefecture, mut errors) = match parse_codes(facility_type, prefecture) {
        Ok((t, p)) => (t, p, Vec::new()),
        Err(errors) => (None, None, errors),
    };
    // A month stands for its first day as the start and its last day as the end.
    let mut day = |field: &str, what: &str, s: &str, month_end: bool| match code(s) {
        None => None,
        Some(text) => match rules::parse_date(&text) {
            Ok(d) => Some(d),
            Err(e) => match rules::parse_month(&text) {
                Ok(first) if month_end => first.checked_add_months(chrono::Months::new(1)).and_then(|d| d.pred_opt()),
                Ok(first) => Some(first),
                Err(_) => {
                    errors.push((
                        field.to_owned(),
                        format!("{what}: {e}（年月だけでも構いません: 2023-03、令和5年3月）"),
                    ));
                    None
                }
            },
        },
    };
    let (from, to) = (day("from", "期間の開始", from, false), day("to", "期間の終了", to, true));
    if !errors.is_empty() {
        return Err(UiError::Fields(errors));
    }
    Ok(crate::ssr::db::dashboard::Filter { facility_type, prefecture, from, to })
}

/// A facility type's Japanese name from its code (「全施設」 for `all` or anything else).
#[cfg(feature = "ssr")]
pub fn type_label(code: &str) -> String {
    code.parse::<rules::FacilityType>().map_or_else(|_| "全施設".to_owned(), |t| t.label_ja().to_owned())
}

/// A prefecture's Japanese name from its JIS code (the code itself when it is none).
#[cfg(feature = "ssr")]
pub fn prefecture_name(code: &str) -> String {
    code.parse::<rules::Prefecture>().map_or_else(|_| code.to_owned(), |p| p.name_ja().to_owned())
}

#[cfg(feature = "ssr")]
fn percent(part: i64, whole: i64) -> String {
    if whole == 0 { "—".to_owned() } else { format!("{:.1}%", part as f64 * 100.0 / whole as f64) }
}

#[cfg(feature = "ssr")]
fn count(n: i64) -> String {
    rules::Yen::from_i64(n).format_plain()
}

#[cfg(feature = "ssr")]
/// A funnel row: the bars are shares of the facilities (in 0.01 %), so a prefecture's live
/// data and the national published figures sit on one scale.
fn funnel_row(
    label: String,
    short_label: String,
    [n, applied, ready, operating]: [i64; 4],
    published: bool,
) -> ChartRow {
    let share = |part: i64| if n == 0 { 0 } else { part * 10_000 / n };
    ChartRow {
        cells: vec![label, count(n), count(applied), count(ready), count(operating), percent(operating, n)],
        bars: vec![share(applied), share(ready), share(operating)],
        bar_labels: vec![percent(applied, n), percent(ready, n), percent(operating, n)],
        short_label,
        published,
    }
}

/// A row whose bars show its values as they are.
fn plain_row(cells: Vec<String>, bars: Vec<i64>, bar_labels: Vec<String>) -> ChartRow {
    let short_label = cells.first().cloned().unwrap_or_default();
    ChartRow { cells, bars, bar_labels, short_label, published: false }
}

/// A published series for one type and place: (as of, series, type, prefecture, source).
#[cfg(feature = "ssr")]
type PublishedKey = (String, String, String, String, String);

/// Dashboards computed at once (served again from the cache, they need no permit). Each
/// holds a pooled connection for the length of its aggregates: milliseconds from the totals,
/// up to ~0.2 s at national scale for the raw rows of part months, and once seconds
/// (BENCHMARKS.md); without a limit a burst of them took all eight connections and starved
/// every other request, `/healthz` included.
#[cfg(feature = "ssr")]
const CONCURRENT_DASHBOARDS: usize = 2;

#[cfg(feature = "ssr")]
static DASHBOARD_PERMITS: crate::ssr::per_database::PerDatabase<tokio::sync::Semaphore> =
    crate::ssr::per_database::PerDatabase::new(|| tokio::sync::Semaphore::new(CONCURRENT_DASHBOARDS));

/// Every chart for the user's scope and the filter (the page and the CSV downloads share it).
#[cfg(feature = "ssr")]
pub async fn charts_for(
    pool: &sqlx::SqlitePool,
    scope: &rules::access::Scope,
    filter: &crate::ssr::db::dashboard::Filter,
) -> Result<std::sync::Arc<Vec<Chart>>, UiError> {
    use crate::ssr::context::internal;
    use crate::ssr::db::dashboard::{Source, generation};
    let source = Source::for_request(scope);
    if source == Source::Raw {
        let permits = DASHBOARD_PERMITS.of(pool);
        let _permit = permits.acquire().await.map_err(internal)?;
        return charts_from(pool, source, scope, filter).await.map(std::sync::Arc::new);
    }
    // Read before computing: a write meanwhile leaves the entry one generation behind, so the
    // next request computes again: an entry is never older than the generation it is kept at.
    let generation = generation(pool).await.map_err(internal)?;
    charts_at(pool, scope, filter, generation).await
}

/// [`charts_for`] at a generation the caller has just read.
#[cfg(feature = "ssr")]
async fn charts_at(
    pool: &sqlx::SqlitePool,
    scope: &rules::access::Scope,
    filter: &crate::ssr::db::dashboard::Filter,
    generation: i64,
) -> Result<std::sync::Arc<Vec<Chart>>, UiError> {
    use crate::ssr::context::internal;
    use crate::ssr::db::dashboard::Source;
    let source = Source::for_request(scope);
    let key = cache_key(pool, scope, filter, "");
    if let Some(charts) = COMPUTED.get(&key, generation) {
        return Ok(charts);
    }
    let permits = DASHBOARD_PERMITS.of(pool);
    let _permit = permits.acquire().await.map_err(internal)?;
    // A burst for one new page waits here; the first computes it, the others find it.
    if let Some(charts) = COMPUTED.get(&key, generation) {
        return Ok(charts);
    }
    let charts = std::sync::Arc::new(charts_from(pool, source, scope, filter).await?);
    COMPUTED.put(key, generation, charts.clone());
    Ok(charts)
}

/// The charts as the page shows them (HTML), rendered once per generation like
/// [`charts_for`] computes them once: rendering a national page's 90 KB of SVG and
/// tables cost more than everything else the page does (BENCHMARKS.md, load test).
/// `query` is the filter as the CSV links repeat it.
#[cfg(feature = "ssr")]
async fn charts_html(
    pool: &sqlx::SqlitePool,
    scope: &rules::access::Scope,
    filter: &crate::ssr::db::dashboard::Filter,
    query: &str,
) -> Result<std::sync::Arc<String>, UiError> {
    use crate::ssr::context::internal;
    use crate::ssr::db::dashboard::{Source, generation};
    let render = |charts: &[Chart]| std::sync::Arc::new(crate::pages::dashboard::charts_markup(charts, query));
    if Source::for_request(scope) == Source::Raw {
        return Ok(render(&charts_for(pool, scope, filter).await?));
    }
    let generation = generation(pool).await.map_err(internal)?;
    let key = cache_key(pool, scope, filter, query);
    if let Some(html) = RENDERED.get(&key, generation) {
        return Ok(html);
    }
    let html = render(&charts_at(pool, scope, filter, generation).await?);
    RENDERED.put(key, generation, html.clone());
    Ok(html)
}

#[cfg(feature = "ssr")]
fn cache_key(
    pool: &sqlx::SqlitePool,
    scope: &rules::access::Scope,
    filter: &crate::ssr::db::dashboard::Filter,
    query: &str,
) -> String {
    format!("{}|{scope:?}|{filter:?}|{query}", pool.connect_options().get_filename().display())
}

/// Computed charts (the page and the CSV downloads).
#[cfg(feature = "ssr")]
static COMPUTED: crate::ssr::generation_cache::GenerationCache<Vec<Chart>> =
    crate::ssr::generation_cache::GenerationCache::new();

/// Rendered charts (the page).
#[cfg(feature = "ssr")]
static RENDERED: crate::ssr::generation_cache::GenerationCache<String> =
    crate::ssr::generation_cache::GenerationCache::new();

/// Every chart, from the given source (tests compare the two).
#[cfg(feature = "ssr")]
pub async fn charts_from(
    pool: &sqlx::SqlitePool,
    source: crate::ssr::db::dashboard::Source,
    scope: &rules::access::Scope,
    filter: &crate::ssr::db::dashboard::Filter,
) -> Result<Vec<Chart>, UiError> {
    use crate::ssr::{context::internal, db::dashboard as q};
    use std::collections::BTreeMap;
    let funnel_columns = ["", "施設数", "カードリーダー申込", "準備完了", "運用開始", "運用開始率"];
    let funnel_series = vec!["カードリーダー申込".to_owned(), "準備完了".to_owned(), "運用開始".to_owned()];

    // Two lanes of queries, each on one connection of its own: a new period is computed in
    // about half the time on two cores, and a dashboard holds at most two connections.
    let first_lane = async {
        let mut c = pool.acquire().await?;
        let published = q::published(&mut *c).await?;
        let by_type = q::funnel(&mut *c, source, scope, filter, "f.facility_type").await?;
        let blockers = q::blockers(&mut *c, source, scope, filter).await?;
        let quotes = q::quote_categories(&mut *c, source, scope, filter).await?;
        Ok::<_, sqlx::Error>((published, by_type, blockers, quotes))
    };
    let second_lane = async {
        let mut c = pool.acquire().await?;
        let by_prefecture = q::funnel(&mut *c, source, scope, filter, "f.prefecture").await?;
        let complaints = q::complaints(&mut *c, source, scope, filter).await?;
        let subsidies = q::subsidies(&mut *c, source, scope, filter).await?;
        Ok::<_, sqlx::Error>((by_prefecture, complaints, subsidies))
    };
    let ((published_rows, type_rows, blocker_rows, quote_rows), (prefecture_rows, complaint_rows, subsidy_rows)) =
        tokio::try_join!(first_lane, second_lane).map_err(internal)?;

    // Published figures by (series, type, prefecture): metric → value.
    let mut published: BTreeMap<PublishedKey, BTreeMap<String, i64>> = BTreeMap::new();
    for (series, as_of, source, kind, pref, metric, value) in published_rows {
        published.entry((as_of, series, kind, pref, source)).or_default().insert(metric, value);
    }
    let published_row = |kind: &str, pref: &str| {
        published
            .iter()
            .filter(|((_, _, k, p, _), m)| k == kind && p == pref && m.contains_key("facilities"))
            .map(|((as_of, _, _, _, source), m)| {
                let ready = m.get("ready").or_else(|| m.get("connected")).copied().unwrap_or(0);
                let figures = [
                    m["facilities"],
                    m.get("reader_applied").copied().unwrap_or(0),
                    ready,
                    m.get("operating").copied().unwrap_or(0),
                ];
                let place = if pref.is_empty() { "全国".to_owned() } else { prefecture_name(pref) };
                let cited = crate::public_source::cited_sources(source);
                let label = match cited.first() {
                    Some(s) => format!("{}・{place}（公表 {as_of}、出典: {}）", type_label(kind), s.short_form()),
                    None => format!("{}・{place}（公表 {as_of}）", type_label(kind)),
                };
                funnel_row(label, format!("公表 {as_of}・{place}"), figures, true)
            })
            .collect::<Vec<_>>()
    };

    // A reviewer's figures are their prefecture's; otherwise the filtered prefecture's, or national.
    let published_place = match (scope, &filter.prefecture) {
        (_, Some(p)) => p.clone(),
        (rules::access::Scope::Association { prefecture, .. }, None) => prefecture.code().to_owned(),
        _ => String::new(),
    };
    // The registry (地方厚生局's lists), where its lists cover a row whole, is the row's
    // denominator: its facilities and Onshi's beyond them; otherwise Onshi's own count.
    // Without the lists, the published totals (厚生労働省, 福岡県医師会) where there are some, so
    // that Onshi's figures sit on the ministry's scale; else Onshi's own count.
    let registry = RegistryDenominators::load(pool, scope, filter).await.map_err(internal)?;
    let published_total = |kind: &str, place: &str| -> Option<(i64, String)> {
        published
            .iter()
            .filter(|((_, _, k, p, _), m)| k == kind && p == place && m.contains_key("facilities"))
            .max_by(|a, b| a.0.0.cmp(&b.0.0))
            .map(|((as_of, ..), m)| (m["facilities"], as_of.clone()))
    };
    // A prefecture row spans the filter's type, the reviewer's association's types (大型チェーン
    // 薬局 are among the published 薬局), or every type.
    let published_for_prefecture = |pref: &str| -> Option<(i64, String)> {
        match (&filter.facility_type, scope) {
            (Some(t), _) => published_total(t, pref),
            (None, rules::access::Scope::Association { .. }) => {
                let parts: Option<Vec<(i64, String)>> = scope
                    .facility_types()
                    .into_iter()
                    .filter(|t| *t != rules::FacilityType::LargeChainPharmacy)
                    .map(|t| published_total(t.code(), pref))
                    .collect();
                let parts = parts?;
                let as_of = parts.iter().map(|(_, d)| d.clone()).min()?;
                Some((parts.iter().map(|(n, _)| n).sum(), as_of))
            }
            (None, _) => published_total("all", pref),
        }
    };
    let mut published_denominators: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    let mut by_type = Vec::new();
    let mut on_registry = false;
    for (kind, n, a, r, o) in type_rows {
        let n = match registry.of_type(&kind) {
            Some(universe) => {
                on_registry = true;
                universe
            }
            None => match published_total(&kind, &published_place) {
                // Never fewer than Onshi holds: a share stays a share.
                Some((total, as_of)) => {
                    published_denominators.insert(as_of);
                    total.max(n)
                }
                None => n,
            },
        };
        by_type.push(funnel_row(type_label(&kind), type_label(&kind), [n, a, r, o], false));
        by_type.extend(published_row(&kind, &published_place));
    }
    let mut by_prefecture = Vec::new();
    for (pref, n, a, r, o) in prefecture_rows {
        let n = match registry.of_prefecture(&pref) {
            Some(universe) => {
                on_registry = true;
                universe
            }
            None => match published_for_prefecture(&pref) {
                Some((total, as_of)) => {
                    published_denominators.insert(as_of);
                    total.max(n)
                }
                None => n,
            },
        };
        by_prefecture.push(funnel_row(prefecture_name(&pref), prefecture_name(&pref), [n, a, r, o], false));
        by_prefecture.extend(published_row(filter.facility_type.as_deref().unwrap_or("all"), &pref));
    }
    let published_note = if published_denominators.is_empty() {
        String::new()
    } else {
        format!(
            "一覧のない区分・都道府県で公表値のあるものは、公表された施設数（{}時点）を分母にしています。",
            published_denominators.iter().map(|d| rules::wareki::format_stored_day(d)).collect::<Vec<_>>().join("・")
        )
    };
    let registry_note = if on_registry {
        format!(
            "施設数は、地方厚生局の「コード内容別医療機関一覧表」（{}）の施設（現存・休止）に、一覧にない Onshi 登録施設を加えた数です。{published_note}それ以外は Onshi に登録された施設数です。",
            registry.as_of_text()
        )
    } else if !published_note.is_empty() {
        format!(
            "{published_note}それ以外は Onshi に登録された施設数です（地方厚生局の一覧を読み込むと、一覧の施設数を分母にします）。"
        )
    } else {
        "施設数は Onshi に登録された施設数です（地方厚生局の一覧を読み込むと、一覧の施設数を分母にします）。".to_owned()
    };
    let registry_chart = registry.chart();
    let stage_label =
        |s: &str| s.parse::<rules::provisioning::Stage>().map_or_else(|_| s.to_owned(), |s| s.label_ja().to_owned());
    let status_label = |s: &str| {
        s.parse::<rules::complaint::ComplaintStatus>().map_or_else(|_| s.to_owned(), |s| s.label_ja().to_owned())
    };
    let yen = |n: i64| rules::Yen::from_i64(n).to_string();
    let with_labels = |columns: &[&str]| columns.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>();

    Ok(vec![
        Chart {
            id: "funnel_by_type".into(),
            title: "導入の進み具合（施設区分別）".into(),
            note: Some(format!("期間の終了日時点。棒は施設数に対する割合。準備完了は導入完了日または運用開始日のある施設。薄い色の棒と斜体の行は公表値（厚生労働省・福岡県医師会の公表資料）で、全国または福岡県の値です。{registry_note}")),
            series: funnel_series.clone(),
            columns: with_labels(&["施設区分", "施設数", "カードリーダー申込", "準備完了", "運用開始", "運用開始率"]),
            rows: by_type,
        },
        Chart {
            id: "funnel_by_prefecture".into(),
            title: "導入の進み具合（都道府県別）".into(),
            note: Some(format!("公表値は福岡県（福岡県医師会の公表資料）だけがあります。{registry_note}")),
            series: funnel_series,
            columns: {
                let mut c = with_labels(&funnel_columns);
                c[0] = "都道府県".into();
                c
            },
            rows: by_prefecture,
        },
        Chart {
            id: "blockers".into(),
            title: "止まっている理由（段階別）".into(),
            note: None,
            series: vec!["施設数".into()],
            columns: with_labels(&["段階", "理由", "施設数"]),
            rows: blocker_rows
                .into_iter()
                .map(|(stage, reason, n)| {
                    // The whole reason: the chart wraps it rather than cut it mid-word.
                    let short = format!("{}: {}", stage_label(&stage), reason);
                    ChartRow { short_label: short, ..plain_row(vec![stage_label(&stage), reason, count(n)], vec![n], vec![count(n)]) }
                })
                .collect(),
        },
        Chart {
            id: "quote_categories".into(),
            title: "見積の費目別の金額と指摘".into(),
            note: Some("確定した見積の明細。指摘は費目だけで判る2種（無償提供品への請求、補助対象外の運用経費）の行数で、基準値超過などは見積ごとの監査画面とCSVで確認します。".into()),
            series: vec!["金額".into()],
            columns: with_labels(&["費目", "行数", "金額", "無償提供品への請求", "運用経費（補助対象外）"]),
            rows: quote_rows
                .into_iter()
                .map(|(category, lines, amount, free, running)| {
                    let label = category
                        .parse::<rules::category::Category>()
                        .map_or_else(|_| category.clone(), |c| c.label_ja().to_owned());
                    plain_row(vec![label, count(lines), yen(amount), count(free), count(running)], vec![amount], vec![yen(amount)])
                })
                .collect(),
        },
        Chart {
            id: "complaints".into(),
            title: "相談（ベンダー・状態別）".into(),
            note: None,
            series: vec!["件数".into()],
            columns: with_labels(&["ベンダー", "状態", "件数"]),
            rows: complaint_rows
                .into_iter()
                .map(|(vendor, status, n)| {
                    let short = format!("{}（{}）", vendor, status_label(&status));
                    ChartRow { short_label: short, ..plain_row(vec![vendor, status_label(&status), count(n)], vec![n], vec![count(n)]) }
                })
                .collect(),
        },
        Chart {
            id: "subsidies".into(),
            title: "補助金の交付申請（状態別）".into(),
            note: None,
            series: vec!["申請額".into(), "交付額".into()],
            columns: with_labels(&["状態", "件数", "申請額", "交付額"]),
            rows: subsidy_rows
                .into_iter()
                .map(|(status, n, requested, granted)| {
                    let label = crate::ssr::db::applications::status_label(&status).to_owned();
                    plain_row(vec![label, count(n), yen(requested), yen(granted)], vec![requested, granted], vec![yen(requested), yen(granted)])
                })
                .collect(),
        },
    ]
    .into_iter()
    .chain(registry_chart)
    .collect())
}

/// The registry's counts beside a dashboard's rows: which rows its lists cover whole.
#[cfg(feature = "ssr")]
struct RegistryDenominators {
    by_type: crate::ssr::db::registry::Universe,
    by_prefecture: crate::ssr::db::registry::Universe,
    /// The prefectures the dashboard spans (the filter's, the reviewer's, or all 47).
    prefectures: Vec<String>,
    /// The 点数表番号 a prefecture row spans (the filter's type, the association's, or all).
    digits: Vec<u8>,
    as_of: Option<String>,
}

#[cfg(feature = "ssr")]
impl RegistryDenominators {
    async fn load(
        pool: &sqlx::SqlitePool,
        scope: &rules::access::Scope,
        filter: &crate::ssr::db::dashboard::Filter,
    ) -> sqlx::Result<Self> {
        use crate::ssr::db::registry::universe;
        let (t, p) = (filter.facility_type.as_deref(), filter.prefecture.as_deref());
        let by_type = universe(pool, scope, t, p, false).await?;
        let by_prefecture =
            if by_type.lists.is_empty() { Default::default() } else { universe(pool, scope, t, p, true).await? };
        let prefectures = match (scope, &filter.prefecture) {
            (_, Some(p)) => vec![p.clone()],
            (rules::access::Scope::Association { prefecture, .. }, None) => vec![prefecture.code()],
            _ => rules::Prefecture::all().map(|p| p.code()).collect(),
        };
        let types: Vec<rules::FacilityType> = match t.and_then(|t| t.parse().ok()) {
            Some(t) => vec![t],
            None => scope.facility_types(),
        };
        let mut digits: Vec<u8> = types.iter().map(|t| t.fee_schedule_digit()).collect();
        digits.sort_unstable();
        digits.dedup();
        let as_of = if by_type.lists.is_empty() {
            None
        } else {
            sqlx::query_scalar("SELECT max(as_of) FROM registry_facilities").fetch_one(pool).await?
        };
        Ok(RegistryDenominators { by_type, by_prefecture, prefectures, digits, as_of })
    }

    /// A type row's universe, when the lists of every prefecture it spans are loaded; the
    /// lists do not tell 大型チェーン薬局 from other pharmacies, so that row keeps Onshi's count.
    fn of_type(&self, kind: &str) -> Option<i64> {
        let t: rules::FacilityType = kind.parse().ok()?;
        if t == rules::FacilityType::LargeChainPharmacy
            || !self.by_type.covers(&self.prefectures, &[t.fee_schedule_digit()])
        {
            return None;
        }
        self.by_type.groups.get(kind).map(|g| g.universe())
    }

    /// A prefecture row's universe, when the lists of every kind it spans are loaded.
    fn of_prefecture(&self, prefecture: &str) -> Option<i64> {
        if !self.by_prefecture.covers(&[prefecture.to_owned()], &self.digits) {
            return None;
        }
        self.by_prefecture.groups.get(prefecture).map(|g| g.universe())
    }

    fn as_of_text(&self) -> String {
        self.as_of
            .as_deref()
            .map_or_else(|| "日付なし".to_owned(), |d| format!("{}現在", rules::wareki::format_stored_day(d)))
    }

    /// 「登録簿と Onshi」: per type, the listed facilities not yet started in Onshi.
    fn chart(&self) -> Option<Chart> {
        if self.by_type.lists.is_empty() {
            return None;
        }
        let rows = self
            .by_type
            .groups
            .iter()
            .filter(|(_, g)| g.listed > 0)
            .map(|(kind, g)| {
                let started = g.listed - g.not_started;
                plain_row(
                    vec![
                        type_label(kind),
                        count(g.listed),
                        count(started),
                        count(g.not_started),
                        percent(g.not_started, g.listed),
                        count(g.unlisted),
                    ],
                    vec![g.not_started],
                    vec![count(g.not_started)],
                )
            })
            .collect();
        Some(Chart {
            id: "registry".into(),
            title: "地方厚生局の一覧と Onshi（施設区分別）".into(),
            note: Some(format!(
                "一覧（{}）の施設（現存・休止）のうち、Onshi にまだ登録されていない施設が「未着手」です。一覧を読み込んだ都道府県・区分だけを数えています。「一覧にない Onshi の施設」は一覧の公表後に指定された施設か、コードの誤りの可能性があります。",
                self.as_of_text()
            )),
            series: vec!["未着手".into()],
            columns: [
                "施設区分",
                "一覧の施設数",
                "Onshi 登録済み",
                "未着手",
                "未着手の割合",
                "一覧にない Onshi の施設",
            ]
            .iter()
            .map(|c| (*c).to_owned())
            .collect(),
            rows,
        })
    }
}

/// The dashboards for the user's scope, narrowed by type, prefecture and period.
#[server(prefix = "/api", endpoint = "dashboard")]
pub async fn dashboard(
    facility_type: String,
    prefecture: String,
    from: String,
    to: String,
) -> Result<DashboardView, UiError> {
    use crate::ssr::context;
    use rules::access::Permission;
    let user = context::require_permission(Permission::ReadFacilities)?;
    let filter = parse_filter(&facility_type, &prefecture, &from, &to)?;
    // Whole months read back as months, the way they are usually typed.
    let (from, to) = filter.months_typed();
    let applied = [filter.facility_type.clone(), filter.prefecture.clone(), from, to].map(Option::unwrap_or_default);
    let [t, p, from, to] = &applied;
    let query = format!("?type={t}&prefecture={p}&from={from}&to={to}");
    let charts_html = charts_html(&context::pool()?, &user.scope, &filter, &query).await?;
    Ok(DashboardView {
        charts_html: charts_html.as_ref().clone(),
        choices: crate::api::filter_choices::FilterChoices::of(&user.scope),
        applied,
    })
}
