//! 二要素認証: set up the authenticator app (QR code drawn on the server), see the recovery
//! codes once, and what is set up.

use crate::api::second_factor::{ConfirmSecondFactor, OfferedSecret, SecondFactorView, second_factor_status};
use crate::layout::{Layout, loaded};
use leptos::form::ActionForm;
use leptos::prelude::*;

/// 二要素認証.
#[component]
pub fn SecondFactorPage() -> impl IntoView {
    let status = Resource::new(|| (), |_| second_factor_status());
    let confirm = ServerAction::<ConfirmSecondFactor>::new();
    let error = move || {
        confirm.value().get().and_then(Result::err).map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })
    };
    view! {
        <Layout title="二要素認証">
            {error}
            {loaded(status, move |s| view! { <Status s confirm /> })}
        </Layout>
    }
}

#[component]
fn Status(s: SecondFactorView, confirm: ServerAction<ConfirmSecondFactor>) -> impl IntoView {
    view! {
        {(!s.new_recovery_codes.is_empty()).then(|| view! { <RecoveryCodes codes=s.new_recovery_codes.clone() /> })}
        {s.enrolled_at.clone().map(|at| view! {
            <section class="card" data-testid="second-factor-enrolled">
                <h2>"設定済み"</h2>
                <p>"ログインのたびに、パスワードの後に認証アプリの確認コードを入力します。"</p>
                <p>{format!("設定日時（協定世界時）: {at}")}</p>
                <p>{format!("未使用の回復コード: {}個", s.recovery_codes_left)}</p>
                <p class="note">"スマートフォンを紛失した場合や回復コードを使い切った場合は、運用管理者に二要素認証のリセットを依頼してください。"</p>
            </section>
        })}
        {s.offered.clone().map(|offered| view! { <Enrol offered required=s.required confirm /> })}
    }
}

#[component]
fn Enrol(offered: OfferedSecret, required: bool, confirm: ServerAction<ConfirmSecondFactor>) -> impl IntoView {
    view! {
        <section class="card" data-testid="second-factor-enrol">
            <h2>"認証アプリを設定する"</h2>
            {if required {
                "この役割では二要素認証が必須です（医療情報システムの安全管理に関するガイドライン 第6.0版）。設定が終わるまで、ほかの画面は開けません。"
            } else {
                "二要素認証を設定すると、パスワードが漏れても確認コードがなければログインできなくなります。"
            }}
            <ol>
                <li>"スマートフォンの認証アプリ（Google Authenticator、Microsoft Authenticator など）で、次のQRコードを読み取ってください。"</li>
                <li>"読み取れない場合は、次の文字列（シークレットキー）をアプリに入力してください。"</li>
                <li>"アプリに表示された6桁の確認コードを入力して「設定する」を押してください。"</li>
            </ol>
            <div class="qr-code" data-testid="qr-code" inner_html=offered.qr_svg></div>
            <p>"シークレットキー: " <code data-testid="totp-secret">{offered.base32}</code></p>
            <ActionForm action=confirm attr:novalidate=true attr:class="form" attr:data-testid="confirm-second-factor">
                <label for="code">"確認コード（6桁）"</label>
                <input id="code" type="text" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="12" required/>
                <button type="submit" class="primary">"設定する"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn RecoveryCodes(codes: Vec<String>) -> impl IntoView {
    view! {
        <section class="card" data-testid="recovery-codes">
            <h2>"回復コード（この画面でのみ表示します）"</h2>
            <p>"スマートフォンを使えないときは、確認コードの代わりに回復コードを1つ入力してログインできます。各コードは1回だけ使えます。印刷するか、パスワード管理ソフトなど安全な場所に控えてください。"</p>
            <ul class="recovery-codes">
                {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
            </ul>
        </section>
    }
}
