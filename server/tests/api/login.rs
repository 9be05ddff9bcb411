//! Sessions: the gate, login, logout, session renewal.

use crate::helpers::*;

const LOGIN_FAILED: &str = "メールアドレスまたはパスワードが正しくありません。";

#[tokio::test]
async fn an_anonymous_visitor_is_sent_to_the_login_page_from_any_page() {
    let app = spawn_app().await;
    for path in ["/", "/reference/vendors", "/reference/statistics", "/no/such/page"] {
        let res = app.get(path).await;
        assert_eq!(res.status(), 303, "{path}");
        assert_eq!(location(&res), "/login", "{path}");
    }
}

#[tokio::test]
async fn an_anonymous_call_to_a_server_function_gets_no_data() {
    let app = spawn_app().await;
    let res = app.client.post(app.url("/api/vendors")).header("Origin", app.base.clone()).send().await.expect("POST");
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/login");
    assert!(!res.text().await.expect("body").contains("株式会社"));
}

#[tokio::test]
async fn the_login_page_is_a_japanese_form_that_posts_without_javascript() {
    let app = spawn_app().await;
    let html = app.get_html("/login").await;
    assert!(html.contains(r#"<html lang="ja">"#));
    assert!(html.contains("<h1 id=\"login-title\">ログイン</h1>"));
    assert!(html.contains(r#"action="/api/login" method="post""#), "{html}");
    assert!(html.contains(r#"name="email""#) && html.contains(r#"name="password""#));
    assert!(!html.contains("<script src"), "the page must not depend on a script file");
}

#[tokio::test]
async fn the_demo_manager_logs_in_and_sees_name_role_and_corporation_in_the_header() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let html = app.get_html("/").await;
    assert!(html.contains(r#"data-testid="current-user""#));
    assert!(html.contains(MANAGER));
    assert!(html.contains("医療機関担当者"));
    assert!(html.contains("医療法人社団 オンシ会"));
    assert!(html.contains(r#"action="/api/logout""#), "logout form present");
}

#[tokio::test]
async fn every_demo_role_logs_in_and_sees_its_own_role_label() {
    let app = spawn_app().await;
    for (email, label) in [
        (MANAGER, "医療機関担当者"),
        (REVIEWER, "審査担当（医師会等）"),
        (AUDITOR, "監査担当（厚生労働省）"),
        (ADMIN, "運用管理者"),
    ] {
        let user = app.signed_in_client(email).await;
        let html = user.get(app.url("/")).send().await.expect("home").text().await.expect("body");
        assert!(html.contains(email) && html.contains(label), "{email} should see {label}");
    }
}

#[tokio::test]
async fn a_reviewer_sees_their_prefecture_and_association_as_scope() {
    let app = spawn_app().await;
    app.login_as(REVIEWER).await;
    let html = app.get_html("/").await;
    assert!(html.contains("福岡県 医師会"), "reviewer scope label");
}

#[tokio::test]
async fn a_wrong_password_returns_to_the_login_page_with_a_japanese_error_and_no_session() {
    let app = spawn_app().await;
    let res = app.post_login(MANAGER, "wrong-password").await;
    assert_eq!(res.status(), 302);
    assert!(session_cookie(&res).is_none(), "no session for a failed login");
    let back = location(&res);
    assert!(back.starts_with(&app.url("/login?")), "{back}");
    let page = app.client.get(&back).send().await.expect("GET").text().await.expect("body");
    assert!(page.contains(LOGIN_FAILED), "{page}");
    assert_eq!(app.get("/").await.status(), 303, "still signed out");
}

#[tokio::test]
async fn an_unknown_account_gets_exactly_the_same_answer_as_a_wrong_password() {
    let app = spawn_app().await;
    let unknown = app.post_login("nobody@example.jp", "wrong-password").await;
    let wrong = app.post_login(MANAGER, "wrong-password").await;
    assert_eq!(unknown.status(), wrong.status());
    assert_eq!(location(&unknown), location(&wrong));
}

#[tokio::test]
async fn empty_fields_are_refused_with_what_to_fill_in() {
    let app = spawn_app().await;
    let res = app.post_login(" ", "").await;
    let page = app.client.get(location(&res)).send().await.expect("GET").text().await.expect("body");
    assert!(page.contains("メールアドレスとパスワードを入力してください。"));
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site() {
    let app = spawn_app().await;
    let res = app.post_login(MANAGER, DEMO_PASSWORD).await;
    let cookie = session_cookie(&res).expect("session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "not Secure unless configured: {cookie}");
}

#[tokio::test]
async fn logging_in_renews_the_session_id_and_the_old_id_stops_working() {
    let app = spawn_app().await;
    let first = session_cookie(&app.post_login(MANAGER, DEMO_PASSWORD).await).expect("first cookie");
    let code = app.code_for(REVIEWER).await;
    let fields = [("email", REVIEWER), ("password", DEMO_PASSWORD), ("code", &code)];
    let second =
        session_cookie(&post_form(&app, &app.client, "/api/login", "/login", &fields).await).expect("second cookie");
    let id = |c: &str| c.split(';').next().unwrap_or_default().to_owned();
    assert_ne!(id(&first), id(&second));
    let stale = client().get(app.url("/")).header("Cookie", id(&first)).send().await.expect("GET");
    assert_eq!(stale.status(), 303, "the id from before the renewal is dead");
    let fresh = client().get(app.url("/")).header("Cookie", id(&second)).send().await.expect("GET");
    assert_eq!(fresh.status(), 200);
}

#[tokio::test]
async fn logout_ends_the_session_and_returns_to_the_login_page() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    assert_eq!(app.get("/").await.status(), 200);
    let res = app.post_logout().await;
    assert_eq!(res.status(), 302);
    assert_eq!(location(&res), "/login");
    let after = app.get("/").await;
    assert_eq!(after.status(), 303);
    assert_eq!(location(&after), "/login");
}

#[tokio::test]
async fn a_disabled_account_cannot_log_in_and_loses_its_open_session() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    sqlx::query("UPDATE users SET disabled = 1 WHERE email = ?")
        .bind(MANAGER)
        .execute(app.pool())
        .await
        .expect("disable");
    assert_eq!(app.get("/").await.status(), 303, "open session ends");
    let res = app.post_login(MANAGER, DEMO_PASSWORD).await;
    assert!(location(&res).contains("__err"), "login refused");
    assert!(session_cookie(&res).is_none() || app.get("/").await.status() == 303, "not signed in");
    // The right password is told that the account is stopped and whom to ask, not that it is wrong.
    let page = app.client.get(location(&res)).send().await.expect("GET").text().await.expect("body");
    assert!(page.contains(app::api::ACCOUNT_DISABLED), "{page}");
    assert!(!page.contains(LOGIN_FAILED), "{page}");
    // A wrong password of a disabled account still hears only that the password is wrong.
    let res = app.post_login(MANAGER, "wrong-password").await;
    let page = app.client.get(location(&res)).send().await.expect("GET").text().await.expect("body");
    assert!(page.contains(LOGIN_FAILED) && !page.contains(app::api::ACCOUNT_DISABLED), "{page}");
}
