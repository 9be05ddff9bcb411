//! The second factor at sign-in and on every request (OWASP ASVS 4.0.3 V2.8 level 2; the
//! 二要素認証 of 医療情報システムの安全管理に関するガイドライン 第6.0版).
//!
//! Sign-in: the password first; a user with a TOTP enrolment then gives a code, on a second
//! form (the session holds "password accepted, awaiting the code" for [`AWAITING_LIFETIME`],
//! which signs nobody in) or with the password in one request. Every request: a session
//! remembers the enrolment it signed in with and ends when that enrolment is reset or
//! replaced; reviewers, auditors and admins without one reach only the enrolment page.

use crate::ssr::context::internal;
use crate::ssr::{db, recovery_codes, totp};
use crate::{SessionUser, UiError};
use rules::Role;
use serde::{Deserialize, Serialize};
use sqlx::SqlitePool;
use tower_sessions::Session;

/// How long a password stays accepted while the code is awaited: five minutes, enough to
/// open an authenticator app, short enough that a half-finished sign-in does not linger.
pub const AWAITING_LIFETIME_SECONDS: i64 = 5 * 60;

/// The enrolment page.
pub const ENROLMENT_PATH: &str = "/account/second-factor";

/// Session keys of this module (values: [`Awaiting`], enrolment id, base32, codes).
mod keys {
    pub const AWAITING: &str = "second_factor_awaiting";
    pub const ENROLMENT: &str = "second_factor_enrolment";
    pub const NEW_SECRET: &str = "second_factor_new_secret";
    pub const NEW_CODES: &str = "second_factor_new_codes";
}

/// Whether a role must have a second factor: those who see many facilities' data
/// (reviewers, auditors) or administer accounts (ASVS 4.0.3 level 2, V2.8). Managers may.
pub fn required(role: Role) -> bool {
    matches!(role, Role::Reviewer | Role::Auditor | Role::Admin)
}

/// A sign-in waiting for its code.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Awaiting {
    /// The user whose password was accepted.
    pub user_id: i64,
    /// Their e-mail as typed, for the login throttle.
    pub email: String,
    /// When the password was accepted (Unix seconds).
    since: i64,
}

fn session_error(e: impl std::fmt::Display) -> UiError {
    crate::ssr::context::internal(e)
}

/// The sign-in awaiting a code in this session, when the form sent neither e-mail nor
/// password (the second form sends the code alone). An expired one is forgotten with a
/// message saying to start again.
pub async fn awaiting_code(session: &Session, email: &str, password: &str) -> Result<Option<Awaiting>, UiError> {
    if !email.trim().is_empty() || !password.is_empty() {
        return Ok(None);
    }
    let Some(awaiting) = session.get::<Awaiting>(keys::AWAITING).await.map_err(session_error)? else {
        return Ok(None);
    };
    if crate::ssr::context::unix_now().saturating_sub(awaiting.since) > AWAITING_LIFETIME_SECONDS {
        session.remove_value(keys::AWAITING).await.map_err(session_error)?;
        return Err(UiError::Invalid(
            "確認コードの入力期限（5分）が過ぎました。もう一度メールアドレスとパスワードを入力してください。".into(),
        ));
    }
    Ok(Some(awaiting))
}

/// What the sign-in does after the password (or the awaiting state) named the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// Sign in, remembering this enrolment (None: the user has none).
    Passed(Option<i64>),
    /// Show the second form: the password is accepted, the code is awaited.
    AskCode,
    /// A wrong or replayed code: refused and counted like a wrong password.
    Refused(&'static str),
}

/// Any wrong code.
pub const WRONG_CODE: &str =
    "確認コードが正しくありません。認証アプリに表示されている6桁の数字か、回復コードを入力してください。";
/// A code already used: each code signs in once (ASVS 2.8.4).
pub const REPLAYED_CODE: &str =
    "この確認コードは既に使われています。認証アプリに次のコードが表示されてから、そのコードを入力してください。";
/// The secret cannot be opened (its key file was replaced): only recovery codes work.
const UNREADABLE: &str =
    "確認コードを照合できませんでした。回復コードを入力するか、運用管理者に二要素認証のリセットを依頼してください。";

