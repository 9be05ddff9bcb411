//! Request middleware: the session gate in front of every page.

use app::SessionUser;
use app::ssr::session_keys;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::SqlitePool;
use tower_sessions::Session;

/// Paths served without a session: the login page and its form target, the
/// health check and static assets.
fn is_public(path: &str) -> bool {
    matches!(path, "/login" | "/api/login" | "/healthz") || path.starts_with("/assets/")
}

/// Loads the signed-in user into the request; sends anonymous visitors of
/// any non-public path to `/login`.
pub async fn require_session(
    State(pool): State<SqlitePool>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    match signed_in_user(&pool, &session).await {
        Ok(Some(user)) => {
            req.extensions_mut().insert::<SessionUser>(user);
            return next.run(req).await;
        }
        Ok(None) => {}
        Err(e) => return crate::error::AppError::Internal(e.to_string()).into_response(),
    }
    if is_public(req.uri().path()) {
        return next.run(req).await;
    }
    // 303 also turns a form posted after the session ended into a GET of the login page.
    Redirect::to("/login").into_response()
}

async fn signed_in_user(pool: &SqlitePool, session: &Session) -> Result<Option<SessionUser>, sqlx::Error> {
    let id = match session.get::<i64>(session_keys::USER_ID).await {
        Ok(id) => id,
        Err(e) => {
            tracing::warn!(error = %e, "unreadable session; treated as signed out");
            None
        }
    };
    let Some(id) = id else { return Ok(None) };
    let user = app::ssr::db::users::session_user(pool, id).await?;
    if user.is_none() {
        // The account was disabled or removed: end the session for good.
        if let Err(e) = session.flush().await {
            tracing::warn!(error = %e, "could not end the session of a disabled account");
        }
    }
    Ok(user)
}

#[cfg(test)]
mod tests {
    use super::is_public;

    #[test]
    fn only_login_health_and_assets_are_public() {
        for path in ["/login", "/api/login", "/healthz", "/assets/onshi.css"] {
            assert!(is_public(path), "{path}");
        }
        for path in ["/", "/login/extra", "/api/logout", "/api/vendors", "/reference/vendors", "/healthz/x", "/assets"]
        {
            assert!(!is_public(path), "{path}");
        }
    }
}
