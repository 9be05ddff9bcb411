//! 再見積のお願い: the counter-offer letter as a printable page.

use crate::UiError;
use crate::api::letter::counter_offer_letter;
use crate::layout::{Layout, loaded};
use leptos::prelude::*;

/// The letter page; the browser prints it (the header and menu are not printed).
#[component]
pub fn LetterPage() -> impl IntoView {
    let id = super::id_param();
    let letter =
        Resource::new(move || id, |id| async move { counter_offer_letter(id.ok_or(UiError::NotFound)?).await });
    view! {
        <Layout title="再見積のお願い（ベンダーへの文書）">
            {loaded(letter, |l| view! {
                <p class="no-print">
                    {format!("指摘 {} 件をもとに作成しました。ブラウザの印刷機能で印刷・PDF保存できます。", l.points)}
                    " " <a href=format!("/quotes/{}/letter.pdf", l.quote_id) data-testid="letter-pdf">"PDFで開く"</a>
                    " " <a href=format!("/quotes/{}", l.quote_id)>"見積書へ戻る"</a>
                </p>
                <article class="letter" data-testid="letter">
                    {l.paragraphs.into_iter().map(|p| view! { <p>{p}</p> }).collect_view()}
                </article>
            })}
        </Layout>
    }
}
