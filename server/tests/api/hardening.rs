//! What a signed-in user, or an operator's slip, must not be able to do: keep a session the
//! admin ended, find facilities' data in a cache or a backup, restore under a running server,
//! confirm one draft twice, or grow shared lists and drafts without bound.

use crate::helpers::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_onshi");

/// A client signed in as `email` with the demo password (a manager: no second factor).
async fn signed_in(app: &TestApp, email: &str) -> reqwest::Client {
    let c = client();
    let res = post_form(app, &c, "/api/login", "/login", &[("email", email), ("password", DEMO_PASSWORD)]).await;
    assert_eq!(location(&res), "/", "{email} signs in");
    c
}

async fn status_of(app: &TestApp, who: &reqwest::Client, path: &str) -> (u16, String) {
    let res = who.get(app.url(path)).send().await.expect("GET");
    (res.status().as_u16(), location(&res))
}

async fn user_id(app: &TestApp, email: &str) -> String {
    sqlx::query_scalar::<_, i64>("SELECT id FROM users WHERE email = ?")
        .bind(email)
        .fetch_one(app.pool())
        .await
        .expect("user")
        .to_string()
}

#[tokio::test]
async fn a_password_reset_a_scope_change_and_disabling_each_end_the_users_sessions() {
    let app = spawn_app().await;
    app.login_as(ADMIN).await;
    let manager = user_id(&app, MANAGER).await;
    let facility: String = sqlx::query_scalar::<_, i64>("SELECT id FROM facilities ORDER BY id LIMIT 1")
        .fetch_one(app.pool())
        .await
        .expect("facility")
        .to_string();
    let changes: [(&str, Vec<(&str, &str)>); 3] = [
        ("/api/reset_password", vec![("user_id", &manager), ("password", DEMO_PASSWORD)]),
        (
            "/api/set_user_scope",
            vec![
                ("user_id", &manager),
                ("role", "clinic_manager"),
                ("facility", &facility),
                ("corporation", ""),
                ("association", ""),
                ("prefecture", ""),
            ],
        ),
        ("/api/set_user_disabled", vec![("user_id", &manager), ("disabled", "true"), ("confirm", "on")]),
    ];
    for (endpoint, form) in changes {
        let session = signed_in(&app, MANAGER).await;
        let other_device = signed_in(&app, MANAGER).await;
        assert_eq!(status_of(&app, &session, "/facilities").await.0, 200, "before {endpoint}");
        let res = post_form(&app, &app.client, endpoint, "/admin/users", &form).await;
        assert_eq!(res.status(), 302, "{endpoint}: {}", location(&res));
        for who in [&session, &other_device] {
            assert_eq!(status_of(&app, who, "/facilities").await, (303, "/login".to_owned()), "after {endpoint}");
        }
        let stale: i64 =
            sqlx::query_scalar("SELECT count(*) FROM tower_sessions").fetch_one(app.pool()).await.expect("sessions");
        assert!(stale >= 1, "the admin's own session is still there");
    }
    // The admin's own session survives changes to other users.
    assert_eq!(app.get("/admin/users").await.status(), 200);
}

#[tokio::test]
async fn pages_files_and_pdfs_tell_browsers_not_to_keep_them() {
    let app = spawn_app_with_demo_activity().await;
    let manager = signed_in(&app, MANAGER).await;
    let (quote, application): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT min(q.id) FROM quotes q JOIN quote_files f ON f.quote_id = q.id), (SELECT min(id) FROM subsidy_applications)",
    )
    .fetch_one(app.pool())
    .await
    .expect("ids");
    for path in [
        "/".to_owned(),
        "/facilities".to_owned(),
        format!("/quotes/{quote}"),
        format!("/quotes/{quote}/file"),
        format!("/quotes/{quote}/letter.pdf"),
        format!("/applications/{application}/package.pdf"),
        "/exports/facilities.csv".to_owned(),
    ] {
        let res = manager.get(app.url(&path)).send().await.expect("GET");
        assert_eq!(res.status(), 200, "{path}");
        let cache = res.headers().get("cache-control").map(|v| v.to_str().unwrap_or("").to_owned());
        assert_eq!(cache.as_deref(), Some("no-store"), "{path}");
    }
    let login = client().get(app.url("/login")).send().await.expect("GET /login");
    assert_eq!(login.headers().get("cache-control").map(|v| v.to_str().unwrap_or("")), Some("no-store"));
}

