//! ベンダー: one vendor's record and the league table.

use crate::UiError;
use crate::api::vendors::{LeagueTable, VendorStats, vendor_league, vendor_record};
use crate::layout::{Layout, loaded};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

const SORTS: [(&str, &str); 5] = [
    ("flags", "指摘の数"),
    ("ratio", "基準に対する価格"),
    ("complaints", "相談の数"),
    ("quotes", "見積書の数"),
    ("name", "名前"),
];

/// ベンダー比較（審査担当・監査担当）.
#[component]
pub fn VendorLeaguePage() -> impl IntoView {
    let sort = use_query_map().get_untracked().get("sort").unwrap_or_else(|| "flags".into());
    let current = sort.clone();
    let rows = Resource::new(move || sort.clone(), vendor_league);
    view! {
        <Layout title="ベンダー比較">
            <p>"並べ替え: "
                {SORTS.iter().map(|(k, label)| {
                    let here = current == *k;
                    view! { <a href=format!("/vendors?sort={k}") class=if here { "current" } else { "" }>{*label}</a> " " }
                }).collect_view()}
            </p>
            {crate::csv::download_links("登録ベンダー（見積書・相談の数つき）", "/exports/vendors.csv")}
            {loaded(rows, |LeagueTable { rows, computed_at }| {
                let behind = computed_at.map(|at| view! {
                    <p class="note" role="status" data-testid="league-behind">
                        {format!("見積書の監査は {at} 時点の集計です。その後に見積書や基準額などが変わったため、新しい集計を計算しています。しばらくしてから再読み込みしてください（相談の件数は最新です）。")}
                    </p>
                });
                if rows.is_empty() {
                    return view! { {behind} <p>"範囲内に見積書や相談のあるベンダーはありません。"</p> }.into_any();
                }
                view! {
                            {behind}
                            <table class="data" data-testid="vendor-league">
                                <thead><tr><th scope="col">"ベンダー"</th><th scope="col" class="num">"見積書"</th><th scope="col" class="num">"指摘"</th>
                                    <th scope="col" class="num">"基準に対する価格（中央値）"</th><th scope="col" class="num">"相談"</th></tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|r| view! {
                                        <tr><td><a href=format!("/vendors/{}", r.id)>{r.name}</a></td><td class="num">{r.quotes}</td>
                                            <td class="num">{r.flag_total}</td><td class="num">{r.overall_ratio.map(|x| format!("{x}倍")).unwrap_or_else(|| "—".into())}</td>
                                            <td class="num">{r.complaint_total}</td></tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                }.into_any()
            })}
        </Layout>
    }
}

/// One vendor.
#[component]
pub fn VendorPage() -> impl IntoView {
    let id = super::id_param();
    let data = Resource::new(move || id, |id| async move { vendor_record(id.ok_or(UiError::NotFound)?).await });
    view! {
        <Layout title="ベンダー">
            {loaded(data, move |r| view! { <Record r /> })}
        </Layout>
    }
}

#[component]
fn Record(r: VendorStats) -> impl IntoView {
    view! {
        <section class="card" data-testid="vendor">
            <h2>{r.name.clone()}</h2>
            <p>{format!("見積書 {}件 ／ 指摘 {}件 ／ 相談 {}件", r.quotes, r.flag_total, r.complaint_total)}</p>
            <h3>"指摘の内訳"</h3>
            <ul>{r.flags.iter().map(|(l, n)| view! { <li>{format!("{l}: {n}件")}</li> }).collect_view()}</ul>
            <h3>"基準（価格の目安の上限）に対する価格の中央値"</h3>
            <table class="data"><thead><tr><th scope="col">"費目"</th><th scope="col" class="num">"倍率"</th><th scope="col" class="num">"行数"</th></tr></thead>
                <tbody>{r.ratios.iter().cloned().map(|(l, x, n)| view! { <tr><td>{l}</td><td class="num">{format!("{x}倍")}</td><td class="num">{n}</td></tr> }).collect_view()}</tbody>
            </table>
            <h3>"相談の状況"</h3>
            <ul>{r.complaints.iter().map(|(l, n)| view! { <li>{format!("{l}: {n}件")}</li> }).collect_view()}</ul>
        </section>
    }
}
