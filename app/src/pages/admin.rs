//! 利用者管理: the admin's page to add users, change their scope, disable them and reset passwords.

use super::refused_form::{Refusal, checked_text_field, error_summary, field_error, field_id, last_error};
use crate::api::admin::{
    AdminUser, CreateUser, MIN_PASSWORD_CHARS, ResetPassword, SetUserDisabled, SetUserScope, admin_users,
};
use crate::api::second_factor::{RESET_CONFIRMATION, ResetSecondFactor};
use crate::layout::{Layout, TableFrame, loaded};
use leptos::form::ActionForm;
use leptos::prelude::*;
use rules::printable_name::NameKind;
use rules::{Association, Prefecture, Role};

/// The scope fields, filled with `values` (医療機関コード, 法人コード, association, prefecture):
/// what a refused form had typed, or the user's current scope. `ids` gives the fields the ids
/// the error summary links to (the one add-user form of the page; the rows' forms have none).
fn scope_fields(values: [String; 4], refused: Refusal, ids: bool) -> impl IntoView {
    let [facility, corporation, association, prefecture] = values;
    let id = move |name: &str| ids.then(|| field_id(name));
    view! {
        <label>"施設（医療機関担当者: 医療機関コード または ID）"
            <input id=id("facility") name="facility" type="text" value=facility
                aria-invalid=refused.invalid("facility") aria-describedby=refused.described("facility")/>
            {refused.message("facility")}
        </label>
        <label>"法人（医療機関担当者: 法人コード または ID）"
            <input id=id("corporation") name="corporation" type="text" value=corporation
                aria-invalid=refused.invalid("corporation") aria-describedby=refused.described("corporation")/>
            {refused.message("corporation")}
        </label>
        <label>"所属団体（審査担当）"
            <select id=id("association") name="association" aria-invalid=refused.invalid("association") aria-describedby=refused.described("association")>
                <option value="">"—"</option>
                {Association::ALL.into_iter().map(|a| view! { <option value=a.code() selected=association == a.code()>{a.label_ja()}</option> }).collect_view()}
            </select>
            {refused.message("association")}
        </label>
        <label>"都道府県（審査担当）"
            <select id=id("prefecture") name="prefecture" aria-invalid=refused.invalid("prefecture") aria-describedby=refused.described("prefecture")>
                <option value="">"—"</option>
                {Prefecture::all().map(|p| view! { <option value=p.code() selected=prefecture == p.code()>{p.name_ja()}</option> }).collect_view()}
            </select>
            {refused.message("prefecture")}
        </label>
    }
}

