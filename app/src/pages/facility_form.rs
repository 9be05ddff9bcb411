//! 施設の登録・編集: the facility form, with errors next to each field and nothing typed lost.

use super::refused_form::error_summary;
use crate::UiError;
use crate::api::facilities::{FacilityDetail, facility};
use crate::api::facility_form::{CONFIRM, SaveFacility};
use crate::api::registry::{Prefill, registry_prefill};
use crate::layout::{ErrorBox, Layout, loaded};
use leptos::form::ActionForm;
use leptos::prelude::*;
use rules::printable_name::NameKind;
use rules::{FacilityType, Prefecture};

/// Whether the signed-in user may register and edit facilities (managers only).
pub(crate) async fn may_edit() -> Result<(), UiError> {
    match crate::api::current_user().await? {
        Some(u) if u.role.may(rules::access::Permission::EditOwnFacilities) => Ok(()),
        _ => Err(UiError::Forbidden),
    }
}

/// 施設の登録: first the 医療機関コード, then the form filled in from the registry (地方厚生局の
/// 一覧) — or, for a code the registry does not hold, with a notice.
#[component]
pub fn FacilityNewPage() -> impl IntoView {
    let code = leptos_router::hooks::use_query_map().get_untracked().get("code");
    // A refused registration comes back with what was typed: the form, not the code step.
    let refused = ServerAction::<SaveFacility>::new().value().get_untracked().is_some_and(|r| r.is_err());
    let prefill = Resource::new(
        move || code.clone(),
        |code| async move {
            may_edit().await?;
            match code {
                Some(code) if !code.trim().is_empty() => registry_prefill(code).await.map(Some),
                _ => Ok(None),
            }
        },
    );
    view! {
        <Layout title="施設の登録">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match prefill.await {
                        Ok(Some(p)) if p.code_error.is_none() => view! { <FacilityForm existing=None prefill=p /> }.into_any(),
                        Ok(_) if refused => view! { <FacilityForm existing=None /> }.into_any(),
                        Ok(p) => view! { <CodeStep prefill=p /> }.into_any(),
                        Err(error) => view! { <ErrorBox error /> }.into_any(),
                    }
                })}
            </Suspense>
        </Layout>
    }
}

/// The first step: the code, looked up in the registry before anything else is typed.
#[component]
fn CodeStep(prefill: Option<Prefill>) -> impl IntoView {
    let typed = prefill.as_ref().map(|p| p.code.clone()).unwrap_or_default();
    let error = prefill.and_then(|p| p.code_error);
    let invalid = error.is_some().then_some("true");
    let described = error.is_some().then_some("code-error");
    view! {
        <p>"医療機関コード（10桁）を入れると、地方厚生局の「コード内容別医療機関一覧表」から名称・所在地・施設区分・都道府県を入れた登録画面になります。"</p>
        <form method="get" action="/facilities/new" class="form" data-testid="registry-code-step">
            <label for="code">"医療機関コード（10桁）"</label>
            <input id="code" name="code" type="text" inputmode="numeric" autocomplete="off" value=typed aria-invalid=invalid aria-describedby=described/>
            {error.map(|m| view! { <span class="field-error" id="code-error" role="alert">{m}</span> })}
            <button type="submit" class="primary">"次へ"</button>
        </form>
    }
}

/// 施設の編集.
#[component]
pub fn FacilityEditPage() -> impl IntoView {
    let id = super::id_param();
    let detail = Resource::new(
        move || id,
        |id| async move {
            may_edit().await?;
            facility(id.ok_or(UiError::NotFound)?).await
        },
    );
    view! {
        <Layout title="施設の編集">
            {loaded(detail, move |d| view! { <FacilityForm existing=Some(d) /> })}
        </Layout>
    }
}

