//! Server function of the facility form: register or edit a facility.
#![expect(missing_docs, reason = "#[server] generates argument structs whose fields cannot carry docs")]
#![allow(clippy::too_many_arguments, reason = "a server function takes one argument per form field")]

use crate::UiError;
use leptos::prelude::*;

/// The field of the answer that asks for the confirmation step rather than a fix.
pub const CONFIRM: &str = "confirm_registration";

/// Registers a facility (`id` 0, for a corporation's manager) or edits one in
/// the user's scope; refuses with per-field errors and the typed values.
#[server(prefix = "/api", endpoint = "save_facility")]
pub async fn save_facility(
    id: i64,
    code: String,
    name: String,
    kana: String,
    facility_type: String,
    prefecture: String,
    address: String,
    online_billing: Option<String>,
    group_monthly_prescriptions: String,
    confirmed: Option<String>,
) -> Result<(), UiError> {
    use crate::ssr::{audit_log, context, db};
    use rules::access::{Permission, Scope};
    let user = context::require_permission(Permission::EditOwnFacilities)?;
    let pool = context::pool()?;
    let input = rules::facility::FacilityInput {
        code: code.clone(),
        name: name.clone(),
        kana: kana.clone(),
        facility_type: facility_type.clone(),
        prefecture: prefecture.clone(),
        address: address.clone(),
        online_billing: online_billing.is_some(),
        group_monthly_prescriptions: group_monthly_prescriptions.clone(),
    };
    let values = vec![
        ("code".to_owned(), code),
        ("name".to_owned(), name),
        ("kana".to_owned(), kana),
        ("facility_type".to_owned(), facility_type),
        ("prefecture".to_owned(), prefecture),
        ("address".to_owned(), address),
        ("online_billing".to_owned(), if input.online_billing { "on".into() } else { String::new() }),
        ("group_monthly_prescriptions".to_owned(), group_monthly_prescriptions),
    ];
    let reject = |errors: Vec<(&'static str, String)>| {
        UiError::Fields(errors.into_iter().map(|(f, m)| (f.to_owned(), m)).collect()).keeping(values.clone())
    };
    let valid = rules::facility::validate(&input).map_err(reject)?;
    // A new facility is shown back for a last look before it is stored (確認画面).
    if id == 0 && confirmed.is_none() {
        return Err(UiError::FormRejected {
            errors: vec![(CONFIRM.to_owned(), String::new())],
            values: values.clone(),
        });
    }
    let corporation_id = if id == 0 {
        match user.scope {
            Scope::Corporation { id } => Some(id),
            _ => {
                return Err(UiError::Invalid(
                    "施設の追加は法人の担当者が行えます。運用管理者に依頼してください".into(),
                ));
            }
        }
    } else {
        db::provisioning::facility_in_scope(&pool, &user.scope, id).await?.corporation_id
    };
    let actor = audit_log::Actor::user(user.id, user.email.clone());
    let saved = db::facilities::save(&pool, &actor, id, &valid, corporation_id).await?;
    match saved {
        Ok(saved_id) => {
            leptos_axum::redirect(&format!("/facilities/{saved_id}"));
            Ok(())
        }
        Err(field_error) => Err(reject(vec![field_error])),
    }
}
