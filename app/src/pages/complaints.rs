//! 相談（不適切対応事例）: list, filing form, and one case with its evidence, history and next steps.

use super::refused_form::{Refusal, error_summary, last_error};
use crate::UiError;
use crate::api::complaints::{
    ComplaintList, ComplaintView, Evidence, FileComplaint, MoveComplaint, complaint, list_complaints,
};
use crate::layout::{ErrorBox, Layout, loaded};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use rules::complaint::ComplaintKind;

/// 相談の一覧.
#[component]
pub fn ComplaintsPage() -> impl IntoView {
    let query = use_query_map().get_untracked();
    let args = (query.get("status").unwrap_or_default(), query.get("page").unwrap_or_default());
    let list = Resource::new(move || args.clone(), |(status, page)| list_complaints(status, page));
    view! {
        <Layout title="相談（不適切対応事例）">
            {loaded(list, |list| view! { <ComplaintTable list /> })}
        </Layout>
    }
}

/// The status filter, the pager and the table of a page of complaints.
#[component]
fn ComplaintTable(list: ComplaintList) -> impl IntoView {
    let chosen = list.status.clone();
    let filter = view! {
        <form method="get" action="/complaints" class="form inline" data-testid="complaint-filter">
            {super::filter_fields::status(&list.statuses, &chosen)}
            <button type="submit">"絞り込む"</button>
        </form>
    };
    if list.rows.is_empty() {
        let none = if list.status.is_empty() {
            "相談はまだありません。"
        } else {
            "この状態の相談はありません。"
        };
        return view! { {filter} <p>{none}</p> }.into_any();
    }
    let href = |page| super::pager::list_href("/complaints", &[("status", &list.status)], page);
    let pager = || (list.paging.pages > 1).then(|| super::pager::pager(list.paging, list.rows.len(), "件", &href));
    let (above, below) = (pager(), pager());
    view! {
        {filter}
        // The export takes the list's status filter: what is shown is what goes to Excel.
        {crate::csv::download_links("相談（経過つき）", &super::pager::list_href("/exports/complaints.csv", &[("status", &list.status)], 1))}
        {above}
        <table class="data" data-testid="complaints">
            <thead><tr><th scope="col">"番号"</th><th scope="col">"施設"</th><th scope="col">"ベンダー"</th>
                <th scope="col">"種類"</th><th scope="col">"状態"</th><th scope="col">"提出日時"</th></tr></thead>
            <tbody>
                {list.rows.into_iter().map(|c| view! {
                    <tr><td><a href=format!("/complaints/{}", c.id)>{format!("#{}", c.id)}</a></td><td>{c.facility}</td>
                        <td>{c.vendor}</td><td>{c.kind}</td><td>{c.status_label}</td><td>{c.filed_at}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
        {below}
    }
    .into_any()
}

/// 相談の提出 (`?facility=ID&quote=ID`).
#[component]
pub fn ComplaintNewPage() -> impl IntoView {
    let q = use_query_map().get_untracked();
    let facility = q.get("facility").unwrap_or_default();
    let quote = q.get("quote").unwrap_or_default();
    let file = ServerAction::<FileComplaint>::new();
    let error = move || last_error(file)().map(|e| view! { <p class="error" role="alert">{e}</p> });
    let refused = Refusal::of(file);
    let kind = refused.typed("kind").unwrap_or_default();
    let allowed = Resource::new(|| (), |_| crate::pages::facility_form::may_edit());
    view! {
        <Layout title="相談を提出する">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    allowed.await.err().map(|error| view! { <ErrorBox error /> })
                })}
            </Suspense>
            <p>"ベンダーの高額な見積もりや不適切な対応を、所属の医師会等（または厚生労働省）に相談します。見積書を選ぶと、その見積書・ファイル・監査の指摘が証拠として添付されます。"</p>
            {error}
            <ActionForm action=file attr:class="form" attr:data-testid="file-complaint" attr:novalidate=true>
                {error_summary(file)}
                <input type="hidden" name="facility_id" value=facility/>
                <input type="hidden" name="quote_id" value=quote/>
                <label>"種類"
                    <select id="kind" name="kind" aria-invalid=refused.invalid("kind") aria-describedby=refused.described("kind")>
                        {ComplaintKind::ALL.into_iter().map(|k| view! { <option value=k.code() selected=kind == k.code()>{k.label_ja()}</option> }).collect_view()}
                    </select>
                    {refused.message("kind")}
                </label>
                {refused.message("quote_id")}
                <label>"経緯（いつ・誰から・何を言われたか）"
                    <textarea id="description" name="description" rows="6" required aria-invalid=refused.invalid("description")
                        aria-describedby=refused.described("description")>{refused.typed("description").unwrap_or_default()}</textarea>
                    {refused.message("description")}
                </label>
                <label class="check"><input type="checkbox" name="direct" checked=refused.typed("direct").is_some()/>"医師会等を通さず、厚生労働省へ直接相談する"</label>
                <button type="submit" class="primary">"提出する"</button>
            </ActionForm>
        </Layout>
    }
}

