//! お見積り内容についてのご確認とお願い: the letter to the vendor as a printable page, with the
//! form in which the facility's manager edits it before printing or downloading it.

use crate::UiError;
use crate::api::letter::{LetterText, LetterView, ResetLetter, SaveLetter, TITLE, counter_offer_letter, limits};
use crate::layout::{Layout, loaded};
use crate::pages::refused_form::last_error;
use leptos::form::ActionForm;
use leptos::prelude::*;

/// The letter page; the browser prints it (the header, menu and edit form are not printed).
#[component]
pub fn LetterPage() -> impl IntoView {
    let id = super::id_param();
    let save = ServerAction::<SaveLetter>::new();
    let reset = ServerAction::<ResetLetter>::new();
    // A refused form comes back in the address (no JavaScript): its messages and values.
    let refused = save.value().get_untracked().and_then(Result::err);
    let letter = Resource::new(
        move || (id, save.version().get(), reset.version().get()),
        |(id, _, _)| async move { counter_offer_letter(id.ok_or(UiError::NotFound)?).await },
    );
    let general = last_error(save);
    view! {
        <Layout title=TITLE>
            {move || general().map(|e| view! { <p class="error no-print" role="alert">{e}</p> })}
            {loaded(letter, move |l| {
                let refused = refused.clone();
                view! { <Letter l refused save reset /> }
            })}
        </Layout>
    }
}

#[component]
fn Letter(
    l: LetterView,
    refused: Option<UiError>,
    save: ServerAction<SaveLetter>,
    reset: ServerAction<ResetLetter>,
) -> impl IntoView {
    let edit = l.can_edit.then(|| {
        view! { <EditForm quote_id=l.quote_id text=l.text.clone() edited=l.edited.is_some() refused save reset /> }
    });
    view! {
        <p class="no-print">
            {format!("ご確認をお願いする点 {} 件を記載しています。ブラウザの印刷機能で印刷・PDF保存できます。", l.points)}
            " " <a href=format!("/quotes/{}/letter.pdf", l.quote_id) data-testid="letter-pdf">"PDFで開く"</a>
            " " <a href=format!("/quotes/{}", l.quote_id)>"見積書へ戻る"</a>
        </p>
        {l.edited.clone().map(|e| view! { <p class="note no-print" data-testid="letter-edited">{e}</p> })}
        <article class="letter" data-testid="letter">
            {l.paragraphs.into_iter().map(|p| view! { <p>{p}</p> }).collect_view()}
        </article>
        {edit}
    }
}

/// A field's value: what was typed before a refusal, else what the letter has.
fn shown(refused: &Option<UiError>, name: &str, stored: &str) -> String {
    match refused {
        Some(e) => e.value(name).unwrap_or_default(),
        None => stored.to_owned(),
    }
}

/// One line of the sender block: label, input and the message beside it.
#[component]
fn SenderField(
    name: &'static str,
    label: &'static str,
    value: String,
    max: usize,
    error: Option<String>,
    hint: Option<&'static str>,
) -> impl IntoView {
    // `sender[phone]` → `letter-phone`.
    let id = format!("letter-{}", name.trim_start_matches("sender[").trim_end_matches(']'));
    let described = error.is_some().then(|| format!("{id}-error"));
    view! {
        <label for=id.clone()>{label}{hint.filter(|h| !h.is_empty()).map(|h| view! { <span class="note">{format!("（{h}）")}</span> })}</label>
        <input id=id.clone() name=name type="text" value=value maxlength=max.to_string()
            aria-invalid=error.is_some().then_some("true") aria-describedby=described.clone()/>
        {error.map(|m| view! { <span class="field-error" id=described role="alert">{m}</span> })}
    }
}

#[component]
fn EditForm(
    quote_id: i64,
    text: LetterText,
    edited: bool,
    refused: Option<UiError>,
    save: ServerAction<SaveLetter>,
    reset: ServerAction<ResetLetter>,
) -> impl IntoView {
    let error = |name: &str| refused.as_ref().and_then(|e| e.field(name));
    let sender = [
        ("sender[facility]", "医療機関名", &text.facility, limits::FACILITY, None),
        ("sender[facility_code]", "医療機関コード", &text.facility_code, 10, Some("10桁の数字")),
        ("sender[address]", "所在地", &text.address, limits::ADDRESS, None),
        ("sender[phone]", "電話番号", &text.phone, limits::PHONE, Some("例: 092-123-4567")),
        ("sender[person]", "ご担当者", &text.person, limits::PERSON, None),
    ]
    .map(|(name, label, stored, max, hint)| {
        let value = shown(&refused, name, stored);
        view! { <SenderField name label value max error=error(name) hint /> }
    });
    let opening_error = error("opening");
    let points = text
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let n = i + 1;
            let (name, omit) = (format!("point[{n}]"), format!("omit[{n}]"));
            let value = shown(&refused, &name, &p.text);
            let omitted = match &refused {
                Some(e) => e.value(&omit).is_some(),
                None => p.omitted,
            };
            let id = format!("letter-point-{n}");
            let err = error(&name);
            let described = err.is_some().then(|| format!("{id}-error"));
            view! {
                <label for=id.clone()>{format!("{n}番目の項目")}</label>
                <textarea id=id.clone() name=name rows="6" aria-invalid=err.is_some().then_some("true")
                    aria-describedby=described.clone()>{value}</textarea>
                {err.map(|m| view! { <span class="field-error" id=described role="alert">{m}</span> })}
                <label class="check"><input type="checkbox" name=omit checked=omitted/>"この項目を文書から外す"</label>
            }
        })
        .collect_view();
    let opening = shown(&refused, "opening", &text.opening);
    let opening_described = opening_error.is_some().then_some("letter-opening-error");
    view! {
        <section class="card no-print" data-testid="letter-edit">
            <h2>"文面の編集"</h2>
            <p class="note">
                "差出人、書き出しの文、各項目を直してから「保存」を押すと、この見積書の文書として保存され、このページとPDFに反映されます。保存と元に戻した記録は監査記録に残ります。"
            </p>
            <ActionForm action=save attr:novalidate=true attr:class="form" attr:data-testid="letter-form">
                <input type="hidden" name="quote_id" value=quote_id.to_string()/>
                <fieldset>
                    <legend>"差出人"</legend>
                    {sender}
                </fieldset>
                <label for="letter-opening">"書き出しの文（「拝啓」に続く部分。空行で段落を分けます）"</label>
                <textarea id="letter-opening" name="opening" rows="8" aria-invalid=opening_error.is_some().then_some("true")
                    aria-describedby=opening_described>{opening}</textarea>
                {opening_error.map(|m| view! { <span class="field-error" id="letter-opening-error" role="alert">{m}</span> })}
                <fieldset>
                    <legend>"記（ご確認をお願いする点。1行目は見積書の該当箇所です）"</legend>
                    {points}
                </fieldset>
                <button type="submit" class="primary">"保存"</button>
            </ActionForm>
            {edited.then(|| view! {
                <ActionForm action=reset attr:novalidate=true attr:data-testid="letter-reset">
                    <input type="hidden" name="quote_id" value=quote_id.to_string()/>
                    <button type="submit">"元の文面に戻す"</button>
                </ActionForm>
            })}
        </section>
    }
}