fn onshi(args: &[&str], db: &Path) -> Output {
    Command::new(BIN).args(args).arg("--db").arg(db).env_remove("ONSHI_DB").output().expect("run onshi")
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

async fn open(db: &Path) -> sqlx::SqlitePool {
    sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display())).await.expect("open")
}

#[tokio::test]
async fn a_restore_is_refused_while_a_server_runs_and_a_backup_holds_no_session() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let dir = tempfile::tempdir().expect("dir");
    let backup = dir.path().join("backup.sqlite");
    let out = onshi(&["backup", backup.to_str().expect("path")], &app.db_path);
    assert!(out.status.success(), "{}", text(&out));
    let copy = open(&backup).await;
    let sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM tower_sessions").fetch_one(&copy).await.expect("n");
    assert_eq!(sessions, 0, "a backup signs no one in");
    copy.close().await;

    let facilities_before: i64 =
        sqlx::query_scalar("SELECT count(*) FROM facilities").fetch_one(app.pool()).await.expect("n");
    let out = onshi(&["restore", backup.to_str().expect("path")], &app.db_path);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("onshi serve を停止してから"), "{}", text(&out));
    let moved_aside = std::fs::read_dir(app.db_path.parent().expect("dir"))
        .expect("list")
        .filter_map(Result::ok)
        .any(|e| e.file_name().to_string_lossy().contains("before-restore"));
    assert!(!moved_aside, "nothing was moved");
    // The running server still writes into the file it serves.
    assert_eq!(app.get("/facilities").await.status(), 200);
    let facilities_after: i64 =
        sqlx::query_scalar("SELECT count(*) FROM facilities").fetch_one(app.pool()).await.expect("n");
    assert_eq!(facilities_before, facilities_after);

    let db_path = app.db_path.clone();
    let _keep = app.stop().await;
    let out = onshi(&["restore", backup.to_str().expect("path")], &db_path);
    assert!(out.status.success(), "once the server stopped: {}", text(&out));
}

/// A copy of the demo database whose audit trail lost its append-only trigger.
async fn unprotected_copy(dir: &Path) -> PathBuf {
    let source = dir.join("source.sqlite");
    let prepared = server::startup::prepare_database(&source, server::startup::DemoChoice::Skip).await.expect("db");
    prepared.pool.close().await;
    let pool = open(&source).await;
    sqlx::query("DROP TRIGGER audit_log_no_update").execute(&pool).await.expect("drop trigger");
    pool.close().await;
    source
}

#[tokio::test]
async fn a_database_or_backup_whose_audit_trail_lost_its_triggers_is_refused_by_restore_and_serve() {
    let dir = tempfile::tempdir().expect("dir");
    let tampered = unprotected_copy(dir.path()).await;
    let target = dir.path().join("live").join("onshi.sqlite");
    let out = onshi(&["restore", tampered.to_str().expect("path")], &target);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("audit_log_no_update"), "{}", text(&out));
    assert!(!target.exists(), "nothing restored");

    let refused = server::startup::Application::build(settings(&tampered, false)).await;
    let Err(e) = refused else { panic!("a server started on a database without its audit-trail triggers") };
    assert!(e.to_string().contains("audit_log_no_update"), "{e}");
}

async fn demo_hospital(app: &TestApp) -> i64 {
    sqlx::query_scalar(
        "SELECT id FROM facilities WHERE facility_type = 'hospital' AND corporation_id = (SELECT id FROM corporations WHERE code = 'demo_corp') LIMIT 1",
    )
    .fetch_one(app.pool())
    .await
    .expect("hospital")
}

fn demo_quote() -> Vec<u8> {
    std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../seed/demo_quotes").join("clinic_cover.xlsx"))
        .expect("demo quote")
}

async fn upload(app: &TestApp, facility: i64) -> String {
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(demo_quote()).file_name("見積書.xlsx"));
    let res = app
        .client
        .post(app.url(&format!("/facilities/{facility}/quotes")))
        .header("Origin", app.base.clone())
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(res.status(), 303);
    location(&res)
}

