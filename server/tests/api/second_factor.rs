//! The second factor (TOTP, RFC 6238): required for reviewers, auditors and admins, optional
//! for managers; wrong and replayed codes refused and counted like wrong passwords; recovery
//! codes once each; an admin's reset ends the user's sessions; all of it in the audit trail.

use crate::helpers::*;
use app::ssr::second_factor::{REPLAYED_CODE, WRONG_CODE};
use app::ssr::totp::{Secret, step_at, unix_now};

fn demo_secret() -> Secret {
    Secret::parse_base32(DEMO_TOTP_SECRET).expect("demo secret")
}

/// Six digits that are no code of `secret` anywhere near now.
fn wrong_code(secret: &Secret) -> String {
    let now = step_at(unix_now());
    let near: Vec<String> = (now - 2..=now + 2).map(|s| secret.code_at_step(s)).collect();
    (0..10).map(|d| d.to_string().repeat(6)).find(|c| !near.contains(c)).expect("a wrong code")
}

/// Posts the login form with `fields` from a fresh client; the client and the answer.
async fn login_form(app: &TestApp, fields: &[(&str, &str)]) -> (reqwest::Client, reqwest::Response) {
    let c = client();
    let res = post_form(app, &c, "/api/login", "/login", fields).await;
    (c, res)
}

/// The page an answer redirects to, as `who` sees it.
async fn followed(app: &TestApp, who: &reqwest::Client, res: &reqwest::Response) -> String {
    let to = location(res);
    let url = if to.starts_with("http") { to } else { app.url(&to) };
    who.get(url).send().await.expect("GET").text().await.expect("body")
}

async fn user_id(app: &TestApp, email: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM users WHERE email = ?").bind(email).fetch_one(app.pool()).await.expect("user")
}

async fn audit_rows(app: &TestApp, action: &str) -> Vec<(String, String)> {
    sqlx::query_as("SELECT actor_label, entity_id FROM audit_log WHERE action = ? ORDER BY id")
        .bind(action)
        .fetch_all(app.pool())
        .await
        .expect("rows")
}

