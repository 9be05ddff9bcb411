//! Reference pages: vendors, published adoption figures, benchmarks — each with its source.

use crate::api::{AdoptionFigure, BenchmarkTable, Vendor, adoption_statistics, benchmark_tables, list_vendors};
use crate::layout::{Layout, TableFrame, loaded};
use crate::pages::sources::{RegisterLink, SourceLine, SourceLinks};
use crate::public_source::cited_sources;
use leptos::prelude::*;
use rules::sources::Reliability;
use rules::{FacilityType, Prefecture};

/// Formats a count with thousands separators: 229836 → "229,836".
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A YYYY-MM-DD date as people read it: 「令和5年1月1日（2023-01-01）」; other text unchanged.
pub fn date_label(iso: &str) -> String {
    chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .map(rules::format_wareki_with_western)
        .unwrap_or_else(|_| iso.to_owned())
}

/// Japanese name of a facility-type code, 「全施設」 for "all".
pub fn facility_type_label(code: &str) -> String {
    match code.parse::<FacilityType>() {
        Ok(t) => t.label_ja().to_owned(),
        Err(_) if code == "all" => "全施設".to_owned(),
        Err(_) => code.to_owned(),
    }
}

/// Japanese name of a prefecture code, 「全国」 for national figures.
pub fn prefecture_label(code: &str) -> String {
    if code.is_empty() {
        return "全国".to_owned();
    }
    code.parse::<Prefecture>().map(|p| p.name_ja().to_owned()).unwrap_or_else(|_| code.to_owned())
}

/// Japanese name of an adoption metric code.
pub fn metric_label(code: &str) -> String {
    match code {
        "facilities" => "施設数",
        "reader_applied" => "カードリーダー申込",
        "ready" => "準備完了",
        "connected" => "接続済",
        "operating" => "運用開始",
        other => other,
    }
    .to_owned()
}

/// One publication's national figures, arranged as a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesTable {
    /// Series id.
    pub series: String,
    /// Date of the figures.
    pub as_of: String,
    /// Source document.
    pub source: String,
    /// Prefecture code ("" national).
    pub prefecture: String,
    /// Metric codes, the table's columns, in a fixed order.
    pub metrics: Vec<String>,
    /// (facility type code, one value per metric).
    pub rows: Vec<(String, Vec<Option<i64>>)>,
}

const METRIC_ORDER: [&str; 5] = ["facilities", "reader_applied", "ready", "connected", "operating"];

fn metric_rank(m: &str) -> usize {
    METRIC_ORDER.iter().position(|x| *x == m).unwrap_or(METRIC_ORDER.len())
}

fn type_rank(t: &str) -> usize {
    FacilityType::ALL.iter().position(|x| x.code() == t).unwrap_or(FacilityType::ALL.len())
}

/// Arranges figures into one table per (series, prefecture), newest first.
pub fn series_tables(figures: &[AdoptionFigure]) -> Vec<SeriesTable> {
    let mut tables: Vec<SeriesTable> = Vec::new();
    for f in figures {
        let table = match tables.iter_mut().position(|t| t.series == f.series && t.prefecture == f.prefecture) {
            Some(i) => &mut tables[i],
            None => {
                tables.push(SeriesTable {
                    series: f.series.clone(),
                    as_of: f.as_of.clone(),
                    source: f.source.clone(),
                    prefecture: f.prefecture.clone(),
                    metrics: Vec::new(),
                    rows: Vec::new(),
                });
                let last = tables.len() - 1;
                &mut tables[last]
            }
        };
        if !table.metrics.contains(&f.metric) {
            table.metrics.push(f.metric.clone());
        }
        if !table.rows.iter().any(|(t, _)| *t == f.facility_type) {
            table.rows.push((f.facility_type.clone(), Vec::new()));
        }
    }
    for table in &mut tables {
        table.metrics.sort_by_key(|m| (metric_rank(m), m.clone()));
        table.rows.sort_by_key(|(t, _)| (type_rank(t), t.clone()));
        for (kind, values) in &mut table.rows {
            *values = table
                .metrics
                .iter()
                .map(|m| {
                    figures
                        .iter()
                        .find(|f| {
                            f.series == table.series
                                && f.prefecture == table.prefecture
                                && f.facility_type == *kind
                                && f.metric == *m
                        })
                        .map(|f| f.value)
                })
                .collect();
        }
    }
    tables.sort_by(|a, b| b.as_of.cmp(&a.as_of).then(a.prefecture.cmp(&b.prefecture)));
    tables
}

/// The newest national table, if any.
pub fn latest_national_series(figures: &[AdoptionFigure]) -> Option<SeriesTable> {
    series_tables(figures).into_iter().find(|t| t.prefecture.is_empty())
}