#[tokio::test]
async fn two_confirms_of_one_draft_sent_at_once_store_one_quote() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let facility = demo_hospital(&app).await;
    for round in 0..5 {
        let draft = upload(&app, facility).await;
        let token = draft.rsplit('/').next().expect("token").to_owned();
        let form = [("token", token.as_str()), ("vendor_id", ""), ("new_vendor", "株式会社テスト")];
        let (a, b) = tokio::join!(
            post_form(&app, &app.client, "/api/confirm_quote", &draft, &form),
            post_form(&app, &app.client, "/api/confirm_quote", &draft, &form)
        );
        let stored: Vec<bool> =
            [&a, &b].iter().map(|r| location(r).starts_with("/quotes/") && !location(r).contains("__err")).collect();
        assert_eq!(stored.iter().filter(|s| **s).count(), 1, "round {round}: {} / {}", location(&a), location(&b));
        let quotes: i64 = sqlx::query_scalar("SELECT count(*) FROM quotes").fetch_one(app.pool()).await.expect("n");
        assert_eq!(quotes, round + 1, "round {round}");
    }
}

#[tokio::test]
async fn a_second_confirm_by_script_is_told_the_draft_is_gone_not_a_server_error() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let draft = upload(&app, demo_hospital(&app).await).await;
    let token = draft.rsplit('/').next().expect("token").to_owned();
    let form = [("token", token.as_str()), ("vendor_id", ""), ("new_vendor", "")];
    let first = post_form(&app, &app.client, "/api/confirm_quote", &draft, &form).await;
    assert!(location(&first).starts_with("/quotes/"));
    let again = app
        .client
        .post(app.url("/api/confirm_quote"))
        .header("Origin", app.base.clone())
        .form(&form)
        .send()
        .await
        .expect("POST");
    assert_eq!(again.status(), 404, "the draft was consumed by the first confirm");
}

#[tokio::test]
async fn drafts_are_capped_per_user_and_expire() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let facility = demo_hospital(&app).await;
    let mut drafts = Vec::new();
    for _ in 0..app::ssr::db::quotes::DRAFTS_PER_USER + 3 {
        drafts.push(upload(&app, facility).await);
    }
    let kept: i64 = sqlx::query_scalar("SELECT count(*) FROM quote_drafts").fetch_one(app.pool()).await.expect("n");
    assert_eq!(kept, app::ssr::db::quotes::DRAFTS_PER_USER);
    for replaced in &drafts[..3] {
        assert_eq!(app.get(replaced).await.status(), 404, "the oldest were replaced");
    }
    assert_eq!(app.get(drafts.last().expect("last")).await.status(), 200, "the newest is kept");

    sqlx::query("UPDATE quote_drafts SET created_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-4 days')")
        .execute(app.pool())
        .await
        .expect("age them");
    let deleted = app::ssr::db::quotes::prune_drafts(app.pool(), None).await.expect("prune");
    assert_eq!(deleted, app::ssr::db::quotes::DRAFTS_PER_USER as u64);
}

#[tokio::test]
async fn a_vendor_name_is_bounded_and_an_unknown_vendor_id_is_a_form_error_not_a_crash() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let facility = demo_hospital(&app).await;
    let vendors_before: i64 =
        sqlx::query_scalar("SELECT count(*) FROM vendors").fetch_one(app.pool()).await.expect("n");
    let long = "株".repeat(200_000);
    for (vendor_id, new_vendor, expected) in
        [("", long.as_str(), "80文字以内"), ("", "株式会社\nテスト", "改行"), ("999999", "", "登録されていません")]
    {
        let draft = upload(&app, facility).await;
        let token = draft.rsplit('/').next().expect("token").to_owned();
        let form = [("token", token.as_str()), ("vendor_id", vendor_id), ("new_vendor", new_vendor)];
        let res = post_form(&app, &app.client, "/api/confirm_quote", &draft, &form).await;
        let back = location(&res);
        assert!(back.contains("__err"), "{back}");
        let url = if back.starts_with("http") { back.clone() } else { app.url(&back) };
        let page = app.client.get(url).send().await.expect("GET").text().await.expect("body");
        assert!(page.contains(expected), "{expected}");
    }
    let quotes: i64 = sqlx::query_scalar("SELECT count(*) FROM quotes").fetch_one(app.pool()).await.expect("n");
    let vendors_after: i64 = sqlx::query_scalar("SELECT count(*) FROM vendors").fetch_one(app.pool()).await.expect("n");
    assert_eq!((quotes, vendors_after), (0, vendors_before), "nothing stored");
}

/// A script's POST to a server function (no Accept: text/html, so no redirect).
async fn call(app: &TestApp, who: &reqwest::Client, endpoint: &str, form: &[(&str, &str)]) -> (u16, String) {
    let res = who.post(app.url(endpoint)).header("Origin", app.base.clone()).form(form).send().await.expect("POST");
    (res.status().as_u16(), res.text().await.expect("body"))
}

