//! 補助金の交付申請: the section of a facility page (mark costs paid, prepare the package),
//! one application with its documents and status, and the list with totals.

use super::refused_form::{described, error_summary, field_error, field_id, invalid, typed, typed_in, typed_or};
use crate::UiError;
use crate::api::applications::{
    ApplicationFormView, ApplicationList, ApplicationView, DETAIL_FIELDS, DeleteReceiptScan, MarkQuotePaid,
    MarkReceiptShared, PrepareApplication, RecordApplicationPayment, SubmitApplication, application, list_applications,
};
use crate::layout::{Layout, TableFrame, loaded};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// A refused action: every reason with what to do, one per line (the codes stay in `data-code`),
/// but those of the fields in `beside`, which the form shows next to the field.
fn refusal_list(error: UiError, beside: &[&str]) -> Option<AnyView> {
    let items = match error {
        UiError::Fields(items) => items,
        UiError::FormRejected { errors, .. } => {
            errors.into_iter().filter(|(field, _)| !beside.contains(&field.as_str())).collect()
        }
        other => return Some(view! { <p class="error" role="alert">{other.to_string()}</p> }.into_any()),
    };
    (!items.is_empty()).then(|| {
        view! {
            <div class="error" role="alert" data-testid="refusals">
                <p>"次の点を確認してください。"</p>
                <ul>
                    {items.into_iter().map(|(code, text)| view! { <li data-code=code>{text}</li> }).collect_view()}
                </ul>
            </div>
        }
        .into_any()
    })
}

/// The fields of the 「支払済みにする」 form, of the package form, and of the status forms.
const PAID_FIELDS: [&str; 1] = ["paid_on"];
const PREPARE_FIELDS: [&str; 9] = [
    "quote_id",
    "applied_on",
    "readers",
    "founder",
    "representative_title",
    "representative_name",
    "address",
    "phone",
    "contact_person",
];
const SUBMIT_FIELDS: [&str; 1] = ["submitted_on"];
const PAYMENT_FIELDS: [&str; 2] = ["paid_on", "amount"];

/// The application part of a facility page.
#[component]
pub fn ApplicationSection(form: Resource<Result<ApplicationFormView, UiError>>) -> impl IntoView {
    let paid = ServerAction::<MarkQuotePaid>::new();
    let prepare = ServerAction::<PrepareApplication>::new();
    let shared = ServerAction::<MarkReceiptShared>::new();
    let errors = move || {
        let paid = paid.value().get().and_then(Result::err).and_then(|e| refusal_list(e, &PAID_FIELDS));
        let prepare = prepare.value().get().and_then(Result::err).and_then(|e| refusal_list(e, &PREPARE_FIELDS));
        let shared = shared.value().get().and_then(Result::err).and_then(|e| refusal_list(e, &[]));
        [paid, prepare, shared].into_iter().flatten().collect_view()
    };
    view! {
        {errors}
        {loaded(form, move |f| view! { <ApplicationForm f paid prepare shared /> })}
    }
}

