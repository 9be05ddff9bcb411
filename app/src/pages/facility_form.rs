//! 施設の登録・編集: the facility form, with errors next to each field and nothing typed lost.

use crate::UiError;
use crate::api::facilities::{FacilityDetail, facility};
use crate::api::facility_form::SaveFacility;
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

/// 施設の登録.
#[component]
pub fn FacilityNewPage() -> impl IntoView {
    let allowed = Resource::new(|| (), |_| may_edit());
    view! {
        <Layout title="施設の登録">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match allowed.await {
                        Ok(()) => view! { <FacilityForm existing=None /> }.into_any(),
                        Err(error) => view! { <ErrorBox error /> }.into_any(),
                    }
                })}
            </Suspense>
        </Layout>
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
fn FacilityForm(existing: Option<FacilityDetail>) -> impl IntoView {
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
        move |name: &str| -> String {
            if let Some(v) = err.as_ref().and_then(|e| e.value(name)) {
                return v;
            }
            let Some(d) = existing.as_ref() else { return String::new() };
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
    let general = err
        .filter(|e| !matches!(e, UiError::FormRejected { .. }))
        .map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> });
    view! {
        {general}
        <ActionForm action=save attr:class="form facility-form" attr:data-testid="facility-form">
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
            <button type="submit" class="primary">{if id == 0 { "登録する" } else { "保存する" }}</button>
        </ActionForm>
    }
}
