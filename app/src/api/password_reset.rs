//! Server functions of パスワードを忘れた方: a single-use link that expires, sent by e-mail; the
//! page never says whether an address is registered. Without SMTP the page says to ask the
//! admin, who resets passwords on 利用者管理.
#![expect(missing_docs, reason = "#[server] generates argument structs whose fields cannot carry docs")]

use crate::UiError;
use leptos::prelude::*;

/// Whether password-reset links are sent (SMTP is configured).
#[server(prefix = "/api", endpoint = "password_reset_available")]
pub async fn password_reset_available() -> Result<bool, UiError> {
    use crate::ssr::{context, db};
    Ok(db::mail::settings(&context::pool()?).await.map_err(context::internal)?.is_some())
}

/// Sends a reset link to the address if an active user has it; answers the same either way.
#[server(prefix = "/api", endpoint = "request_password_reset")]
pub async fn request_password_reset(email: String) -> Result<(), UiError> {
    use crate::ssr::{context, db};
    let email = email.trim().to_lowercase();
    if email.is_empty() || !email.contains('@') || email.len() > crate::ssr::throttle::MAX_EMAIL_BYTES {
        return Err(UiError::Fields(vec![(
            "email".into(),
            "登録したメールアドレスを入力してください（例: tanaka@example.jp）".into(),
        )])
        .keeping([("email", email)]));
    }
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    db::mail::start_reset(&context::pool()?, &email, &token).await.map_err(context::internal)?;
    leptos_axum::redirect("/password/forgot");
    Ok(())
}

/// Whether a reset link is still usable (the page asks before showing the form).
#[server(prefix = "/api", endpoint = "reset_link_valid")]
pub async fn reset_link_valid(token: String) -> Result<bool, UiError> {
    use crate::ssr::{context, db};
    Ok(db::mail::reset_user(&context::pool()?, &token).await.map_err(context::internal)?.is_some())
}

/// Sets a new password with a reset link: once, before it expires; the user's sessions end.
#[server(prefix = "/api", endpoint = "reset_password_with_link")]
pub async fn reset_password_with_link(token: String, password: String, confirm: String) -> Result<(), UiError> {
    use crate::ssr::audit_log::{self, Actor, Change};
    use crate::ssr::{context, db};
    let pool = context::pool()?;
    let keep = [("token", token.clone())];
    let Some((user_id, email)) = db::mail::reset_user(&pool, &token).await.map_err(context::internal)? else {
        return Err(UiError::Invalid(EXPIRED.into()));
    };
    let mut errors = Vec::new();
    if let Err(weakness) = crate::ssr::password_policy::check(&password, &email) {
        errors.push(("password".to_owned(), weakness.to_string()));
    }
    if password != confirm {
        errors.push(("confirm".to_owned(), "確認のために、同じパスワードをもう一度入力してください".to_owned()));
    }
    if !errors.is_empty() {
        return Err(UiError::Fields(errors).keeping(keep));
    }
    let hash = crate::ssr::password::hash(password).await.map_err(context::internal)?;
    let mut tx = audit_log::begin(&pool).await.map_err(context::internal)?;
    if !db::mail::use_token(&mut tx, &token, user_id).await.map_err(context::internal)? {
        return Err(UiError::Invalid(EXPIRED.into()));
    }
    sqlx::query("UPDATE users SET password_hash = ?, session_epoch = session_epoch + 1 WHERE id = ?")
        .bind(&hash)
        .bind(user_id)
        .execute(&mut *tx)
        .await
        .map_err(context::internal)?;
    let change = Change {
        action: "reset_password",
        entity: "user",
        entity_id: user_id.to_string(),
        before: None,
        after: Some(serde_json::json!({ "by": "reset_link" })),
    };
    audit_log::record(&mut tx, &Actor::user(user_id, email.clone()), change).await.map_err(context::internal)?;
    tx.commit().await.map_err(context::internal)?;
    context::throttle()?.forget_account(&email);
    leptos_axum::redirect("/login");
    Ok(())
}

/// The answer to a link used, expired or unknown.
pub const EXPIRED: &str = "このリンクは使えません（有効期限が過ぎたか、すでに使われています）。もう一度「パスワードを忘れた方」から手続きしてください。";
