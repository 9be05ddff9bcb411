//! Admin pages: users created, disabled, reset and re-scoped through the forms, each change in the audit trail.

use crate::helpers::*;
use sqlx::SqlitePool;

async fn post_form(app: &TestApp, who: &reqwest::Client, endpoint: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    crate::helpers::post_form(app, who, endpoint, "/admin/users", fields).await
}

async fn signed_in(app: &TestApp, email: &str, password: &str) -> (reqwest::Client, reqwest::Response) {
    let c = client();
    let code = app.code_for(email).await;
    let res = post_form(app, &c, "/api/login", &[("email", email), ("password", password), ("code", &code)]).await;
    (c, res)
}

async fn counts(pool: &SqlitePool) -> (i64, i64) {
    let users = sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(pool).await.expect("users");
    let log = sqlx::query_scalar("SELECT count(*) FROM audit_log").fetch_one(pool).await.expect("log");
    (users, log)
}

const NEW_PASSWORD: &str = "a-long-enough-password";

fn reviewer_form<'a>(email: &'a str, prefecture: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("email", email),
        ("display_name", "新しい 審査員"),
        ("role", "reviewer"),
        ("password", NEW_PASSWORD),
        ("facility", ""),
        ("corporation", ""),
        ("association", "dental"),
        ("prefecture", prefecture),
    ]
}

#[tokio::test]
async fn an_admin_creates_a_reviewer_who_can_sign_in_and_the_trail_records_it_without_the_password() {
    let app = spawn_app().await;
    let (admin, _) = signed_in(&app, ADMIN, DEMO_PASSWORD).await;
    let res = post_form(&app, &admin, "/api/create_user", &reviewer_form("dental@example.jp", "13")).await;
    assert_eq!(res.status(), 302);
    assert_eq!(location(&res), "/admin/users");
    let page = admin.get(app.url("/admin/users")).send().await.expect("GET").text().await.expect("body");
    assert!(page.contains("dental@example.jp") && page.contains("東京都 歯科医師会"), "listed with its scope");

    let (_, res) = signed_in(&app, "dental@example.jp", NEW_PASSWORD).await;
    assert_eq!(location(&res), "/");
    let (actor, action, after): (String, String, String) = sqlx::query_as(
        "SELECT actor_label, action, after_json FROM audit_log WHERE entity = 'user' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(app.pool())
    .await
    .expect("log row");
    assert_eq!((actor.as_str(), action.as_str()), (ADMIN, "create"));
    assert!(after.contains("dental@example.jp") && after.contains("\"prefecture\":\"13\""), "{after}");
    let leaked: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE after_json LIKE ? OR after_json LIKE '%argon2%'")
            .bind(format!("%{NEW_PASSWORD}%"))
            .fetch_one(app.pool())
            .await
            .expect("count");
    assert_eq!(leaked, 0);
    assert!(server::audit_log::verify(app.pool()).await.expect("verify").is_intact());
}

#[tokio::test]
async fn a_bad_form_is_refused_with_what_to_fix_and_writes_nothing() {
    let app = spawn_app().await;
    let (admin, _) = signed_in(&app, ADMIN, DEMO_PASSWORD).await;
    let before = counts(app.pool()).await;
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (reviewer_form("x@example.jp", ""), "都道府県"),
        (reviewer_form("not-an-email", "13"), "形式"),
        (reviewer_form(MANAGER, "13"), "既に登録"),
        (
            vec![
                ("email", "m@example.jp"),
                ("display_name", "担当"),
                ("role", "clinic_manager"),
                ("password", NEW_PASSWORD),
                ("facility", ""),
                ("corporation", ""),
                ("association", ""),
                ("prefecture", ""),
            ],
            "施設か法人",
        ),
        (
            vec![
                ("email", "m@example.jp"),
                ("display_name", "担当"),
                ("role", "clinic_manager"),
                ("password", NEW_PASSWORD),
                ("facility", "0110113718"),
                ("corporation", ""),
                ("association", ""),
                ("prefecture", ""),
            ],
            "検証番号",
        ),
        (
            vec![
                ("email", "s@example.jp"),
                ("display_name", "短い"),
                ("role", "auditor"),
                ("password", "short"),
                ("facility", ""),
                ("corporation", ""),
                ("association", ""),
                ("prefecture", ""),
            ],
            "12文字以上にしてください",
        ),
    ];
    for (form, expected) in cases {
        let res = post_form(&app, &admin, "/api/create_user", &form).await;
        let back = location(&res);
        assert!(back.contains("__err"), "{form:?} should fail");
        let page = admin.get(&back).send().await.expect("GET").text().await.expect("body");
        assert!(page.contains(expected), "{form:?}: expected {expected:?}");
    }
    assert_eq!(counts(app.pool()).await, before, "no user and no log row written");
}

