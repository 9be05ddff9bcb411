//! The money part of a facility page: 補助額と自己負担 on the facility's own costs, and
//! 投資回収の見込み with the manager's monthly patients.

use crate::UiError;
use crate::api::facility_money::{PaybackView, SavePatients, SettledView, SettlementView, patient_fields};
use crate::api::provisioning::ProgressView;
use crate::layout::loaded;
use leptos::form::ActionForm;
use leptos::prelude::*;

/// The money sections of a facility page, from the page's resource.
#[component]
pub fn MoneySections(progress: Resource<Result<ProgressView, UiError>>) -> impl IntoView {
    let save = ServerAction::<SavePatients>::new();
    // A refused form comes back in the address (no JavaScript): its messages and values.
    let refused = save.value().get_untracked().and_then(Result::err);
    let general = refused
        .clone()
        .filter(|e| !matches!(e, UiError::FormRejected { .. }))
        .map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> });
    view! {
        {general}
        {loaded(progress, move |progress| {
            let m = progress.money;
            let refused = refused.clone();
            view! {
                <Settlement s=m.settlement.clone() />
                <Payback p=m.payback.clone() facility_id=m.facility_id can_edit=m.can_edit refused save />
            }
        })}
    }
}

#[component]
fn Settlement(s: SettlementView) -> impl IntoView {
    let basis = match &s.basis {
        Some(b) => view! {
            <p>"計算に使った費用: "
                <a href=format!("/quotes/{}", b.quote_id) data-testid="cost-basis" data-quote=b.quote_id.to_string()>
                    {format!("{}（見積 #{}）", b.label, b.quote_id)}
                </a>
            </p>
        }
        .into_any(),
        None => view! {
            <p class="note" data-testid="cost-basis">
                "見積が登録されていないため、この施設が受けられる補助額の上限見込みを示しています。自己負担は見積書を登録すると計算します。"
            </p>
        }
        .into_any(),
    };
    let at_cap = s.basis.is_none();
    let body = match s.settled {
        Ok(v) => view! { <Settled settled=v at_cap /> }.into_any(),
        Err(e) => {
            view! { <p class="error" data-testid="settlement-error">"補助額を計算できません: " {e}</p> }.into_any()
        }
    };
    view! {
        <section class="card" data-testid="facility-settlement" id="settlement">
            <h2>"補助額と自己負担"</h2>
            {basis}
            {body}
        </section>
    }
}

