//! Request middleware: the session gate, CSRF origin checks (the login gate is `app::ssr::login_gate`).

use app::SessionUser;
use app::ssr::session_keys;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use sqlx::SqlitePool;
use tower_sessions::Session;

/// Paths served without a session: the login page and its form target, the
/// health check and static assets.
fn is_public(path: &str) -> bool {
    matches!(
        path,
        "/login"
            | "/api/login"
            | "/healthz"
            | "/password/forgot"
            | "/password/reset"
            | "/api/request_password_reset"
            | "/api/reset_password_with_link"
    ) || path.starts_with("/assets/")
}

/// What the session gate needs.
#[derive(Clone)]
pub struct GateState {
    /// The database.
    pub pool: SqlitePool,
    /// Sessions older than this since sign-in end, active or not.
    pub absolute: std::time::Duration,
    /// Sessions idle this long end; activity pushes the end forward.
    pub idle: std::time::Duration,
}

/// Loads the signed-in user into the request; sends anonymous visitors of
/// any non-public path to `/login`.
pub async fn require_session(
    State(gate): State<GateState>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    match signed_in_user(&gate, &session).await {
        Ok(Some(user)) => {
            use app::ssr::second_factor::{ENROLMENT_PATH, Gate, gate as second_factor};
            match second_factor(&session, &user, req.uri().path()).await {
                Gate::Pass => {
                    req.extensions_mut().insert::<SessionUser>(user);
                    return next.run(req).await;
                }
                Gate::Enrol => return Redirect::to(ENROLMENT_PATH).into_response(),
                // The session has ended: on as a visitor without one.
                Gate::SignedOut => {}
            }
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

async fn signed_in_user(gate: &GateState, session: &Session) -> Result<Option<SessionUser>, sqlx::Error> {
    let pool = &gate.pool;
    let signed_in_at = session.get::<i64>(session_keys::SIGNED_IN_AT).await.ok().flatten();
    let age = signed_in_at.map(|t| app::ssr::context::unix_now().saturating_sub(t));
    let max_age = i64::try_from(gate.absolute.as_secs()).unwrap_or(i64::MAX);
    if age.is_some_and(|a| a >= max_age) {
        // Past the absolute lifetime: sign out, however active the user was.
        if let Err(e) = session.flush().await {
            tracing::warn!(error = %e, "could not end an expired session");
        }
        return Ok(None);
    }
    let id = match session.get::<i64>(session_keys::USER_ID).await {
        Ok(id) => id,
        Err(e) => {
            tracing::warn!(error = %e, "unreadable session; treated as signed out");
            None
        }
    };
    let Some(id) = id else { return Ok(None) };
    keep_alive(gate, session).await;
    // Sessions from before epochs were recorded carry none: they belong to epoch 0.
    let epoch = session.get::<i64>(session_keys::SESSION_EPOCH).await.ok().flatten().unwrap_or(0);
    let user = app::ssr::db::users::session_user(pool, id, epoch).await?;
    if user.is_none() {
        // The account was disabled or removed, or its sessions were ended: end this one for good.
        if let Err(e) = session.flush().await {
            tracing::warn!(error = %e, "could not end the session of a disabled account");
        }
    }
    Ok(user)
}

/// The host (and port) a request was addressed to.
fn own_authority(req: &Request) -> Option<String> {
    req.headers().get(header::HOST).and_then(|h| h.to_str().ok()).map(|h| h.trim().to_ascii_lowercase())
}

/// The `host[:port]` of an absolute URL, with the default port left out.
fn authority_of(url: &str) -> Option<String> {
    let rest = url.split_once("://").map(|(_, r)| r)?;
    let authority = rest.split(['/', '?', '#']).next()?.to_ascii_lowercase();
    let authority = authority.rsplit_once('@').map_or(authority.as_str(), |(_, a)| a).to_owned();
    let is_https = url.get(..8).is_some_and(|s| s.eq_ignore_ascii_case("https://"));
    let default = if is_https { ":443" } else { ":80" };
    Some(authority.strip_suffix(default).unwrap_or(&authority).to_owned())
}

/// Whether a state-changing request comes from one of Onshi's own pages.
///
/// CSRF defence by strict origin checking (OWASP CSRF Prevention Cheat Sheet,
/// "Verifying origin with standard headers"): the `Origin` header, or else the
/// `Referer`, must name the host the request was sent to; a request with
/// neither is refused. Browsers send `Origin` with every form POST, so real
/// users never see the refusal; no token is needed in the pages.
fn same_origin(req: &Request, scheme: &str) -> bool {
    let Some(own) = own_authority(req) else { return false };
    let own = own.strip_suffix(":80").unwrap_or(&own).to_owned();
    let header_value = |name| req.headers().get(name).and_then(|v: &http::HeaderValue| v.to_str().ok());
    let claimed_url = match header_value(header::ORIGIN) {
        Some("null") => return false,
        Some(origin) => Some(origin),
        None => header_value(header::REFERER),
    };
    // http://host is not https://host: a page served without TLS must not post to the TLS site.
    if !claimed_url
        .is_some_and(|u| u.get(..scheme.len() + 3).is_some_and(|p| p.eq_ignore_ascii_case(&format!("{scheme}://"))))
    {
        return false;
    }
    let claimed = claimed_url.and_then(authority_of);
    claimed.is_some_and(|c| c == own || c.strip_suffix(":443") == Some(own.as_str()))
}

/// Refuses state-changing requests from other sites with 403.
pub async fn check_origin(State(scheme): State<&'static str>, req: Request, next: Next) -> Response {
    if matches!(req.method(), &Method::GET | &Method::HEAD | &Method::OPTIONS) || same_origin(&req, scheme) {
        return next.run(req).await;
    }
    tracing::warn!(method = %req.method(), path = %req.uri().path(), "cross-site request refused");
    let body = format!(
        r#"<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>送信できません — Onshi</title><link rel="stylesheet" href="{css}"></head><body><main class="page"><h1>この送信は受け付けられません</h1><p>送信元のページを確認できなかったため、安全のため処理を中止しました（他のサイトからの送信は受け付けません）。</p><p>Onshi の画面を開き直してから、もう一度操作してください。</p><p><a href="/">ホームへ戻る</a></p></main></body></html>"#,
        css = app::STYLESHEET_PATH
    );
    (StatusCode::FORBIDDEN, Html(body)).into_response()
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

#[cfg(test)]
mod origin_tests {
    use super::*;

    fn post(headers: &[(&str, &str)]) -> Request {
        let mut b = http::Request::builder().method("POST").uri("/api/logout");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(axum::body::Body::empty()).expect("request")
    }

    #[test]
    fn a_post_from_the_same_origin_passes_and_others_are_refused() {
        let host = ("host", "127.0.0.1:3000");
        let same = |headers: &[(&str, &str)]| same_origin(&post(headers), "http");
        assert!(same(&[host, ("origin", "http://127.0.0.1:3000")]));
        assert!(same(&[host, ("referer", "http://127.0.0.1:3000/login?x=1")]));
        assert!(!same(&[host, ("origin", "http://evil.example")]));
        assert!(!same(&[host, ("origin", "http://127.0.0.1:3001")]));
        assert!(!same(&[host, ("origin", "null")]));
        assert!(!same(&[host]), "neither Origin nor Referer");
        assert!(!same(&[host, ("referer", "http://127.0.0.1:3000.evil.example/")]));
    }

    #[test]
    fn the_scheme_must_match_and_default_ports_compare_equal() {
        let tls = |headers: &[(&str, &str)]| same_origin(&post(headers), "https");
        assert!(tls(&[("host", "onshi.example.jp"), ("origin", "https://onshi.example.jp")]));
        assert!(tls(&[("host", "onshi.example.jp"), ("origin", "https://onshi.example.jp:443")]));
        assert!(!tls(&[("host", "onshi.example.jp"), ("origin", "http://onshi.example.jp")]), "a page without TLS");
        assert!(same_origin(&post(&[("host", "onshi.example.jp"), ("origin", "http://onshi.example.jp:80")]), "http"));
        assert!(!same_origin(&post(&[("host", "127.0.0.1:3000"), ("origin", "https://127.0.0.1:3000")]), "http"));
    }
}

/// Marks a signed-in session active so that its idle expiry moves forward (ASVS 3.3.2: 30
/// minutes of *inactivity*). The store saves a session only when it changes, so without this
/// a busy user would be signed out 30 minutes after signing in. At most once per quarter of
/// the idle time (a minute at most): one session write per user per minute, not per request.
async fn keep_alive(gate: &GateState, session: &Session) {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis());
    let now = i64::try_from(now).unwrap_or(i64::MAX);
    let every = i64::try_from((gate.idle / 4).min(std::time::Duration::from_secs(60)).as_millis()).unwrap_or(60_000);
    let last = session.get::<i64>(session_keys::ACTIVE_AT).await.ok().flatten().unwrap_or(0);
    if now.saturating_sub(last) >= every
        && let Err(e) = session.insert(session_keys::ACTIVE_AT, now).await
    {
        tracing::warn!(error = %e, "could not mark the session active");
    }
}

/// Security headers on every response (OWASP ASVS 4.0.3 V14.4): the strict policy unless
/// the page set its own (with its nonce), no MIME sniffing, no framing (the header older
/// browsers read, beside `frame-ancestors`), no referrer to other sites, and a window of
/// our own. `same-origin` rather than `no-referrer`: with `no-referrer` browsers send
/// `Origin: null` on form posts, which the CSRF check refuses.
pub async fn security_headers(req: Request, next: Next) -> Response {
    use axum::http::HeaderValue;
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY)
        && let Ok(policy) = HeaderValue::from_str(&app::security::content_security_policy(None))
    {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    // Pages, files and PDFs carry facilities' data: no browser or proxy keeps a copy
    // (OWASP ASVS 4.0.3 V8.2.1). Only what sets its own policy (the stylesheet) is cached.
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}
