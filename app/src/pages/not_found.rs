//! ページが見つかりません (404).

use crate::layout::Layout;
use leptos::prelude::*;

/// Shown for any address no page answers; the response status is 404.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Layout title="ページが見つかりません">
            <p>"お探しのページは存在しないか、閲覧する権限がありません。"</p>
            <p>"アドレスをご確認のうえ、" <a href="/">"ホーム"</a> "からお進みください。"</p>
        </Layout>
    }
}