#[tokio::test]
async fn a_disabled_user_cannot_sign_in_and_an_admin_cannot_disable_themselves() {
    let app = spawn_app().await;
    let (admin, _) = signed_in(&app, ADMIN, DEMO_PASSWORD).await;
    let id = |email: &'static str| {
        let pool = app.pool().clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT id FROM users WHERE email = ?")
                .bind(email)
                .fetch_one(&pool)
                .await
                .expect("id")
        }
    };
    let manager = id(MANAGER).await.to_string();
    // Disabling is confirmed first: without the box ticked nothing changes.
    let res = post_form(&app, &admin, "/api/set_user_disabled", &[("user_id", &manager), ("disabled", "true")]).await;
    assert!(location(&res).contains("__err"), "unconfirmed");
    let disabled: bool = sqlx::query_scalar("SELECT disabled FROM users WHERE email = ?")
        .bind(MANAGER)
        .fetch_one(app.pool())
        .await
        .expect("user");
    assert!(!disabled, "nothing changed");
    let confirmed = [("user_id", manager.as_str()), ("disabled", "true"), ("confirm", "on")];
    let res = post_form(&app, &admin, "/api/set_user_disabled", &confirmed).await;
    assert_eq!(res.status(), 302);
    assert_eq!(done_of(&res).as_deref(), Some("set_user_disabled"));
    let (_, res) = signed_in(&app, MANAGER, DEMO_PASSWORD).await;
    assert!(location(&res).contains("__err"), "disabled");
    let action: String = sqlx::query_scalar("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1")
        .fetch_one(app.pool())
        .await
        .expect("row");
    assert_eq!(action, "disable");

    let me = id(ADMIN).await.to_string();
    let res =
        post_form(&app, &admin, "/api/set_user_disabled", &[("user_id", &me), ("disabled", "true"), ("confirm", "on")])
            .await;
    assert!(location(&res).contains("__err"));
    assert_eq!(admin.get(app.url("/admin/users")).send().await.expect("GET").status(), 200, "still signed in");
}

#[tokio::test]
async fn a_password_reset_replaces_the_old_password() {
    let app = spawn_app().await;
    let (admin, _) = signed_in(&app, ADMIN, DEMO_PASSWORD).await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = ?")
        .bind(AUDITOR)
        .fetch_one(app.pool())
        .await
        .expect("id");
    let res =
        post_form(&app, &admin, "/api/reset_password", &[("user_id", &id.to_string()), ("password", NEW_PASSWORD)])
            .await;
    assert_eq!(res.status(), 302);
    let (_, old) = signed_in(&app, AUDITOR, DEMO_PASSWORD).await;
    assert!(location(&old).contains("__err"));
    let (_, new) = signed_in(&app, AUDITOR, NEW_PASSWORD).await;
    assert_eq!(location(&new), "/");
}

