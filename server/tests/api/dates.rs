//! Dates that fit together: every form that enters a provisioning, payment or 交付申請 date
//! refuses one out of order with the facility's other dates (both named, beside the field, the
//! form filled in again, nothing stored), and `onshi check-dates` lists what is stored out of
//! order — none in the demo data or in `seed-national`'s.

use crate::helpers::*;
use sqlx::SqlitePool;
use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_onshi");

/// The contract-before-application message, exactly as the manager reads it.
const CONTRACT_BEFORE_APPLICATION: &str = "ベンダー契約日（発注日）（令和4年7月1日）がカードリーダー申込日（令和4年8月1日）より前になっています。ベンダー契約日（発注日）はカードリーダー申込日以降の日付にしてください";

async fn post(app: &TestApp, endpoint: &str, from: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    post_form(app, &app.client, endpoint, from, fields).await
}

/// The post went through: redirected without an error.
fn assert_done(res: &reqwest::Response, what: &str) {
    let to = location(res);
    assert!(res.status().is_redirection() && !to.contains("__err"), "{what}: {} → {to}", res.status());
}

/// The page a refused post leads back to.
async fn refused_page(app: &TestApp, res: &reqwest::Response) -> String {
    let back = location(res);
    assert!(back.contains("__err"), "refused: {back}");
    // Back to the Referer, which the browser sent whole.
    let url = if back.starts_with("http") { back } else { app.url(&back) };
    let res = app.client.get(&url).send().await.expect("GET");
    assert_eq!(res.status(), 200, "GET {url}");
    res.text().await.expect("body")
}

/// The message shows beside its field (not only in an alert at the top).
fn assert_beside(html: &str, message: &str) {
    // The span carries the field's error id too (its aria-describedby target).
    let beside = format!(r#"role="alert" class="field-error">{message}</span>"#);
    assert!(html.contains(&beside), "{message} beside its field in:\n{}", excerpt(html, "field-error"));
}

fn excerpt(html: &str, around: &str) -> String {
    let mut start = html.find(around).unwrap_or(0).saturating_sub(600);
    while !html.is_char_boundary(start) {
        start -= 1;
    }
    html[start..].chars().take(1600).collect()
}

/// Everything the date forms write, as one text: equal before and after a refusal.
async fn snapshot(pool: &SqlitePool) -> String {
    sqlx::query_scalar(
        "SELECT (SELECT coalesce(group_concat(facility_id || ':' || applied_on || ':' || coalesce(model_chosen_on, '-'), ','), '')
                 FROM reader_applications)
             || '|' || (SELECT coalesce(group_concat(facility_id || ':' || stage || ':' || coalesce(vendor_contract_on, '-')
                 || ':' || coalesce(completed_on, '-') || ':' || coalesce(operation_started_on, '-')
                 || ':' || coalesce(subsidy_applied_on, '-'), ','), '') FROM facility_progress)
             || '|' || (SELECT coalesce(group_concat(id || ':' || coalesce(paid_on, '-'), ','), '') FROM quotes)
             || '|' || (SELECT coalesce(group_concat(id || ':' || status || ':' || applied_on || ':' || coalesce(paid_on, '-'), ','), '')
                 FROM subsidy_applications)
             || '|' || (SELECT count(*) FROM stage_events) || '|' || (SELECT count(*) FROM audit_log)",
    )
    .fetch_one(pool)
    .await
    .expect("snapshot")
}

/// Facilities of the demo corporation of one type, by id.
async fn own_facilities(app: &TestApp, kind: &str) -> Vec<i64> {
    sqlx::query_scalar(
        "SELECT id FROM facilities WHERE corporation_id = (SELECT id FROM corporations WHERE code = 'demo_corp')
           AND facility_type = ? ORDER BY id",
    )
    .bind(kind)
    .fetch_all(app.pool())
    .await
    .expect("facilities of the demo corporation")
}

fn apply_fields<'a>(ids: &'a str, applied_on: &'a str, maker: &'a str) -> [(&'static str, &'a str); 5] {
    [("facility_ids", ids), ("applied_on", applied_on), ("readers", "1"), ("maker", maker), ("bulk_declared_on", "")]
}

fn stage_fields<'a>(id: &'a str, stage: &'a str, on: &'a str) -> [(&'static str, &'a str); 6] {
    [
        ("facility_id", id),
        ("stage", stage),
        ("reached_on", on),
        ("vendor_id", ""),
        ("blocker_code", ""),
        ("blocker_text", ""),
    ]
}

