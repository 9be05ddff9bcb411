//! Server functions of the second factor: the enrolment page, its confirmation, the admin's
//! reset, and the login page's question whether a code is awaited.
#![expect(missing_docs, reason = "#[server] generates argument structs whose fields cannot carry docs")]

use crate::UiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A secret offered for enrolment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferedSecret {
    /// The secret in base32, for apps that take it typed.
    pub base32: String,
    /// The QR code of its `otpauth://` URI, an SVG document drawn on the server.
    pub qr_svg: String,
}

/// What the 二要素認証 page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondFactorView {
    /// The user's role must have one.
    pub required: bool,
    /// When the user enrolled (UTC, ISO 8601), if they did.
    pub enrolled_at: Option<String>,
    /// Recovery codes not yet used.
    pub recovery_codes_left: i64,
    /// The secret to enrol with, when not enrolled.
    pub offered: Option<OfferedSecret>,
    /// The recovery codes of the enrolment just made, shown this once.
    pub new_recovery_codes: Vec<String>,
}

/// The signed-in user's second factor, and a secret to enrol with when there is none.
#[server(prefix = "/api", endpoint = "second_factor")]
pub async fn second_factor_status() -> Result<SecondFactorView, UiError> {
    use crate::ssr::{context, db, second_factor, totp};
    let user = context::require_user()?;
    let session = context::session().await?;
    let new_recovery_codes = second_factor::take_new_codes(&session).await?;
    let enrolled = db::second_factor::status(&context::pool()?, user.id).await.map_err(context::internal)?;
    let offered = match enrolled {
        Some(_) => None,
        None => {
            let secret = second_factor::enrolment_secret(&session).await?;
            let qr_svg = totp::qr_svg(&secret.otpauth_uri(&user.email))
                .ok_or_else(|| context::internal("the enrolment URI does not fit a QR code"))?;
            Some(OfferedSecret { base32: secret.base32(), qr_svg })
        }
    };
    let (enrolled_at, recovery_codes_left) = enrolled.map_or((None, 0), |(at, left)| (Some(at), left));
    Ok(SecondFactorView {
        required: second_factor::required(user.role),
        enrolled_at,
        recovery_codes_left,
        offered,
        new_recovery_codes,
    })
}

/// Confirms the enrolment with a code from the app; the page then shows the recovery codes.
#[server(prefix = "/api", endpoint = "confirm_second_factor")]
pub async fn confirm_second_factor(code: String) -> Result<(), UiError> {
    use crate::ssr::{context, second_factor};
    let user = context::require_user()?;
    let session = context::session().await?;
    second_factor::confirm(&context::pool()?, &session, &user, &code).await?;
    leptos_axum::redirect(second_factor::ENROLMENT_PATH);
    Ok(())
}

/// What the admin ticks to confirm a reset.
pub const RESET_CONFIRMATION: &str = "yes";

/// Removes a user's second factor (a lost phone); they set up a new one at their next
/// sign-in, and their sessions end. Admins cannot reset their own.
#[server(prefix = "/api", endpoint = "reset_second_factor")]
pub async fn reset_second_factor(user_id: i64, #[server(default)] confirm: String) -> Result<(), UiError> {
    use crate::ssr::{audit_log::Actor, context, db};
    let me = context::require_permission(rules::access::Permission::Administer)?;
    if confirm != RESET_CONFIRMATION {
        return Err(UiError::Invalid("リセットする場合は「確認しました」にチェックを入れてください。".into()));
    }
    if me.id == user_id {
        return Err(UiError::Invalid(
            "自分自身の二要素認証はリセットできません。別の運用管理者に依頼してください。".into(),
        ));
    }
    let actor = Actor::user(me.id, me.email.clone());
    if !db::second_factor::reset(&context::pool()?, &actor, user_id).await.map_err(context::internal)? {
        return Err(UiError::Invalid("この利用者は二要素認証を設定していません。".into()));
    }
    tracing::info!(event = "second_factor_reset", user_id, by = me.id, "second factor reset by an admin");
    leptos_axum::redirect("/admin/users");
    Ok(())
}

/// Whether this browser's sign-in awaits its code (the login page shows the second form).
#[server(prefix = "/api", endpoint = "login_step")]
pub async fn login_awaits_code() -> Result<bool, UiError> {
    use crate::ssr::{context, second_factor};
    Ok(second_factor::is_awaiting(&context::session().await?).await)
}
