//! Server functions of the admin pages: users, their scope and passwords.
#![expect(missing_docs, reason = "#[server] generates argument structs whose fields cannot carry docs")]
// `allow`, not `expect`: the lint fires in the macro expansion of some builds only.
#![allow(clippy::too_many_arguments, reason = "a server function takes one argument per form field")]

use crate::UiError;
use leptos::prelude::*;
use rules::Role;
#[cfg(feature = "ssr")]
use rules::printable_name::{NameKind, PrintableName};
use serde::{Deserialize, Serialize};

/// Shortest password accepted: 12 characters (OWASP ASVS 4.0.3, 2.1.1).
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted: 128 characters (OWASP ASVS 4.0.3, 2.1.2:
/// at least 64 permitted, more than 128 denied).
pub const MAX_PASSWORD_CHARS: usize = 128;

/// A user as the admin list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminUser {
    /// Database id.
    pub id: i64,
    /// Login e-mail.
    pub email: String,
    /// Name.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Scope in Japanese.
    pub scope_label: String,
    /// The scope as the form writes it: (医療機関コード, 法人コード, association code, prefecture
    /// code), empty where the role has none.
    pub scope_fields: (String, String, String, String),
    /// Cannot sign in.
    pub disabled: bool,
    /// Has a second factor (TOTP) set up.
    pub second_factor: bool,
    /// When created.
    pub created_at: String,
}

/// Refuses a password the policy does not allow (`ssr::password_policy`), saying beside the
/// password field what to do; `values` bring the rest of the form back as typed.
#[cfg(feature = "ssr")]
fn check_password(password: &str, email: &str, values: Vec<(String, String)>) -> Result<(), UiError> {
    crate::ssr::password_policy::check(password, email)
        .map_err(|weakness| UiError::FormRejected { errors: vec![("password".into(), weakness.to_string())], values })
}

#[cfg(feature = "ssr")]
fn admin() -> Result<(crate::SessionUser, crate::ssr::audit_log::Actor), UiError> {
    let user = crate::ssr::context::require_permission(rules::access::Permission::Administer)?;
    let actor = crate::ssr::audit_log::Actor::user(user.id, user.email.clone());
    Ok((user, actor))
}

/// Every user.
#[server(prefix = "/api", endpoint = "admin_users")]
pub async fn admin_users() -> Result<Vec<AdminUser>, UiError> {
    use crate::ssr::{context, db};
    admin()?;
    db::admin_users::all(&context::pool()?).await.map_err(context::internal)
}

/// Creates a user with a role and scope.
#[server(prefix = "/api", endpoint = "create_user")]
pub async fn create_user(
    email: String,
    display_name: String,
    role: String,
    password: String,
    facility: String,
    corporation: String,
    association: String,
    prefecture: String,
) -> Result<(), UiError> {
    use crate::ssr::{context, db, password as pw};
    let (_, actor) = admin()?;
    let email = email.trim().to_lowercase();
    let typed: Vec<(String, String)> = [("email", &email), ("display_name", &display_name), ("role", &role)]
        .into_iter()
        .chain([("facility", &facility), ("corporation", &corporation), ("association", &association)])
        .chain([("prefecture", &prefecture)])
        .map(|(k, v)| (k.to_owned(), v.clone()))
        .collect();
    // Every field is checked before answering, so the admin sees every refusal at once.
    let mut errors: Vec<(String, String)> = Vec::new();
    let valid_email = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
    }) && !email.chars().any(char::is_whitespace);
    if !valid_email {
        let message = if email.is_empty() {
            "メールアドレスを入力してください".to_owned()
        } else {
            format!("メールアドレス「{email}」の形式が正しくありません（例: tanaka@example.jp）")
        };
        errors.push(("email".into(), message));
    }
    let display_name = PrintableName::parse(&display_name, NameKind::Person)
        .map_err(|e| errors.push(("display_name".into(), e.to_string())))
        .ok();
    let role = role.parse::<Role>().map_err(|_| errors.push(("role".into(), "役割を選んでください".into()))).ok();
    if let Err(weakness) = crate::ssr::password_policy::check(&password, &email) {
        errors.push(("password".into(), weakness.to_string()));
    }
    let pool = context::pool()?;
    let scope = match role {
        Some(role) => {
            match db::admin_users::resolve_scope(&pool, role, &facility, &corporation, &association, &prefecture).await
            {
                Ok(scope) => Some(scope),
                Err(e) if !e.fields().is_empty() => {
                    errors.extend(e.fields());
                    None
                }
                Err(e) => return Err(e),
            }
        }
        None => None,
    };
    let (Some(display_name), Some(role), Some(scope), true) = (display_name, role, scope, errors.is_empty()) else {
        return Err(UiError::Fields(errors).keeping(typed));
    };
    let hash = pw::hash(password).await.map_err(context::internal)?;
    db::admin_users::create(&pool, &actor, &email, display_name.as_str(), role, &hash, &scope)
        .await
        .map_err(|e| e.keeping(typed))?;
    leptos_axum::redirect("/admin/users");
    Ok(())
}

