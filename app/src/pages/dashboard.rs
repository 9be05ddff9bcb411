//! ダッシュボード: charts drawn as SVG on the server (no script), each with its table and CSV.

use crate::api::dashboard::{Chart, DashboardView, dashboard};
use crate::layout::{Layout, loaded};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Bar colours by series; published rows are drawn lighter.
const SERIES_COLOURS: [&str; 3] = ["#3b6ea5", "#e0a030", "#3a9a5b"];

/// Layout of a bar chart, in SVG user units. The chart is never drawn narrower than its
/// width (its frame scrolls on a phone), so a unit is at least a pixel and the text at least
/// 14 px (issue: pages people can work in; JIS X 8341-3 asks for text that can be read).
const FONT: f64 = 14.0;
const LINE: f64 = 18.0;
const LABEL_WIDTH: f64 = 260.0;
const BAR_AREA: f64 = 500.0;
const VALUE_WIDTH: f64 = 140.0;
const BAR_HEIGHT: f64 = 20.0;
const ROW_GAP: f64 = 10.0;
const LEGEND_HEIGHT: f64 = 28.0;
/// The chart's width in user units, and the least it is drawn at in pixels (`onshi.css`).
pub const CHART_WIDTH: f64 = LABEL_WIDTH + BAR_AREA + VALUE_WIDTH;

/// A label in lines that fit `width` at [`FONT`]: a full-width character takes the font's
/// width, any other a little over half. Lines break between characters, as Japanese does;
/// nothing is cut off.
fn wrapped(label: &str, width: f64) -> Vec<String> {
    let mut lines = vec![String::new()];
    let mut used = 0.0;
    for c in label.chars() {
        let w = if c.is_ascii() || ('\u{ff61}'..='\u{ff9f}').contains(&c) { FONT * 0.6 } else { FONT };
        if used + w > width && !lines.last().is_some_and(String::is_empty) {
            lines.push(String::new());
            used = 0.0;
        }
        if let Some(line) = lines.last_mut() {
            line.push(c);
        }
        used += w;
    }
    lines
}

/// Horizontal grouped bars: one group per table row, one bar per series, scaled to the largest value.
fn bar_chart(chart: &Chart) -> impl IntoView + use<> {
    let max = chart.rows.iter().flat_map(|r| r.bars.iter().copied()).max().unwrap_or(0).max(1) as f64;
    let series = chart.series.len().max(1) as f64;
    let legend: Vec<_> = chart
        .series
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let x = LABEL_WIDTH + i as f64 * 180.0;
            view! {
                <rect x=x y="6" width="14" height="14" fill=SERIES_COLOURS[i % 3]></rect>
                <text x=x + 20.0 y="19" font-size=FONT>{name.clone()}</text>
            }
        })
        .collect();
    let mut top = LEGEND_HEIGHT;
    let bars: Vec<_> = chart
        .rows
        .iter()
        .map(|row| {
            let lines = wrapped(&row.short_label, LABEL_WIDTH - 12.0);
            let block = (BAR_HEIGHT * series).max(LINE * lines.len() as f64);
            let row_top = top;
            top += block + ROW_GAP;
            let opacity = if row.published { "0.45" } else { "1" };
            let rects: Vec<_> = row
                .bars
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let w = (*v as f64 / max * BAR_AREA).max(0.0);
                    let y = row_top + i as f64 * BAR_HEIGHT;
                    view! {
                        <rect x=LABEL_WIDTH y=y width=format!("{w:.1}") height=BAR_HEIGHT - 3.0 fill=SERIES_COLOURS[i % 3] fill-opacity=opacity>
                            <title>{format!("{}: {}", chart.series.get(i).cloned().unwrap_or_default(), row.bar_labels.get(i).cloned().unwrap_or_default())}</title>
                        </rect>
                        <text x=LABEL_WIDTH + w + 5.0 y=y + BAR_HEIGHT - 6.0 font-size=FONT>{row.bar_labels.get(i).cloned().unwrap_or_default()}</text>
                    }
                })
                .collect();
            let label: Vec<_> = lines
                .into_iter()
                .enumerate()
                .map(|(i, line)| {
                    view! { <tspan x=LABEL_WIDTH - 8.0 y=row_top + FONT + i as f64 * LINE>{line}</tspan> }
                })
                .collect();
            view! {
                <text font-size=FONT text-anchor="end">{label}</text>
                {rects}
            }
        })
        .collect();
    let height = top;
    view! {
        <div class="chart-frame" role="region" tabindex="0" aria-label=format!("{}（グラフ）", chart.title)>
            <svg class="chart" viewBox=format!("0 0 {CHART_WIDTH} {height:.0}") width="100%" role="img" aria-label=chart.title.clone()
                 xmlns="http://www.w3.org/2000/svg">
                {legend}
                {bars}
            </svg>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_labels_wrap_between_characters_and_lose_nothing() {
        let label = "導入作業完了・運用未着手: 見積書を受領後、導入費用が負担となるため検討を見合わせている";
        let lines = wrapped(label, LABEL_WIDTH - 12.0);
        assert!(lines.len() > 1, "{lines:?}");
        assert_eq!(lines.concat(), label, "nothing cut off");
        for line in &lines {
            assert!(line.chars().count() as f64 * FONT <= LABEL_WIDTH - 12.0 + FONT, "{line}");
        }
        assert_eq!(wrapped("病院", 100.0), vec!["病院".to_owned()]);
    }
}

