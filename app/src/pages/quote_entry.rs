//! 見積書・実費の手入力: quotes that came on paper, or the actual costs from the receipts.

use crate::api::quote_draft::EnterQuote;
use crate::layout::{ErrorBox, Layout};
use crate::pages::refused_form::{checked_text_field, last_error};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use rules::category::Category;
use rules::printable_name::NameKind;

/// Rows offered on the form (more can be entered in a second quote).
const ROWS: usize = 12;

/// 見積書の手入力.
#[component]
pub fn QuoteEntryPage() -> impl IntoView {
    let facility = use_params_map().get_untracked().get("id").unwrap_or_default();
    let enter = ServerAction::<EnterQuote>::new();
    let error = move || last_error(enter)().map(|e| view! { <p class="error" role="alert">{e}</p> });
    let allowed = Resource::new(|| (), |_| crate::pages::facility_form::may_edit());
    view! {
        <Layout title="見積書・実費の手入力">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move { allowed.await.err().map(|error| view! { <ErrorBox error /> }) })}
            </Suspense>
            <p>"紙で受け取った見積書、または支払済みの実費（領収書）の明細を入力します。空の行は無視します。金額が空の行は 数量×単価 で計算します。"</p>
            {error}
            <ActionForm action=enter attr:class="form" attr:data-testid="enter-quote">
                <input type="hidden" name="facility_id" value=facility/>
                {checked_text_field(enter, format!("ベンダー（社名、{}文字以内）", NameKind::Vendor.max_chars()), "new_vendor", String::new(), None, false)}
                <input type="hidden" name="vendor_id" value=""/>
                <label>"見積日"<input name="quote_date" type="text" placeholder="例: 令和4年9月1日"/></label>
                <table class="data">
                    <thead><tr><th scope="col">"品名"</th><th scope="col">"費目"</th><th scope="col">"数量"</th><th scope="col">"単位"</th>
                        <th scope="col">"単価"</th><th scope="col">"金額"</th></tr></thead>
                    <tbody>
                        {(0..ROWS).map(|n| view! {
                            <tr>
                                <td><input name=format!("lines[{n}][description]") type="text" aria-label="品名"/></td>
                                <td><select name=format!("lines[{n}][category]") aria-label="費目">
                                    {Category::ALL.into_iter().map(|c| view! { <option value=c.code() selected=c == Category::Other>{c.label_ja()}</option> }).collect_view()}
                                </select></td>
                                <td><input name=format!("lines[{n}][quantity]") type="text" size="4" aria-label="数量"/></td>
                                <td><input name=format!("lines[{n}][unit]") type="text" size="4" aria-label="単位"/></td>
                                <td><input name=format!("lines[{n}][unit_price]") type="text" size="10" aria-label="単価"/></td>
                                <td><input name=format!("lines[{n}][amount]") type="text" size="10" aria-label="金額"/></td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <button type="submit" class="primary">"登録する"</button>
            </ActionForm>
        </Layout>
    }
}
