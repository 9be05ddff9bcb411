//! パスワードを忘れた方 and the page of the link it sends.

use super::refused_form::{Refusal, error_summary, last_error};
use crate::api::admin::MIN_PASSWORD_CHARS;
use crate::api::password_reset::{
    RequestPasswordReset, ResetPasswordWithLink, password_reset_available, reset_link_valid,
};
use crate::layout::{ErrorBox, Layout};
use leptos::form::ActionForm;
use leptos::prelude::*;

/// パスワードを忘れた方: the address, then a link by e-mail; without e-mail, whom to ask.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let request = ServerAction::<RequestPasswordReset>::new();
    let refused = Refusal::of(request);
    let available = Resource::new(|| (), |_| password_reset_available());
    view! {
        <Layout title="パスワードを忘れた方">
            <Suspense fallback=|| view! { <p>"読み込み中…"</p> }>
                {move || {
                    let refused = refused.clone();
                    Suspend::new(async move {
                        match available.await {
                            Ok(true) => view! {
                                <p>"登録したメールアドレスを入力してください。登録されていれば、パスワードを再設定するためのリンクをメールで送ります（有効期限1時間、1回だけ使えます）。"</p>
                                <ActionForm action=request attr:class="form" attr:data-testid="forgot-password" attr:novalidate=true>
                                    {error_summary(request)}
                                    {refused.input("メールアドレス".into(), "email", "email", "username")}
                                    <button type="submit" class="primary">"再設定のリンクを送る"</button>
                                </ActionForm>
                            }.into_any(),
                            Ok(false) => view! {
                                <p data-testid="ask-admin">"この Onshi はメールを送る設定になっていません。パスワードを忘れた場合は、所属先の運用管理者に連絡して、パスワードの再設定を依頼してください（運用管理者は「利用者管理」で再設定できます）。"</p>
                            }.into_any(),
                            Err(error) => view! { <ErrorBox error /> }.into_any(),
                        }
                    })
                }}
            </Suspense>
            <p><a href="/login">"ログインに戻る"</a></p>
        </Layout>
    }
}

/// The page of the link: the new password, twice.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let token = leptos_router::hooks::use_query_map().get_untracked().get("token").unwrap_or_default();
    let reset = ServerAction::<ResetPasswordWithLink>::new();
    let refused = Refusal::of(reset);
    let error = move || last_error(reset)().map(|e| view! { <p class="error" role="alert">{e}</p> });
    let valid = Resource::new(
        move || token.clone(),
        |token| async move { reset_link_valid(token.clone()).await.map(|v| (v, token)) },
    );
    view! {
        <Layout title="パスワードの再設定">
            {error}
            <Suspense fallback=|| view! { <p>"読み込み中…"</p> }>
                {move || {
                    let refused = refused.clone();
                    Suspend::new(async move {
                        match valid.await {
                            Ok((true, token)) => view! {
                                <ActionForm action=reset attr:class="form" attr:data-testid="reset-password" attr:novalidate=true>
                                    {error_summary(reset)}
                                    <input type="hidden" name="token" value=token/>
                                    {refused.input(format!("新しいパスワード（{MIN_PASSWORD_CHARS}文字以上。よく使われるもの・流出したもの・メールアドレスを含むものは使えません）"), "password", "password", "new-password")}
                                    {refused.input("新しいパスワード（確認のためもう一度）".into(), "confirm", "password", "new-password")}
                                    <button type="submit" class="primary">"パスワードを再設定する"</button>
                                </ActionForm>
                            }.into_any(),
                            Ok((false, _)) => view! {
                                <p class="error" role="alert" data-testid="link-expired">{crate::api::password_reset::EXPIRED}</p>
                                <p><a href="/password/forgot">"パスワードを忘れた方"</a></p>
                            }.into_any(),
                            Err(error) => view! { <ErrorBox error /> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </Layout>
    }
}