#[tokio::test]
async fn the_password_alone_gives_a_reviewer_nothing_but_the_code_form_and_the_code_signs_in() {
    let app = spawn_app().await;
    let res = app.post_login(REVIEWER, DEMO_PASSWORD).await;
    assert_eq!((res.status().as_u16(), location(&res).as_str()), (302, "/login"), "asked for the code");
    let page = app.get_html("/login").await;
    assert!(page.contains(r#"name="code""#) && page.contains("確認コード（6桁）"), "{page}");
    assert!(!page.contains(r#"name="password""#), "the second form asks for the code alone");
    for path in ["/", "/facilities", "/dashboard", "/account/second-factor", "/exports/facilities.csv"] {
        let res = app.get(path).await;
        assert_eq!((res.status().as_u16(), location(&res).as_str()), (303, "/login"), "{path} before the code");
    }

    let code = app.code_for(REVIEWER).await;
    let res = app.post_code(&code).await;
    assert_eq!((res.status().as_u16(), location(&res).as_str()), (302, "/"), "the code signs in");
    let home = app.get_html("/").await;
    assert!(home.contains("佐藤 一郎"), "signed in as the reviewer");
}

#[tokio::test]
async fn auditors_and_admins_sign_in_with_password_and_code_on_two_forms_or_in_one_request() {
    let app = spawn_app().await;
    for email in [AUDITOR, ADMIN] {
        app.login_with_code(email).await;
        assert_eq!(app.get("/").await.status(), 200, "{email} on two forms");
        app.post_logout().await;
    }
    // A script: the three fields at once, without a browser's Accept header.
    for email in [AUDITOR, ADMIN] {
        let c = client();
        let code = app.code_for(email).await;
        let res = c
            .post(app.url("/api/login"))
            .header("Origin", app.base.clone())
            .form(&[("email", email), ("password", DEMO_PASSWORD), ("code", &code)])
            .send()
            .await
            .expect("POST /api/login");
        assert!(res.status().is_success() || res.status().is_redirection(), "{email}: {}", res.status());
        assert_eq!(c.get(app.url("/")).send().await.expect("GET").status(), 200, "{email} in one request");
    }
}

#[tokio::test]
async fn a_wrong_code_is_refused_in_japanese_and_counted_exactly_like_a_wrong_password() {
    let app = spawn_app().await;
    let wrong = wrong_code(&demo_secret());
    let (c, first) =
        login_form(&app, &[("email", AUDITOR), ("password", DEMO_PASSWORD), ("code", wrong.as_str())]).await;
    assert_eq!(c.get(app.url("/")).send().await.expect("GET").status(), 303, "not signed in");
    assert!(followed(&app, &c, &first).await.contains(WRONG_CODE), "the message says what to type");
    let mut with_wrong_code = vec![first.status()];
    for _ in 0..5 {
        let fields = [("email", AUDITOR), ("password", DEMO_PASSWORD), ("code", wrong.as_str())];
        with_wrong_code.push(login_form(&app, &fields).await.1.status());
    }

    let other = spawn_app().await;
    let mut with_wrong_password = Vec::new();
    for _ in 0..6 {
        with_wrong_password.push(other.post_login(AUDITOR, "wrong-password").await.status());
    }
    assert_eq!(with_wrong_code, with_wrong_password);
    assert_eq!(with_wrong_code.last().map(|s| s.as_u16()), Some(429), "locked like wrong passwords");
    let right = app.code_for(AUDITOR).await;
    let (c, res) = login_form(&app, &[("email", AUDITOR), ("password", DEMO_PASSWORD), ("code", &right)]).await;
    assert_eq!(res.status(), 429, "not even the right code while locked");
    assert_eq!(c.get(app.url("/")).send().await.expect("GET").status(), 303);
}

#[tokio::test]
async fn wrong_codes_on_the_second_form_lock_the_sign_in_and_the_right_code_then_fails_too() {
    let app = spawn_app().await;
    let wrong = wrong_code(&demo_secret());
    assert_eq!(location(&app.post_login(REVIEWER, DEMO_PASSWORD).await), "/login");
    let mut locked_after = None;
    for attempt in 1..=20 {
        let res = app.post_code(&wrong).await;
        assert_ne!(location(&res), "/", "a wrong code never signs in");
        let page = if res.status() == 429 { String::new() } else { followed(&app, &app.client, &res).await };
        if res.status() == 429 || page.contains("制限") {
            locked_after = Some(attempt);
            break;
        }
        assert!(page.contains(WRONG_CODE), "attempt {attempt}: {page}");
    }
    let locked_after = locked_after.expect("wrong codes lock the sign-in like wrong passwords");
    assert!(locked_after > 1, "a first mistyped code is allowed");
    let res = app.post_code(&app.code_for(REVIEWER).await).await;
    assert_ne!(location(&res), "/", "locked: the right code is refused too");
    assert_eq!(app.get("/").await.status(), 303);
}

#[tokio::test]
async fn a_used_code_is_refused_when_replayed_and_counted_like_a_wrong_password() {
    let app = spawn_app().await;
    let code = app.code_for(ADMIN).await;
    let fields = [("email", ADMIN), ("password", DEMO_PASSWORD), ("code", code.as_str())];
    let (_, res) = login_form(&app, &fields).await;
    assert_eq!(location(&res), "/", "the first use signs in");
    let (c, replay) = login_form(&app, &fields).await;
    assert!(followed(&app, &c, &replay).await.contains(REPLAYED_CODE), "the replay is refused and says why");
    assert_eq!(c.get(app.url("/")).send().await.expect("GET").status(), 303);
    let mut replays = vec![replay.status()];
    for _ in 0..5 {
        replays.push(login_form(&app, &fields).await.1.status());
    }

    let other = spawn_app().await;
    let (_, res) = login_form(&other, &fields).await;
    assert_eq!(location(&res), "/", "the same code, new to this server");
    let mut wrong_passwords = Vec::new();
    for _ in 0..6 {
        wrong_passwords.push(other.post_login(ADMIN, "wrong-password").await.status());
    }
    assert_eq!(replays, wrong_passwords, "each replay counts as a failure");
}

#[tokio::test]
async fn two_sign_ins_racing_with_one_code_let_exactly_one_in() {
    let app = std::sync::Arc::new(spawn_app().await);
    let code = app.code_for(AUDITOR).await;
    let attempts = (0..2).map(|_| {
        let (app, code) = (app.clone(), code.clone());
        tokio::spawn(async move {
            let fields = [("email", AUDITOR), ("password", DEMO_PASSWORD), ("code", code.as_str())];
            location(&login_form(&app, &fields).await.1)
        })
    });
    let mut answers = Vec::new();
    for attempt in attempts {
        answers.push(attempt.await.expect("task"));
    }
    assert_eq!(answers.iter().filter(|l| *l == "/").count(), 1, "{answers:?}");
}

/// Enrols the signed-in manager of `app` through the page: the secret it shows and the
/// recovery codes it shows once.
async fn enrol_manager(app: &TestApp) -> (Secret, Vec<String>) {
    let page = app.get_html("/account/second-factor").await;
    assert!(page.contains("<svg") && page.contains(r#"data-testid="qr-code""#), "a QR code drawn on the server");
    let shown = page.split(r#"data-testid="totp-secret">"#).nth(1).and_then(|r| r.split('<').next()).expect("secret");
    let secret = Secret::parse_base32(shown).expect("the page shows a base32 secret");
    assert_eq!(app.get_html("/account/second-factor").await.matches(shown).count(), 1, "the same secret on reload");

    let wrong = wrong_code(&secret);
    let res =
        post_form(app, &app.client, "/api/confirm_second_factor", "/account/second-factor", &[("code", &wrong)]).await;
    assert!(followed(app, &app.client, &res).await.contains("確認コードが正しくありません"), "a wrong code");
    let code = secret.code_at_step(step_at(unix_now()));
    let res =
        post_form(app, &app.client, "/api/confirm_second_factor", "/account/second-factor", &[("code", &code)]).await;
    assert_eq!(location(&res), "/account/second-factor");
    let page = app.get_html("/account/second-factor").await;
    let codes: Vec<String> =
        page.split("<li><code>").skip(1).filter_map(|r| r.split('<').next()).map(str::to_owned).collect();
    assert_eq!(codes.len(), 10, "ten recovery codes: {page}");
    assert!(page.contains("設定済み"));
    let again = app.get_html("/account/second-factor").await;
    assert!(!again.contains(&codes[0]), "the recovery codes are shown once");
    (secret, codes)
}

#[tokio::test]
async fn a_manager_enrols_from_the_account_page_and_then_signs_in_with_the_code() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    assert!(app.get_html("/").await.contains(r#"href="/account/second-factor""#), "reachable from the header");
    let (secret, _) = enrol_manager(&app).await;
    assert_eq!(app.get("/").await.status(), 200, "the enrolling session stays signed in");
    let manager = user_id(&app, MANAGER).await;
    assert_eq!(audit_rows(&app, "enrol_second_factor").await.last(), Some(&(MANAGER.to_owned(), manager.to_string())));
    let sealed: String = sqlx::query_scalar("SELECT secret_sealed FROM user_totp WHERE user_id = ?")
        .bind(manager)
        .fetch_one(app.pool())
        .await
        .expect("row");
    assert!(!sealed.contains(&secret.base32()), "the secret is sealed, not stored as shown");
    assert!(app::ssr::totp::key_path(&app.db_path).exists(), "the key lives beside the database, not in it");

    app.post_logout().await;
    assert_eq!(location(&app.post_login(MANAGER, DEMO_PASSWORD).await), "/login", "now the code is asked");
    // The confirming code's step is used up: the next step's code signs in.
    let res = app.post_code(&secret.code_at_step(step_at(unix_now()) + 1)).await;
    assert_eq!(location(&res), "/");
}

#[tokio::test]
async fn each_recovery_code_signs_in_once_and_its_use_is_recorded() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let (_, codes) = enrol_manager(&app).await;
    app.post_logout().await;

    assert_eq!(location(&app.post_login(MANAGER, DEMO_PASSWORD).await), "/login");
    let typed = codes[3].to_lowercase().replace('-', " ");
    assert_eq!(location(&app.post_code(&typed).await), "/", "a recovery code, however typed");
    let rows = audit_rows(&app, "use_recovery_code").await;
    assert_eq!(rows, vec![(MANAGER.to_owned(), user_id(&app, MANAGER).await.to_string())]);
    assert!(app.get_html("/account/second-factor").await.contains("未使用の回復コード: 9個"));
    app.post_logout().await;

    assert_eq!(location(&app.post_login(MANAGER, DEMO_PASSWORD).await), "/login");
    let res = app.post_code(&codes[3]).await;
    assert_ne!(location(&res), "/", "a used recovery code is refused");
    assert_eq!(audit_rows(&app, "use_recovery_code").await.len(), 1);
}

/// `who` posts the reset of user `id`'s second factor, confirmed.
async fn reset(app: &TestApp, who: &reqwest::Client, id: &str) -> reqwest::Response {
    post_form(app, who, "/api/reset_second_factor", "/admin/users", &[("user_id", id), ("confirm", "yes")]).await
}

#[tokio::test]
async fn an_admins_reset_ends_the_users_sessions_and_sends_them_to_set_up_again_before_any_page() {
    let app = spawn_app().await;
    let admin = app.signed_in_client(ADMIN).await;
    let reviewer = app.signed_in_client(REVIEWER).await;
    assert_eq!(reviewer.get(app.url("/facilities")).send().await.expect("GET").status(), 200);
    let id = user_id(&app, REVIEWER).await.to_string();

    let users = admin.get(app.url("/admin/users")).send().await.expect("GET").text().await.expect("body");
    assert!(users.contains("二要素認証をリセット") && users.contains("設定済み"), "{users}");
    let unconfirmed =
        post_form(&app, &admin, "/api/reset_second_factor", "/admin/users", &[("user_id", id.as_str())]).await;
    assert!(followed(&app, &admin, &unconfirmed).await.contains("確認しました"), "the box must be ticked");
    let own = user_id(&app, ADMIN).await.to_string();
    let res = reset(&app, &admin, &own).await;
    assert!(followed(&app, &admin, &res).await.contains("自分自身の二要素認証はリセットできません"));
    let auditor = app.signed_in_client(AUDITOR).await;
    let res = reset(&app, &auditor, &id).await;
    assert_eq!(res.status(), 403, "only admins reset");
    assert!(audit_rows(&app, "reset_second_factor").await.is_empty(), "nothing was reset yet");

    let res = reset(&app, &admin, &id).await;
    assert_eq!(location(&res), "/admin/users");
    assert_eq!(audit_rows(&app, "reset_second_factor").await, vec![(ADMIN.to_owned(), id.clone())]);
    let stale = reviewer.get(app.url("/facilities")).send().await.expect("GET");
    assert_eq!((stale.status().as_u16(), location(&stale).as_str()), (303, "/login"), "the session has ended");

    // The password now signs in, but nothing opens before a new second factor is set up.
    app.post_logout().await;
    assert_eq!(location(&app.post_login(REVIEWER, DEMO_PASSWORD).await), "/");
    for path in ["/", "/facilities", "/audit-log.csv", "/exports/facilities.csv", "/admin/users"] {
        let res = app.get(path).await;
        assert_eq!((res.status().as_u16(), location(&res).as_str()), (303, "/account/second-factor"), "{path}");
    }
    let page = app.get_html("/account/second-factor").await;
    assert!(page.contains("この役割では二要素認証が必須です"), "{page}");
    let shown = page.split(r#"data-testid="totp-secret">"#).nth(1).and_then(|r| r.split('<').next()).expect("secret");
    let secret = Secret::parse_base32(shown).expect("secret");
    assert_ne!(secret, demo_secret(), "a new secret");
    let code = secret.code_at_step(step_at(unix_now()));
    let res =
        post_form(&app, &app.client, "/api/confirm_second_factor", "/account/second-factor", &[("code", &code)]).await;
    assert_eq!(location(&res), "/account/second-factor");
    assert_eq!(app.get("/facilities").await.status(), 200, "set up again: the pages open");
}

#[tokio::test]
async fn the_demo_reviewer_auditor_and_admin_are_enrolled_at_the_first_start_and_recorded() {
    let app = spawn_app().await;
    let rows = audit_rows(&app, "enrol_second_factor").await;
    let mut enrolled = Vec::new();
    for email in WITH_SECOND_FACTOR {
        enrolled.push(("system".to_owned(), user_id(&app, email).await.to_string()));
    }
    assert_eq!(rows, enrolled);
    assert!(app.prepared.generated_totp_secret.is_none(), "the secret came from the settings");
    let manager: i64 =
        sqlx::query_scalar("SELECT count(*) FROM user_totp WHERE user_id = (SELECT id FROM users WHERE email = ?)")
            .bind(MANAGER)
            .fetch_one(app.pool())
            .await
            .expect("count");
    assert_eq!(manager, 0, "managers choose for themselves");
}