/// The role, with `chosen` selected.
fn role_select(chosen: String, refused: Refusal, ids: bool) -> impl IntoView {
    view! {
        <label>"役割"
            <select id=ids.then(|| field_id("role")) name="role" aria-invalid=refused.invalid("role") aria-describedby=refused.described("role")>
                {Role::ALL.into_iter().map(|r| view! { <option value=r.code() selected=chosen == r.code()>{r.label_ja()}</option> }).collect_view()}
            </select>
            {refused.message("role")}
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
    let created = Refusal::of(create);
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
                <ActionForm action=create attr:class="form" attr:data-testid="create-user" attr:novalidate=true>
                    {error_summary(create)}
                    {created.input("メールアドレス".into(), "email", "email", "off")}
                    {checked_text_field(create, format!("氏名（画面に表示する名前、{}文字以内）", NameKind::Person.max_chars()), "display_name", String::new(), None, true)}
                    {role_select(created.typed("role").unwrap_or_default(), created.clone(), true)}
                    {created.input(format!("初期パスワード（{MIN_PASSWORD_CHARS}文字以上。よく使われるもの・流出したもの・メールアドレスを含むものは使えません）"), "password", "password", "new-password")}
                    {scope_fields(["facility", "corporation", "association", "prefecture"].map(|n| created.typed(n).unwrap_or_default()), created.clone(), true)}
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
        <TableFrame label="利用者の一覧">
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
                            // The row's scope form: what a refusal for this user had typed, else the user's role and scope.
                            let scope_refused = Refusal::of(scope).in_row("user_id", &u.id.to_string());
                            let scope_values = match scope_refused.typed("role") {
                                Some(role) => (role, ["facility", "corporation", "association", "prefecture"].map(|n| scope_refused.typed(n).unwrap_or_default())),
                                None => {
                                    let (f, c, a, p) = u.scope_fields.clone();
                                    (u.role.code().to_owned(), [f, c, a, p])
                                }
                            };
                            let disable_refused = Refusal::of(disable).in_row("user_id", &u.id.to_string());
                            let refused_here = reset_error().is_some() || scope_refused.any();
                            view! {
                                <tr>
                                    <td>{u.email.clone()}</td>
                                    <td>{u.display_name.clone()}</td>
                                    <td>{u.role.label_ja()}</td>
                                    <td>{u.scope_label.clone()}</td>
                                    <td>{if u.disabled { "無効" } else { "有効" }}</td>
                                    <td>{if u.second_factor { "設定済み" } else { "未設定" }}</td>
                                    <td>
                                        {if u.disabled {
                                            view! {
                                                <ActionForm action=disable attr:novalidate=true attr:class="inline-form">
                                                    <input type="hidden" name="user_id" value=id_disable/>
                                                    <input type="hidden" name="disabled" value="false"/>
                                                    <button type="submit">"有効にする"</button>
                                                </ActionForm>
                                            }.into_any()
                                        } else {
                                            let confirm_id = format!("disable-confirm-{}", u.id);
                                            let open = disable_refused.any();
                                            view! {
                                                <details open=open>
                                                    <summary>"無効にする"</summary>
                                                    <ActionForm action=disable attr:class="form" attr:data-testid="disable-user" attr:novalidate=true>
                                                        <input type="hidden" name="user_id" value=id_disable/>
                                                        <input type="hidden" name="disabled" value="true"/>
                                                        <p class="note">"無効にすると、この利用者はすぐにログインできなくなります（ログイン中の画面も使えなくなります）。記録は残り、あとで「有効にする」で戻せます。"</p>
                                                        <label class="check">
                                                            <input id=confirm_id.clone() type="checkbox" name="confirm" value="on"
                                                                aria-invalid=disable_refused.invalid("confirm") aria-describedby=disable_refused.described_in("confirm", &confirm_id)/>
                                                            {format!("{}（{}）を無効にすることを確認しました", u.display_name, u.email)}
                                                        </label>
                                                        {disable_refused.message_in("confirm", &confirm_id)}
                                                        <button type="submit">"無効にする"</button>
                                                    </ActionForm>
                                                </details>
                                            }.into_any()
                                        }}
                                        <details open=refused_here>
                                            <summary>"パスワード再設定・範囲の変更"</summary>
                                            <ActionForm action=reset attr:novalidate=true attr:class="form">
                                                <input type="hidden" name="user_id" value=id_reset/>
                                                <label>"新しいパスワード"<input name="password" type="password" autocomplete="new-password" required/>{reset_error}</label>
                                                <button type="submit">"パスワードを再設定"</button>
                                            </ActionForm>
                                            <ActionForm action=scope attr:novalidate=true attr:class="form">
                                                <input type="hidden" name="user_id" value=id_scope/>
                                                {role_select(scope_values.0, scope_refused.clone(), false)}
                                                {scope_fields(scope_values.1, scope_refused.clone(), false)}
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
        </TableFrame>
    }
}

/// 二要素認証をリセット, with a box to tick first (no JavaScript confirm dialog).
#[component]
fn ResetSecondFactorForm(user_id: i64, factor: ServerAction<ResetSecondFactor>) -> impl IntoView {
    view! {
        <details>
            <summary>"二要素認証をリセット"</summary>
            <ActionForm action=factor attr:novalidate=true attr:class="form" attr:data-testid="reset-second-factor">
                <input type="hidden" name="user_id" value=user_id.to_string()/>
                <p class="note">"スマートフォンの紛失などで確認コードを入力できなくなった利用者のためのものです。リセットすると、その利用者のログイン中のセッションは終了し、次回のログインで二要素認証を設定し直します。"</p>
                <label class="check"><input type="checkbox" name="confirm" value=RESET_CONFIRMATION required/>"本人確認のうえ、リセットすることを確認しました"</label>
                <button type="submit">"二要素認証をリセット"</button>
            </ActionForm>
        </details>
    }
}