#[component]
fn FacilityForm(existing: Option<FacilityDetail>, #[prop(optional)] prefill: Option<Prefill>) -> impl IntoView {
    let save = ServerAction::<SaveFacility>::new();
    let error = move || save.value().get_untracked().and_then(Result::err);
    let err = error();
    let field_error = {
        let err = err.clone();
        move |name: &str| {
            err.as_ref()
                .and_then(|e| e.field(name))
                .map(|m| view! { <span class="field-error" id=format!("{name}-error") role="alert">{m}</span> })
        }
    };
    // aria-invalid and aria-describedby of a refused field, so a screen reader reads its message.
    let aria = {
        let err = err.clone();
        move |name: &str| {
            let refused = err.as_ref().and_then(|e| e.field(name)).is_some();
            (refused.then_some("true"), refused.then(|| format!("{name}-error")))
        }
    };
    let (code_invalid, code_error) = aria("code");
    let (name_invalid, name_error) = aria("name");
    let (kana_invalid, kana_error) = aria("kana");
    let (count_invalid, count_error) = aria("group_monthly_prescriptions");
    // What the form shows: what was typed before a refusal, else the stored facility.
    let value = {
        let err = err.clone();
        let existing = existing.clone();
        let prefill = prefill.clone();
        move |name: &str| -> String {
            if let Some(v) = err.as_ref().and_then(|e| e.value(name)) {
                return v;
            }
            let Some(d) = existing.as_ref() else {
                return prefill.as_ref().map(|p| prefilled(p, name)).unwrap_or_default();
            };
            match name {
                "code" => d.summary.code.clone(),
                "name" => d.summary.name.clone(),
                "kana" => d.kana.clone(),
                "facility_type" => d.summary.facility_type.clone(),
                "prefecture" => d.summary.prefecture.clone(),
                "address" => d.address.clone(),
                "online_billing" => {
                    if d.summary.online_billing {
                        "on".into()
                    } else {
                        String::new()
                    }
                }
                _ => String::new(),
            }
        }
    };
    let id = existing.as_ref().map_or(0, |d| d.summary.id);
    let online = if existing.is_none() && err.is_none() { true } else { !value("online_billing").is_empty() };
    let (kind, pref) = (value("facility_type"), value("prefecture"));
    // The confirmation step of a new registration: everything valid, shown back before storing.
    let confirming = err.as_ref().is_some_and(|e| e.field(CONFIRM).is_some());
    let confirm_step = confirming.then(|| {
        let kind_label = FacilityType::ALL.into_iter().find(|t| t.code() == kind).map(|t| t.label_ja()).unwrap_or_default();
        let pref_label = Prefecture::all().find(|p| p.code() == pref).map(|p| p.name_ja()).unwrap_or_default();
        let rows = [
            ("医療機関コード", value("code")),
            ("医療機関名", value("name")),
            ("フリガナ", value("kana")),
            ("施設区分", kind_label.to_owned()),
            ("都道府県", pref_label.to_owned()),
            ("所在地", value("address")),
            ("オンライン請求", if online { "行っている".to_owned() } else { "行っていない（紙レセプト）".to_owned() }),
            ("グループの処方箋受付回数（月）", value("group_monthly_prescriptions")),
        ];
        let hidden = ["code", "name", "kana", "facility_type", "prefecture", "address", "group_monthly_prescriptions"]
            .map(|n| view! { <input type="hidden" name=n value=value(n)/> });
        view! {
            <section class="card" data-testid="facility-confirm-step">
                <h2>"登録する内容の確認"</h2>
                <p>"次の内容で登録します。よければ「この内容で登録する」を、直す場合は下の入力欄を直して「確認する」を押してください。"</p>
                <table class="data summary">
                    <tbody>
                        {rows.into_iter().filter(|(_, v)| !v.is_empty()).map(|(label, v)| view! { <tr><th scope="row">{label}</th><td>{v}</td></tr> }).collect_view()}
                    </tbody>
                </table>
                <ActionForm action=save attr:novalidate=true attr:class="form" attr:data-testid="facility-confirm">
                    <input type="hidden" name="id" value="0"/>
                    {hidden}
                    {online.then(|| view! { <input type="hidden" name="online_billing" value="on"/> })}
                    <input type="hidden" name="confirmed" value="on"/>
                    <button type="submit" class="primary">"この内容で登録する"</button>
                </ActionForm>
            </section>
            <h2>"入力内容を直す"</h2>
        }
    });
    let general = err
        .filter(|e| !matches!(e, UiError::FormRejected { .. }))
        .map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> });
    let notice = prefill
        .and_then(|p| p.notice)
        .map(|n| view! { <p class="notice" role="status" data-testid="registry-notice">{n}</p> });
    view! {
        {general}
        {notice}
        {confirm_step}
        <ActionForm action=save attr:novalidate=true attr:class="form facility-form" attr:data-testid="facility-form">
            {(!confirming).then(|| error_summary(save))}
            <input type="hidden" name="id" value=id.to_string()/>
            <label for="code">"医療機関コード（10桁）"</label>
            <input id="code" name="code" type="text" inputmode="numeric" value=value("code") required aria-invalid=code_invalid aria-describedby=code_error/>
            {field_error("code")}
            <label for="name">{format!("医療機関名（{}文字以内）", NameKind::Facility.max_chars())}</label>
            <input id="name" name="name" type="text" value=value("name") required aria-invalid=name_invalid aria-describedby=name_error/>
            {field_error("name")}
            <label for="kana">"フリガナ（全角カタカナ）"</label>
            <input id="kana" name="kana" type="text" value=value("kana") required aria-invalid=kana_invalid aria-describedby=kana_error/>
            {field_error("kana")}
            <label for="facility_type">"施設区分"</label>
            <select id="facility_type" name="facility_type">
                {FacilityType::ALL.into_iter().map(|t| view! { <option value=t.code() selected=kind == t.code()>{t.label_ja()}</option> }).collect_view()}
            </select>
            {field_error("facility_type")}
            <label for="group_monthly_prescriptions">"薬局: グループの処方箋受付回数（月）"</label>
            <input id="group_monthly_prescriptions" name="group_monthly_prescriptions" type="text" inputmode="numeric" value=value("group_monthly_prescriptions") aria-invalid=count_invalid aria-describedby=count_error/>
            {field_error("group_monthly_prescriptions")}
            <label for="prefecture">"都道府県"</label>
            <select id="prefecture" name="prefecture">
                {Prefecture::all().map(|p| view! { <option value=p.code() selected=pref == p.code()>{p.name_ja()}</option> }).collect_view()}
            </select>
            {field_error("prefecture")}
            <label for="address">"所在地（市区町村以下）"</label>
            <input id="address" name="address" type="text" value=value("address")/>
            <label class="check">
                <input type="checkbox" name="online_billing" checked=online/>
                "オンライン請求を行っている（紙レセプトの施設は義務化の対象外）"
            </label>
            <button type="submit" class="primary">{if id == 0 { "確認する" } else { "保存する" }}</button>
        </ActionForm>
    }
}

/// A field of the registration form as the registry fills it. The form asks for the address
/// below the prefecture (市区町村以下), as the bureaus' lists write it; a CSV's address that
/// starts with the prefecture loses it.
fn prefilled(p: &Prefill, field: &str) -> String {
    let found = p.found.as_ref();
    match field {
        "code" => p.code.clone(),
        "prefecture" => p.prefecture.clone(),
        "facility_type" => p.facility_type.clone(),
        "name" => found.map(|r| r.name.clone()).unwrap_or_default(),
        "address" => found
            .map(|r| {
                let prefecture = r.prefecture.parse::<Prefecture>().map(Prefecture::name_ja).unwrap_or_default();
                let address =
                    r.address.strip_prefix(prefecture).filter(|_| !prefecture.is_empty()).unwrap_or(&r.address);
                address.to_owned()
            })
            .unwrap_or_default(),
        _ => String::new(),
    }
}
