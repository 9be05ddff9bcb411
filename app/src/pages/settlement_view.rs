//! The subsidy and 自己負担 of a set of costs: the scheme and why, the figures, and 自己負担 in
//! its three parts; what was assumed and what the missing dates would give.

use crate::api::settlement_view::{ALTERNATIVES_TITLE, SettlementView, TITLE};
use leptos::prelude::*;

/// The settlement as a section, its figures with stable `data-testid`s.
#[component]
pub fn SettlementSummary(s: SettlementView) -> impl IntoView {
    view! {
        <section class="settlement" data-testid="settlement" aria-labelledby="settlement-title">
            <h3 id="settlement-title">{TITLE}</h3>
            {(!s.assumptions.is_empty()).then(|| view! {
                <div class="warning" data-testid="assumptions">
                    {s.assumptions.iter().cloned().map(|a| view! { <p>{a}</p> }).collect_view()}
                </div>
            })}
            <table class="data summary">
                <tbody>
                    <tr><th scope="row">"適用する制度"</th><td data-testid="scheme">{s.scheme_label()}</td></tr>
                    {s.route.clone().map(|r| view! { <tr><th scope="row">"適用の条件"</th><td>{r}</td></tr> })}
                    {s.conditions.iter().cloned().map(|c| view! {
                        <tr data-met=c.met.to_string()>
                            <th scope="row">{c.state_ja()}</th>
                            <td>{c.text}{c.source.map(|src| view! { <span class="source">" 出典: " {src}</span> })}</td>
                        </tr>
                    }).collect_view()}
                    {s.figures().into_iter().map(|f| {
                        let class = match (f.total, f.depth) {
                            (true, _) => Some("total"),
                            (false, 0) => None,
                            (false, 1) => Some("part"),
                            (false, _) => Some("part-of-part"),
                        };
                        view! {
                            <tr class=class>
                                <th scope="row">{f.label}</th>
                                <td class=f.money.then_some("num") data-testid=f.testid>{f.value}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            {(!s.eligible_for_subsidy).then(|| view! { <p class="error">"この日付では補助の対象外です。"</p> })}
            {(!s.alternatives.is_empty()).then(|| view! {
                <h4>{ALTERNATIVES_TITLE}</h4>
                <ul class="alternatives" data-testid="alternatives">
                    {s.alternatives.iter().cloned().map(|a| view! { <li>{a}</li> }).collect_view()}
                </ul>
            })}
            {(!s.warnings.is_empty()).then(|| view! {
                <ul class="warnings">
                    {s.warnings.iter().cloned().map(|w| view! { <li>{w}</li> }).collect_view()}
                </ul>
            })}
            <SubsidyTerms/>
        </section>
    }
}

/// Where the terms are defined: the notice's 別添1 (eligible costs) and the subsidy table
/// (事業額 and rates).
const TERMS_SOURCE: &str =
    "seeds/001_03434e09f67b16ae.txt（補助対象の経費）; seeds/003_bb373fb805f0f64e.txt（補助内容の表）";

/// 用語の説明: the two terms every subsidy figure rests on, as the public documents use them.
#[component]
pub fn SubsidyTerms() -> impl IntoView {
    view! {
        <details class="term-help" data-testid="term-help">
            <summary>"用語の説明（補助対象経費・基準とする事業額）"</summary>
            <dl>
                <dt>"補助対象経費"</dt>
                <dd>"補助の対象になる費用です。資格確認端末の購入と設定、レセコン・電子カルテ等の既存システムの改修、オンライン請求回線の導入、ネットワーク環境の整備（ルーター・LAN配線・設定）などで、消費税も含みます。月々の保守費用や回線使用料は対象外です。資格確認のアプリケーションは社会保険診療報酬支払基金から無償で提供されます。"</dd>
                <dt>"基準とする事業額"</dt>
                <dd>"補助額を計算するときの費用の上限（消費税込み）です。病院はカードリーダー1台で210.1万円・2台で200.2万円・3台で190.3万円、診療所・薬局は42.9万円です。補助額は、補助対象経費と基準とする事業額の少ない方に補助率を掛けた額です。"</dd>
            </dl>
            <crate::pages::sources::SourceLine note=TERMS_SOURCE.to_owned() />
            <p class="note">"補助額の千円未満の切り捨ては、公表された表の金額と一致する計算として Onshi が採用しているものです（公表資料に計算方法の記載はありません）。"</p>
        </details>
    }
}