/// ベンダー一覧.
#[component]
pub fn VendorsPage() -> impl IntoView {
    let vendors = Resource::new(|| (), |_| list_vendors());
    view! {
        <Layout title="ベンダー一覧">
            {crate::csv::download_links("ベンダー一覧", "/exports/vendors.csv")}
            {loaded(vendors, move |vendors| view! { <VendorTable vendors /> })}
            <RegisterLink />
        </Layout>
    }
}

fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "対応",
        Some(false) => "—",
        None => "記載なし",
    }
}

#[component]
fn VendorTable(vendors: Vec<Vendor>) -> impl IntoView {
    view! {
        <p>"登録ベンダー " {vendors.len()} " 社"</p>
        <table class="data">
            <thead>
                <tr>
                    <th scope="col">"ベンダー名"</th>
                    <th scope="col">"病院"</th>
                    <th scope="col">"診療所"</th>
                    <th scope="col">"備考"</th>
                    <th scope="col">"出典"</th>
                </tr>
            </thead>
            <tbody>
                {vendors
                    .into_iter()
                    .map(|v| {
                        view! {
                            <tr>
                                <td>{v.name}</td>
                                <td>{yes_no(v.supports_hospital)}</td>
                                <td>{yes_no(v.supports_clinic)}</td>
                                <td>{v.note.unwrap_or_default()}</td>
                                <td class="source"><SourceLinks note=v.source /></td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// 導入状況（公表値）.
#[component]
pub fn StatisticsPage() -> impl IntoView {
    let figures = Resource::new(|| (), |_| adoption_statistics());
    view! {
        <Layout title="導入状況（公表値）">
            {loaded(figures, |figures| {
                series_tables(&figures).into_iter().map(|table| view! { <SeriesTableView table /> }).collect_view()
            })}
            <RegisterLink />
        </Layout>
    }
}

#[component]
fn SeriesTableView(table: SeriesTable) -> impl IntoView {
    view! {
        <section class="card">
            <h2>{prefecture_label(&table.prefecture)} "（" {date_label(&table.as_of)} " 時点）"</h2>
            <table class="data">
                <thead>
                    <tr>
                        <th scope="col">"施設区分"</th>
                        {table.metrics.iter().map(|m| view! { <th scope="col" class="num">{metric_label(m)}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {table
                        .rows
                        .iter()
                        .map(|(kind, values)| {
                            view! {
                                <tr>
                                    <th scope="row">{facility_type_label(kind)}</th>
                                    {values.iter().map(|v| view! { <td class="num">{v.map(thousands).unwrap_or_default()}</td> }).collect_view()}
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            <SourceLine note=table.source.clone() />
        </section>
    }
}

/// 基準値・出典.
#[component]
pub fn BenchmarksPage() -> impl IntoView {
    let tables = Resource::new(|| (), |_| benchmark_tables());
    view! {
        <Layout title="基準値・出典">
            <p>
                "見積書の監査と補助金の計算に用いる基準値です。公表資料の数値はそのまま転記しています。"
                "「Onshi の目安」と示した値は公的な基準額ではなく、Onshi が置いた目安です（運用者が変更できます）。"
            </p>
            <RegisterLink />
            {loaded(tables, |tables| {
                tables.into_iter().map(|table| view! { <BenchmarkTableView table /> }).collect_view()
            })}
        </Layout>
    }
}

/// A benchmark table's unit code in Japanese.
pub fn unit_label(unit: &str) -> &str {
    match unit {
        "minutes" => "分",
        "visits" => "回",
        "yen" => "円",
        "ratio" => "補助率",
        "readers" => "台",
        "meters" => "メートル",
        "months" => "か月",
        "points" => "点",
        "mixed" => "項目ごと（項目名のとおり）",
        other => other,
    }
}

/// A benchmark figure as people read it: 「1,050,000円」「370分」「1/2」; digits grouped by three.
pub fn figure_label(unit: &str, value: &str) -> String {
    if unit == "ratio" {
        return match value {
            "0.5" => "1/2".to_owned(),
            "0.75" => "3/4".to_owned(),
            "1" => "10/10（実費）".to_owned(),
            other => other.to_owned(),
        };
    }
    let (whole, fraction) = value.split_once('.').map_or((value, None), |(w, f)| (w, Some(f)));
    let number = match whole.parse::<i64>() {
        Ok(n) => fraction.map_or_else(|| thousands(n), |f| format!("{}.{f}", thousands(n))),
        Err(_) => return value.to_owned(),
    };
    let suffix = match unit {
        "minutes" => "分",
        "visits" => "回",
        "yen" => "円",
        "readers" => "台",
        "meters" => "m",
        "months" => "か月",
        "points" => "点",
        _ => "",
    };
    format!("{number}{suffix}")
}

/// What a table's figures are, when they are not simply copied from a public document.
fn standing(table: &BenchmarkTable) -> Option<&'static str> {
    let cited = cited_sources(&table.source);
    if cited.iter().any(|s| s.reliability() == Reliability::Onshi) {
        Some("Onshi の目安（公的な基準額ではありません。運用者が変更できます）")
    } else if table.verified {
        None
    } else if cited.is_empty() {
        Some(
            "報道・ブログで伝えられた事例です。一次資料が示されていないため参考値として載せ、監査の基準には使いません。",
        )
    } else {
        Some("出典の確認が不十分な値です（参考値）。")
    }
}

#[component]
fn BenchmarkTableView(table: BenchmarkTable) -> impl IntoView {
    let unit = table.unit.clone();
    let cell = move |v: Option<String>| v.map(|v| figure_label(&unit, &v)).unwrap_or_default();
    view! {
        <section class="card" id=table.id.clone()>
            <h2>{table.title_ja.clone()}</h2>
            {table.note.clone().map(|n| view! { <p>{n}</p> })}
            {standing(&table).map(|s| view! { <p class="warning">{s}</p> })}
            <TableFrame label=table.title_ja.clone()>
                <table class="data">
                    <thead>
                        <tr>
                            <th scope="col">"項目"</th>
                            <th scope="col" class="num">"最小"</th>
                            <th scope="col" class="num">"平均"</th>
                            <th scope="col" class="num">"最大"</th>
                            <th scope="col" class="num">"値"</th>
                            <th scope="col">"備考"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {table
                            .rows
                            .into_iter()
                            .map(|r| {
                                view! {
                                    <tr>
                                        <th scope="row">{r.label_ja}</th>
                                        <td class="num">{cell(r.min)}</td>
                                        <td class="num">{cell(r.mean)}</td>
                                        <td class="num">{cell(r.max)}</td>
                                        <td class="num">{cell(r.value)}</td>
                                        <td>{r.note.unwrap_or_default()}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </TableFrame>
            <p class="source">{format!("単位: {}", unit_label(&table.unit))}</p>
            <SourceLine note=table.source.clone() />
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fig(series: &str, as_of: &str, kind: &str, pref: &str, metric: &str, value: i64) -> AdoptionFigure {
        AdoptionFigure {
            series: series.into(),
            as_of: as_of.into(),
            source: "seeds/x".into(),
            facility_type: kind.into(),
            prefecture: pref.into(),
            metric: metric.into(),
            value,
        }
    }

    #[test]
    fn thousands_groups_digits_by_three() {
        for (n, s) in [(0, "0"), (999, "999"), (1000, "1,000"), (229_836, "229,836"), (-1_050_000, "-1,050,000")] {
            assert_eq!(thousands(n), s);
        }
    }

    #[test]
    fn series_tables_put_the_newest_national_table_first_with_metrics_in_funnel_order() {
        let figures = vec![
            fig("a", "2022-05-01", "hospital", "", "operating", 2891),
            fig("a", "2022-05-01", "hospital", "", "facilities", 8211),
            fig("b", "2023-01-01", "all", "", "operating", 93385),
            fig("b", "2023-01-01", "hospital", "", "reader_applied", 8049),
            fig("b", "2023-01-01", "all", "40", "operating", 5),
        ];
        let tables = series_tables(&figures);
        assert_eq!(tables.len(), 3);
        assert_eq!((tables[0].series.as_str(), tables[0].prefecture.as_str()), ("b", ""));
        assert_eq!(tables[0].metrics, vec!["reader_applied", "operating"]);
        assert_eq!(tables[0].rows[0], ("hospital".to_owned(), vec![Some(8049), None]));
        assert_eq!(tables[0].rows[1], ("all".to_owned(), vec![None, Some(93385)]));
        let older = tables.iter().find(|t| t.series == "a").unwrap();
        assert_eq!(older.metrics, vec!["facilities", "operating"]);
        assert_eq!(latest_national_series(&figures).unwrap().series, "b");
    }

    #[test]
    fn labels_are_japanese_and_fall_back_to_the_code() {
        assert_eq!(facility_type_label("dental_clinic"), "歯科診療所");
        assert_eq!(facility_type_label("all"), "全施設");
        assert_eq!(prefecture_label(""), "全国");
        assert_eq!(prefecture_label("40"), "福岡県");
        assert_eq!(metric_label("operating"), "運用開始");
        assert_eq!(metric_label("something_new"), "something_new");
        assert_eq!(date_label("2023-01-01"), "令和5年1月1日（2023-01-01）");
        assert_eq!(date_label("unknown"), "unknown");
    }

    #[test]
    fn benchmark_figures_read_with_separators_and_japanese_units() {
        assert_eq!(figure_label("yen", "1050000"), "1,050,000円");
        assert_eq!(figure_label("minutes", "1542"), "1,542分");
        assert_eq!(figure_label("visits", "2.2"), "2.2回");
        assert_eq!(figure_label("ratio", "0.75"), "3/4");
        assert_eq!(figure_label("mixed", "15000"), "15,000");
        assert_eq!(unit_label("minutes"), "分");
    }
}