/// Checks the second factor of `user_id` after the password matched (`awaiting` is None) or
/// for the sign-in awaiting its code.
pub async fn check(
    pool: &SqlitePool,
    session: &Session,
    user_id: i64,
    email: &str,
    code: &str,
    awaiting: Option<&Awaiting>,
) -> Result<Check, UiError> {
    let Some(enrolment) = db::second_factor::enrolment(pool, user_id).await.map_err(internal)? else {
        return Ok(Check::Passed(None));
    };
    let code = code.trim();
    if code.is_empty() {
        if awaiting.is_none() {
            // A new id for the half-signed-in session too: one planted before cannot type codes.
            session.cycle_id().await.map_err(session_error)?;
            let awaiting = Awaiting { user_id, email: email.to_owned(), since: crate::ssr::context::unix_now() };
            session.insert(keys::AWAITING, awaiting).await.map_err(session_error)?;
        }
        return Ok(Check::AskCode);
    }
    if let Some(digits) = six_digits(code) {
        let Some(secret) = sealing_key()?.open(user_id, &enrolment.secret_sealed) else {
            tracing::error!(user_id, "a TOTP secret does not open with this server's key file");
            return Ok(Check::Refused(UNREADABLE));
        };
        let Some(step) = secret.matching_step(&digits, totp::unix_now()) else {
            return Ok(Check::Refused(WRONG_CODE));
        };
        let step = i64::try_from(step).map_err(internal)?;
        if !db::second_factor::use_step(pool, enrolment.id, step).await.map_err(internal)? {
            // ASVS 2.8.5: a reused code is logged (someone may have seen it).
            tracing::warn!(event = "totp_replay", user_id, "a TOTP code was used a second time and refused");
            return Ok(Check::Refused(REPLAYED_CODE));
        }
        return Ok(Check::Passed(Some(enrolment.id)));
    }
    let Some(letters) = recovery_codes::normalize(code) else { return Ok(Check::Refused(WRONG_CODE)) };
    let unused = db::second_factor::unused_recovery_codes(pool, user_id).await.map_err(internal)?;
    let Some((code_id, _)) = unused.iter().find(|(_, stored)| recovery_codes::matches(&letters, stored)) else {
        return Ok(Check::Refused(WRONG_CODE));
    };
    let actor = crate::ssr::audit_log::Actor::user(user_id, email);
    match db::second_factor::use_recovery_code(pool, &actor, user_id, *code_id).await.map_err(internal)? {
        Some(left) => {
            tracing::info!(event = "recovery_code_used", user_id, left, "signed in with a recovery code");
            Ok(Check::Passed(Some(enrolment.id)))
        }
        None => Ok(Check::Refused(REPLAYED_CODE)),
    }
}

/// The six ASCII digits of a code as typed (spaces and full-width digits allowed), if it is one.
pub fn six_digits(typed: &str) -> Option<String> {
    let digits: String = typed
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '０'..='９' => char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')).unwrap_or(c),
            _ => c,
        })
        .collect();
    (digits.len() == totp::DIGITS && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// Completes a sign-in: the session remembers the enrolment it signed in with and forgets
/// the awaiting state. Call after the session's id was renewed and the user stored.
pub async fn signed_in(session: &Session, enrolment: Option<i64>) -> Result<(), UiError> {
    session.remove_value(keys::AWAITING).await.map_err(session_error)?;
    match enrolment {
        Some(id) => session.insert(keys::ENROLMENT, id).await.map_err(session_error)?,
        None => drop(session.remove_value(keys::ENROLMENT).await.map_err(session_error)?),
    }
    Ok(())
}

/// Whether this session awaits a code (the login page then shows the second form).
pub async fn is_awaiting(session: &Session) -> bool {
    session
        .get::<Awaiting>(keys::AWAITING)
        .await
        .ok()
        .flatten()
        .is_some_and(|a| crate::ssr::context::unix_now().saturating_sub(a.since) <= AWAITING_LIFETIME_SECONDS)
}

/// What the session gate does with a signed-in request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Serve it.
    Pass,
    /// Send the user to [`ENROLMENT_PATH`]: their role needs a second factor they lack.
    Enrol,
    /// The session signed in with an enrolment that was reset or replaced, or before one
    /// was made elsewhere: it has ended.
    SignedOut,
}

/// Paths a user who must enrol may still reach.
fn reachable_while_enrolling(path: &str) -> bool {
    matches!(path, ENROLMENT_PATH | "/api/confirm_second_factor" | "/api/logout" | "/login" | "/api/login" | "/healthz")
        || path.starts_with("/assets/")
}

/// The gate's decision for `user` in `session` asking for `path`; ends a stale session.
pub async fn gate(session: &Session, user: &SessionUser, path: &str) -> Gate {
    let signed_in_with = session.get::<i64>(keys::ENROLMENT).await.ok().flatten();
    if signed_in_with != user.second_factor {
        if let Err(e) = session.flush().await {
            tracing::warn!(error = %e, "could not end a session whose second factor changed");
        }
        tracing::info!(event = "session_ended", user_id = user.id, "the second factor changed since sign-in");
        return Gate::SignedOut;
    }
    if user.second_factor.is_none() && required(user.role) && !reachable_while_enrolling(path) {
        return Gate::Enrol;
    }
    Gate::Pass
}