/// The charts as HTML, with their CSV links carrying `query` (the filter).
#[cfg(feature = "ssr")]
pub fn charts_markup(charts: &[Chart], query: &str) -> String {
    charts.iter().map(|c| chart_view(c.clone(), query.to_owned())).collect_view().to_html()
}

fn chart_view(chart: Chart, query: String) -> impl IntoView {
    let csv = format!("/dashboard/{}.csv{query}", chart.id);
    view! {
        <section class="card" data-testid=format!("chart-{}", chart.id)>
            <h2>{chart.title.clone()}</h2>
            {chart.note.clone().map(|n| view! { <p class="note">{n}</p> })}
            {if chart.rows.is_empty() {
                view! { <p>"該当するデータはありません。"</p> }.into_any()
            } else {
                bar_chart(&chart).into_any()
            }}
            <table class="data">
                <thead><tr>{chart.columns.iter().map(|c| view! { <th scope="col">{c.clone()}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {chart.rows.iter().map(|r| view! {
                        <tr class=if r.published { "published" } else { "" }>
                            {r.cells.iter().enumerate().map(|(i, c)| if i == 0 {
                                view! { <th scope="row">{c.clone()}</th> }.into_any()
                            } else {
                                view! { <td class="num">{c.clone()}</td> }.into_any()
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <p><a href=csv data-testid="chart-csv">"この表をCSVでダウンロード"</a></p>
        </section>
    }
}

fn filter_form(d: &DashboardView) -> impl IntoView + use<> {
    let [t, p, from, to] = d.applied.clone();
    view! {
        <form method="get" action="/dashboard" class="form inline" data-testid="dashboard-filter">
            {super::filter_fields::type_and_prefecture(&d.choices, &t, &p)}
            <label>"期間（開始）"<input name="from" type="text" value=from placeholder="2022-04" title="年月（2022-04、令和4年4月）または日付"/></label>
            <label>"期間（終了）"<input name="to" type="text" value=to placeholder="2023-03" title="年月（2023-03、令和5年3月）または日付"/></label>
            <button type="submit">"絞り込む"</button>
        </form>
    }
}

/// ダッシュボード.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let query = use_query_map().get_untracked();
    let get = |k: &str| query.get(k).unwrap_or_default();
    let args = (get("type"), get("prefecture"), get("from"), get("to"));
    let data = Resource::new(move || args.clone(), |(t, p, f, to)| dashboard(t, p, f, to));
    view! {
        <Layout title="ダッシュボード">
            {loaded(data, move |d: DashboardView| {
                view! {
                    {filter_form(&d)}
                    <div class="charts" inner_html=d.charts_html />
                }
            })}
        </Layout>
    }
}
