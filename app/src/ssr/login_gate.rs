//! The gate in front of `POST /api/login`: admits the attempt through the throttle, waits its
//! delay and a hashing slot, and hands both to the login server function; when it cannot, it
//! answers a Japanese page with 429 (throttled) or 503 (busy) and `Retry-After`.

use crate::UiError;
use crate::ssr::password::{HashGate, HashSlot};
use crate::ssr::throttle::{Attempt, LoginThrottle, MAX_EMAIL_BYTES, Refusal};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// A login form is tiny; anything larger is not one.
const MAX_FORM_BYTES: usize = 16 * 1024;

/// An attempt the gate admitted, with the hashing slot it waited for.
#[derive(Debug)]
pub struct Admitted {
    attempt: Attempt,
    slot: HashSlot,
    gate: HashGate,
}

/// What the gate puts into the request for the login server function (taken once).
#[derive(Debug, Clone)]
struct Ticket(Arc<Mutex<Option<Admitted>>>);

impl Admitted {
    /// Checks the password against the account's hash (None: unknown or disabled account, which
    /// costs the same), and returns the attempt for recording its outcome.
    pub async fn verify(self, password: &str, phc: Option<&str>) -> (bool, Attempt) {
        let Admitted { attempt, slot, gate } = self;
        (gate.verify(slot, password, phc).await, attempt)
    }
}

/// The admitted attempt of this login request, for the e-mail the form carried.
pub fn admitted(email: &str) -> Result<Admitted, UiError> {
    let parts = leptos::prelude::use_context::<http::request::Parts>();
    let ticket = parts.as_ref().and_then(|p| p.extensions.get::<Ticket>());
    let admitted = ticket.and_then(|t| t.0.lock().unwrap_or_else(PoisonError::into_inner).take());
    match admitted {
        Some(a) if a.attempt.is_for(email) => Ok(a),
        // A form whose e-mail the gate read differently (a repeated field) is no login.
        Some(_) => Err(UiError::Invalid(crate::api::LOGIN_FAILED.into())),
        None => Err(crate::ssr::context::internal("a login reached the server function without the gate")),
    }
}

/// The middleware: passes every other request through untouched.
pub async fn admit_login(State(throttle): State<LoginThrottle>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST || req.uri().path() != "/api/login" {
        return next.run(req).await;
    }
    let addr = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM_BYTES).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "ログインの送信内容が大きすぎます。").into_response();
    };
    let email =
        form_urlencoded::parse(&bytes).find(|(k, _)| k == "email").map(|(_, v)| v.into_owned()).unwrap_or_default();
    let mut req = Request::from_parts(parts, axum::body::Body::from(bytes));
    let email = email.trim();
    // Empty or overlong e-mails are answered by the server function without a password check.
    if email.is_empty() || email.len() > MAX_EMAIL_BYTES {
        return next.run(req).await;
    }
    let attempt = match throttle.admit(email, addr, Instant::now()) {
        Ok(attempt) => attempt,
        Err(refusal) => return refused(refusal),
    };
    tokio::time::sleep(attempt.delay()).await;
    let Ok(slot) = throttle.hashing().slot().await else {
        tracing::warn!(event = "login_busy", address = ?addr.map(|a| a.to_string()), "no hashing slot in time");
        return busy();
    };
    let admitted = Admitted { attempt, slot, gate: throttle.hashing().clone() };
    req.extensions_mut().insert(Ticket(Arc::new(Mutex::new(Some(admitted)))));
    next.run(req).await
}

fn page(status: StatusCode, retry_after: Duration, title: &str, message: &str, hint: &str) -> Response {
    let body = format!(
        r#"<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>{title} — Onshi</title><link rel="stylesheet" href="{css}"></head><body><main class="page"><h1>{title}</h1><p role="alert">{message}</p><p>{hint}</p><p><a href="/login">ログイン画面へ戻る</a></p></main></body></html>"#,
        css = crate::STYLESHEET_PATH
    );
    let mut res = (status, Html(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&retry_after.as_secs().max(1).to_string()) {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

fn refused(refusal: Refusal) -> Response {
    page(
        StatusCode::TOO_MANY_REQUESTS,
        refusal.retry_after(),
        "ログインを一時的に制限しています",
        &refusal.message(),
        "パスワードがわからない場合は、運用管理者にパスワードの再設定を依頼してください。",
    )
}

fn busy() -> Response {
    let wait = crate::ssr::password::QUEUE_DEADLINE;
    page(
        StatusCode::SERVICE_UNAVAILABLE,
        wait,
        "ただいま混み合っています",
        &format!(
            "ログインが混み合っているため、受け付けられませんでした。{}秒ほど待ってから、もう一度お試しください。",
            wait.as_secs()
        ),
        "続けて送信すると、さらに待つことになります。一度だけ送信してください。",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn text(res: Response) -> String {
        let bytes = axum::body::to_bytes(res.into_body(), 64 * 1024).await.expect("body");
        String::from_utf8(bytes.to_vec()).expect("utf-8")
    }

    #[tokio::test]
    async fn a_busy_server_answers_503_in_japanese_with_when_to_try_again() {
        let res = busy();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(res.headers()[header::RETRY_AFTER], "5");
        let page = text(res).await;
        assert!(page.contains("混み合っています") && page.contains("5秒ほど待ってから"), "{page}");
    }

    #[tokio::test]
    async fn a_refusal_answers_429_with_its_wait_and_never_names_the_account() {
        let res = refused(Refusal::AddressSlowed(Duration::from_secs(3)));
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(res.headers()[header::RETRY_AFTER], "3");
        let page = text(res).await;
        assert!(page.contains("3秒後にもう一度お試しください"), "{page}");
        let locked = text(refused(Refusal::Locked(Duration::from_secs(90)))).await;
        assert!(locked.contains("2分後にもう一度お試しください"), "{locked}");
    }
}