/// The key that seals TOTP secrets, provided by the server for every request.
pub fn sealing_key() -> Result<totp::SealingKey, UiError> {
    leptos::prelude::use_context::<totp::SealingKey>()
        .ok_or_else(|| crate::ssr::context::internal("no TOTP sealing key in context"))
}

/// The enrolment secret shown to this session, made on first view and kept until confirmed.
pub async fn enrolment_secret(session: &Session) -> Result<totp::Secret, UiError> {
    if let Some(secret) = session
        .get::<String>(keys::NEW_SECRET)
        .await
        .map_err(session_error)?
        .and_then(|b| totp::Secret::parse_base32(&b).ok())
    {
        return Ok(secret);
    }
    let secret = totp::Secret::generate();
    session.insert(keys::NEW_SECRET, secret.base32()).await.map_err(session_error)?;
    Ok(secret)
}

/// Confirms the enrolment shown to `user` with a code from their app: stores it with new
/// recovery codes, keeps this session signed in with it, and leaves the codes to show once.
pub async fn confirm(pool: &SqlitePool, session: &Session, user: &SessionUser, code: &str) -> Result<(), UiError> {
    if user.second_factor.is_some() {
        return Err(UiError::Invalid("二要素認証は既に設定されています。".into()));
    }
    let Some(secret) = session
        .get::<String>(keys::NEW_SECRET)
        .await
        .map_err(session_error)?
        .and_then(|b| totp::Secret::parse_base32(&b).ok())
    else {
        return Err(UiError::Invalid("設定の画面を開き直し、表示されたQRコードを読み取ってください。".into()));
    };
    let step = six_digits(code).and_then(|digits| secret.matching_step(&digits, totp::unix_now())).ok_or_else(|| {
        UiError::Invalid("確認コードが正しくありません。QRコードを読み取った認証アプリに表示されている6桁の数字を入力してください。".into())
    })?;
    let codes = recovery_codes::generate();
    let hashes: Vec<String> = codes.iter().map(|c| recovery_codes::hash(c)).collect();
    let sealed = sealing_key()?.seal(user.id, &secret);
    let new = db::second_factor::NewEnrolment {
        user_id: user.id,
        secret_sealed: &sealed,
        confirmed_step: i64::try_from(step).map_err(internal)?,
        recovery_code_hashes: &hashes,
    };
    let actor = crate::ssr::audit_log::Actor::user(user.id, user.email.clone());
    let Some(id) = db::second_factor::enrol(pool, &actor, new).await.map_err(internal)? else {
        return Err(UiError::Invalid("二要素認証は既に設定されています。".into()));
    };
    session.insert(keys::ENROLMENT, id).await.map_err(session_error)?;
    session.remove_value(keys::NEW_SECRET).await.map_err(session_error)?;
    session.insert(keys::NEW_CODES, codes).await.map_err(session_error)?;
    tracing::info!(event = "second_factor_enrolled", user_id = user.id, "second factor set up");
    Ok(())
}

/// The recovery codes of an enrolment just made, once: they are forgotten as they are read.
pub async fn take_new_codes(session: &Session) -> Result<Vec<String>, UiError> {
    Ok(session.remove::<Vec<String>>(keys::NEW_CODES).await.map_err(session_error)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_managers_may_do_without_a_second_factor() {
        for role in Role::ALL {
            assert_eq!(required(role), role != Role::ClinicManager, "{role}");
        }
    }

    #[test]
    fn six_digits_are_read_as_typed_and_nothing_else_is() {
        assert_eq!(six_digits(" 123 456 ").as_deref(), Some("123456"));
        assert_eq!(six_digits("１２３４５６").as_deref(), Some("123456"), "full-width digits from an IME");
        for not_a_code in ["12345", "1234567", "12345a", "", "ABCD-EFGH-JKMN-PQRS"] {
            assert_eq!(six_digits(not_a_code), None, "{not_a_code}");
        }
    }

    #[test]
    fn the_enrolment_page_and_sign_out_stay_reachable_and_nothing_else() {
        for path in [ENROLMENT_PATH, "/api/confirm_second_factor", "/api/logout", "/assets/onshi.css"] {
            assert!(reachable_while_enrolling(path), "{path}");
        }
        for path in ["/", "/facilities", "/api/admin_users", "/audit-log.csv", "/account/second-factor/x"] {
            assert!(!reachable_while_enrolling(path), "{path}");
        }
    }
}
