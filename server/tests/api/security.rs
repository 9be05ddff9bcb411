//! Security of the session: CSRF origin checks, login throttling, fixation, timeouts.

use crate::helpers::*;
use std::time::Duration;

async fn post_from(app: &TestApp, path: &str, origin: Option<&str>, referer: Option<&str>) -> reqwest::Response {
    let mut req = app.client.post(app.url(path)).header("Accept", "text/html");
    if let Some(o) = origin {
        req = req.header("Origin", o);
    }
    if let Some(r) = referer {
        req = req.header("Referer", r);
    }
    req.send().await.expect("POST")
}

#[tokio::test]
async fn a_post_from_a_foreign_origin_is_refused_with_403_and_changes_nothing() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    for (origin, referer) in [
        (Some("http://evil.example"), None),
        (Some("null"), None),
        (None, Some("http://evil.example/page")),
        (None, None),
    ] {
        let res = post_from(&app, "/api/logout", origin, referer).await;
        assert_eq!(res.status(), 403, "origin {origin:?} referer {referer:?}");
        assert!(res.text().await.expect("body").contains("この送信は受け付けられません"));
    }
    assert_eq!(app.get("/").await.status(), 200, "the refused logouts did not end the session");
    let own = app.base.clone();
    let res = post_from(&app, "/api/logout", Some(&own), None).await;
    assert_eq!(res.status(), 302, "the same origin may post");
    assert_eq!(app.get("/").await.status(), 303);
}

#[tokio::test]
async fn a_foreign_login_form_cannot_sign_anyone_in() {
    let app = spawn_app().await;
    let res = app
        .client
        .post(app.url("/api/login"))
        .header("Origin", "http://evil.example")
        .form(&[("email", MANAGER), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 403);
    assert!(session_cookie(&res).is_none());
}

#[tokio::test]
async fn after_five_failures_even_the_right_password_gets_429_with_retry_after() {
    let app = spawn_app().await;
    for _ in 0..5 {
        let res = app.post_login(MANAGER, "wrong").await;
        assert_eq!(res.status(), 302);
    }
    let res = app.post_login(MANAGER, DEMO_PASSWORD).await;
    assert_eq!(res.status(), 429);
    let wait: u64 = res.headers()["retry-after"].to_str().expect("ascii").parse().expect("seconds");
    assert!((1..=60).contains(&wait), "{wait}");
    let body = res.text().await.expect("body");
    assert!(body.contains("ログインを一時的に制限しています"));
    assert!(!body.contains(MANAGER), "the page does not echo the account");
    assert_eq!(app.get("/").await.status(), 303, "not signed in");
}

#[tokio::test]
async fn an_unknown_account_is_throttled_exactly_like_a_known_one() {
    let app = spawn_app().await;
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for _ in 0..6 {
        known.push(app.post_login(AUDITOR, "wrong").await.status());
    }
    let other = crate::helpers::spawn_app().await;
    for _ in 0..6 {
        unknown.push(other.post_login("nobody@example.jp", "wrong").await.status());
    }
    assert_eq!(known, unknown);
    assert_eq!(known.last().map(|s| s.as_u16()), Some(429));
}

#[tokio::test]
async fn failures_across_accounts_lock_the_client_address() {
    let app = spawn_app().await;
    for i in 0..5 {
        app.post_login(&format!("guess{i}@example.jp"), "wrong").await;
    }
    let res = app.post_login(ADMIN, DEMO_PASSWORD).await;
    assert_eq!(res.status(), 429, "the address is locked, whatever the account");
}

#[tokio::test]
async fn a_session_id_planted_before_login_is_not_the_one_after_login() {
    let app = spawn_app().await;
    let planted = "onshi_session=attacker-chosen-id";
    let victim = client();
    let res = victim
        .post(app.url("/api/login"))
        .header("Accept", "text/html")
        .header("Referer", app.url("/login"))
        .header("Cookie", planted)
        .form(&[("email", MANAGER), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .expect("login");
    let issued = session_cookie(&res).expect("a new session cookie");
    assert!(!issued.starts_with(planted), "{issued}");
    let attacker = client().get(app.url("/")).header("Cookie", planted).send().await.expect("GET");
    assert_eq!(attacker.status(), 303, "the planted id grants nothing");
}

#[tokio::test]
async fn a_session_ends_after_its_absolute_lifetime_however_active() {
    let dir = tempfile::tempdir().expect("dir");
    let mut s = settings(&dir.path().join("a.sqlite"), true);
    s.session_absolute = Duration::from_secs(1);
    let app = spawn_on(s).await;
    app.login_as(MANAGER).await;
    assert_eq!(app.get("/").await.status(), 200);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let res = app.get("/").await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/login");
}

#[tokio::test]
async fn an_idle_session_expires() {
    let dir = tempfile::tempdir().expect("dir");
    let mut s = settings(&dir.path().join("i.sqlite"), true);
    s.session_idle = Duration::from_secs(1);
    let app = spawn_on(s).await;
    let res = app.post_login(MANAGER, DEMO_PASSWORD).await;
    let cookie = session_cookie(&res).expect("cookie");
    assert!(cookie.contains("Max-Age=1"), "{cookie}");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    // Resend the old cookie explicitly: the server must refuse it, not just the client forget it.
    let id = cookie.split(';').next().unwrap_or_default().to_owned();
    let res = client().get(app.url("/")).header("Cookie", id).send().await.expect("GET");
    assert_eq!(res.status(), 303);
}

#[tokio::test]
async fn cookies_are_secure_when_configured_for_https() {
    let dir = tempfile::tempdir().expect("dir");
    let mut s = settings(&dir.path().join("s.sqlite"), true);
    s.secure_cookies = true;
    let app = spawn_on(s).await;
    let res = app.post_login(MANAGER, DEMO_PASSWORD).await;
    let cookie = session_cookie(&res).expect("cookie");
    assert!(cookie.contains("Secure") && cookie.contains("HttpOnly"), "{cookie}");
}