#[tokio::test]
async fn server_functions_answer_the_status_their_error_means_and_never_echo_parser_messages() {
    let app = spawn_app().await;
    let anonymous = client();
    let (status, body) =
        call(&app, &anonymous, "/api/login", &[("email", MANAGER), ("password", "wrong-password-1")]).await;
    assert!(matches!(status, 400 | 401), "a failed login: {status} {body}");
    app.login_as(MANAGER).await;
    let (status, _) = call(&app, &app.client, "/api/complaint", &[("id", "999999")]).await;
    assert_eq!(status, 404, "not found");
    let facility: String = sqlx::query_scalar::<_, i64>(
        "SELECT id FROM facilities WHERE corporation_id = (SELECT id FROM corporations WHERE code = 'demo_corp') LIMIT 1",
    )
    .fetch_one(app.pool())
    .await
    .expect("facility")
    .to_string();
    let stage = |stage: &'static str, blocker: &'static str| {
        let facility = facility.clone();
        vec![
            ("facility_id", facility),
            ("stage", stage.to_owned()),
            ("reached_on", "2022-08-01".to_owned()),
            ("vendor_id", String::new()),
            ("blocker_code", blocker.to_owned()),
            ("blocker_text", String::new()),
        ]
    };
    let as_refs = |v: &[(&'static str, String)]| v.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
    let form = as_refs(&stage("no_such_stage", ""));
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _) = call(&app, &app.client, "/api/record_stage", &form).await;
    assert_eq!(status, 400, "invalid input");
    let (status, body) = call(&app, &app.client, "/api/record_stage", &[("facility_id", "abc")]).await;
    assert_eq!(status, 400, "malformed fields: {body}");
    assert!(!body.contains("invalid digit") && !body.contains("missing") && !body.contains("i64"), "{body}");
    assert!(body.contains("形式が正しくありません"), "{body}");

    // A blocker code that is in no list, and a maker that is in no list, are form errors.
    let form = as_refs(&stage("vendor_ordered", "<script>alert(1)</script>"));
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, body) = call(&app, &app.client, "/api/record_stage", &form).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("一覧にない阻害要因"), "{body}");
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM facility_progress WHERE blocker_code LIKE '%script%'")
        .fetch_one(app.pool())
        .await
        .expect("n");
    assert_eq!(stored, 0);
    let (status, body) = call(
        &app,
        &app.client,
        "/api/apply_reader",
        &[
            ("facility_ids", facility.as_str()),
            ("applied_on", "2021-03-01"),
            ("readers", "1"),
            ("maker", "no_such_maker"),
            ("bulk_declared_on", ""),
        ],
    )
    .await;
    assert_eq!(status, 400, "an unknown maker: {body}");
    assert!(body.contains("一覧にない機種"), "{body}");
}

#[tokio::test]
async fn a_crafted_error_link_does_not_put_its_text_in_the_login_pages_alert() {
    use base64::Engine;
    let app = spawn_app().await;
    let fake = serde_json::to_vec(&app::UiError::Invalid("至急 0120-000-000 にお電話ください".into())).expect("json");
    let err = base64::engine::general_purpose::URL_SAFE.encode(fake);
    let html = client()
        .get(app.url(&format!("/login?__path=%2Fapi%2Flogin&__err={err}")))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    assert!(!html.contains("0120-000-000"), "the crafted message is not shown");
    // The errors Onshi itself sends back are still shown.
    let res =
        post_form(&app, &client(), "/api/login", "/login", &[("email", MANAGER), ("password", "wrong-password-1")])
            .await;
    let back = location(&res);
    assert!(back.contains("__sig="), "{back}");
    let url = if back.starts_with("http") { back.clone() } else { app.url(&back) };
    let html = client().get(url).send().await.expect("GET").text().await.expect("body");
    assert!(html.contains(app::api::LOGIN_FAILED), "Onshi's own error is shown");
}

