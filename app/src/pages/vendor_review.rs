//! 事業者の確認: the admin's page to accept the vendors managers typed in into the shared list.

use crate::api::vendor_review::{ReviewVendor, VendorToReview, vendors_to_review};
use crate::layout::{Layout, loaded};
use leptos::form::ActionForm;
use leptos::prelude::*;

/// 事業者の確認.
#[component]
pub fn VendorReviewPage() -> impl IntoView {
    let list = Resource::new(|| (), |_| vendors_to_review());
    let review = ServerAction::<ReviewVendor>::new();
    let error = move || {
        review.value().get().and_then(|r| r.err()).map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })
    };
    view! {
        <Layout title="事業者の確認">
            <p class="lead">
                "医療機関担当者が見積書の登録時に入力した事業者名です。確認するまでは、入力した担当者の画面にだけ表示され、ほかの医療機関の選択肢には出ません。名称を正式な商号に直してから確認してください。"
            </p>
            {error}
            {loaded(list, move |rows| view! { <ReviewTable rows review /> })}
        </Layout>
    }
}

#[component]
fn ReviewTable(rows: Vec<VendorToReview>, review: ServerAction<ReviewVendor>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p data-testid="no-vendors-to-review">"確認待ちの事業者はありません。"</p> }.into_any();
    }
    view! {
        <table class="data" data-testid="vendors-to-review">
            <thead>
                <tr>
                    <th scope="col">"入力された名称"</th>
                    <th scope="col">"入力した利用者"</th>
                    <th scope="col" class="num">"見積書"</th>
                    <th scope="col">"確認"</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|v| {
                    let label = format!("{} の正式な名称", v.name);
                    view! {
                        <tr>
                            <td>{v.name.clone()}</td>
                            <td>{v.added_by.clone().unwrap_or_else(|| "—".into())}</td>
                            <td class="num">{v.quotes}</td>
                            <td>
                                <ActionForm action=review attr:novalidate=true attr:class="inline-form">
                                    <input type="hidden" name="vendor_id" value=v.id.to_string()/>
                                    <input name="name" type="text" value=v.name.clone() aria-label=label maxlength="80"/>
                                    <button type="submit">"この名称で確認する"</button>
                                </ActionForm>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
