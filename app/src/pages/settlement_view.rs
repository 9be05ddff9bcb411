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
        </section>
    }
}