#[tokio::test]
async fn a_request_for_another_host_or_from_another_scheme_is_refused() {
    let app = spawn_app().await;
    let res = client().get(app.url("/login")).header("Host", "evil.example").send().await.expect("GET");
    assert_eq!(res.status(), 421);
    let res = client()
        .post(app.url("/api/login"))
        .header("Origin", app.base.replace("http://", "https://"))
        .form(&[("email", MANAGER), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 403, "an https page may not post to the http site");
    assert_eq!(app.get("/healthz").await.status(), 200);
}

#[tokio::test]
async fn opening_a_complaint_page_changes_nothing_and_opening_the_notification_marks_it_read() {
    let app = spawn_app_with_demo_activity().await;
    let manager = signed_in(&app, MANAGER).await;
    let (complaint, user): (i64, i64) =
        sqlx::query_as("SELECT (SELECT min(id) FROM complaints), (SELECT id FROM users WHERE email = ?)")
            .bind(MANAGER)
            .fetch_one(app.pool())
            .await
            .expect("ids");
    sqlx::query("INSERT INTO notifications (user_id, complaint_id, message) VALUES (?, ?, '苦情が更新されました')")
        .bind(user)
        .bind(complaint)
        .execute(app.pool())
        .await
        .expect("notification");
    let unread = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM notifications WHERE user_id = ? AND complaint_id = ? AND read_at IS NULL",
        )
        .bind(user)
        .bind(complaint)
        .fetch_one(app.pool())
        .await
        .expect("n")
    };
    let before = unread().await;
    assert!(before >= 1);
    for _ in 0..2 {
        assert_eq!(status_of(&app, &manager, &format!("/complaints/{complaint}")).await.0, 200);
    }
    assert_eq!(unread().await, before, "a GET changed nothing");
    let home = manager.get(app.url("/")).send().await.expect("GET").text().await.expect("body");
    assert!(home.contains(r#"action="/api/open_notification""#), "お知らせ opens by a form");
    let res =
        post_form(&app, &manager, "/api/open_notification", "/", &[("complaint_id", complaint.to_string().as_str())])
            .await;
    assert_eq!(location(&res), format!("/complaints/{complaint}"));
    assert_eq!(unread().await, 0);
}

#[tokio::test]
async fn a_vendor_a_manager_types_in_reaches_other_corporations_only_once_an_admin_reviewed_it() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let draft = upload(&app, demo_hospital(&app).await).await;
    let token = draft.rsplit('/').next().expect("token").to_owned();
    let form = [("token", token.as_str()), ("vendor_id", ""), ("new_vendor", "株式会社 みどりシステム")];
    let res = post_form(&app, &app.client, "/api/confirm_quote", &draft, &form).await;
    assert!(location(&res).starts_with("/quotes/"), "{}", location(&res));
    let (vendor, manager, someone_else): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT id FROM vendors WHERE name = '株式会社 みどりシステム'),
                (SELECT id FROM users WHERE email = ?), (SELECT id FROM users WHERE email = ?)",
    )
    .bind(MANAGER)
    .bind(AUDITOR)
    .fetch_one(app.pool())
    .await
    .expect("ids");
    let listed = |user: i64| {
        let pool = app.pool().clone();
        async move {
            app::ssr::db::provisioning::vendors(&pool, user).await.expect("vendors").iter().any(|(id, _)| *id == vendor)
        }
    };
    assert!(listed(manager).await, "the manager who typed it picks it again");
    assert!(!listed(someone_else).await, "nobody else's forms offer it yet");
    let reference = app.get_html("/reference/vendors").await;
    assert!(!reference.contains("みどりシステム"), "not in the shared reference list yet");
    let _ = app.post_logout().await;

    app.login_as(ADMIN).await;
    let page = app.get_html("/admin/vendors").await;
    assert!(
        page.contains("株式会社 みどりシステム") && page.contains(MANAGER),
        "waiting for review, with who typed it"
    );
    let form = [("vendor_id", vendor.to_string()), ("name", "株式会社みどりシステム".to_owned())];
    let res = post_form(&app, &app.client, "/api/review_vendor", "/admin/vendors", &form).await;
    assert_eq!(location(&res), "/admin/vendors");
    assert!(listed(someone_else).await, "reviewed: in everyone's list");
    let (name, action): (String, String) = sqlx::query_as(
        "SELECT v.name, (SELECT action FROM audit_log WHERE entity = 'vendor' ORDER BY id DESC LIMIT 1) FROM vendors v WHERE v.id = ?",
    )
    .bind(vendor)
    .fetch_one(app.pool())
    .await
    .expect("vendor");
    assert_eq!((name.as_str(), action.as_str()), ("株式会社みどりシステム", "review"));
    assert!(app.get_html("/admin/vendors").await.contains("確認待ちの事業者はありません"));
}
