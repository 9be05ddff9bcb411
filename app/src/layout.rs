//! The frame of every signed-in page: header with user and logout, navigation, footer.

use crate::api::Logout;
use crate::nav::nav_items;
use crate::{PRODUCT_NAME, SessionUser};
use leptos::form::ActionForm;
use leptos::prelude::*;

/// Wraps a signed-in page.
#[component]
pub fn Layout(
    /// Page title shown as the first heading.
    title: &'static str,
    children: Children,
) -> impl IntoView {
    view! {
        <header class="site-header">
            <div class="brand">
                <a href="/">{PRODUCT_NAME}</a>
                <span class="tagline">"オンライン資格確認 導入・補助金・見積監査"</span>
            </div>
            {signed_in_user().map(|user| view! { <UserBox user /> })}
        </header>
        <main class="page" id="main">
            <h1>{title}</h1>
            {done_message()}
            {children()}
        </main>
        <footer class="site-footer">
            "Onshi — 補助金の金額・期限は公表資料に基づいて表示しています（"
            <a href=crate::public_source::REGISTER_PATH>"出典一覧"</a>
            "）。"
        </footer>
    }
}

/// 「…しました」 after a form sent from this page was carried out (`crate::done`).
fn done_message() -> Option<impl IntoView> {
    let done = leptos_router::hooks::use_query_map().get_untracked().get("done")?;
    let message = crate::done::message(&done)?;
    Some(view! { <p class="success" role="status" data-testid="done">{message}</p> })
}

/// The user the server's session gate put into the request. Read at once, not
/// through a resource: the header needs no waiting, and a resource per page
/// cost more than the rest of a page without data (BENCHMARKS.md, load test).
pub fn signed_in_user() -> Option<SessionUser> {
    #[cfg(feature = "ssr")]
    return crate::ssr::context::session_user();
    // A browser build would load it with `api::current_user`.
    #[cfg(not(feature = "ssr"))]
    None
}

#[component]
fn UserBox(user: SessionUser) -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    let items = nav_items(user.role);
    view! {
        <div class="user-box">
            <span data-testid="current-user" class="current-user">
                <span class="user-name">{user.display_name.clone()}</span>
                " "
                <span class="user-email">{user.email.clone()}</span>
                " "
                <span class="role-badge">{user.role.label_ja()}</span>
                " "
                <span class="scope">{user.scope_label.clone()}</span>
            </span>
            <a href="/account/second-factor" class="account-link">"二要素認証"</a>
            <ActionForm action=logout attr:novalidate=true attr:data-testid="logout" attr:class="logout-form">
                <button type="submit">"ログアウト"</button>
            </ActionForm>
        </div>
        <nav class="site-nav" aria-label="メインメニュー">
            <ul>
                {items
                    .into_iter()
                    .map(|item| view! { <li><a href=item.href>{item.label}</a></li> })
                    .collect_view()}
            </ul>
        </nav>
    }
}

/// Shows a page's error and answers with its status (403, 404, 500…), so a
/// foreign object's URL is a plain 404 whatever page it is.
#[component]
pub fn ErrorBox(error: crate::UiError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(status) = http::StatusCode::from_u16(error.status())
    {
        response.set_status(status);
    }
    view! { <p class="error" role="alert">{error.to_string()}</p> }
}

/// A page part that waits for `data`: 「読み込み中…」 meanwhile, then `show` of the value, or
/// the error (with its status, as [`ErrorBox`] sets it).
pub fn loaded<T, V>(
    data: Resource<Result<T, crate::UiError>>,
    show: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    V: IntoView + 'static,
{
    view! {
        <Suspense fallback=|| view! { <p>"読み込み中…"</p> }>
            {move || {
                let show = show.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(value) => show(value).into_any(),
                        Err(error) => view! { <ErrorBox error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// A wide table's frame: it scrolls sideways inside the page instead of widening it, says so on
/// a narrow screen (`.table-scroll` in `onshi.css`), and takes the keyboard focus with a name, so
/// the part that scrolls can be reached and read (WCAG 2.1.1, axe `scrollable-region-focusable`).
#[component]
pub fn TableFrame(
    /// What the table is, read out when the frame takes the focus.
    #[prop(into)]
    label: String,
    children: Children,
) -> impl IntoView {
    view! { <div class="table-scroll" role="region" tabindex="0" aria-label=label>{children()}</div> }
}