/// 相談の詳細.
#[component]
pub fn ComplaintPage() -> impl IntoView {
    let id = super::id_param();
    let data = Resource::new(move || id, |id| async move { complaint(id.ok_or(UiError::NotFound)?).await });
    let step = ServerAction::<MoveComplaint>::new();
    let error = move || last_error(step)().map(|e| view! { <p class="error" role="alert">{e}</p> });
    view! {
        <Layout title="相談">
            {error}
            {loaded(data, move |c| view! { <Complaint c step /> })}
        </Layout>
    }
}

#[component]
fn Complaint(c: ComplaintView, step: ServerAction<MoveComplaint>) -> impl IntoView {
    let s = c.summary.clone();
    let id = s.id;
    view! {
        <section class="card" data-testid="complaint">
            <h2>{format!("相談 #{} — {}", s.id, s.kind)}</h2>
            <p>"状態: " <strong data-testid="complaint-status">{s.status_label.clone()}</strong></p>
            <p data-testid="complaint-holder">"対応している人: " {c.holder.clone()}</p>
            {c.held_note.clone().map(|n| view! { <p class="notice" role="status" data-testid="held-by-auditors">{n}</p> })}
            <p>"施設: " <a href=format!("/facilities/{}", c.facility_id)>{s.facility.clone()}</a> " ／ ベンダー: " {s.vendor.clone()}</p>
            <p class="description">{c.description.clone()}</p>
            {c.quote.clone().map(|Evidence { quote_id: q, has_file, flag_counts }| view! {
                <div class="evidence-box" data-testid="evidence">
                    <p>"証拠: " <a href=format!("/quotes/{q}")>{format!("見積書 #{q}（監査結果）")}</a>
                       {has_file.then(|| view! { " ／ " <a href=format!("/quotes/{q}/file")>"元のファイル"</a> })}</p>
                    <ul>{flag_counts.into_iter().map(|(label, n)| view! { <li>{format!("{label}: {n}件")}</li> }).collect_view()}</ul>
                </div>
            })}
            <h3>"経過"</h3>
            <ol class="timeline" data-testid="complaint-history">
                {c.history.iter().cloned().map(|(from, to, who, comment, at)| view! {
                    <li>{at} " " {who} ": " {if from.is_empty() { to.clone() } else { format!("{from} → {to}") }} " — " {comment}</li>
                }).collect_view()}
            </ol>
            {(!c.moves.is_empty()).then(|| {
                let refused = Refusal::of(step);
                let chosen = refused.typed("to").unwrap_or_default();
                let confirmed: Vec<String> = c.moves.iter().filter(|(code, _)| c.confirmed_moves.contains(code)).map(|(_, label)| format!("「{label}」")).collect();
                view! {
                    <ActionForm action=step attr:class="form" attr:data-testid="move-complaint" attr:novalidate=true>
                        {error_summary(step)}
                        <input type="hidden" name="id" value=id.to_string()/>
                        <label>"次の状態"
                            <select id="to" name="to">
                                {c.moves.iter().cloned().map(|(code, label)| {
                                    let selected = code == chosen;
                                    view! { <option value=code selected=selected>{label}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                        <label>"コメント（必須）"
                            <textarea id="comment" name="comment" rows="3" required aria-invalid=refused.invalid("comment")
                                aria-describedby=refused.described("comment")>{refused.typed("comment").unwrap_or_default()}</textarea>
                            {refused.message("comment")}
                        </label>
                        {(!confirmed.is_empty()).then(|| view! {
                            <label class="check">
                                <input id="confirm" type="checkbox" name="confirm" value="on" aria-invalid=refused.invalid("confirm") aria-describedby=refused.described("confirm")/>
                                {format!("{}は元に戻せないことを確認しました（それ以外を選んだときは不要です）", confirmed.join("・"))}
                                {refused.message("confirm")}
                            </label>
                        })}
                        <button type="submit" class="primary">"記録する"</button>
                    </ActionForm>
                }
            })}
        </section>
    }
}
