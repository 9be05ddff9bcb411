//! ログイン: e-mail and password, then the second factor's code, each posted as a plain form.

use crate::PRODUCT_NAME;
use crate::api::Login;
use crate::api::second_factor::login_awaits_code;
use leptos::form::ActionForm;
use leptos::prelude::*;

/// The login page. A failed attempt comes back here with its error, which
/// the action reads from the URL (no JavaScript needed). After the password of a user with a
/// second factor, it asks for the code instead (`?again` starts over).
#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let error = move || login.value().get().and_then(|result| result.err());
    let again = leptos_router::hooks::use_query_map().get_untracked().get("again").is_some();
    let awaits_code = Resource::new(|| (), |_| login_awaits_code());
    view! {
        <main class="login-page">
            <section class="login-card" aria-labelledby="login-title">
                <p class="brand-large">{PRODUCT_NAME}</p>
                <p class="tagline">"オンライン資格確認 導入・補助金・見積監査"</p>
                <h1 id="login-title">"ログイン"</h1>
                {leptos_router::hooks::use_query_map().get_untracked().get("done").and_then(|d| crate::done::message(&d))
                    .map(|m| view! { <p class="success" role="status" data-testid="done">{m}</p> })}
                {move || error().map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })}
                <Suspense fallback=|| view! { <p>"読み込み中…"</p> }>
                    {move || Suspend::new(async move {
                        if awaits_code.await.unwrap_or(false) && !again {
                            view! { <CodeForm login /> }.into_any()
                        } else {
                            view! { <PasswordForm login /> }.into_any()
                        }
                    })}
                </Suspense>
            </section>
        </main>
    }
}

#[component]
fn PasswordForm(login: ServerAction<Login>) -> impl IntoView {
    view! {
        <ActionForm action=login attr:novalidate=true attr:class="form">
            <label for="email">"メールアドレス"</label>
            <input id="email" type="email" name="email" autocomplete="username" required autofocus />
            <label for="password">"パスワード"</label>
            <input id="password" type="password" name="password" autocomplete="current-password" required />
            <button type="submit" class="primary">"ログイン"</button>
        </ActionForm>
        <p><a href="/password/forgot" data-testid="forgot-password-link">"パスワードを忘れた方"</a></p>
    }
}

/// The second form: the code alone (the password was accepted a moment ago).
#[component]
fn CodeForm(login: ServerAction<Login>) -> impl IntoView {
    view! {
        <p>"パスワードを確認しました。認証アプリに表示されている確認コードを入力してください。"</p>
        <ActionForm action=login attr:novalidate=true attr:class="form" attr:data-testid="second-factor">
            <label for="code">"確認コード（6桁）"</label>
            <input
                id="code"
                type="text"
                name="code"
                inputmode="numeric"
                autocomplete="one-time-code"
                maxlength="40"
                required
                autofocus
            />
            <p class="note">"認証アプリを使えないときは、設定時に控えた回復コード（例: ABCD-EFGH-JKMN-PQRS）を入力できます。"</p>
            <button type="submit" class="primary">"確認"</button>
        </ActionForm>
        <p><a href="/login?again">"最初からやり直す"</a></p>
    }
}
