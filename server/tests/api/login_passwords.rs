//! The password policy wherever a password is set: the admin's add and reset forms and the demo
//! users' start-up password (the command line's cases are in `user_cli.rs`).

use crate::helpers::*;
use std::process::{Command, Stdio};

/// Weak passwords of the attack report and the rule each breaks, as the form says it.
const WEAK: [(&str, &str); 5] = [
    ("aaaaaaaaaaaa", "同じ文字や同じ並びを繰り返しただけ"),
    ("password1234", "流出したパスワードや多くの人が使うパスワードの一覧に含まれている"),
    ("            ", "空白だけのパスワードは使えません"),
    ("Welcome-Onshi-2026", "サービス名（Onshi）を含めないでください"),
    ("newreviewer-spring-rain", "メールアドレスの「@」より前の部分を含めないでください"),
];

async fn admin(app: &TestApp) -> reqwest::Client {
    app.signed_in_client(ADMIN).await
}

async fn users(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(app.pool()).await.expect("count")
}

#[tokio::test]
async fn the_admin_cannot_add_a_user_with_a_weak_password_and_is_told_beside_the_field_what_to_do() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let before = users(&app).await;
    for (password, why) in WEAK {
        let form = [
            ("email", "newreviewer@example.jp"),
            ("display_name", "新しい 審査員"),
            ("role", "reviewer"),
            ("password", password),
            ("facility", ""),
            ("corporation", ""),
            ("association", "dental"),
            ("prefecture", "13"),
        ];
        let res = post_form(&app, &admin, "/api/create_user", "/admin/users", &form).await;
        let back = location(&res);
        assert!(back.contains("__err"), "{password:?} accepted");
        let page = admin.get(&back).send().await.expect("GET").text().await.expect("body");
        let form = page.find("create-user").expect("the add form");
        let field = form + page[form..].find(r#"name="password""#).expect("its password field");
        let beside = &page[field..field + page[field..].find("</label>").expect("its label ends")];
        assert!(beside.contains(r#"class="field-error""#), "{password:?}: no message beside the field: {beside}");
        assert!(beside.contains(why), "{password:?}: expected {why:?} beside the field: {beside}");
        assert!(page.contains(r#"value="newreviewer@example.jp""#), "the e-mail comes back as typed");
        assert!(!page.contains(password.trim()) || password.trim().is_empty(), "the password is not echoed");
    }
    assert_eq!(users(&app).await, before, "no user written");
    let good = post_form(
        &app,
        &admin,
        "/api/create_user",
        "/admin/users",
        &[
            ("email", "newreviewer@example.jp"),
            ("display_name", "新しい 審査員"),
            ("role", "reviewer"),
            ("password", "tulip river quiet 4729"),
            ("facility", ""),
            ("corporation", ""),
            ("association", "dental"),
            ("prefecture", "13"),
        ],
    )
    .await;
    assert!(!location(&good).contains("__err"), "a passphrase is accepted: {}", location(&good));
    assert_eq!(users(&app).await, before + 1);
}

#[tokio::test]
async fn a_password_reset_to_a_weak_password_is_refused_and_the_old_password_keeps_working() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = ?")
        .bind(MANAGER)
        .fetch_one(app.pool())
        .await
        .expect("manager id");
    for (password, why) in [WEAK[0], WEAK[1], WEAK[2], ("Manager-Spring-2026", "「@」より前の部分を含めないでください")]
    {
        let res = post_form(
            &app,
            &admin,
            "/api/reset_password",
            "/admin/users",
            &[("user_id", id.to_string().as_str()), ("password", password)],
        )
        .await;
        let back = location(&res);
        assert!(back.contains("__err"), "{password:?} accepted");
        let page = admin.get(&back).send().await.expect("GET").text().await.expect("body");
        assert!(page.contains(why), "{password:?}: expected {why:?}");
        assert!(page.contains("<details open"), "the refused row's form is open");
    }
    let res = app.post_login(MANAGER, DEMO_PASSWORD).await;
    assert_eq!(location(&res), "/", "the old password still works");
}

#[test]
fn the_server_refuses_to_start_with_a_weak_demo_password() {
    let dir = tempfile::tempdir().expect("dir");
    let out = Command::new(env!("CARGO_BIN_EXE_onshi"))
        .args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(dir.path().join("onshi.sqlite"))
        .env("ONSHI_DEMO_PASSWORD", "password1234")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .expect("run onshi serve");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("ONSHI_DEMO_PASSWORD"), "{stderr}");
    assert!(stderr.contains("流出したパスワード"), "{stderr}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("Onshi listening on"));
}
