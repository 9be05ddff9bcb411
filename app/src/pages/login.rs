//! ログイン: e-mail and password, posted as a plain form.

use crate::PRODUCT_NAME;
use crate::api::Login;
use leptos::form::ActionForm;
use leptos::prelude::*;

/// The login page. A failed attempt comes back here with its error, which
/// the action reads from the URL (no JavaScript needed).
#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let error = move || login.value().get().and_then(|result| result.err());
    view! {
        <main class="login-page">
            <section class="login-card" aria-labelledby="login-title">
                <p class="brand-large">{PRODUCT_NAME}</p>
                <p class="tagline">"オンライン資格確認 導入・補助金・見積監査"</p>
                <h1 id="login-title">"ログイン"</h1>
                {move || error().map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })}
                <ActionForm action=login attr:class="form">
                    <label for="email">"メールアドレス"</label>
                    <input
                        id="email"
                        type="email"
                        name="email"
                        autocomplete="username"
                        required
                        autofocus
                    />
                    <label for="password">"パスワード"</label>
                    <input
                        id="password"
                        type="password"
                        name="password"
                        autocomplete="current-password"
                        required
                    />
                    <button type="submit" class="primary">"ログイン"</button>
                </ActionForm>
            </section>
        </main>
    }
}
