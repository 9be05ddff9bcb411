//! Server functions: the only way pages reach the database.
//!
//! Each runs on the server; called from a page during server rendering or,
//! in a later browser build, over HTTP. Without JavaScript, forms post to
//! them directly and are redirected back (errors travel in the URL).
#![expect(missing_docs, reason = "#[server] generates argument structs whose fields cannot carry docs")]

pub mod admin;
pub mod applications;
pub mod audit_trail;
pub mod complaints;
pub mod corporation;
pub mod dashboard;
pub mod facilities;
pub mod facility_form;
pub mod facility_money;
pub mod filter_choices;
pub mod home;
pub mod letter;
pub mod paging;
pub mod password_reset;
pub mod provisioning;
pub mod quote_audit;
pub mod quote_draft;
pub mod registry;
pub mod second_factor;
pub mod settlement_view;
pub mod vendor_review;
pub mod vendors;

use crate::{SessionUser, UiError};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The user of the current session, if any.
#[server(prefix = "/api", endpoint = "current_user")]
pub async fn current_user() -> Result<Option<SessionUser>, UiError> {
    Ok(crate::ssr::context::session_user())
}

/// What the login form says for any wrong e-mail or password: it never tells
/// whether the account exists.
pub const LOGIN_FAILED: &str = "メールアドレスまたはパスワードが正しくありません。";

/// The answer to the right password of a disabled account.
pub const ACCOUNT_DISABLED: &str =
    "このアカウントは運用管理者によって無効にされています。利用を再開するには、所属先の運用管理者に連絡してください。";

/// Signs in with e-mail and password, then the second factor's `code` when the user has one
/// (on a second form, or in the same request); on success the session id is renewed and the
/// browser goes to the home page.
#[server(prefix = "/api", endpoint = "login")]
pub async fn login(
    #[server(default)] email: String,
    #[server(default)] password: String,
    #[server(default)] code: String,
) -> Result<(), UiError> {
    use crate::ssr::{context, db, login_gate, second_factor, session_keys, throttle};

    let session = context::session().await?;
    // The second form sends the code alone, for the password accepted a moment ago.
    let awaiting = second_factor::awaiting_code(&session, &email, &password).await?;
    let email = awaiting.as_ref().map_or(email.trim(), |a| a.email.as_str());
    if awaiting.is_none() && (email.is_empty() || password.is_empty()) {
        return Err(UiError::Invalid("メールアドレスとパスワードを入力してください。".into()));
    }
    if email.len() > throttle::MAX_EMAIL_BYTES {
        return Err(UiError::Invalid(LOGIN_FAILED.into()));
    }
    let pool = context::pool()?;
    let account = db::users::credentials_by_email(&pool, email).await.map_err(context::internal)?;
    let (verified, attempt) = if let Some(waiting) = awaiting.as_ref() {
        // The code alone: admitted by the throttle here (no password to hash), so codes are
        // guessed no faster than passwords.
        let attempt = context::throttle()?
            .admit(email, context::client_ip().await, std::time::Instant::now())
            .map_err(|refusal| UiError::Throttled(refusal.message()))?;
        tokio::time::sleep(attempt.delay()).await;
        (account.as_ref().is_some_and(|a| a.id == waiting.user_id && !a.disabled), attempt)
    } else {
        // Admitted by the throttle, with a hashing slot, before this function ran (`login_gate`).
        let admitted = login_gate::admitted(email)?;
        // Unknown accounts are checked against a dummy hash: timing tells nothing.
        let phc = account.as_ref().map(|a| a.password_hash.as_str());
        admitted.verify(&password, phc).await
    };
    let Some(account) = account.filter(|_| verified) else {
        attempt.failed(std::time::Instant::now());
        return Err(UiError::Invalid(LOGIN_FAILED.into()));
    };
    if account.disabled {
        // Only someone who knows the password learns that the account is stopped, and is
        // told whom to ask instead of retrying a password that is right.
        attempt.failed(std::time::Instant::now());
        tracing::info!(event = "login_failed", reason = "disabled", user_id = account.id, "login refused");
        return Err(UiError::Invalid(ACCOUNT_DISABLED.into()));
    }
    let enrolment = match second_factor::check(&pool, &session, account.id, email, &code, awaiting.as_ref()).await? {
        second_factor::Check::Passed(enrolment) => enrolment,
        second_factor::Check::AskCode => {
            // The password was right and the code is still to come: the attempt counts as
            // neither a failure nor a sign-in (dropped open).
            drop(attempt);
            leptos_axum::redirect("/login");
            return Ok(());
        }
        second_factor::Check::Refused(message) => {
            // Counted like a wrong password: codes cannot be guessed faster than passwords.
            attempt.failed(std::time::Instant::now());
            tracing::info!(event = "login_failed", reason = "second_factor", "login refused");
            return Err(UiError::Invalid(message.into()));
        }
    };
    attempt.succeeded(std::time::Instant::now());
    session.cycle_id().await.map_err(context::internal)?;
    session.insert(session_keys::USER_ID, account.id).await.map_err(context::internal)?;
    session.insert(session_keys::SIGNED_IN_AT, context::unix_now()).await.map_err(context::internal)?;
    session.insert(session_keys::SESSION_EPOCH, account.session_epoch).await.map_err(context::internal)?;
    second_factor::signed_in(&session, enrolment).await?;
    tracing::info!(event = "login", user_id = account.id, "signed in");
    leptos_axum::redirect("/");
    Ok(())
}

