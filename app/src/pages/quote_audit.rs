//! The audit view of a stored quote, and two quotes of a facility side by side.

use crate::api::quote_audit::{FlagView, QuoteAuditView};
use crate::api::settlement_view::SettlementView;
use crate::layout::TableFrame;
use crate::pages::settlement_view::SettlementSummary;
use leptos::prelude::*;

fn flags_view(flags: Vec<FlagView>) -> impl IntoView {
    view! {
        <ul class="flags">
            {flags.into_iter().map(|f| view! {
                <li data-flag=f.code.clone()>
                    <span class="badge">{f.severity}</span> " " <strong>{f.label}</strong> ": " {f.message}
                    <div class="evidence">
                        {f.evidence}
                        {f.figures.map(|x| view! { " ／ " {x} })}
                        {f.assumption.then_some(" ［想定値・運用管理者が変更可能］")}
                        {f.source.map(|note| view! { <crate::pages::sources::SourceSpan note /> })}
                    </div>
                </li>
            }).collect_view()}
        </ul>
    }
}

/// The rows of the lines' table, as HTML. Made with the audit, off the async workers: a quote of
/// 15,000 lines is 8 MB of it, which took a worker a tenth of a second per view.
pub fn lines_markup(lines: &[crate::api::quote_audit::AuditLineView]) -> String {
    lines
        .iter()
        .cloned()
        .map(|l| {
            let class = if l.flags.is_empty() { "" } else { "flagged" };
            view! {
                <tr class=class>
                    <td class="num">{l.row}</td><td>{l.description}</td><td>{l.category_label}</td>
                    <td class="num">{l.quantity}</td><td class="num">{l.unit_price}</td><td class="num">{l.amount}
                        {l.amount_text.map(|t| view! { <br/><small>{format!("見積書の記載: 「{t}」")}</small> })}</td>
                    <td>{l.eligibility}</td><td>{flags_view(l.flags)}</td>
                </tr>
            }
        })
        .collect_view()
        .to_html()
}

/// Each line with category, eligibility, flags and evidence; totals; subsidy.
#[component]
pub fn AuditView(a: QuoteAuditView) -> impl IntoView {
    let mut a = a;
    let lines_html = std::mem::take(&mut a.lines_html);
    let siblings = a.siblings.clone();
    let id = a.id;
    view! {
        <section class="card" data-testid="quote-audit">
            <h2>"監査結果"</h2>
            <p><a href=format!("/quotes/{}/letter", a.id) data-testid="letter-link">"ベンダーへの文書（お見積り内容についてのご確認とお願い）を作る・編集する"</a>
               {a.can_complain.then(|| view! {
                   " ／ " <a href=format!("/complaints/new?facility={}&quote={}", a.facility_id, a.id) data-testid="complaint-link">"この見積書について相談する"</a>
               })}</p>
            {(!a.flags.is_empty()).then(|| flags_view(a.flags.clone()))}
            {crate::csv::download_links("この見積書の明細と指摘", &format!("/exports/quote_lines.csv?quote={id}"))}
            <p class="note">"CSVの指摘には、同じ施設区分の確定済み見積との比較（外れ値）は含まれません。"</p>
            <TableFrame label="見積の明細と指摘">
                <table class="data lines">
                    <thead>
                        <tr><th scope="col" class="num">"行"</th><th scope="col">"品名"</th><th scope="col">"費目"</th>
                            <th scope="col" class="num">"数量"</th><th scope="col" class="num">"単価"</th><th scope="col" class="num">"金額"</th>
                            <th scope="col">"補助"</th><th scope="col">"指摘と根拠"</th></tr>
                    </thead>
                    <tbody inner_html=lines_html></tbody>
                </table>
            </TableFrame>
            <table class="data summary" data-testid="totals">
                <thead><tr><th scope="col">""</th><th scope="col" class="num">"見積書の記載"</th><th scope="col" class="num">"明細から計算"</th></tr></thead>
                <tbody>
                    {a.totals.iter().cloned().map(|(label, w, c)| view! {
                        <tr><th scope="row">{label}</th><td class="num">{w}</td><td class="num">{c}</td></tr>
                    }).collect_view()}
                    <tr><th scope="row">"補助対象経費（税込）"</th><td></td><td class="num">{a.eligible_total.clone()}</td></tr>
                </tbody>
            </table>
            {match a.settlement.clone() {
                Some(s) => view! { <SettlementSummary s /> }.into_any(),
                None => view! {
                    <p>"補助金の見込み: " {a.scheme.clone()} " → " <strong data-testid="subsidy">{a.subsidy.clone()}</strong>
                       " ／ " <strong data-testid="self-burden">{a.burden_line.clone()}</strong></p>
                }.into_any(),
            }}
            {a.notes.iter().cloned().map(|n| view! { <p class="note">{n}</p> }).collect_view()}
            {(!siblings.is_empty()).then(|| view! {
                <form method="get" action=format!("/quotes/{id}") class="form inline-compare">
                    <label>"同じ施設の別の見積書と比べる"
                        <select name="compare">
                            {siblings.into_iter().map(|(sid, name)| view! { <option value=sid.to_string()>{name}</option> }).collect_view()}
                        </select>
                    </label>
                    <button type="submit">"並べて比較"</button>
                </form>
            })}
        </section>
    }
}