#[tokio::test]
async fn a_vendor_contract_before_the_reader_application_is_refused_naming_both_dates_and_nothing_is_stored() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let id = own_facilities(&app, "medical_clinic").await[0];
    let (ids, page) = (id.to_string(), format!("/facilities/{id}"));
    assert_done(
        &post(&app, "/api/apply_reader", &page, &apply_fields(&ids, "2022-08-01", "fujitsu_japan")).await,
        "apply",
    );

    let before = snapshot(app.pool()).await;
    let res = post(&app, "/api/record_stage", &page, &stage_fields(&ids, "vendor_ordered", "2022-07-01")).await;
    let html = refused_page(&app, &res).await;
    assert_beside(&html, CONTRACT_BEFORE_APPLICATION);
    let form = excerpt(&html, r#"data-testid="record-stage""#);
    assert!(form.contains(r#"value="2022-07-01""#), "the date typed is kept:\n{form}");
    assert!(form.contains(r#"<option value="vendor_ordered" selected"#), "the stage chosen is kept:\n{form}");
    assert_eq!(snapshot(app.pool()).await, before, "nothing stored");

    // Completion before the contract, operation before completion: refused the same way.
    assert_done(
        &post(&app, "/api/record_stage", &page, &stage_fields(&ids, "vendor_ordered", "2022-09-10")).await,
        "contract",
    );
    for (stage, on, message) in [
        (
            "installed",
            "2022-09-01",
            "導入完了日（令和4年9月1日）がベンダー契約日（発注日）（令和4年9月10日）より前になっています。導入完了日はベンダー契約日（発注日）以降の日付にしてください",
        ),
        (
            "operating",
            "2022-08-31",
            "運用開始日（令和4年8月31日）がベンダー契約日（発注日）（令和4年9月10日）より前になっています。運用開始日はベンダー契約日（発注日）以降の日付にしてください",
        ),
    ] {
        let before = snapshot(app.pool()).await;
        let html =
            refused_page(&app, &post(&app, "/api/record_stage", &page, &stage_fields(&ids, stage, on)).await).await;
        assert_beside(&html, message);
        assert_eq!(snapshot(app.pool()).await, before, "{stage}: nothing stored");
    }
    assert_done(
        &post(&app, "/api/record_stage", &page, &stage_fields(&ids, "installed", "2022-11-20")).await,
        "completed",
    );
    let before = snapshot(app.pool()).await;
    let html = refused_page(
        &app,
        &post(&app, "/api/record_stage", &page, &stage_fields(&ids, "operating", "2022-11-19")).await,
    )
    .await;
    assert_beside(
        &html,
        "運用開始日（令和4年11月19日）が導入完了日（令和4年11月20日）より前になっています。運用開始日は導入完了日以降の日付にしてください",
    );
    assert_eq!(snapshot(app.pool()).await, before);
    assert_done(
        &post(&app, "/api/record_stage", &page, &stage_fields(&ids, "operating", "2022-11-20")).await,
        "same day",
    );

    let stored: (Option<String>, Option<String>, Option<String>, String) = sqlx::query_as(
        "SELECT vendor_contract_on, completed_on, operation_started_on, stage FROM facility_progress WHERE facility_id = ?",
    )
    .bind(id)
    .fetch_one(app.pool())
    .await
    .expect("progress");
    assert_eq!(
        stored,
        (Some("2022-09-10".into()), Some("2022-11-20".into()), Some("2022-11-20".into()), "operating".into())
    );
}

#[tokio::test]
async fn a_reader_application_after_a_recorded_contract_is_refused_and_one_before_it_is_accepted() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let id = own_facilities(&app, "medical_clinic").await[0];
    let (ids, page) = (id.to_string(), format!("/facilities/{id}"));
    // The contract was recorded first (the stage form allows it without an application).
    assert_done(
        &post(&app, "/api/record_stage", &page, &stage_fields(&ids, "vendor_ordered", "2022-07-01")).await,
        "contract",
    );

    let before = snapshot(app.pool()).await;
    let res = post(&app, "/api/apply_reader", &page, &apply_fields(&ids, "2022-08-01", "panasonic_connect")).await;
    let html = refused_page(&app, &res).await;
    assert_beside(&html, CONTRACT_BEFORE_APPLICATION);
    let form = excerpt(&html, r#"data-testid="apply-reader""#);
    assert!(form.contains(r#"value="2022-08-01""#), "the date typed is kept:\n{form}");
    assert!(form.contains(r#"<option value="panasonic_connect" selected"#), "the maker chosen is kept:\n{form}");
    assert_eq!(snapshot(app.pool()).await, before, "nothing stored");

    assert_done(
        &post(&app, "/api/apply_reader", &page, &apply_fields(&ids, "2022-06-20", "panasonic_connect")).await,
        "in order",
    );
    let applied: String = sqlx::query_scalar("SELECT applied_on FROM reader_applications WHERE facility_id = ?")
        .bind(id)
        .fetch_one(app.pool())
        .await
        .expect("stored");
    assert_eq!(applied, "2022-06-20");
}

#[tokio::test]
async fn a_model_chosen_before_the_undecided_application_is_refused() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let id = own_facilities(&app, "medical_clinic").await[0];
    let (ids, page) = (id.to_string(), format!("/facilities/{id}"));
    assert_done(&post(&app, "/api/apply_reader", &page, &apply_fields(&ids, "2021-03-15", "")).await, "機種未定");

    let before = snapshot(app.pool()).await;
    let choose =
        |on: &'static str| [("facility_id", ids.clone()), ("maker", "fujitsu_japan".into()), ("chosen_on", on.into())];
    let res = post_form(&app, &app.client, "/api/choose_model", &page, &choose("2021-03-01")).await;
    let html = refused_page(&app, &res).await;
    assert_beside(
        &html,
        "機種選定日（令和3年3月1日）がカードリーダー申込日（令和3年3月15日）より前になっています。機種選定日はカードリーダー申込日以降の日付にしてください",
    );
    let form = excerpt(&html, r#"data-testid="choose-model""#);
    assert!(
        form.contains(r#"value="2021-03-01""#) && form.contains(r#"<option value="fujitsu_japan" selected"#),
        "{form}"
    );
    assert_eq!(snapshot(app.pool()).await, before, "nothing stored");

    assert_done(&post_form(&app, &app.client, "/api/choose_model", &page, &choose("2021-04-10")).await, "in order");
    let chosen: Option<String> =
        sqlx::query_scalar("SELECT model_chosen_on FROM reader_applications WHERE facility_id = ?")
            .bind(id)
            .fetch_one(app.pool())
            .await
            .expect("stored");
    assert_eq!(chosen.as_deref(), Some("2021-04-10"));
}

#[tokio::test]
async fn a_bulk_application_with_one_facility_out_of_order_stores_nothing_and_names_that_facility() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let clinics = own_facilities(&app, "medical_clinic").await;
    let (late, other) = (clinics[0], clinics[1]);
    let name: String = sqlx::query_scalar("SELECT name FROM facilities WHERE id = ?")
        .bind(late)
        .fetch_one(app.pool())
        .await
        .expect("name");
    let late_page = format!("/facilities/{late}");
    let late_id = late.to_string();
    assert_done(
        &post(&app, "/api/record_stage", &late_page, &stage_fields(&late_id, "vendor_ordered", "2022-07-01")).await,
        "contract",
    );
    let corporation: i64 = sqlx::query_scalar("SELECT id FROM corporations WHERE code = 'demo_corp'")
        .fetch_one(app.pool())
        .await
        .expect("id");
    let page = format!("/corporations/{corporation}");
    let (late_box, other_box) = (format!("selected[{late}]"), format!("selected[{other}]"));
    let form = |on: &'static str| {
        [
            (late_box.as_str(), "on"),
            (other_box.as_str(), "on"),
            ("applied_on", on),
            ("readers", "1"),
            ("maker", "fujitsu_japan"),
            ("bulk_declared_on", ""),
        ]
    };

    let before = snapshot(app.pool()).await;
    let html = refused_page(&app, &post(&app, "/api/bulk_apply_readers", &page, &form("2022-08-01")).await).await;
    assert_beside(&html, &format!("{name}: {CONTRACT_BEFORE_APPLICATION}"));
    let bulk = excerpt(&html, r#"data-testid="bulk-apply""#);
    assert!(bulk.contains(r#"value="2022-08-01""#), "the date typed is kept:\n{bulk}");
    for checkbox in [&late_box, &other_box] {
        assert!(bulk.contains(&format!(r#"name="{checkbox}" value="on" checked"#)), "{checkbox} stays ticked:\n{bulk}");
    }
    assert_eq!(snapshot(app.pool()).await, before, "nothing stored, not even for the other facility");

    assert_done(&post(&app, "/api/bulk_apply_readers", &page, &form("2022-06-01")).await, "in order");
    let stored: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM reader_applications WHERE facility_id IN (?, ?) AND applied_on = '2022-06-01'",
    )
    .bind(late)
    .bind(other)
    .fetch_one(app.pool())
    .await
    .expect("count");
    assert_eq!(stored, 2);
}

/// Reader applied for 2021-03-15, contract 2022-10-01, completed 2023-01-20, operating from
/// 2023-02-01, and costs entered by hand: the confirmed quote's id.
async fn provisioned_with_costs(app: &TestApp, facility: i64) -> i64 {
    crate::applications::provision(app, facility).await;
    crate::applications::enter_costs(app, facility).await
}

#[tokio::test]
async fn a_receipt_dated_before_the_vendor_contract_is_refused_and_an_advance_payment_is_not() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let facility = own_facilities(&app, "medical_clinic").await[0];
    let quote = provisioned_with_costs(&app, facility).await;
    let (fid, qid, page) = (facility.to_string(), quote.to_string(), format!("/facilities/{facility}"));
    let paid = |on: &'static str| [("facility_id", fid.clone()), ("quote_id", qid.clone()), ("paid_on", on.to_owned())];

    let before = snapshot(app.pool()).await;
    let html =
        refused_page(&app, &post_form(&app, &app.client, "/api/mark_quote_paid", &page, &paid("2022-09-30")).await)
            .await;
    assert_beside(
        &html,
        "支払日（領収書の日付）（令和4年9月30日）がベンダー契約日（発注日）（令和4年10月1日）より前になっています。支払日（領収書の日付）はベンダー契約日（発注日）以降の日付にしてください",
    );
    let form = excerpt(&html, &format!(r#"data-testid="mark-paid-{quote}""#));
    assert!(form.contains(r#"value="2022-09-30""#), "the date typed is kept:\n{form}");
    assert_eq!(snapshot(app.pool()).await, before, "nothing stored");

    // Paid after the order and before completion (an advance or partial payment): accepted.
    assert_done(&post_form(&app, &app.client, "/api/mark_quote_paid", &page, &paid("2022-12-01")).await, "advance");
    let stored: Option<String> = sqlx::query_scalar("SELECT paid_on FROM quotes WHERE id = ?")
        .bind(quote)
        .fetch_one(app.pool())
        .await
        .expect("quote");
    assert_eq!(stored.as_deref(), Some("2022-12-01"));
}

#[tokio::test]
async fn a_subsidy_application_dated_before_payment_is_refused_beside_its_date_and_a_later_one_is_prepared() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let facility = own_facilities(&app, "medical_clinic").await[0];
    let quote = provisioned_with_costs(&app, facility).await;
    let (fid, qid, page) = (facility.to_string(), quote.to_string(), format!("/facilities/{facility}"));
    let paid = [("facility_id", fid.as_str()), ("quote_id", &qid), ("paid_on", "2023-02-10")];
    assert_done(&post(&app, "/api/mark_quote_paid", &page, &paid).await, "paid");

    let prepare =
        |on: &'static str| [("facility_id", fid.as_str()), ("quote_id", &qid), ("applied_on", on), ("readers", "1")];
    let before = snapshot(app.pool()).await;
    let html = refused_page(&app, &post(&app, "/api/prepare_application", &page, &prepare("2023-02-05")).await).await;
    assert_beside(
        &html,
        "交付申請日（令和5年2月5日）が支払日（領収書の日付）（令和5年2月10日）より前になっています。交付申請日は支払日（領収書の日付）以降の日付にしてください",
    );
    let form = excerpt(&html, r#"data-testid="prepare-application""#);
    assert!(form.contains(r#"value="2023-02-05""#), "the date typed is kept:\n{form}");
    assert!(!html.contains(r#"data-code="dates_out_of_order""#), "said beside the date, not again in the list");
    assert_eq!(snapshot(app.pool()).await, before, "nothing stored");

    let res = post(&app, "/api/prepare_application", &page, &prepare("2023-05-01")).await;
    let to = location(&res);
    assert!(to.starts_with("/applications/") && !to.contains("__err"), "{to}");
    let applications: i64 =
        sqlx::query_scalar("SELECT count(*) FROM subsidy_applications").fetch_one(app.pool()).await.expect("count");
    assert_eq!(applications, 1);
}

#[tokio::test]
async fn a_draft_overtaken_by_a_later_operation_start_cannot_be_submitted_and_a_grant_before_submission_is_refused() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let facility = own_facilities(&app, "medical_clinic").await[0];
    let quote = provisioned_with_costs(&app, facility).await;
    let (fid, qid, page) = (facility.to_string(), quote.to_string(), format!("/facilities/{facility}"));
    assert_done(
        &post(
            &app,
            "/api/mark_quote_paid",
            &page,
            &[("facility_id", &fid), ("quote_id", &qid), ("paid_on", "2023-02-10")],
        )
        .await,
        "paid",
    );
    let res = post(
        &app,
        "/api/prepare_application",
        &page,
        &[("facility_id", &fid), ("quote_id", &qid), ("applied_on", "2023-05-01"), ("readers", "1")],
    )
    .await;
    let application = location(&res);
    let id = application.trim_start_matches("/applications/").to_owned();

    // A draft is not yet a 交付申請: the operation start may still move past its 申請日 …
    assert_done(&post(&app, "/api/record_stage", &page, &stage_fields(&fid, "operating", "2023-06-01")).await, "moved");
    // … but then the draft cannot be submitted as it is.
    let before = snapshot(app.pool()).await;
    let res = post(
        &app,
        "/api/submit_application",
        &application,
        &[("id", &id), ("submitted_on", "2023-06-02"), ("confirm", "on")],
    )
    .await;
    let html = refused_page(&app, &res).await;
    assert!(
        html.contains("交付申請日（令和5年5月1日）が運用開始日（令和5年6月1日）より前になっています。交付申請日は運用開始日以降の日付にしてください"),
        "{}",
        excerpt(&html, "refusals")
    );
    assert!(html.contains(r#"value="2023-06-02""#), "the date typed is kept");
    assert_eq!(snapshot(app.pool()).await, before, "still a draft");

    // Prepared again after the operation start, it is submitted; the grant cannot precede the submission.
    let res = post(
        &app,
        "/api/prepare_application",
        &page,
        &[("facility_id", &fid), ("quote_id", &qid), ("applied_on", "2023-06-05"), ("readers", "1")],
    )
    .await;
    assert_eq!(location(&res), application);
    assert_done(
        &post(
            &app,
            "/api/submit_application",
            &application,
            &[("id", &id), ("submitted_on", "2023-06-06"), ("confirm", "on")],
        )
        .await,
        "submit",
    );
    let before = snapshot(app.pool()).await;
    let res = post(
        &app,
        "/api/record_application_payment",
        &application,
        &[("id", &id), ("paid_on", "2023-06-01"), ("amount", "286000")],
    )
    .await;
    let html = refused_page(&app, &res).await;
    assert_beside(
        &html,
        "交付日（令和5年6月1日）が提出日（令和5年6月6日）より前になっています。交付日は提出日以降の日付にしてください",
    );
    assert!(html.contains(r#"value="2023-06-01""#), "the date typed is kept");
    assert_eq!(snapshot(app.pool()).await, before, "not paid");
}

fn check_dates(db: &Path, extra: &[&str]) -> Output {
    Command::new(BIN)
        .arg("check-dates")
        .args(extra)
        .arg("--db")
        .arg(db)
        .env_remove("ONSHI_DB")
        .output()
        .expect("run onshi check-dates")
}

async fn count(pool: &SqlitePool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
}

#[tokio::test]
async fn the_demo_data_has_no_dates_out_of_order_and_a_conflict_planted_in_a_copy_is_listed_with_exit_1() {
    let app = spawn_app_with_demo_activity().await;
    // The demo activity has dates to check: milestones, a paid quote and a submitted application.
    let dated = count(
        app.pool(),
        "SELECT (SELECT count(*) FROM facility_progress WHERE vendor_contract_on IS NOT NULL)
              + (SELECT count(*) FROM quotes WHERE paid_on IS NOT NULL)
              + (SELECT count(*) FROM facility_progress WHERE subsidy_applied_on IS NOT NULL)",
    )
    .await;
    assert!(dated >= 5, "{dated}");
    let (name, applied): (String, String) = sqlx::query_as(
        "SELECT f.name, a.applied_on FROM facilities f JOIN reader_applications a ON a.facility_id = f.id
         WHERE f.facility_code = '4010188425'",
    )
    .fetch_one(app.pool())
    .await
    .expect("the finished clinic of the demo activity");
    assert_eq!(applied, "2022-07-15");
    // A copy of the file, to plant a conflict in (one consistent snapshot, WAL included).
    let copy = app.db_path.with_file_name("planted.sqlite");
    sqlx::query("VACUUM INTO ?").bind(copy.display().to_string()).execute(app.pool()).await.expect("copy the database");
    let db = app.db_path.clone();
    let _dir = app.stop().await.expect("the folder");

    let out = check_dates(&db, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "", "no lines");

    // The clinic's contract moved before its reader application, as a hand edit would.
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", copy.display())).await.expect("open the copy");
    sqlx::query(
        "UPDATE facility_progress SET vendor_contract_on = '2022-07-01'
         WHERE facility_id = (SELECT id FROM facilities WHERE facility_code = '4010188425')",
    )
    .execute(&pool)
    .await
    .expect("plant");
    pool.close().await;

    let out = check_dates(&copy, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!(
            "4010188425\t{name}\tベンダー契約日（発注日）（令和4年7月1日）がカードリーダー申込日（令和4年7月15日）より前になっています。ベンダー契約日（発注日）はカードリーダー申込日以降の日付にしてください\n"
        )
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("1件"), "{}", String::from_utf8_lossy(&out.stderr));

    let out = check_dates(&copy, &["--csv"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let rows: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(rows.len(), 2, "{text}");
    assert!(rows[0].starts_with("医療機関コード,施設名,"), "{}", rows[0]);
    assert!(
        rows[1].starts_with(&format!(
            "4010188425,{name},ベンダー契約日（発注日）,2022-07-01,カードリーダー申込日,2022-07-15,"
        )),
        "{}",
        rows[1]
    );
    // The original is untouched.
    assert_eq!(check_dates(&db, &[]).status.code(), Some(0));
}

#[tokio::test]
async fn a_small_seed_national_has_no_dates_out_of_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("national.sqlite");
    let out = Command::new(BIN)
        .args(["seed-national", "--facilities", "1500", "--lines-per-quote", "2", "--db"])
        .arg(&db)
        .env_remove("ONSHI_DB")
        .output()
        .expect("run onshi seed-national");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display())).await.expect("open");
        for (what, sql, at_least) in [
            ("undecided models chosen", "SELECT count(*) FROM reader_applications WHERE model_undecided = 1", 1),
            ("contracts", "SELECT count(*) FROM facility_progress WHERE vendor_contract_on IS NOT NULL", 100),
            ("operating", "SELECT count(*) FROM facility_progress WHERE operation_started_on IS NOT NULL", 100),
            ("paid quotes", "SELECT count(*) FROM quotes WHERE paid_on IS NOT NULL", 10),
            (
                "submitted applications",
                "SELECT count(*) FROM facility_progress WHERE subsidy_applied_on IS NOT NULL",
                5,
            ),
        ] {
            let n = count(&pool, sql).await;
            assert!(n >= at_least, "{what}: {n}");
        }
        pool.close().await;
    }
    let out = check_dates(&db, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "", "no lines");
}

#[test]
fn check_dates_says_its_exit_status_and_refuses_a_missing_database() {
    let out = Command::new(BIN).args(["check-dates", "--help"]).output().expect("help");
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("Exit status: 0 no conflict") && help.contains("1 some") && help.contains("--csv"), "{help}");
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("none.sqlite");
    assert_eq!(check_dates(&missing, &[]).status.code(), Some(2));
    assert!(!missing.exists(), "nothing created");
}

#[test]
fn onshi_subsidy_refuses_a_contract_before_the_reader_application() {
    let run = |contract: &str| {
        Command::new(BIN)
            .args([
                "subsidy",
                "--facility-type",
                "medical_clinic",
                "--readers",
                "1",
                "--reader-applied-on",
                "2022-08-01",
            ])
            .args(["--eligible-cost", "500000", "--vendor-contract-on", contract])
            .output()
            .expect("run onshi subsidy")
    };
    let out = run("2022-07-01");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
    assert_eq!(String::from_utf8_lossy(&out.stderr), format!("onshi subsidy: {CONTRACT_BEFORE_APPLICATION}\n"));
    assert!(run("2022-08-01").status.success(), "the same day is in order");
}