#[tokio::test]
async fn moving_a_reviewer_to_another_prefecture_changes_what_they_see() {
    let app = spawn_app().await;
    let (admin, _) = signed_in(&app, ADMIN, DEMO_PASSWORD).await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = ?")
        .bind(REVIEWER)
        .fetch_one(app.pool())
        .await
        .expect("id");
    let id = id.to_string();
    let form = [
        ("user_id", id.as_str()),
        ("role", "reviewer"),
        ("facility", ""),
        ("corporation", ""),
        ("association", "medical"),
        ("prefecture", "13"),
    ];
    let res = post_form(&app, &admin, "/api/set_user_scope", &form).await;
    assert_eq!(res.status(), 302);
    let (reviewer, _) = signed_in(&app, REVIEWER, DEMO_PASSWORD).await;
    let html = reviewer.get(app.url("/facilities")).send().await.expect("GET").text().await.expect("body");
    assert!(html.contains("東京都") && !html.contains("福岡県"), "now Tokyo's medical facilities only");
    let (before, after): (String, String) =
        sqlx::query_as("SELECT before_json, after_json FROM audit_log WHERE action = 'update_scope'")
            .fetch_one(app.pool())
            .await
            .expect("row");
    assert!(before.contains("\"40\"") && after.contains("\"13\""), "{before} → {after}");
}

#[tokio::test]
async fn only_admins_can_post_the_admin_forms() {
    let app = spawn_app().await;
    let before = counts(app.pool()).await;
    for email in [MANAGER, REVIEWER, AUDITOR] {
        let (who, _) = signed_in(&app, email, DEMO_PASSWORD).await;
        let res = post_form(&app, &who, "/api/create_user", &reviewer_form("intruder@example.jp", "13")).await;
        assert_eq!(res.status(), 403, "{email}");
    }
    assert_eq!(counts(app.pool()).await, before);
}

#[tokio::test]
async fn auditors_filter_the_trail_and_export_it_as_csv_with_a_bom() {
    let app = spawn_app().await;
    let (admin, _) = signed_in(&app, ADMIN, DEMO_PASSWORD).await;
    post_form(&app, &admin, "/api/create_user", &reviewer_form("r1@example.jp", "13")).await;
    post_form(&app, &admin, "/api/create_user", &reviewer_form("r2@example.jp", "14")).await;
    let (auditor, _) = signed_in(&app, AUDITOR, DEMO_PASSWORD).await;
    let page = auditor
        .get(app.url("/audit-log?entity=user&action=create"))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    assert!(page.contains("2件"), "two creations");
    assert!(page.contains("r2@example.jp"));
    // The page reads in Japanese: names for the action and the record, the changed fields one
    // per line, no raw JSON, no English codes, the time in JST with the era.
    let table = &page[page.find(r#"data-testid="trail""#).expect("the trail")..];
    assert!(table.contains("<td>登録</td>") && table.contains("利用者 #"), "{table}");
    assert!(table.contains("役割: 審査担当（医師会等）") && table.contains("都道府県: 神奈川県"), "{table}");
    assert!(!table.contains("{&quot;") && !table.contains("{\""), "no raw JSON: {table}");
    assert!(!table.contains(">create<") && !table.contains(">user #"), "no English codes: {table}");
    let stored: String = sqlx::query_scalar("SELECT at FROM audit_log WHERE entity = 'user' ORDER BY id DESC LIMIT 1")
        .fetch_one(app.pool())
        .await
        .expect("row");
    assert!(
        page.contains("日時（日本時間）") && table.contains(&rules::format_timestamp_jst(&stored)),
        "{stored} in JST"
    );
    // The filters are choices by name that keep what was chosen.
    assert!(page.contains(r#"<option value="user" selected>利用者</option>"#), "the chosen record kind");
    assert!(page.contains(r#"<option value="record_stage">導入段階の記録</option>"#));
    let csv = auditor.get(app.url("/audit-log.csv?entity=user&action=create")).send().await.expect("GET");
    assert_eq!(csv.status(), 200);
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let bytes = csv.bytes().await.expect("body");
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "UTF-8 BOM for Excel");
    let text = String::from_utf8(bytes[3..].to_vec()).expect("utf-8");
    assert!(text.starts_with("日時,操作者,操作,対象,対象ID,変更前,変更後,ハッシュ"), "{text}");
    assert_eq!(text.lines().count(), 3, "header and two rows");
}