/// Two quotes of the same facility, category by category.
#[component]
pub fn Comparison(a: QuoteAuditView, b: QuoteAuditView) -> impl IntoView {
    if a.facility_id != b.facility_id {
        return view! { <p class="error">"比較できるのは同じ施設の見積書だけです。"</p> }.into_any();
    }
    let mut codes: Vec<(String, String)> =
        a.by_category.iter().chain(&b.by_category).map(|(c, l, _)| (c.clone(), l.clone())).collect();
    codes.dedup_by(|x, y| x.0 == y.0);
    let mut seen = std::collections::HashSet::new();
    codes.retain(|(c, _)| seen.insert(c.clone()));
    let amount = |v: &QuoteAuditView, code: &str| {
        v.by_category
            .iter()
            .find(|(c, _, _)| c == code)
            .and_then(|(_, _, a)| rules::Yen::parse(a).ok())
            .map_or_else(|| "—".to_owned(), |y| y.to_string())
    };
    // The settlement's own figures, as each quote's page shows them.
    let figure = |v: &QuoteAuditView, part: fn(&SettlementView) -> &String| {
        v.settlement.as_ref().map_or_else(|| "—".to_owned(), |s| part(s).clone())
    };
    let scheme = |v: &QuoteAuditView| v.settlement.as_ref().map_or_else(|| v.scheme.clone(), |s| s.scheme.clone());
    view! {
        <section class="card" data-testid="comparison">
            <h2>"見積書の比較"</h2>
            <table class="data">
                <thead><tr><th scope="col">"費目"</th>
                    <th scope="col" class="num">{format!("この見積書（#{}）", a.id)}</th>
                    <th scope="col" class="num">{format!("比較する見積書（#{}）", b.id)}</th></tr></thead>
                <tbody>
                    {codes.iter().map(|(code, label)| view! {
                        <tr><th scope="row">{label.clone()}</th><td class="num">{amount(&a, code)}</td><td class="num">{amount(&b, code)}</td></tr>
                    }).collect_view()}
                    <tr><th scope="row">"補助対象経費（税込）"</th><td class="num">{a.eligible_total.clone()}</td><td class="num">{b.eligible_total.clone()}</td></tr>
                    <tr><th scope="row">"適用する制度"</th><td>{scheme(&a)}</td><td>{scheme(&b)}</td></tr>
                    <tr><th scope="row">"ベンダーへの支払総額（税込）"</th><td class="num">{figure(&a, |s| &s.total_paid)}</td><td class="num">{figure(&b, |s| &s.total_paid)}</td></tr>
                    <tr><th scope="row">"補助額"</th><td class="num">{a.subsidy.clone()}</td><td class="num">{b.subsidy.clone()}</td></tr>
                    <tr><th scope="row">"自己負担（支払総額 − 補助額）"</th><td class="num">{a.self_burden.clone()}</td><td class="num">{b.self_burden.clone()}</td></tr>
                    <tr><th scope="row">"（a）補助対象外の費用"</th><td class="num">{figure(&a, |s| &s.not_covered)}</td><td class="num">{figure(&b, |s| &s.not_covered)}</td></tr>
                    <tr><th scope="row">"（b）上限を超える補助対象経費"</th><td class="num">{figure(&a, |s| &s.above_cap)}</td><td class="num">{figure(&b, |s| &s.above_cap)}</td></tr>
                    <tr><th scope="row">"（c）補助率により残る額"</th><td class="num">{figure(&a, |s| &s.rate_share)}</td><td class="num">{figure(&b, |s| &s.rate_share)}</td></tr>
                    <tr><th scope="row">"指摘の数"</th>
                        <td class="num">{a.flag_total}</td>
                        <td class="num">{b.flag_total}</td></tr>
                </tbody>
            </table>
        </section>
    }
    .into_any()
}