#[component]
fn Settled(settled: SettledView, at_cap: bool) -> impl IntoView {
    let SettledView { view: v, subsidy_man, explanation } = settled;
    let figures = if at_cap {
        view! {
            <tr class="total"><th scope="row">"上限見込み（見積未登録）"</th>
                <td class="num"><strong data-testid="cap-estimate">{v.subsidy.clone()}</strong>{format!("（{}）", subsidy_man)}</td></tr>
        }
        .into_any()
    } else {
        view! {
            <tr><th scope="row">"支払う費用の総額（税込）"</th><td class="num" data-testid="total-paid">{v.total_paid.clone()}</td></tr>
            <tr><th scope="row">"補助対象経費（税込）"</th><td class="num" data-testid="eligible">{v.eligible.clone()}</td></tr>
            <tr class="total"><th scope="row">"補助額"</th>
                <td class="num"><strong data-testid="subsidy">{v.subsidy.clone()}</strong>{format!("（{}）", subsidy_man)}</td></tr>
            {v.difference_paid.clone().map(|d| view! { <tr><th scope="row">"うち差額の追加支給"</th><td class="num">{d}</td></tr> })}
            <tr class="total"><th scope="row">"自己負担（支払総額 − 補助額）"</th>
                <td class="num"><strong data-testid="self-burden">{v.self_burden.clone()}</strong></td></tr>
            <tr><th scope="row">"（a）補助対象外の費用"</th><td class="num" data-testid="not-covered">{v.not_covered.clone()}</td></tr>
            {v.not_covered_parts.iter().map(|(label, amount)| view! {
                <tr class="part"><th scope="row">{format!("　うち{label}")}</th><td class="num">{amount.clone()}</td></tr>
            }).collect_view()}
            <tr><th scope="row">"（b）上限を超える補助対象経費"</th><td class="num" data-testid="above-cap">{v.above_cap.clone()}</td></tr>
            <tr><th scope="row">"（c）補助率により残る額"</th><td class="num" data-testid="rate-share">{v.rate_share.clone()}</td></tr>
        }
        .into_any()
    };
    view! {
        <table class="data summary">
            <tbody>
                <tr><th scope="row">"適用する制度"</th><td data-testid="scheme">{v.scheme.clone()}
                    {(!v.verified).then_some("（出典で確認できていない部分があります）")}</td></tr>
                {v.route.clone().map(|r| view! { <tr><th scope="row">"該当した条件"</th><td>{r}</td></tr> })}
                <tr><th scope="row">"補助率"</th><td>{v.rate.clone()}</td></tr>
                <tr><th scope="row">"基準とする事業額（上限）"</th><td class="num">{v.cap.clone()}</td></tr>
                {figures}
                {v.complete_by.clone().map(|d| view! { <tr><th scope="row">"導入完了期限"</th><td>{d}</td></tr> })}
                {v.apply_by.clone().map(|d| view! { <tr><th scope="row">"交付申請期限"</th><td>{d}</td></tr> })}
            </tbody>
        </table>
        <crate::pages::settlement_view::SubsidyTerms/>
        {(!v.conditions.is_empty()).then(|| view! {
            <h3>"制度の条件と日付"</h3>
            <table class="data" data-testid="scheme-conditions">
                <thead><tr><th scope="col">"条件と登録された日付"</th><th scope="col">"状況"</th><th scope="col">"出典"</th></tr></thead>
                <tbody>
                    {v.conditions.iter().map(|c| view! {
                        <tr data-status=c.state_code()>
                            <td>{c.text.clone()}</td><td>{c.state_ja()}</td><td>{c.source.clone().unwrap_or_default()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        })}
        {(!v.warnings.is_empty()).then(|| view! {
            <h3>"注意"</h3>
            <ul class="warnings">{v.warnings.iter().map(|w| view! { <li>{w.clone()}</li> }).collect_view()}</ul>
        })}
        {(!v.assumptions.is_empty()).then(|| view! {
            <h3>"計算の前提"</h3>
            <ul data-testid="settlement-assumptions">{v.assumptions.iter().map(|a| view! { <li>{a.clone()}</li> }).collect_view()}</ul>
        })}
        {(!v.alternatives.is_empty()).then(|| view! {
            <h3>crate::api::settlement_view::ALTERNATIVES_TITLE</h3>
            <ul data-testid="alternatives">{v.alternatives.iter().map(|a| view! { <li>{a.clone()}</li> }).collect_view()}</ul>
        })}
        <details>
            <summary>"計算の根拠"</summary>
            <ol class="explanation">
                {explanation.iter().map(|(text, source)| view! {
                    <li>{text.clone()}{source.clone().map(|s| view! { <span class="source">" 出典: " {s}</span> })}</li>
                }).collect_view()}
            </ol>
        </details>
    }
}

#[component]
fn Payback(
    p: PaybackView,
    facility_id: i64,
    can_edit: bool,
    refused: Option<UiError>,
    save: ServerAction<SavePatients>,
) -> impl IntoView {
    // Each field with what it shows: what was typed before a refusal, else what is stored.
    let fields: Vec<(&'static str, &'static str, String, Option<String>)> = patient_fields(p.pharmacy)
        .iter()
        .map(|&(name, label)| {
            let value = refused
                .as_ref()
                .and_then(|e| e.value(name))
                .or_else(|| p.entered.iter().find(|(f, _)| f == name).map(|(_, v)| v.clone()))
                .unwrap_or_default();
            (name, label, value, refused.as_ref().and_then(|e| e.field(name)))
        })
        .collect();
    let patients = if can_edit {
        view! {
            <ActionForm action=save attr:novalidate=true attr:class="form" attr:data-testid="patients-form">
                <input type="hidden" name="facility_id" value=facility_id.to_string()/>
                {fields.into_iter().map(|(name, label, value, error)| view! {
                    <label for=name>{label}</label>
                    <input id=name name=name type="text" inputmode="numeric" value=value
                        aria-invalid=error.is_some().then_some("true")/>
                    {error.map(|m| view! { <span class="field-error" role="alert">{m}</span> })}
                }).collect_view()}
                <button type="submit" class="primary">"患者数を保存"</button>
            </ActionForm>
        }
        .into_any()
    } else {
        let entered: Vec<String> = fields
            .iter()
            .filter(|(_, _, value, _)| !value.is_empty())
            .map(|(_, label, value, _)| format!("{label}: {value}人"))
            .collect();
        let text = if entered.is_empty() {
            "施設の担当者が入力していません。".to_owned()
        } else {
            entered.join("、")
        };
        view! { <p data-testid="patients">"月の患者数: " {text}</p> }.into_any()
    };
    view! {
        <section class="card" data-testid="payback" id="payback">
            <h2>"投資回収の見込み"</h2>
            <p class="note">"オンライン資格確認を使うと算定できる加算の収入で、自己負担を何か月で取り戻せるかの目安です。"</p>
            {patients}
            {(p.self_burden.is_some() || p.running_cost.is_some()).then(|| view! {
                <table class="data summary">
                    <tbody>
                        {p.self_burden.clone().map(|b| view! { <tr><th scope="row">"回収する自己負担"</th><td class="num">{b}</td></tr> })}
                        {p.running_cost.clone().map(|r| view! { <tr><th scope="row">"運用費用（月・税込）"</th><td class="num" data-testid="running-cost">{r}</td></tr> })}
                    </tbody>
                </table>
            })}
            {p.unavailable.clone().map(|u| view! { <p data-testid="payback-unavailable">{u}</p> })}
            {(!p.rows.is_empty()).then(|| view! {
                <table class="data" data-testid="payback-rows">
                    <thead>
                        <tr>
                            <th scope="col">"加算"</th><th scope="col">"点数（患者1人・月1回）"</th><th scope="col">"算定できる期間"</th>
                            <th scope="col" class="num">"月の点数"</th><th scope="col" class="num">"月の収入"</th>
                            <th scope="col" class="num">"運用費用（月）"</th><th scope="col" class="num">"差引（月）"</th>
                            <th scope="col">"回収までの期間"</th><th scope="col">"出典"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {p.rows.iter().map(|r| view! {
                            <tr data-fee=r.fee_id.clone()>
                                <th scope="row">{r.name.clone()}</th>
                                <td>{r.points.clone()}<br/><small>{format!("低い点数: {}", r.lower_points)}</small></td>
                                <td>{r.period.clone()}{r.ended.then_some("（終了）")}</td>
                                <td class="num">{r.monthly_points.clone()}</td>
                                <td class="num">{r.monthly_income.clone()}</td>
                                <td class="num">{r.running_cost.clone()}</td>
                                <td class="num">{r.monthly_net.clone()}</td>
                                <td data-testid=format!("payback-months-{}", r.fee_id) data-months=r.months.map(|m| m.to_string())>
                                    {r.months_text.clone()}
                                </td>
                                <td><small>{r.source.clone()}</small></td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
            {(!p.assumptions.is_empty()).then(|| view! {
                <h3>"計算の前提"</h3>
                <ul data-testid="payback-assumptions">{p.assumptions.iter().map(|a| view! { <li>{a.clone()}</li> }).collect_view()}</ul>
            })}
        </section>
    }
}
