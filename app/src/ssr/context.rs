//! What a server function gets from the request: pool, session, user.

use crate::{SessionUser, UiError};
use leptos::prelude::use_context;
use sqlx::SqlitePool;

/// The database pool, provided by the server for every request.
pub fn pool() -> Result<SqlitePool, UiError> {
    use_context::<SqlitePool>().ok_or_else(|| internal("no database pool in context"))
}

/// How long a vendor league may take to compute before a view after a change is answered with
/// the last one while the new one is computed in the background (`api::vendors`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeagueRefresh(pub std::time::Duration);

impl Default for LeagueRefresh {
    /// One second: a reviewer's league (0.23 s at national scale) is always computed for the
    /// view; the national one (~10 s after a change, BENCHMARKS.md) is not waited for.
    fn default() -> Self {
        LeagueRefresh(std::time::Duration::from_secs(1))
    }
}

/// The league refresh of this server (the default when none was provided).
pub fn league_refresh() -> LeagueRefresh {
    use_context::<LeagueRefresh>().unwrap_or_default()
}

/// The session of the current request.
pub async fn session() -> Result<tower_sessions::Session, UiError> {
    leptos_axum::extract::<tower_sessions::Session>().await.map_err(internal)
}

/// The signed-in user, put into the request by the server's session middleware.
pub fn session_user() -> Option<SessionUser> {
    use_context::<http::request::Parts>().and_then(|parts| parts.extensions.get::<SessionUser>().cloned())
}

/// The signed-in user, or [`UiError::Unauthenticated`].
pub fn require_user() -> Result<SessionUser, UiError> {
    session_user().ok_or(UiError::Unauthenticated)
}

/// The signed-in user if their role has the permission; [`UiError::Forbidden`] otherwise.
pub fn require_permission(p: rules::access::Permission) -> Result<SessionUser, UiError> {
    let user = require_user()?;
    if user.role.may(p) {
        return Ok(user);
    }
    // A form posted by the wrong role answers 403, not a redirect that looks like success.
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::FORBIDDEN);
    }
    Err(UiError::Forbidden)
}

/// Logs an internal error once and returns the generic message for the user.
pub fn internal(err: impl std::fmt::Display) -> UiError {
    tracing::error!(error = %err, "internal error in a server function");
    UiError::Internal
}

/// The login throttle, provided by the server for every request.
pub fn throttle() -> Result<crate::ssr::throttle::LoginThrottle, UiError> {
    use_context::<crate::ssr::throttle::LoginThrottle>().ok_or_else(|| internal("no login throttle in context"))
}

/// The client's address, when the server knows it.
pub async fn client_ip() -> Option<std::net::IpAddr> {
    leptos_axum::extract::<axum::extract::ConnectInfo<std::net::SocketAddr>>().await.ok().map(|c| c.0.ip())
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Today in Japan, or `ONSHI_TODAY` (YYYY-MM-DD) when set, so demonstrations and
/// tests can look at the rollout's dates as they were.
pub fn today() -> chrono::NaiveDate {
    std::env::var("ONSHI_TODAY")
        .ok()
        .and_then(|d| chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
        .unwrap_or_else(|| (chrono::Utc::now() + chrono::TimeDelta::hours(9)).date_naive())
}
