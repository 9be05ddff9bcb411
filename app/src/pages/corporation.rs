//! 法人: all facilities of a corporation with stage, next deadline, subsidy and 自己負担 (as each
//! facility page shows them); 一括申請.

use super::refused_form::{described, error_summary, field_error, field_id, invalid, last_error, typed, typed_or};
use crate::UiError;
use crate::api::corporation::{CorporationView, corporation};
use crate::api::provisioning::BulkApplyReaders;
use crate::layout::{Layout, TableFrame, loaded};
use leptos::form::ActionForm;
use leptos::prelude::*;

/// 法人のページ.
#[component]
pub fn CorporationPage() -> impl IntoView {
    let id = super::id_param();
    let view_data = Resource::new(move || id, |id| async move { corporation(id.ok_or(UiError::NotFound)?).await });
    let bulk = ServerAction::<BulkApplyReaders>::new();
    // A refused form says what to fix beside its fields; other errors show here.
    let error = move || last_error(bulk)().map(|m| view! { <p class="error" role="alert">{m}</p> });
    view! {
        <Layout title="法人の施設">
            {error}
            {loaded(view_data, move |c| view! { <Corporation c bulk /> })}
        </Layout>
    }
}

#[component]
fn Corporation(c: CorporationView, bulk: ServerAction<BulkApplyReaders>) -> impl IntoView {
    let pending: Vec<(i64, String)> =
        c.facilities.iter().filter(|f| !f.applied).map(|f| (f.id, f.name.clone())).collect();
    view! {
        <h2>{c.name.clone()}</h2>
        <table class="data summary" data-testid="corporation-totals">
            <tbody>
                <tr><th scope="row">{format!("補助額の合計（見積・領収書のある{}施設）", c.with_costs)}</th>
                    <td class="num" data-testid="total-subsidy">{c.total_subsidy.clone()}</td></tr>
                <tr><th scope="row">{format!("自己負担の合計（同じ{}施設）", c.with_costs)}</th>
                    <td class="num" data-testid="total-self-burden">{c.total_self_burden.clone()}</td></tr>
                <tr><th scope="row">{format!("上限見込みの合計（見積未登録の{}施設）", c.without_costs)}</th>
                    <td class="num" data-testid="total-estimate">{c.total_estimate.clone()}</td></tr>
            </tbody>
        </table>
        <p class="note">"補助額と自己負担は、各施設の登録日付と、支払済みの領収書（なければ確定した見積、なければ最新の見積）から、施設のページと同じ計算で求めています。見積が未登録の施設は、受けられる補助額の上限見込みだけを示し、合計を分けています。"</p>
        <TableFrame label="法人の施設の一覧">
            <table class="data" data-testid="corporation-facilities">
                <thead>
                    <tr>
                        <th scope="col">"施設"</th><th scope="col">"施設区分"</th><th scope="col">"導入状況"</th>
                        <th scope="col">"次の期限"</th><th scope="col">"計算に使った費用"</th>
                        <th scope="col" class="num">"補助額"</th><th scope="col" class="num">"自己負担"</th>
                    </tr>
                </thead>
                <tbody>
                    {c.facilities.iter().map(|f| view! {
                        <tr data-facility=f.id.to_string()>
                            <td><a href=format!("/facilities/{}", f.id)>{f.name.clone()}</a></td>
                            <td>{f.facility_type.clone()}</td>
                            <td>{f.stage.clone()}</td>
                            <td class=f.next.as_ref().map(|d| format!("deadline {}", d.status)).unwrap_or_default()>
                                {f.next.as_ref().map(|d| format!("{}（{}・{}）", d.label, d.due, d.status_label)).unwrap_or_else(|| "—".into())}
                            </td>
                            <td data-testid="cost-basis">{match &f.basis {
                                Some(b) => view! { <a href=format!("/quotes/{}", b.quote_id)>{format!("{}（見積 #{}）", b.label, b.quote_id)}</a> }.into_any(),
                                None => "見積未登録".into_any(),
                            }}</td>
                            {match (&f.subsidy, &f.self_burden, &f.cap_estimate, &f.error) {
                                (Some(s), Some(b), _, _) => view! {
                                    <td class="num" data-testid="subsidy">{s.clone()}</td>
                                    <td class="num" data-testid="self-burden">{b.clone()}</td>
                                }.into_any(),
                                (_, _, Some(e), _) => view! {
                                    <td class="num">"上限見込み（見積未登録） " <span data-testid="cap-estimate">{e.clone()}</span></td>
                                    <td class="num">"—"</td>
                                }.into_any(),
                                (_, _, _, e) => view! {
                                    <td colspan="2" class="error">{format!("補助額を計算できません: {}", e.clone().unwrap_or_default())}</td>
                                }.into_any(),
                            }}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </TableFrame>
        <section class="card">
            <h2>"一括申請（補助金の交付申請書類）"</h2>
            <p class="note">"支払済みの費用がある施設ごとに申請書類（PDF）を作り、全施設の申請可否と理由を一覧（CSV）にしてZIPでまとめます。"</p>
            <form method="get" action=format!("/corporations/{}/applications.zip", c.id) class="form" data-testid="bulk-application">
                <label>"申請日"<input name="applied_on" type="text" placeholder="2023-05-01" required/></label>
                <button type="submit">"一括申請の書類をダウンロード"</button>
            </form>
        </section>
        {(c.can_edit && !pending.is_empty()).then(|| view! {
            <section class="card">
                <h2>"一括申請（カードリーダー）"</h2>
                <ActionForm action=bulk attr:novalidate=true attr:class="form" attr:data-testid="bulk-apply">
                    {error_summary(bulk)}
                    {pending.into_iter().map(|(id, name)| {
                        // Ticked again when a refused form comes back.
                        let key = format!("selected[{id}]");
                        let checked = bulk.value().get_untracked().and_then(Result::err).and_then(|e| e.value(&key)).is_some();
                        view! {
                            <label class="check"><input type="checkbox" name=key value="on" checked=checked/>{name}</label>
                        }
                    }).collect_view()}
                    <label>"申込日"<input name="applied_on" id=field_id("applied_on") aria-invalid=invalid(bulk, "applied_on", None) aria-describedby=described(bulk, "applied_on", None) type="text" value=typed(bulk, "applied_on") required/>{field_error(bulk, "applied_on", None)}</label>
                    <label>"台数（各施設）"<input name="readers" id=field_id("readers") aria-invalid=invalid(bulk, "readers", None) aria-describedby=described(bulk, "readers", None) type="number" min="1" max="20" value=typed_or(bulk, "readers", "1".into())/>{field_error(bulk, "readers", None)}</label>
                    <label>"機種"
                        <select name="maker" id=field_id("maker") aria-invalid=invalid(bulk, "maker", None) aria-describedby=described(bulk, "maker", None)>
                            <option value="">"機種未定（2021年3月の申込のみ）"</option>
                            {c.makers.iter().map(|(code, name)| {
                                let selected = typed(bulk, "maker")() == *code;
                                view! { <option value=code.clone() selected=selected>{name.clone()}</option> }
                            }).collect_view()}
                        </select>
                        {field_error(bulk, "maker", None)}
                    </label>
                    <label>"一括申請の申出日"<input name="bulk_declared_on" id=field_id("bulk_declared_on") aria-invalid=invalid(bulk, "bulk_declared_on", None) aria-describedby=described(bulk, "bulk_declared_on", None) type="text" value=typed(bulk, "bulk_declared_on")/>{field_error(bulk, "bulk_declared_on", None)}</label>
                    <button type="submit" class="primary">"まとめて申し込む"</button>
                </ActionForm>
            </section>
        })}
    }
}
