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
async fn failures_across_accounts_do_not_lock_other_accounts_at_that_address() {
    let app = spawn_app().await;
    for i in 0..5 {
        app.post_login(&format!("guess{i}@example.jp"), "wrong").await;
    }
    // One address is many people (a hospital's NAT): the admin still signs in.
    app.login_as(ADMIN).await;
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
async fn an_active_session_outlives_the_idle_time_and_ends_once_left_idle() {
    let dir = tempfile::tempdir().expect("dir");
    let mut s = settings(&dir.path().join("a.sqlite"), true);
    s.session_idle = Duration::from_secs(2);
    let app = spawn_on(s).await;
    app.login_as(MANAGER).await;
    // Active for twice the idle time: a request every 0.6 s.
    for _ in 0..7 {
        tokio::time::sleep(Duration::from_millis(600)).await;
        let res = app.client.get(app.url("/")).send().await.expect("GET");
        assert_eq!(res.status(), 200, "still signed in while active");
    }
    tokio::time::sleep(Duration::from_millis(2300)).await;
    let res = app.client.get(app.url("/")).send().await.expect("GET");
    assert_eq!(res.status(), 303, "signed out after the idle time");
}

#[tokio::test]
async fn cookies_are_secure_when_configured_for_https() {
    let dir = tempfile::tempdir().expect("dir");
    let mut s = settings(&dir.path().join("s.sqlite"), true);
    s.secure_cookies = true;
    let app = spawn_on(s).await;
    // Behind HTTPS the login form is posted from the https:// page (TLS ends at the proxy).
    let res = app
        .client
        .post(app.url("/api/login"))
        .header("Accept", "text/html")
        .header("Origin", app.base.replace("http://", "https://"))
        .form(&[("email", MANAGER), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .expect("POST /api/login");
    let cookie = session_cookie(&res).expect("cookie");
    assert!(cookie.contains("Secure") && cookie.contains("HttpOnly"), "{cookie}");
}

/// The nonces of the page's `<script>` elements.
fn script_nonces(html: &str) -> Vec<String> {
    html.match_indices("<script")
        .map(|(i, _)| {
            let tag = &html[i..i + html[i..].find('>').expect("tag end")];
            let nonce = tag.split("nonce=\"").nth(1).unwrap_or_else(|| panic!("a script without a nonce: {tag}"));
            nonce[..nonce.find('"').expect("quote")].to_owned()
        })
        .collect()
}

#[tokio::test]
async fn every_response_carries_the_security_headers_and_pages_allow_only_their_own_scripts() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let mut page_nonces = Vec::new();
    for path in ["/", "/login", "/healthz", "/no-such-page", "/exports/facilities.csv", "/assets/onshi.css"] {
        let res = app.client.get(app.url(path)).header("Accept", "text/html").send().await.expect("GET");
        let headers = res.headers().clone();
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let policy = header("content-security-policy");
        assert!(
            policy.contains("frame-ancestors 'none'") && policy.starts_with("default-src 'none'"),
            "{path}: {policy}"
        );
        assert!(!policy.contains("unsafe"), "{path}: {policy}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("x-frame-options"), "DENY", "{path}");
        assert_eq!(header("referrer-policy"), "same-origin", "{path}");
        let body = res.text().await.expect("body");
        if body.contains("<html") {
            let nonces = script_nonces(&body);
            assert!(!nonces.is_empty(), "{path}: Leptos writes its resource data in inline scripts");
            let allowed = policy.split("script-src 'nonce-").nth(1).and_then(|s| s.split('\'').next()).unwrap_or("");
            assert!(allowed.len() >= 16, "{path}: a page allows its scripts by nonce: {policy}");
            assert!(nonces.iter().all(|n| n == allowed), "{path}: every inline script carries the allowed nonce");
            page_nonces.push(allowed.to_owned());
        } else {
            assert!(policy.contains("script-src 'none'"), "{path}: {policy}");
        }
    }
    assert!(page_nonces.len() >= 2, "{page_nonces:?}");
    page_nonces.sort();
    page_nonces.dedup();
    assert!(page_nonces.len() >= 2, "a new nonce for every page");
}

/// The session id a response sets.
fn session_id(res: &reqwest::Response) -> Option<String> {
    session_cookie(res)?.split(';').next()?.strip_prefix("onshi_session=").map(str::to_owned)
}

/// Runs `onshi serve` as a process with debug logging, signs in, creates a user, resets their
/// password, fails a login and signs in again; then reads everything the process wrote.
#[test]
fn no_password_or_session_id_reaches_any_log_line() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().expect("dir");
    let demo = "Demo-Secret-4729-horse";
    let (first, second, wrong) = ("First-Secret-8815-apple", "Second-Secret-3391-pear", "Wrong-Secret-0077-plum");
    let mut child = Command::new(env!("CARGO_BIN_EXE_onshi"))
        .args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(dir.path().join("onshi.sqlite"))
        .env("ONSHI_DEMO_PASSWORD", demo)
        .env("ONSHI_DEMO_TOTP_SECRET", DEMO_TOTP_SECRET)
        .env("RUST_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn onshi");
    // Drained from the start: start-up logs more than a pipe holds before the banner.
    let mut stderr = child.stderr.take().expect("stderr");
    let log_reader = std::thread::spawn(move || {
        let mut log = String::new();
        stderr.read_to_string(&mut log).expect("stderr");
        log
    });
    let mut stdout = std::io::BufReader::new(child.stdout.take().expect("stdout"));
    let mut banner = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut banner).expect("banner");
    let url = banner.trim().strip_prefix("Onshi listening on ").expect("banner format").to_owned();

    let cookies = tokio::runtime::Runtime::new().expect("runtime").block_on(async {
        let post = |c: &reqwest::Client, path: &str, form: Vec<(&str, String)>| {
            c.post(format!("{url}{path}"))
                .header("Accept", "text/html")
                .header("Origin", url.clone())
                // Forms post from their page: without JavaScript, Leptos answers by redirecting there.
                .header("Referer", format!("{url}{}", if path == "/api/login" { "/login" } else { "/admin/users" }))
                .form(&form)
                .send()
        };
        let mut cookies = Vec::new();
        let admin = client();
        let form = vec![("email", ADMIN.into()), ("password", demo.into()), ("code", totp_code_now(DEMO_TOTP_SECRET))];
        let res = post(&admin, "/api/login", form).await.expect("login");
        assert_eq!(location(&res), "/", "the admin signs in");
        cookies.extend(session_id(&res));
        let form = vec![
            ("email", "new.auditor@example.jp".to_owned()),
            ("display_name", "新しい監査担当".into()),
            ("role", "auditor".into()),
            ("password", first.into()),
            ("facility", String::new()),
            ("corporation", String::new()),
            ("association", String::new()),
            ("prefecture", String::new()),
        ];
        let res = post(&admin, "/api/create_user", form).await.expect("create");
        assert!(res.status().is_redirection() || res.status().is_success(), "{}", res.status());
        let db = sqlx::SqlitePool::connect(&format!("sqlite://{}", dir.path().join("onshi.sqlite").display()))
            .await
            .expect("db");
        let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = 'new.auditor@example.jp'")
            .fetch_one(&db)
            .await
            .expect("the new user");
        let res = post(&admin, "/api/reset_password", vec![("user_id", id.to_string()), ("password", second.into())])
            .await
            .expect("reset");
        assert!(res.status().is_redirection() || res.status().is_success(), "{}", res.status());
        let user = client();
        let res =
            post(&user, "/api/login", vec![("email", "new.auditor@example.jp".into()), ("password", wrong.into())])
                .await
                .expect("wrong login");
        assert_ne!(location(&res), "/", "a wrong password does not sign in");
        let res =
            post(&user, "/api/login", vec![("email", "new.auditor@example.jp".into()), ("password", second.into())])
                .await
                .expect("login");
        assert_eq!(location(&res), "/", "the new password works");
        cookies.extend(session_id(&res));
        cookies
    });

    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    assert!(status.success());
    child.wait().expect("wait");
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).expect("stdout");
    let log = log_reader.join().expect("log reader");
    assert!(log.contains("/api/login") && log.contains("DEBUG"), "debug logging was on and saw the logins:\n{log}");
    assert_eq!(cookies.len(), 2, "two sessions began");
    let everything = format!("{banner}{rest}{log}");
    for secret in [demo, first, second, wrong, DEMO_TOTP_SECRET].into_iter().map(str::to_owned).chain(cookies) {
        assert!(!everything.contains(&secret), "{secret:?} appears in the output");
    }
    assert!(!everything.contains("$argon2"), "no password hash in the output");
}
