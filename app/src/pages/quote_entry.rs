//! 見積書・実費の手入力: quotes that came on paper, or the actual costs from the receipts.

use crate::api::quote_draft::EnterQuote;
use crate::layout::{ErrorBox, Layout, TableFrame};
use crate::pages::refused_form::{Refusal, checked_text_field, error_summary, field_id, last_error};
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
    let refused = Refusal::of(enter);
    let allowed = Resource::new(|| (), |_| crate::pages::facility_form::may_edit());
    view! {
        <Layout title="見積書・実費の手入力">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move { allowed.await.err().map(|error| view! { <ErrorBox error /> }) })}
            </Suspense>
            <p>"紙で受け取った見積書、または支払済みの実費（領収書）の明細を入力します。品名が空の行は無視します。金額が空の行は 数量×単価 で計算します。金額は「125,000」「12万5千円」「12.5万円」のどれでも入力できます。"</p>
            {error}
            <ActionForm action=enter attr:class="form" attr:data-testid="enter-quote" attr:novalidate=true>
                {error_summary(enter)}
                <input type="hidden" name="facility_id" value=facility/>
                {checked_text_field(enter, format!("ベンダー（社名、{}文字以内）", NameKind::Vendor.max_chars()), "new_vendor", String::new(), None, false)}
                <input type="hidden" name="vendor_id" value=""/>
                <label>"見積日"
                    <input id="quote_date" name="quote_date" type="text" placeholder="例: 令和4年9月1日" value=refused.typed("quote_date")
                        aria-invalid=refused.invalid("quote_date") aria-describedby=refused.described("quote_date")/>
                    {refused.message("quote_date")}
                </label>
                <TableFrame label="明細（横にスクロールできます）">
                <table class="data entry-lines">
                    <thead><tr><th scope="col" class="num">"行"</th><th scope="col">"品名"</th><th scope="col">"費目"</th><th scope="col">"数量"</th><th scope="col">"単位"</th>
                        <th scope="col">"単価"</th><th scope="col">"金額"</th></tr></thead>
                    <tbody>
                        {(0..ROWS).map(|n| {
                            let row = n + 1;
                            let cell = |field: &str, label: &str, size: &'static str| {
                                let name = format!("lines[{n}][{field}]");
                                view! {
                                    <td>
                                        <input id=field_id(&name) name=name.clone() type="text" size=size aria-label=format!("{row}行目の{label}")
                                            value=refused.typed(&name) aria-invalid=refused.invalid(&name) aria-describedby=refused.described(&name)/>
                                        {refused.message(&name)}
                                    </td>
                                }
                            };
                            let category = format!("lines[{n}][category]");
                            let chosen = refused.typed(&category).unwrap_or_else(|| Category::Other.code().to_owned());
                            view! {
                                <tr>
                                    <td class="num">{row}</td>
                                    {cell("description", "品名", "24")}
                                    <td><select name=category aria-label=format!("{row}行目の費目")>
                                        {Category::ALL.into_iter().map(|c| view! { <option value=c.code() selected=chosen == c.code()>{c.label_ja()}</option> }).collect_view()}
                                    </select></td>
                                    {cell("quantity", "数量", "4")}
                                    {cell("unit", "単位", "4")}
                                    {cell("unit_price", "単価", "10")}
                                    {cell("amount", "金額", "10")}
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                </TableFrame>
                <button type="submit" class="primary">"登録する"</button>
            </ActionForm>
        </Layout>
    }
}
