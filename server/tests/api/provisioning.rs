//! The reader-provisioning flow over HTTP: application, model choice, stages, deadlines.

use crate::helpers::*;

async fn own_facility(app: &TestApp, kind: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT id FROM facilities WHERE corporation_id = (SELECT id FROM corporations WHERE code = 'demo_corp') AND facility_type = ? LIMIT 1",
    )
    .bind(kind)
    .fetch_one(app.pool())
    .await
    .expect("a facility of the demo corporation")
}

async fn post(app: &TestApp, endpoint: &str, referer: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    post_form(app, &app.client, endpoint, referer, fields).await
}

fn banner(html: &str) -> String {
    let start = html.find(r#"data-testid="deadline-banner""#).expect("banner");
    html[start..].chars().take(600).collect()
}

#[tokio::test]
async fn a_manager_applies_undecided_chooses_the_model_and_moves_to_operation_while_the_banner_follows() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let id = own_facility(&app, "medical_clinic").await;
    let page = format!("/facilities/{id}");
    let ids = id.to_string();

    let html = app.get_html(&page).await;
    assert!(html.contains("まだ申し込んでいません"));

    // 機種未定 outside March 2021 is refused next to the field.
    let res = post(
        &app,
        "/api/apply_reader",
        &page,
        &[
            ("facility_ids", &ids),
            ("applied_on", "2021-04-02"),
            ("readers", "1"),
            ("maker", ""),
            ("bulk_declared_on", ""),
        ],
    )
    .await;
    let back = app.client.get(crate::helpers::location(&res)).send().await.expect("GET").text().await.expect("body");
    assert!(back.contains("「機種未定」での申込は"), "refused");

    let res = post(
        &app,
        "/api/apply_reader",
        &page,
        &[
            ("facility_ids", &ids),
            ("applied_on", "令和3年3月15日"),
            ("readers", "1"),
            ("maker", ""),
            ("bulk_declared_on", ""),
        ],
    )
    .await;
    assert_eq!(location(&res), page);
    let html = app.get_html(&page).await;
    assert!(html.contains("機種未定"));
    let b = banner(&html);
    assert!(b.contains(r#"data-kind="model_choice""#), "{b}");
    assert!(b.contains("令和3年6月30日"), "{b}");

    let res = post(
        &app,
        "/api/choose_model",
        &page,
        &[("facility_id", &ids), ("maker", "fujitsu_japan"), ("chosen_on", "2021-05-10")],
    )
    .await;
    assert_eq!(res.status(), 302);
    let html = app.get_html(&page).await;
    assert!(!banner(&html).contains(r#"data-kind="model_choice""#), "model choice met");

    for (stage, on) in [
        ("vendor_ordered", "2021-07-01"),
        ("installing", "2021-09-01"),
        ("installed", "2021-10-01"),
        ("operating", "2021-10-20"),
    ] {
        let res = post(
            &app,
            "/api/record_stage",
            &page,
            &[
                ("facility_id", &ids),
                ("stage", stage),
                ("reached_on", on),
                ("vendor_id", ""),
                ("blocker_code", ""),
                ("blocker_text", ""),
            ],
        )
        .await;
        assert_eq!(res.status(), 302, "{stage}");
    }
    let html = app.get_html(&page).await;
    assert!(html.contains(r#"data-testid="stage">運用開始"#), "operating");
    let timeline = &html[html.find(r#"data-testid="timeline""#).expect("timeline")..];
    let timeline = &timeline[..timeline.find("</ol>").expect("end")];
    for (day, stage) in [("令和3年3月15日", "カードリーダー申込済"), ("令和3年10月20日", "運用開始")]
    {
        assert!(timeline.contains(day) && timeline.contains(stage), "timeline has {day} {stage}: {timeline}");
    }
    let b = banner(&html);
    assert!(b.contains(r#"data-kind="subsidy_application""#), "what is left is the subsidy application: {b}");

    let rows: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE entity IN ('reader_application', 'facility_progress')",
    )
    .fetch_one(app.pool())
    .await
    .expect("count");
    assert_eq!(rows, 6, "apply, choose, four stages");
}

#[tokio::test]
async fn a_missed_model_choice_is_red_and_says_what_it_costs() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let id = own_facility(&app, "medical_clinic").await;
    let page = format!("/facilities/{id}");
    post(
        &app,
        "/api/apply_reader",
        &page,
        &[
            ("facility_ids", &id.to_string()),
            ("applied_on", "2021-03-15"),
            ("readers", "1"),
            ("maker", ""),
            ("bulk_declared_on", ""),
        ],
    )
    .await;
    let b = banner(&app.get_html(&page).await);
    assert!(b.contains(r#"data-status="missed""#), "{b}");
    assert!(b.contains("108,000円"), "the extra subsidy lost at the clinic cap: {b}");
}

#[tokio::test]
async fn readers_beyond_the_entitlement_are_allowed_at_the_facilitys_own_cost() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let id = own_facility(&app, "hospital").await;
    let page = format!("/facilities/{id}");
    post(
        &app,
        "/api/apply_reader",
        &page,
        &[
            ("facility_ids", &id.to_string()),
            ("applied_on", "2022-07-01"),
            ("readers", "4"),
            ("maker", "panasonic_connect"),
            ("bulk_declared_on", ""),
        ],
    )
    .await;
    let html = app.get_html(&page).await;
    assert!(html.contains("4台（無償 3台、自己負担 1台）"), "own cost said");
}

#[tokio::test]
async fn a_reviewer_reads_the_progress_but_cannot_change_it() {
    let app = spawn_app().await;
    let id = own_facility(&app, "hospital").await;
    app.login_as(REVIEWER).await;
    let html = app.get_html(&format!("/facilities/{id}")).await;
    assert!(html.contains(r#"data-testid="provisioning""#));
    assert!(!html.contains(r#"data-testid="apply-reader""#), "no forms for reviewers");
    let res = post(
        &app,
        "/api/apply_reader",
        "/",
        &[
            ("facility_ids", &id.to_string()),
            ("applied_on", "2022-07-01"),
            ("readers", "1"),
            ("maker", "panasonic_connect"),
            ("bulk_declared_on", ""),
        ],
    )
    .await;
    assert_eq!(res.status(), 403);
    let n: i64 =
        sqlx::query_scalar("SELECT count(*) FROM reader_applications").fetch_one(app.pool()).await.expect("count");
    assert_eq!(n, 0);
}

/// A valid medical-clinic code of 福岡 for a serial number.
fn clinic_code(serial: u32) -> String {
    (0..10)
        .map(|d| format!("401{serial:06}{d}"))
        .find(|c| rules::FacilityCode::parse(c).is_ok())
        .expect("one check digit fits")
}

fn facility_form<'a>(code: &'a str, kana: &'a str, kind: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("id", "0"),
        ("code", code),
        ("name", "オンシ新町クリニック"),
        ("kana", kana),
        ("facility_type", kind),
        ("prefecture", "40"),
        ("address", "福岡市博多区"),
        ("online_billing", "on"),
        ("group_monthly_prescriptions", ""),
        // Past the confirmation step (its own test below).
        ("confirmed", "on"),
    ]
}

#[tokio::test]
async fn a_corporation_manager_registers_a_facility_and_it_joins_the_corporation() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let code = clinic_code(123_456);
    let res = post(
        &app,
        "/api/save_facility",
        "/facilities/new",
        &facility_form(&code, "オンシシンマチクリニック", "medical_clinic"),
    )
    .await;
    let to = location(&res);
    assert!(to.starts_with("/facilities/"), "{to}");
    let html = app.get_html(&to).await;
    assert!(html.contains("オンシ新町クリニック") && html.contains(&code));
    let (corp, log): (String, i64) = sqlx::query_as(
        "SELECT c.code, (SELECT count(*) FROM audit_log WHERE entity = 'facility' AND action = 'create')
         FROM facilities f JOIN corporations c ON c.id = f.corporation_id WHERE f.facility_code = ?",
    )
    .bind(&code)
    .fetch_one(app.pool())
    .await
    .expect("stored");
    assert_eq!((corp.as_str(), log), ("demo_corp", 1));
}

/// Real codes from the 地方厚生局's published lists (2025-08): both rules of the 検証番号.
const PUBLISHED_CODES: [(&str, &str, &str); 9] = [
    ("1310270751", "13", "hospital"),
    ("1413703659", "14", "medical_clinic"),
    ("1113102977", "11", "medical_clinic"),
    ("1212415586", "12", "medical_clinic"),
    ("0110112489", "01", "hospital"),
    ("2710503687", "27", "medical_clinic"),
    ("4010419705", "40", "medical_clinic"),
    ("2314400611", "23", "medical_clinic"),
    ("1840140055", "18", "pharmacy"),
];

#[tokio::test]
async fn real_published_codes_of_every_rule_register_and_a_code_with_one_wrong_digit_does_not() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    for (code, prefecture, kind) in PUBLISHED_CODES {
        let mut form = facility_form(code, "オンシ", kind);
        form.retain(|(k, _)| *k != "prefecture");
        form.push(("prefecture", prefecture));
        let res = post(&app, "/api/save_facility", "/facilities/new", &form).await;
        let to = location(&res);
        assert!(to.starts_with("/facilities/") && !to.contains("__err"), "{code}: {to}");
        let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM facilities WHERE facility_code = ?")
            .bind(code)
            .fetch_one(app.pool())
            .await
            .expect("count");
        assert_eq!(stored, 1, "{code}");
    }
    // 聖路加国際病院's code with its last digit changed.
    let mut form = facility_form("1310270752", "オンシ", "hospital");
    form.retain(|(k, _)| *k != "prefecture");
    form.push(("prefecture", "13"));
    let res = post(&app, "/api/save_facility", "/facilities/new", &form).await;
    let back = location(&res);
    assert!(back.contains("__err"), "{back}");
    let html = app.client.get(&back).send().await.expect("GET").text().await.expect("body");
    assert!(html.contains("検証番号"), "the error names the check digit");
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM facilities WHERE facility_code = '1310270752'")
        .fetch_one(app.pool())
        .await
        .expect("count");
    assert_eq!(n, 0);
}

#[tokio::test]
async fn a_refused_facility_form_comes_back_filled_in_with_errors_next_to_the_fields() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let before: i64 = sqlx::query_scalar("SELECT count(*) FROM facilities").fetch_one(app.pool()).await.expect("count");
    let res =
        post(&app, "/api/save_facility", "/facilities/new", &facility_form("4010000001", "ひらがな", "dental_clinic"))
            .await;
    let back = location(&res);
    assert!(back.contains("__err"), "{back}");
    let html = app.client.get(&back).send().await.expect("GET").text().await.expect("body");
    assert!(html.contains("3桁目は3") || html.contains("検証番号"), "code error");
    assert!(html.contains("全角カタカナ"), "kana error");
    assert!(html.contains(r#"value="ひらがな""#), "what was typed is kept");
    assert!(html.contains(r#"value="オンシ新町クリニック""#));
    let existing: String =
        sqlx::query_scalar("SELECT facility_code FROM facilities LIMIT 1").fetch_one(app.pool()).await.expect("code");
    let res =
        post(&app, "/api/save_facility", "/facilities/new", &facility_form(&existing, "オンシ", "medical_clinic"))
            .await;
    let html = app.client.get(location(&res)).send().await.expect("GET").text().await.expect("body");
    assert!(html.contains("既に登録されています") || html.contains("一致しません"), "duplicate or mismatched code");
    let after: i64 = sqlx::query_scalar("SELECT count(*) FROM facilities").fetch_one(app.pool()).await.expect("count");
    assert_eq!(before, after, "nothing written");
}

#[tokio::test]
async fn only_managers_register_facilities() {
    let app = spawn_app().await;
    app.login_as(REVIEWER).await;
    let code = clinic_code(654_321);
    let res =
        post(&app, "/api/save_facility", "/facilities/new", &facility_form(&code, "オンシ", "medical_clinic")).await;
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn a_corporation_applies_for_several_facilities_at_once_and_sees_them_on_its_page() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let corp: i64 = sqlx::query_scalar("SELECT id FROM corporations WHERE code = 'demo_corp'")
        .fetch_one(app.pool())
        .await
        .expect("corp");
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM facilities WHERE corporation_id = ? ORDER BY id LIMIT 2")
        .bind(corp)
        .fetch_all(app.pool())
        .await
        .expect("facilities");
    let page = format!("/corporations/{corp}");
    let html = app.get_html(&page).await;
    assert!(html.contains(r#"data-testid="bulk-apply""#));
    let keys: Vec<String> = ids.iter().map(|i| format!("selected[{i}]")).collect();
    let mut form: Vec<(&str, &str)> = keys.iter().map(|k| (k.as_str(), "on")).collect();
    form.extend([
        ("applied_on", "2021-03-20"),
        ("readers", "1"),
        ("maker", "fujitsu_japan"),
        ("bulk_declared_on", "2021-03-20"),
    ]);
    let res = post(&app, "/api/bulk_apply_readers", &page, &form).await;
    assert_eq!(res.status(), 302);
    assert!(!location(&res).contains("__err"), "{}", location(&res));
    let (n, batches): (i64, i64) =
        sqlx::query_as("SELECT count(*), count(DISTINCT bulk_batch) FROM reader_applications")
            .fetch_one(app.pool())
            .await
            .expect("count");
    assert_eq!((n, batches), (2, 1), "two facilities, one 一括申請 batch");
    let html = app.get_html(&page).await;
    assert!(html.contains(r#"data-testid="total-estimate""#));
    assert!(html.contains("カードリーダー申込済"), "stage shown per facility");
}

#[tokio::test]
async fn the_section_query_reads_what_the_three_single_queries_read() {
    use app::ssr::db::provisioning::{application, facility_in_scope, progress, section};
    let app = spawn_app_with_demo_activity().await;
    let pool = app.pool();
    let national = rules::access::Scope::National;
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM facilities ORDER BY id").fetch_all(pool).await.expect("ids");
    let mut with_both = 0;
    for id in ids {
        let (f, a, p) = section(pool, &national, id).await.expect("in scope");
        let single_f = facility_in_scope(pool, &national, id).await.expect("facility");
        let single_a = application(pool, id).await.expect("application");
        let single_p = progress(pool, id).await.expect("progress");
        assert_eq!(format!("{f:?}"), format!("{single_f:?}"), "facility {id}");
        assert_eq!(format!("{a:?}"), format!("{single_a:?}"), "application of {id}");
        assert_eq!(format!("{p:?}"), format!("{single_p:?}"), "progress of {id}");
        with_both += usize::from(a.is_some() && p.blocker_code.is_some());
    }
    assert!(with_both > 0, "the demo activity gives a facility with both an application and a blocker");
    // Outside the scope it is not found, as the single query says.
    let other: i64 = sqlx::query_scalar("SELECT id FROM facilities WHERE facility_code = '4010166132'")
        .fetch_one(pool)
        .await
        .expect("オンシ中央病院");
    let manager = rules::access::Scope::Corporation {
        id: sqlx::query_scalar("SELECT id FROM corporations WHERE code = 'demo_corp'")
            .fetch_one(pool)
            .await
            .expect("corp"),
    };
    assert!(matches!(section(pool, &manager, other).await, Err(app::UiError::NotFound)));
    assert!(matches!(facility_in_scope(pool, &manager, other).await, Err(app::UiError::NotFound)));
}