/// Ends the session and returns to the login page.
#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), UiError> {
    use crate::ssr::context;
    let session = context::session().await?;
    session.flush().await.map_err(context::internal)?;
    leptos_axum::redirect("/login");
    Ok(())
}

/// A vendor from the registry (seeded from seeds/004).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vendor {
    /// Stable code.
    pub code: String,
    /// Company name.
    pub name: String,
    /// Whether it serves hospitals (None: the source does not say).
    pub supports_hospital: Option<bool>,
    /// Whether it serves clinics (None: the source does not say).
    pub supports_clinic: Option<bool>,
    /// Remarks from the source.
    pub note: Option<String>,
    /// Where the entry comes from.
    pub source: String,
}

/// Every vendor in the registry.
#[server(prefix = "/api", endpoint = "vendors")]
pub async fn list_vendors() -> Result<Vec<Vendor>, UiError> {
    use crate::ssr::{context, db};
    context::require_user()?;
    db::reference::vendors(&context::pool()?).await.map_err(context::internal)
}

/// One published adoption figure (seeds 002 and 004).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdoptionFigure {
    /// Series id (one publication).
    pub series: String,
    /// Date the figures are as of.
    pub as_of: String,
    /// Source document.
    pub source: String,
    /// Facility type code, or "all".
    pub facility_type: String,
    /// JIS code, or empty for national.
    pub prefecture: String,
    /// Metric code (facilities, reader_applied, ready, connected, operating…).
    pub metric: String,
    /// The figure.
    pub value: i64,
}

/// Every published adoption figure, newest series first.
#[server(prefix = "/api", endpoint = "adoption_statistics")]
pub async fn adoption_statistics() -> Result<Vec<AdoptionFigure>, UiError> {
    use crate::ssr::{context, db};
    context::require_user()?;
    db::reference::adoption_figures(&context::pool()?).await.map_err(context::internal)
}

/// The newest national series of published figures (the home page's table).
#[server(prefix = "/api", endpoint = "national_summary")]
pub async fn national_summary() -> Result<Vec<AdoptionFigure>, UiError> {
    use crate::ssr::{context, db};
    context::require_user()?;
    db::reference::newest_national_figures(&context::pool()?).await.map_err(context::internal)
}

/// A benchmark table with its rows and source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BenchmarkTable {
    /// Stable id.
    pub id: String,
    /// Japanese title.
    pub title_ja: String,
    /// Source document.
    pub source: String,
    /// Unit of the figures (minutes, yen, visits…).
    pub unit: String,
    /// False where the source is weak or incomplete.
    pub verified: bool,
    /// Remarks.
    pub note: Option<String>,
    /// The rows in source order.
    pub rows: Vec<BenchmarkRow>,
}

/// One row of a benchmark table; figures are exact decimal strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BenchmarkRow {
    /// Stable key.
    pub key: String,
    /// Japanese label.
    pub label_ja: String,
    /// Quote category code, if the row benchmarks one.
    pub category: Option<String>,
    /// Minimum.
    pub min: Option<String>,
    /// Mean.
    pub mean: Option<String>,
    /// Maximum.
    pub max: Option<String>,
    /// Single value.
    pub value: Option<String>,
    /// Remarks.
    pub note: Option<String>,
}

/// Every benchmark table with its rows.
#[server(prefix = "/api", endpoint = "benchmarks")]
pub async fn benchmark_tables() -> Result<Vec<BenchmarkTable>, UiError> {
    use crate::ssr::{context, db};
    context::require_user()?;
    db::reference::benchmark_tables(&context::pool()?).await.map_err(context::internal)
}
