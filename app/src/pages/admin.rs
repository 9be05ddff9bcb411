//! 利用者管理: the admin's page to add users, change their scope, disable them and reset passwords.

use super::refused_form::{checked_text_field, field_error, last_error, typed};
use crate::api::admin::{
    AdminUser, CreateUser, MIN_PASSWORD_CHARS, ResetPassword, SetUserDisabled, SetUserScope, admin_users,
};
use crate::api::second_factor::{RESET_CONFIRMATION, ResetSecondFactor};
use crate::layout::{Layout, loaded};
use leptos::form::ActionForm;
use leptos::prelude::*;
use rules::printable_name::NameKind;
use rules::{Association, Prefecture, Role};

#[component]
fn ScopeFields() -> impl IntoView {
    view! {
        <label>"施設（医療機関担当者: 医療機関コード または ID）"<input name="facility" type="text"/></label>
        <label>"法人（医療機関担当者: 法人コード または ID）"<input name="corporation" type="text"/></label>
        <label>"所属団体（審査担当）"
            <select name="association">
                <option value="">"—"</option>
                {Association::ALL.into_iter().map(|a| view! { <option value=a.code()>{a.label_ja()}</option> }).collect_view()}
            </select>
        </label>
        <label>"都道府県（審査担当）"
            <select name="prefecture">
                <option value="">"—"</option>
                {Prefecture::all().map(|p| view! { <option value=p.code()>{p.name_ja()}</option> }).collect_view()}
            </select>
        </label>
    }
}

#[component]
fn RoleSelect() -> impl IntoView {
    view! {
        <label>"役割"
            <select name="role" required>
                {Role::ALL.into_iter().map(|r| view! { <option value=r.code()>{r.label_ja()}</option> }).collect_view()}
            </select>
        </label>
    }
}

/// 利用者管理.
#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let users = Resource::new(|| (), |_| admin_users());
    let create = ServerAction::<CreateUser>::new();
    let disable = ServerAction::<SetUserDisabled>::new();
    let reset = ServerAction::<ResetPassword>::new();
    let scope = ServerAction::<SetUserScope>::new();
    let factor = ServerAction::<ResetSecondFactor>::new();
    let errors = move || {
        [last_error(create)(), last_error(disable)(), last_error(reset)(), last_error(scope)(), last_error(factor)()]
            .into_iter()
            .flatten()
            .map(|m| view! { <p class="error" role="alert">{m}</p> })
            .collect_view()
    };
    view! {
        <Layout title="利用者管理">
            {errors}
            {loaded(users, move |list| view! { <UserTable list disable reset scope factor /> })}
            <section class="card">
                <h2>"利用者を追加"</h2>
                <ActionForm action=create attr:class="form" attr:data-testid="create-user">
                    <label>"メールアドレス"<input name="email" type="email" required value=typed(create, "email")/></label>
                    {checked_text_field(create, format!("氏名（画面に表示する名前、{}文字以内）", NameKind::Person.max_chars()), "display_name", String::new(), None, true)}
                    <RoleSelect/>
                    <label>{format!("初期パスワード（{MIN_PASSWORD_CHARS}文字以上。よく使われるもの・流出したもの・メールアドレスを含むものは使えません）")}<input name="password" type="password" autocomplete="new-password" required/>{field_error(create, "password", None)}</label>
                    <ScopeFields/>
                    <button type="submit" class="primary">"追加する"</button>
                </ActionForm>
            </section>
        </Layout>
    }
}

#[component]
fn UserTable(
    list: Vec<AdminUser>,
    disable: ServerAction<SetUserDisabled>,
    reset: ServerAction<ResetPassword>,
    scope: ServerAction<SetUserScope>,
    factor: ServerAction<ResetSecondFactor>,
) -> impl IntoView {
    view! {
        <table class="data" data-testid="users">
            <thead>
                <tr>
                    <th scope="col">"メールアドレス"</th>
                    <th scope="col">"表示名"</th>
                    <th scope="col">"役割"</th>
                    <th scope="col">"範囲"</th>
                    <th scope="col">"状態"</th>
                    <th scope="col">"二要素認証"</th>
                    <th scope="col">"操作"</th>
                </tr>
            </thead>
            <tbody>
                {list
                    .into_iter()
                    .map(|u| {
                        let (id_disable, id_reset, id_scope) = (u.id.to_string(), u.id.to_string(), u.id.to_string());
                        let reset_error = field_error(reset, "password", Some(("user_id", u.id.to_string())));
                        let refused_here = reset_error().is_some();
                        view! {
                            <tr>
                                <td>{u.email.clone()}</td>
                                <td>{u.display_name.clone()}</td>
                                <td>{u.role.label_ja()}</td>
                                <td>{u.scope_label.clone()}</td>
                                <td>{if u.disabled { "無効" } else { "有効" }}</td>
                                <td>{if u.second_factor { "設定済み" } else { "未設定" }}</td>
                                <td>
                                    <ActionForm action=disable attr:class="inline-form">
                                        <input type="hidden" name="user_id" value=id_disable/>
                                        <input type="hidden" name="disabled" value=if u.disabled { "false" } else { "true" }/>
                                        <button type="submit">{if u.disabled { "有効にする" } else { "無効にする" }}</button>
                                    </ActionForm>
                                    <details open=refused_here>
                                        <summary>"パスワード再設定・範囲の変更"</summary>
                                        <ActionForm action=reset attr:class="form">
                                            <input type="hidden" name="user_id" value=id_reset/>
                                            <label>"新しいパスワード"<input name="password" type="password" autocomplete="new-password" required/>{reset_error}</label>
                                            <button type="submit">"パスワードを再設定"</button>
                                        </ActionForm>
                                        <ActionForm action=scope attr:class="form">
                                            <input type="hidden" name="user_id" value=id_scope/>
                                            <RoleSelect/>
                                            <ScopeFields/>
                                            <button type="submit">"役割と範囲を変更"</button>
                                        </ActionForm>
                                    </details>
                                    {u.second_factor.then(|| view! { <ResetSecondFactorForm user_id=u.id factor /> })}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// 二要素認証をリセット, with a box to tick first (no JavaScript confirm dialog).
#[component]
fn ResetSecondFactorForm(user_id: i64, factor: ServerAction<ResetSecondFactor>) -> impl IntoView {
    view! {
        <details>
            <summary>"二要素認証をリセット"</summary>
            <ActionForm action=factor attr:class="form" attr:data-testid="reset-second-factor">
                <input type="hidden" name="user_id" value=user_id.to_string()/>
                <p class="note">"スマートフォンの紛失などで確認コードを入力できなくなった利用者のためのものです。リセットすると、その利用者のログイン中のセッションは終了し、次回のログインで二要素認証を設定し直します。"</p>
                <label class="check"><input type="checkbox" name="confirm" value=RESET_CONFIRMATION required/>"本人確認のうえ、リセットすることを確認しました"</label>
                <button type="submit">"二要素認証をリセット"</button>
            </ActionForm>
        </details>
    }
}
