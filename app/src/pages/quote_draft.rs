//! 見積書の確認: the parsed, audited upload; correct categories or amounts, then confirm.

use crate::api::quote_draft::{ConfirmQuote, DraftView, quote_draft};
use crate::layout::{Layout, TableFrame, loaded};
use crate::pages::refused_form::{
    Refusal, checked_text_field, described, error_summary, field_error, field_id, invalid, last_error,
};
use crate::pages::settlement_view::SettlementSummary;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use rules::category::Category;
use rules::printable_name::NameKind;

/// 見積書の確認.
#[component]
pub fn QuoteDraftPage() -> impl IntoView {
    let token = use_params_map().get_untracked().get("token").unwrap_or_default();
    let draft = Resource::new(move || token.clone(), quote_draft);
    let confirm = ServerAction::<ConfirmQuote>::new();
    let error = move || last_error(confirm)().map(|e| view! { <p class="error" role="alert">{e}</p> });
    view! {
        <Layout title="見積書の確認">
            {error}
            {loaded(draft, move |d| view! { <Draft d confirm /> })}
        </Layout>
    }
}

fn flag_list(flags: &[(String, String, String)]) -> impl IntoView + use<> {
    let items = flags.to_vec();
    view! {
        <ul class="flags">
            {items.into_iter().map(|(code, severity, message)| view! {
                <li data-flag=code.clone()><span class="badge">{severity}</span> " " {message}</li>
            }).collect_view()}
        </ul>
    }
}

