//! 出典一覧: the register of public sources, and the 出典 line every page shows, each short
//! form linked to its entry in the register.

use crate::layout::{Layout, TableFrame};
use crate::public_source::{REGISTER_PATH, cited_pieces, register_link};
use leptos::prelude::*;
use rules::sources::{Reliability, Source, register};

/// The cited documents of a note, each short form a link to the register; nothing when the
/// note cites no public document.
#[component]
pub fn SourceLinks(note: String) -> impl IntoView {
    let pieces = cited_pieces(&note);
    pieces
        .iter()
        .enumerate()
        .map(|(i, (source, after))| {
            view! {
                {(i > 0).then_some("／")}
                <a href=register_link(source)>{source.short_form()}</a>
                {after.clone()}
            }
        })
        .collect_view()
}

/// 「出典: …」 under a table or figure; nothing when the note cites no public document.
#[component]
pub fn SourceLine(note: String) -> impl IntoView {
    (!cited_pieces(&note).is_empty()).then(|| view! { <p class="source">"出典: " <SourceLinks note /></p> })
}

/// 「 出典: …」 inside a line of text (a flag's evidence, a deadline); nothing when the note
/// cites no public document.
#[component]
pub fn SourceSpan(note: String) -> impl IntoView {
    (!cited_pieces(&note).is_empty()).then(|| view! { <span class="source">" 出典: " <SourceLinks note /></span> })
}

/// 出典一覧: every public document Onshi cites, and what Onshi's own figures rest on.
#[component]
pub fn SourcesPage() -> impl IntoView {
    let documents: Vec<&'static Source> =
        register().iter().filter(|s| s.citable() && s.reliability() != Reliability::Onshi).collect();
    let onshi = register().iter().find(|s| s.reliability() == Reliability::Onshi);
    view! {
        <Layout title="出典一覧">
            <p>
                "Onshi が示す補助金の金額・期限、導入状況の統計、見積書の監査の基準値は、次の公表資料に基づいています。"
                "各ページの「出典」は、この一覧の資料を短い名前で示しています。"
            </p>
            <TableFrame label="出典の一覧">
                <table class="data">
                    <thead>
                        <tr>
                            <th scope="col">"出典の表記"</th>
                            <th scope="col">"発行元"</th>
                            <th scope="col">"資料名"</th>
                            <th scope="col">"日付"</th>
                            <th scope="col">"番号"</th>
                            <th scope="col">"種類"</th>
                            <th scope="col">"所在"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {documents.into_iter().map(|s| view! { <SourceRow source=s /> }).collect_view()}
                    </tbody>
                </table>
            </TableFrame>
            {onshi.map(|s| view! {
                <section class="card" id=s.key()>
                    <h2>{s.title()}</h2>
                    <p>{s.explanation().unwrap_or_default()}</p>
                    <p><a href="/reference/benchmarks#audit_price_ranges">"Onshi の目安の値を見る（基準値・出典）"</a></p>
                </section>
            })}
        </Layout>
    }
}

#[component]
fn SourceRow(source: &'static Source) -> impl IntoView {
    view! {
        <tr id=source.key()>
            <th scope="row">{source.short_form()}</th>
            <td>{source.issuer()}</td>
            <td>{source.title()}</td>
            <td>{source.date_ja().unwrap_or_else(|| "記載なし".to_owned())}</td>
            <td>{source.number().unwrap_or("—")}</td>
            <td>{source.reliability().label_ja()}</td>
            <td>
                {match source.url() {
                    Some(url) => view! { <a href=url rel="noopener noreferrer">"資料を開く"</a> }.into_any(),
                    None => "公開先の記載なし".into_any(),
                }}
            </td>
        </tr>
    }
}

/// The link to the register that reference pages show.
#[component]
pub fn RegisterLink() -> impl IntoView {
    view! { <p><a href=REGISTER_PATH>"出典一覧（発行元・日付・所在）"</a></p> }
}