#[component]
fn ApplicationForm(
    f: ApplicationFormView,
    paid: ServerAction<MarkQuotePaid>,
    prepare: ServerAction<PrepareApplication>,
    shared: ServerAction<MarkReceiptShared>,
) -> impl IntoView {
    let id = f.facility_id;
    let can_share = f.can_edit && f.in_corporation;
    let details = f.details.clone();
    let paid_quotes: Vec<(i64, String)> =
        // A receipt shared across the corporation belongs to the 一括申請, split across its facilities.
        f.quotes.iter().filter(|q| q.paid_on.is_some() && !q.shared).map(|q| (q.id, q.label.clone())).collect();
    let typed_quote = typed(prepare, "quote_id")();
    view! {
        <section class="card" data-testid="subsidy-application">
            <h2>"補助金の交付申請"</h2>
            <p class="note">"補助金は導入作業の完了とベンダーへの支払の後に申請します（精算払い）。領収書(写)・領収書内訳書・事業完了報告書を添付します。"</p>
            {f.existing.clone().map(|(aid, status)| view! {
                <p>"この施設の申請: " <a href=format!("/applications/{aid}") data-testid="application-link">{format!("申請 #{aid}（{status}）")}</a></p>
            })}
            {if f.quotes.is_empty() {
                view! { <p>"確定した見積書・実費がありません。見積書を取り込むか手入力して確定してください。"</p> }.into_any()
            } else {
                view! {
                    <table class="data" data-testid="cost-quotes">
                        <thead><tr><th scope="col">"見積書・実費"</th><th scope="col">"支払日"</th>
                            {f.can_edit.then(|| view! { <th scope="col">"支払済みにする"</th> })}
                            {can_share.then(|| view! { <th scope="col">"法人の共通費用（一括申請で按分）"</th> })}</tr></thead>
                        <tbody>
                            {f.quotes.iter().cloned().map(|q| view! {
                                <tr data-quote=q.id.to_string()>
                                    <td><a href=format!("/quotes/{}", q.id)>{q.label}</a></td>
                                    <td>{q.paid_on.clone().unwrap_or_else(|| "未払い".into())}</td>
                                    {f.can_edit.then(|| {
                                        let refused_here = field_error(paid, "paid_on", Some(("quote_id", q.id.to_string())))().is_some();
                                        let form = view! {
                                            <ActionForm action=paid attr:novalidate=true attr:class="form inline" attr:data-testid=format!("mark-paid-{}", q.id)>
                                                    <input type="hidden" name="facility_id" value=id.to_string()/>
                                                    <input type="hidden" name="quote_id" value=q.id.to_string()/>
                                                    <label>"支払日（領収書の日付）"
                                                        <input name="paid_on" aria-invalid=invalid(paid, "paid_on", Some(("quote_id", q.id.to_string()))) aria-describedby=described(paid, "paid_on", Some(("quote_id", q.id.to_string()))) type="text" placeholder="2023-02-10" value=typed_in(paid, "paid_on", ("quote_id", q.id.to_string()))/>
                                                        {field_error(paid, "paid_on", Some(("quote_id", q.id.to_string())))}
                                                    </label>
                                                    <button type="submit">"登録"</button>
                                                </ActionForm>
                                        };
                                        // Paid: the form gives way to the date, and stays at hand to correct it.
                                        view! {
                                            <td>
                                                {if q.paid_on.is_some() {
                                                    view! { <details open=refused_here><summary>"支払済み（支払日を直す）"</summary>{form}</details> }.into_any()
                                                } else {
                                                    form.into_any()
                                                }}
                                            </td>
                                        }
                                    })}
                                    {can_share.then(|| view! {
                                        <td>
                                            <ActionForm action=shared attr:novalidate=true attr:class="form inline" attr:data-testid=format!("mark-shared-{}", q.id)>
                                                <input type="hidden" name="facility_id" value=id.to_string()/>
                                                <input type="hidden" name="quote_id" value=q.id.to_string()/>
                                                <input type="hidden" name="shared" value=if q.shared { "0" } else { "1" }/>
                                                {if q.shared { "共通費用（施設数で按分）" } else { "この施設の費用" }}
                                                <button type="submit">{if q.shared { "この施設の費用に戻す" } else { "法人の共通費用にする" }}</button>
                                            </ActionForm>
                                        </td>
                                    })}
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            {(f.can_edit && !paid_quotes.is_empty()).then(|| view! {
                <ActionForm action=prepare attr:novalidate=true attr:class="form" attr:data-testid="prepare-application">
                    {error_summary(prepare)}
                    <input type="hidden" name="facility_id" value=id.to_string()/>
                    <label>"支払済みの費用"
                        <select name="quote_id" id=field_id("quote_id") aria-invalid=invalid(prepare, "quote_id", None) aria-describedby=described(prepare, "quote_id", None)>
                            {paid_quotes.into_iter().map(|(qid, label)| {
                                let selected = typed_quote == qid.to_string();
                                view! { <option value=qid.to_string() selected=selected>{label}</option> }
                            }).collect_view()}
                        </select>
                        {field_error(prepare, "quote_id", None)}
                    </label>
                    <label>"申請日"<input name="applied_on" id=field_id("applied_on") aria-invalid=invalid(prepare, "applied_on", None) aria-describedby=described(prepare, "applied_on", None) type="text" value=typed_or(prepare, "applied_on", f.today.clone()) required/>{field_error(prepare, "applied_on", None)}</label>
                    <label>"補助対象のカードリーダー台数"<input name="readers" id=field_id("readers") aria-invalid=invalid(prepare, "readers", None) aria-describedby=described(prepare, "readers", None) type="number" min="1" max="3" value=typed_or(prepare, "readers", f.readers_default.to_string())/>{field_error(prepare, "readers", None)}</label>
                    <fieldset>
                        <legend>"申請者（交付申請書に記載します）"</legend>
                        <input type="hidden" name="details" value="1"/>
                        {DETAIL_FIELDS.iter().zip(details.values()).map(|((name, label, example), value)| {
                            let name: &'static str = name;
                            let input_id = format!("application-{name}");
                            let error_id = format!("application-{name}-error");
                            let invalid = move || prepare.value().get().and_then(Result::err).and_then(|e| e.field(name)).is_some();
                            view! {
                                <label for=input_id.clone()>{*label}</label>
                                <input id=input_id name=name type="text" placeholder=*example maxlength="100" required
                                    value=typed_or(prepare, name, value.to_owned())
                                    aria-invalid=move || invalid().then_some("true")
                                    aria-describedby=move || invalid().then(|| error_id.clone())/>
                                <span id=format!("application-{name}-error")>{field_error(prepare, name, None)}</span>
                            }
                        }).collect_view()}
                    </fieldset>
                    <button type="submit" class="primary">"申請書類を作成"</button>
                </ActionForm>
            })}
        </section>
    }
}

/// 交付申請 #id.
#[component]
pub fn ApplicationPage() -> impl IntoView {
    let id = super::id_param();
    let submit = ServerAction::<SubmitApplication>::new();
    let payment = ServerAction::<RecordApplicationPayment>::new();
    let delete = ServerAction::<DeleteReceiptScan>::new();
    let data = Resource::new(
        move || (id, submit.version().get(), payment.version().get(), delete.version().get()),
        |(id, ..)| async move { application(id.ok_or(UiError::NotFound)?).await },
    );
    let errors = move || {
        let submit = submit.value().get().and_then(Result::err).and_then(|e| refusal_list(e, &SUBMIT_FIELDS));
        let payment = payment.value().get().and_then(Result::err).and_then(|e| refusal_list(e, &PAYMENT_FIELDS));
        let delete = delete.value().get().and_then(Result::err).and_then(|e| refusal_list(e, &[]));
        [submit, payment, delete].into_iter().flatten().collect_view()
    };
    view! {
        <Layout title="補助金の交付申請">
            {errors}
            {loaded(data, move |a| view! { <Application a submit payment delete /> })}
        </Layout>
    }
}

/// Labels of the summary fields, in the order of the 交付申請書.
const SUMMARY_LABELS: [(&str, &str); 28] = [
    ("facility_name", "医療機関名"),
    ("facility_code", "医療機関コード"),
    ("facility_type", "施設区分"),
    ("prefecture", "都道府県"),
    ("address", "所在地"),
    ("founder", "開設者"),
    ("representative", "代表者"),
    ("phone", "連絡先（電話番号）"),
    ("contact_person", "連絡先（ご担当者）"),
    ("applied_on", "申請日"),
    ("scheme_name", "適用する補助制度"),
    ("scheme_source", "制度の出典"),
    ("rate", "補助率"),
    ("cap", "基準とする事業額（上限）"),
    ("readers", "補助対象のカードリーダー台数"),
    ("total_cost", "総事業費"),
    ("eligible_cost", "補助対象経費"),
    ("subsidy", "補助金申請額"),
    ("self_burden", "自己負担額（総事業費 − 補助金申請額）"),
    ("not_covered", "うち補助対象外の費用（保守・回線使用料など）"),
    ("above_cap", "うち上限を超える補助対象経費"),
    ("rate_share", "うち補助率により残る額"),
    ("reader_applied_on", "カードリーダー申込日"),
    ("completed_on", "導入完了日"),
    ("operation_started_on", "運用開始日"),
    ("paid_on", "支払日（領収書）"),
    ("complete_by", "導入完了期限"),
    ("apply_by", "交付申請期限"),
];

/// The stable `data-testid` of a money figure, the same on every page that shows it.
fn money_testid(field: &str) -> Option<&'static str> {
    match field {
        "total_cost" => Some("total-paid"),
        "subsidy" => Some("subsidy"),
        "self_burden" => Some("self-burden"),
        "not_covered" => Some("not-covered"),
        "above_cap" => Some("above-cap"),
        "rate_share" => Some("rate-share"),
        _ => None,
    }
}

#[component]
fn Application(
    a: ApplicationView,
    submit: ServerAction<SubmitApplication>,
    payment: ServerAction<RecordApplicationPayment>,
    delete: ServerAction<DeleteReceiptScan>,
) -> impl IntoView {
    let s = a.summary.clone();
    let field = |k: &str| a.fields.iter().find(|(name, _)| name == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let requested = field("subsidy").replace(['円', ','], "");
    view! {
        <section class="card" data-testid="application" data-status=s.status.clone()>
            <h2>{format!("{} の交付申請", s.facility_name)}</h2>
            <p>"状態: " <strong data-testid="application-status">{s.status_label.clone()}</strong>
                {a.submitted_on.clone().map(|d| format!(" ／ 提出日: {d}"))}
                {a.paid_on.clone().map(|d| format!(" ／ 交付日: {d}"))}
                {s.paid_amount.clone().map(|p| format!(" ／ 交付額: {p}"))}</p>
            <p>
                <a href=format!("/applications/{}/package.pdf", s.id) data-testid="package-pdf">"申請書類（PDF）"</a>
                " ／ " <a href=format!("/applications/{}/package.csv", s.id) data-testid="package-csv">"CSV"</a>
                " ／ " <a href=format!("/applications/{}/package.zip", s.id) data-testid="package-zip">"PDF・CSV・領収書(写)をまとめてダウンロード（ZIP）"</a>
                " ／ " <a href=format!("/facilities/{}", s.facility_id)>"施設に戻る"</a>
            </p>
            <table class="data summary" data-testid="application-summary">
                <tbody>
                    {SUMMARY_LABELS.iter().map(|(k, label)| view! {
                        <tr data-field=*k><th scope="row">{*label}</th><td data-testid=money_testid(k)>{field(k)}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
            <h3>"費目別の内訳"</h3>
            <table class="data" data-testid="application-breakdown">
                <thead><tr><th scope="col">"費目"</th><th scope="col">"補助の扱い"</th><th scope="col" class="num">"金額"</th></tr></thead>
                <tbody>
                    {a.breakdown.iter().cloned().map(|(c, e, amount)| view! {
                        <tr><td>{c}</td><td>{e}</td><td class="num">{amount}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
            <h3>"領収書内訳書"</h3>
            <table class="data" data-testid="application-lines">
                <thead><tr><th scope="col" class="num">"No."</th><th scope="col">"費目"</th><th scope="col">"品名・内容"</th>
                    <th scope="col">"補助の扱い"</th><th scope="col" class="num">"金額（税込）"</th></tr></thead>
                <tbody>
                    {a.lines.iter().cloned().map(|(no, c, d, e, amount)| view! {
                        <tr><td class="num">{no}</td><td>{c}</td><td>{d}</td><td>{e}</td><td class="num">{amount}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
            <h3>"備考"</h3>
            {a.notes.iter().cloned().map(|n| view! { <p class="note">{n}</p> }).collect_view()}
            <h3 id="receipt-scans">"領収書(写)"</h3>
            {if a.scans.is_empty() {
                view! { <p data-testid="receipt-scans">"領収書(写)はまだ添付されていません。"</p> }.into_any()
            } else {
                view! {
                    <table class="data" data-testid="receipt-scans">
                        <thead><tr><th scope="col">"ファイル"</th><th scope="col">"形式"</th><th scope="col" class="num">"大きさ"</th>
                            <th scope="col">"添付日時"</th>{a.can_attach.then(|| view! { <th scope="col">"削除"</th> })}</tr></thead>
                        <tbody>
                            {a.scans.iter().cloned().map(|scan| view! {
                                <tr data-scan=scan.id.to_string()>
                                    <td><a href=format!("/applications/{}/receipts/{}", s.id, scan.id)>{scan.file_name}</a></td>
                                    <td>{scan.kind}</td><td class="num">{scan.size}</td><td>{scan.uploaded_at}</td>
                                    {a.can_attach.then(|| view! {
                                        <td>
                                            <ActionForm action=delete attr:novalidate=true attr:class="form inline" attr:data-testid=format!("delete-scan-{}", scan.id)>
                                                <input type="hidden" name="id" value=s.id.to_string()/>
                                                <input type="hidden" name="scan_id" value=scan.id.to_string()/>
                                                <button type="submit">"削除"</button>
                                            </ActionForm>
                                        </td>
                                    })}
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            {a.can_attach.then(|| view! {
                <form method="post" action=format!("/applications/{}/receipts", s.id) enctype="multipart/form-data" class="form" data-testid="receipt-upload" novalidate>
                    <label for="receipt-file">"領収書(写)のファイル（PDF・JPEG・PNG、10MBまで）"</label>
                    <input id="receipt-file" name="file" type="file" accept="application/pdf,image/jpeg,image/png" required/>
                    <button type="submit">"添付する"</button>
                </form>
            })}
            {a.can_submit.then(|| view! {
                <ActionForm action=submit attr:novalidate=true attr:class="form" attr:data-testid="submit-application">
                    {error_summary(submit)}
                    <input type="hidden" name="id" value=s.id.to_string()/>
                    <label>"提出日"<input name="submitted_on" id=field_id("submitted_on") aria-invalid=invalid(submit, "submitted_on", None) aria-describedby=described(submit, "submitted_on", None) type="text" value=typed_or(submit, "submitted_on", a.applied_on_iso.clone()) required/>{field_error(submit, "submitted_on", None)}</label>
                    <label class="check">
                        <input id=field_id("confirm") type="checkbox" name="confirm" value="on" aria-invalid=invalid(submit, "confirm", None) aria-describedby=described(submit, "confirm", None)/>
                        "申請書（PDF）の内容で提出したことを確認しました（提出済みにすると内容は変更できません）"
                        {field_error(submit, "confirm", None)}
                    </label>
                    <button type="submit" class="primary">"提出済みにする"</button>
                </ActionForm>
            })}
            {a.can_record_payment.then(|| view! {
                <ActionForm action=payment attr:novalidate=true attr:class="form" attr:data-testid="record-payment">
                    {error_summary(payment)}
                    <input type="hidden" name="id" value=s.id.to_string()/>
                    <label>"交付日"<input name="paid_on" id=field_id("paid_on") aria-invalid=invalid(payment, "paid_on", None) aria-describedby=described(payment, "paid_on", None) type="text" value=typed(payment, "paid_on") required/>{field_error(payment, "paid_on", None)}</label>
                    <label>"交付額（円）"<input name="amount" id=field_id("amount") aria-invalid=invalid(payment, "amount", None) aria-describedby=described(payment, "amount", None) type="text" value=typed_or(payment, "amount", requested.clone()) required/>{field_error(payment, "amount", None)}</label>
                    <button type="submit" class="primary">"交付済みにする"</button>
                </ActionForm>
            })}
        </section>
    }
}

/// 交付申請の一覧と集計.
#[component]
pub fn ApplicationsPage() -> impl IntoView {
    let query = use_query_map().get_untracked();
    let arg = |name: &str| query.get(name).unwrap_or_default();
    let args = (arg("type"), arg("prefecture"), arg("q"), arg("status"), arg("page"));
    let data = Resource::new(move || args.clone(), |(t, p, q, s, page)| list_applications(t, p, q, s, page));
    view! {
        <Layout title="補助金の交付申請">
            {loaded(data, |list| view! { <Overview list /> })}
        </Layout>
    }
}

/// The filter, the totals by prefecture and type, and a page of the list.
#[component]
fn Overview(list: ApplicationList) -> impl IntoView {
    let [t, p, q, status] = list.applied.clone();
    let filter = list.filterable.then(|| {
        view! {
            <form method="get" action="/applications" class="form inline" data-testid="application-filter">
                {super::filter_fields::type_and_prefecture(&list.choices, &t, &p)}
                <label>"施設名・フリガナ・医療機関コード"<input name="q" type="search" value=q.clone()/></label>
                {super::filter_fields::status(&list.statuses, &status)}
                <button type="submit">"絞り込む"</button>
            </form>
        }
    });
    let pairs = [("type", t.as_str()), ("prefecture", p.as_str()), ("q", q.as_str()), ("status", status.as_str())];
    let href = |page| super::pager::list_href("/applications", &pairs, page);
    let pager = || (list.paging.pages > 1).then(|| super::pager::pager(list.paging, list.rows.len(), "件", &href));
    let (above, below) = (pager(), pager());
    // The export takes the list's filters: what is shown is what goes to Excel.
    let export = super::pager::list_href("/exports/applications.csv", &pairs, 1);
    let none = if list.applied.iter().all(String::is_empty) {
        "申請はまだありません。"
    } else {
        "条件に合う申請はありません。"
    };
    view! {
        {filter}
        <section class="card">
            <h2>"都道府県・施設区分別の集計"</h2>
            <p class="note">"状態の絞り込みにかかわらず、すべての状態を数えます。"</p>
            <TableFrame label="都道府県・施設区分別の集計">
                <table class="data" data-testid="application-totals">
                    <thead><tr><th scope="col">"都道府県"</th><th scope="col">"施設区分"</th>
                        <th scope="col" class="num">"下書き"</th><th scope="col" class="num">"提出済み"</th><th scope="col" class="num">"交付済み"</th>
                        <th scope="col" class="num">"申請額（提出済み・交付済み）"</th><th scope="col" class="num">"交付額"</th></tr></thead>
                    <tbody>
                        {list.totals.into_iter().map(|t| view! {
                            <tr><td>{t.prefecture}</td><td>{t.facility_type}</td>
                                <td class="num">{t.counts[0]}</td><td class="num">{t.counts[1]}</td><td class="num">{t.counts[2]}</td>
                                <td class="num">{t.requested}</td><td class="num">{t.granted}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </TableFrame>
        </section>
        <section class="card">
            <h2>"申請の一覧"</h2>
            {crate::csv::download_links("", &export)}
            {if list.rows.is_empty() {
                view! { <p>{none}</p> }.into_any()
            } else {
                view! {
                    {above}
                    <TableFrame label="申請の一覧">
                        <table class="data" data-testid="application-list">
                            <thead><tr><th scope="col">"施設"</th><th scope="col">"都道府県"</th><th scope="col">"施設区分"</th>
                                <th scope="col">"状態"</th><th scope="col">"申請日"</th><th scope="col" class="num">"総事業費"</th>
                                <th scope="col" class="num">"補助金申請額"</th><th scope="col" class="num">"交付額"</th></tr></thead>
                            <tbody>
                                {list.rows.into_iter().map(|r| view! {
                                    <tr data-status=r.status.clone()>
                                        <td><a href=format!("/applications/{}", r.id)>{r.facility_name}</a></td>
                                        <td>{r.prefecture}</td><td>{r.facility_type}</td><td>{r.status_label}</td><td>{r.applied_on}</td>
                                        <td class="num">{r.total_cost}</td><td class="num">{r.subsidy}</td>
                                        <td class="num">{r.paid_amount.unwrap_or_else(|| "—".into())}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </TableFrame>
                    {below}
                }.into_any()
            }}
        </section>
    }
}