#[component]
fn Draft(d: DraftView, confirm: ServerAction<ConfirmQuote>) -> impl IntoView {
    let token = d.token.clone();
    let refused = Refusal::of(confirm);
    view! {
        <section class="card" data-testid="quote-draft">
            <h2>{d.file_name.clone()}</h2>
            <p class="source">"SHA-256: " <code>{d.sha256.clone()}</code></p>
            <p>{d.vendor_in_file.clone().map(|v| format!("発行元（ファイルの記載）: {v} ／ ")).unwrap_or_default()}
               {d.quote_date.as_deref().map(|q| format!("見積日: {}", rules::format_stored_day(q))).unwrap_or_default()}</p>
            <p>"まだ登録されていません。費目や金額を確認し、必要なら直してから「登録する」を押してください。"</p>
            {(!d.left_out.is_empty()).then(|| view! {
                <div class="notice" data-testid="left-out">
                    <p>"ファイルのうち、次の部分は見積の内容として読んでいません（印刷されない部分です）。"</p>
                    <ul>{d.left_out.iter().map(|t| view! { <li>{t.clone()}</li> }).collect_view()}</ul>
                </div>
            })}
            {d.scan.clone().map(|scan| view! { <ScanNotice scan /> })}
            {(!d.reading_checks.is_empty()).then(|| view! {
                <div class="notice" data-testid="reading-checks" role="status">
                    <h3>"読み取りを確認してください"</h3>
                    <p>"次の点は、文字の読み取り違いでも起こるため、ベンダーへの指摘にする前に画像と見比べてください。"</p>
                    <ul>{d.reading_checks.iter().map(|(row, m)| view! {
                        <li>{if *row == 0 { String::new() } else { format!("{row}行目: ") }}{m.clone()}</li>
                    }).collect_view()}</ul>
                </div>
            })}
            {(!d.flags.is_empty()).then(|| flag_list(&d.flags))}
            <ReadingOfTheFile reading=d.reading.clone() summary=d.summary.clone() pdf=d.file_name.to_ascii_lowercase().ends_with(".pdf") />
            <ActionForm action=confirm attr:novalidate=true attr:class="form" attr:data-testid="confirm-quote">
                {error_summary(confirm)}
                <input type="hidden" name="token" value=token/>
                <TableFrame label="読み取った明細（費目・金額を直せます）">
                    <table class="data lines">
                        <thead>
                            <tr><th scope="col" class="num">"行"</th><th scope="col">"品名"</th><th scope="col">"費目"</th>
                                <th scope="col" class="num">"数量"</th><th scope="col" class="num">"単価"</th>
                                <th scope="col" class="num">"金額（円）"</th><th scope="col">"補助"</th><th scope="col">"指摘"</th></tr>
                        </thead>
                        <tbody>
                            {d.lines.iter().map(|l| {
                                let (category_name, amount_name) = (format!("category[{}]", l.row), format!("amount[{}]", l.row));
                                let current = refused.typed(&category_name).unwrap_or_else(|| l.category.clone());
                                let amount_typed = refused.typed(&amount_name).unwrap_or_else(|| l.amount.clone());
                                let why = |cell: &str| d.scan.as_ref().and_then(|s| s.why(l.row, cell));
                                let mark = |why: Option<String>| why.map(|w| view! { <small class="warning">{format!("要確認: {w}")}</small> });
                                let class = |why: &Option<String>, base: &'static str| if why.is_some() { format!("{base} to-check") } else { base.to_owned() };
                                let (why_description, why_quantity, why_price, why_amount) =
                                    (why("description"), why("quantity"), why("unit_price"), why("amount"));
                                let picture = d.scan.as_ref().filter(|s| s.pictures.contains(&l.row)).map(|_| {
                                    let src = format!("/quotes/drafts/{}/rows/{}", d.token, l.row);
                                    let alt = format!("{}行目として読み取った見積書の画像", l.row);
                                    view! { <tr class="scan-picture"><td colspan="8"><img src=src alt=alt loading="lazy"/></td></tr> }
                                });
                                view! {
                                    {picture}
                                    <tr>
                                        <td class="num">{l.row}</td>
                                        <td class=class(&why_description, "")>{l.description.clone()}
                                            {l.sheet.clone().map(|s| view! { <br/><small>{format!("シート「{s}」")}</small> })}
                                            {mark(why_description.clone())}</td>
                                        <td>
                                            <select id=field_id(&category_name) name=category_name.clone() aria-label=format!("{}行目の費目", l.row)
                                                aria-invalid=refused.invalid(&category_name) aria-describedby=refused.described(&category_name)>
                                                {Category::ALL.into_iter().map(|c| view! {
                                                    <option value=c.code() selected=current == c.code()>{c.label_ja()}</option>
                                                }).collect_view()}
                                            </select>
                                            {refused.message(&category_name)}
                                            {(l.confidence < 50).then(|| view! { <span class="warning">"要確認"</span> })}
                                        </td>
                                        <td class=class(&why_quantity, "num")>{l.quantity.clone()}{mark(why_quantity.clone())}</td>
                                        <td class=class(&why_price, "num")>{l.unit_price.clone()}{mark(why_price.clone())}</td>
                                        <td class=class(&why_amount, "num") data-testid=why_amount.as_ref().map(|_| "amount-to-check")>
                                            <input id=field_id(&amount_name) name=amount_name.clone() type="text" value=amount_typed aria-label=format!("{}行目の金額", l.row)
                                                aria-invalid=refused.invalid(&amount_name) aria-describedby=refused.described(&amount_name)/>
                                            {refused.message(&amount_name)}
                                            {l.amount_text.clone().map(|t| view! { <br/><small data-testid="amount-text">{format!("見積書の記載: 「{t}」")}</small> })}
                                            {mark(why_amount.clone())}</td>
                                        <td>{l.eligibility.clone()}</td>
                                        <td>{flag_list(&l.flags)}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </TableFrame>
                <p>"記載の合計: " {d.written[2].clone().unwrap_or_else(|| "—".into())}
                   " ／ 計算した合計: " {d.computed[2].clone()}
                   " ／ 補助対象経費（税込）: " {d.computed[3].clone()}</p>
                {match d.settlement.clone() {
                    Some(s) => view! { <SettlementSummary s /> }.into_any(),
                    None => view! {
                        <p>"補助金の見込み（" {d.subsidy.0.clone()} "）: " <strong data-testid="subsidy">{d.subsidy.1.clone()}</strong>
                           " ／ " <strong data-testid="self-burden">{d.subsidy.2.clone()}</strong></p>
                    }.into_any(),
                }}
                {d.notes.iter().cloned().map(|n| view! { <p class="note">{n}</p> }).collect_view()}
                <label>"ベンダー"
                    <select name="vendor_id" id=field_id("vendor_id") aria-invalid=invalid(confirm, "vendor_id", None) aria-describedby=described(confirm, "vendor_id", None)>
                        <option value="">"—（下に入力）"</option>
                        {d.vendors.iter().map(|(id, name)| view! { <option value=id.to_string()>{name.clone()}</option> }).collect_view()}
                    </select>
                    {field_error(confirm, "vendor_id", None)}
                </label>
                {checked_text_field(confirm, format!("一覧にないベンダー（社名、{}文字以内）", NameKind::Vendor.max_chars()), "new_vendor",
                    d.vendor_in_file.clone().unwrap_or_default(), d.vendor_in_file_problem.clone(), false)}
                <button type="submit" class="primary">"登録する"</button>
            </ActionForm>
        </section>
    }
}

/// For a scan or a photo: how it was read, and every cell to check against the pictures.
#[component]
fn ScanNotice(scan: crate::api::quote_draft::ScanView) -> impl IntoView {
    view! {
        <div class="notice" data-testid="scan-reading">
            <p>{format!(
                "この見積書は、画像（スキャン・ファクス・写真）から文字認識（{}）で読み取りました。表の各行の上に、その行を読み取った画像を表示しています。",
                scan.engine
            )}</p>
            <p>"黄色の「要確認」の欄は、読み取りが不確かなところ（確からしさの低い文字、規則で直した数字、2行をつないだ品名、合わない計算）です。画像と見比べて、違っていれば金額を直してから「登録する」を押してください。元のファイルは、アップロードされたとおりに保存します。"</p>
            {(!scan.checks.is_empty()).then(|| view! {
                <ul data-testid="scan-checks">{scan.checks.into_iter().map(|(row, _, label, read, why)| view! {
                    <li>{format!("{row}行目の{label}「{read}」: {why}")}</li>
                }).collect_view()}</ul>
            })}
        </div>
    }
}

/// How the file was read: the header rows, what each column was taken for, and every row under
/// the header that is not a line (sections, totals, notes), so the manager can trust or correct it.
#[component]
fn ReadingOfTheFile(
    reading: Vec<rules::quote::TableReading>,
    summary: Vec<rules::quote::SummaryAmount>,
    pdf: bool,
) -> impl IntoView {
    (!reading.is_empty()).then(|| {
        view! {
            <details class="reading" data-testid="reading">
                <summary>"ファイルの読み方（見出し・列・明細以外の行）"</summary>
                {pdf.then(|| view! {
                    <p>"PDFの行は、ページの上から順に数えた文字の行です。列は、見出しの位置から割り当てた列（A列から）です。"</p>
                })}
                {(!summary.is_empty()).then(|| view! {
                    <table class="data" data-testid="summary-amounts">
                        <caption>"明細の外に書かれた合計（明細と照合します）"</caption>
                        <thead><tr><th scope="col">"場所"</th><th scope="col">"項目"</th><th scope="col" class="num">"金額"</th></tr></thead>
                        <tbody>{summary.into_iter().map(|s| view! {
                            <tr><td>{s.place}</td><td>{s.label}</td><td class="num">{s.amount.to_string()}</td></tr>
                        }).collect_view()}</tbody>
                    </table>
                })}
                {reading.into_iter().map(|t| {
                    let place = if t.sheet.is_empty() { String::new() } else { format!("シート「{}」の", t.sheet) };
                    let rows = if t.header_rows.0 == t.header_rows.1 {
                        format!("{}行目", t.header_rows.0)
                    } else {
                        format!("{}〜{}行目", t.header_rows.0, t.header_rows.1)
                    };
                    view! {
                        <p>{format!("{place}{rows}を見出しとして読みました。")}</p>
                        <table class="data">
                            <caption>"列の読み方"</caption>
                            <thead><tr><th scope="col">"列"</th><th scope="col">"見出し"</th><th scope="col">"読み方"</th></tr></thead>
                            <tbody>{t.columns.into_iter().map(|c| view! {
                                <tr><td>{c.column}</td><td>{c.heading}</td><td>{c.taken_as}</td></tr>
                            }).collect_view()}</tbody>
                        </table>
                        {(!t.rows.is_empty()).then(|| view! {
                            <table class="data">
                                <caption>"明細として読まなかった行"</caption>
                                <thead><tr><th scope="col" class="num">"行"</th><th scope="col">"内容"</th><th scope="col">"読み方"</th></tr></thead>
                                <tbody>{t.rows.into_iter().map(|r| view! {
                                    <tr><td class="num">{r.row}</td><td>{r.text}</td><td>{r.taken_as}</td></tr>
                                }).collect_view()}</tbody>
                            </table>
                        })}
                    }
                }).collect_view()}
            </details>
        }
    })
}