/// Disables (true) or enables (false) a user; admins cannot disable themselves.
#[server(prefix = "/api", endpoint = "set_user_disabled")]
pub async fn set_user_disabled(user_id: i64, disabled: bool, confirm: Option<String>) -> Result<(), UiError> {
    use crate::ssr::{context, db};
    let (me, actor) = admin()?;
    if disabled && me.id == user_id {
        return Err(UiError::Invalid("自分自身のアカウントは無効にできません".into()));
    }
    // Disabling ends the user's work at once: the admin ticks that this is meant first.
    if disabled && confirm.is_none() {
        return Err(UiError::Fields(vec![(
            "confirm".into(),
            "無効にする場合は、確認のチェックを入れてから押してください".into(),
        )])
        .keeping([("user_id", user_id.to_string())]));
    }
    db::admin_users::set_disabled(&context::pool()?, &actor, user_id, disabled).await
}

/// Sets a new password for a user.
#[server(prefix = "/api", endpoint = "reset_password")]
pub async fn reset_password(user_id: i64, password: String) -> Result<(), UiError> {
    use crate::ssr::{context, db, password as pw};
    let (_, actor) = admin()?;
    let pool = context::pool()?;
    let email = db::admin_users::email_of(&pool, user_id).await.map_err(context::internal)?.ok_or(UiError::NotFound)?;
    check_password(&password, &email, vec![("user_id".into(), user_id.to_string())])?;
    let hash = pw::hash(password).await.map_err(context::internal)?;
    db::admin_users::set_password(&pool, &actor, user_id, &hash).await?;
    // Whatever was guessed against the old password no longer matters.
    context::throttle()?.forget_account(&email);
    Ok(())
}

/// Changes a user's role and scope.
#[server(prefix = "/api", endpoint = "set_user_scope")]
pub async fn set_user_scope(
    user_id: i64,
    role: String,
    facility: String,
    corporation: String,
    association: String,
    prefecture: String,
) -> Result<(), UiError> {
    use crate::ssr::{context, db};
    let (_, actor) = admin()?;
    let role: Role = role.parse().map_err(|_| UiError::Invalid("役割を選んでください".into()))?;
    let pool = context::pool()?;
    let typed = [("user_id", user_id.to_string()), ("role", role.code().to_owned()), ("facility", facility.clone())]
        .into_iter()
        .chain([
            ("corporation", corporation.clone()),
            ("association", association.clone()),
            ("prefecture", prefecture.clone()),
        ]);
    let scope = db::admin_users::resolve_scope(&pool, role, &facility, &corporation, &association, &prefecture)
        .await
        .map_err(|e| e.keeping(typed))?;
    db::admin_users::set_scope(&pool, &actor, user_id, role, &scope).await
}
