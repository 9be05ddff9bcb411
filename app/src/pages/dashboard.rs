//! ダッシュボード: charts drawn as SVG on the server (no script), each with its table and CSV.

use crate::api::dashboard::{Chart, DashboardView, dashboard};
use crate::layout::{Layout, loaded};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Bar colours by series; published rows are drawn lighter.
const SERIES_COLOURS: [&str; 3] = ["#3b6ea5", "#e0a030", "#3a9a5b"];

/// Layout of a bar chart, in SVG user units.
const LABEL_WIDTH: f64 = 250.0;
const BAR_AREA: f64 = 560.0;
const BAR_HEIGHT: f64 = 9.0;
const ROW_GAP: f64 = 8.0;

/// Horizontal grouped bars: one group per table row, one bar per series, scaled to the largest value.
fn bar_chart(chart: &Chart) -> impl IntoView + use<> {
    let max = chart.rows.iter().flat_map(|r| r.bars.iter().copied()).max().unwrap_or(0).max(1) as f64;
    let group = BAR_HEIGHT * chart.series.len() as f64 + ROW_GAP;
    let height = group * chart.rows.len() as f64 + 24.0;
    let width = LABEL_WIDTH + BAR_AREA + 90.0;
    let legend: Vec<_> = chart
        .series
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let x = LABEL_WIDTH + i as f64 * 150.0;
            view! {
                <rect x=x y="2" width="10" height="10" fill=SERIES_COLOURS[i % 3]></rect>
                <text x=x + 14.0 y="11" font-size="11">{name.clone()}</text>
            }
        })
        .collect();
    let bars: Vec<_> = chart
        .rows
        .iter()
        .enumerate()
        .map(|(r, row)| {
            let top = 22.0 + r as f64 * group;
            let opacity = if row.published { "0.45" } else { "1" };
            let label = row.short_label.clone();
            let rects: Vec<_> = row
                .bars
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let w = (*v as f64 / max * BAR_AREA).max(0.0);
                    let y = top + i as f64 * BAR_HEIGHT;
                    view! {
                        <rect x=LABEL_WIDTH y=y width=format!("{w:.1}") height=BAR_HEIGHT - 1.0 fill=SERIES_COLOURS[i % 3] fill-opacity=opacity>
                            <title>{format!("{}: {}", chart.series.get(i).cloned().unwrap_or_default(), row.bar_labels.get(i).cloned().unwrap_or_default())}</title>
                        </rect>
                        <text x=LABEL_WIDTH + w + 4.0 y=y + BAR_HEIGHT - 1.5 font-size="9">{row.bar_labels.get(i).cloned().unwrap_or_default()}</text>
                    }
                })
                .collect();
            view! {
                <text x=LABEL_WIDTH - 6.0 y=top + group / 2.0 font-size="11" text-anchor="end">{label}</text>
                {rects}
            }
        })
        .collect();
    view! {
        <svg class="chart" viewBox=format!("0 0 {width} {height:.0}") width="100%" role="img" aria-label=chart.title.clone()
             xmlns="http://www.w3.org/2000/svg">
            {legend}
            {bars}
        </svg>
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
