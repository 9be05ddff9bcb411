//! 交付申請 over HTTP: mark costs paid, refusals that change nothing, the package as PDF and
//! CSV read back exactly, status draft → submitted → paid, totals, and the 一括申請 zip.

use crate::helpers::*;

/// The scheme a clinic that applied for its reader in March 2021 gets (rules/data/schemes.json).
const ACCELERATION_PLAN: &str = "「加速化プラン」を踏まえた追加的な財政補助（実費補助）";

/// The post went through: redirected back without an error.
fn assert_done(res: &reqwest::Response, what: &str) {
    let to = location(res);
    assert!(res.status().is_redirection() && !to.contains("__err"), "{what}: {} → {to}", res.status());
}

async fn post(app: &TestApp, endpoint: &str, from: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    post_form(app, &app.client, endpoint, from, fields).await
}

/// The demo corporation's first medical clinic (Fukuoka): (id, name, 医療機関コード).
async fn clinic(app: &TestApp) -> (i64, String, String) {
    sqlx::query_as(
        "SELECT id, name, facility_code FROM facilities
         WHERE corporation_id = (SELECT id FROM corporations WHERE code = 'demo_corp') AND facility_type = 'medical_clinic'
         ORDER BY id LIMIT 1",
    )
    .fetch_one(app.pool())
    .await
    .expect("a clinic of the demo corporation")
}

/// Reader applied for in March 2021, work finished 2023-01-20, operating from 2023-02-01.
pub(crate) async fn provision(app: &TestApp, facility: i64) {
    let page = format!("/facilities/{facility}");
    let ids = facility.to_string();
    let res = post(
        app,
        "/api/apply_reader",
        &page,
        &[
            ("facility_ids", &ids),
            ("applied_on", "2021-03-15"),
            ("readers", "1"),
            ("maker", "fujitsu_japan"),
            ("bulk_declared_on", ""),
        ],
    )
    .await;
    assert_done(&res, "reader application");
    for (stage, on) in [("vendor_ordered", "2022-10-01"), ("installed", "2023-01-20"), ("operating", "2023-02-01")] {
        let fields = [
            ("facility_id", ids.as_str()),
            ("stage", stage),
            ("reached_on", on),
            ("vendor_id", ""),
            ("blocker_code", ""),
            ("blocker_text", ""),
        ];
        let res = post(app, "/api/record_stage", &page, &fields).await;
        assert_done(&res, stage);
    }
}

/// Actual costs entered by hand (tax excluded): 340,000 eligible, 12,000 of maintenance.
pub(crate) async fn enter_costs(app: &TestApp, facility: i64) -> i64 {
    let lines = [
        ("資格確認端末（PC・モニタ一式）", "terminal", "200000"),
        ("ネットワーク設定・ルータ設定", "network_setup", "80000"),
        ("導入作業費", "setup_labor", "60000"),
        ("保守（年額）", "maintenance", "12000"),
    ];
    let mut form: Vec<(String, String)> = vec![
        ("facility_id".into(), facility.to_string()),
        ("vendor_id".into(), String::new()),
        ("new_vendor".into(), "株式会社オンシ医療システム".into()),
        ("quote_date".into(), "2022-09-20".into()),
    ];
    for (i, (description, category, amount)) in lines.iter().enumerate() {
        for (k, v) in [
            ("description", *description),
            ("category", *category),
            ("quantity", "1"),
            ("unit", "式"),
            ("unit_price", ""),
            ("amount", *amount),
        ] {
            form.push((format!("lines[{i}][{k}]"), v.to_owned()));
        }
    }
    let res =
        post_form(app, &app.client, "/api/enter_quote", &format!("/facilities/{facility}/quotes/new"), &form).await;
    let to = location(&res);
    assert!(to.starts_with("/quotes/") && !to.contains("__err"), "{to}");
    to.trim_start_matches("/quotes/").parse().expect("quote id")
}

async fn applications(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM subsidy_applications").fetch_one(app.pool()).await.expect("count")
}

/// The refusal codes a redirect back carries, read from the page it leads to.
async fn refusal_codes(app: &TestApp, res: &reqwest::Response) -> Vec<String> {
    let back = location(res);
    assert!(back.contains("__err"), "refused: {back}");
    let html = app.client.get(&back).send().await.expect("GET").text().await.expect("body");
    html.split("data-code=\"").skip(1).map(|s| s[..s.find('"').expect("quote")].to_owned()).collect()
}

fn prepare_fields<'a>(facility: &'a str, quote: &'a str, applied_on: &'a str) -> [(&'static str, &'a str); 4] {
    [("facility_id", facility), ("quote_id", quote), ("applied_on", applied_on), ("readers", "1")]
}

/// Parses CSV (dropping the BOM) into records.
fn read_csv(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes).expect("utf-8");
    let text = text.strip_prefix('\u{feff}').expect("a BOM for Excel");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("a CSV record").iter().map(str::to_owned).collect())
        .collect()
}

#[tokio::test]
async fn a_clinic_applies_once_paid_and_the_package_reads_back_exactly_from_pdf_and_csv() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let (facility, name, code) = clinic(&app).await;
    let (fid, page) = (facility.to_string(), format!("/facilities/{facility}"));
    provision(&app, facility).await;
    let quote = enter_costs(&app, facility).await;
    let qid = quote.to_string();

    // Not paid yet: refused, nothing stored.
    let res = post(&app, "/api/prepare_application", &page, &prepare_fields(&fid, &qid, "2023-05-01")).await;
    assert_eq!(refusal_codes(&app, &res).await, vec!["costs_not_paid"]);
    assert_eq!(applications(&app).await, 0);

    let res = post(
        &app,
        "/api/mark_quote_paid",
        &page,
        &[("facility_id", &fid), ("quote_id", &qid), ("paid_on", "令和5年2月10日")],
    )
    .await;
    assert_done(&res, "post");
    assert!(app.get_html(&page).await.contains("令和5年2月10日"), "the payment date shows on the facility page");

    // After the apply-by date (2023-09-30 for work finished by 2023-03-31): refused, nothing stored.
    let res = post(&app, "/api/prepare_application", &page, &prepare_fields(&fid, &qid, "2023-10-02")).await;
    assert_eq!(refusal_codes(&app, &res).await, vec!["applied_after_deadline"]);
    assert_eq!(applications(&app).await, 0);

    let res = post(&app, "/api/prepare_application", &page, &prepare_fields(&fid, &qid, "2023-05-01")).await;
    let to = location(&res);
    assert!(to.starts_with("/applications/") && !to.contains("__err"), "{to}");
    let id: i64 = to.trim_start_matches("/applications/").parse().expect("id");
    let html = app.get_html(&to).await;
    assert!(html.contains(r#"data-testid="application-status">下書き"#), "a draft");
    assert!(html.contains("374,000円") && html.contains(ACCELERATION_PLAN), "amount and scheme on the page");

    // The PDF: two pages, the facility, the amounts and the scheme exactly.
    let res = app.get(&format!("/applications/{id}/package.pdf")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let pdf = res.bytes().await.expect("pdf");
    assert_eq!(pdf_pages(&pdf), 2, "交付申請書 and 領収書内訳書・事業完了報告書");
    let text: String = pdf_text(&pdf).chars().filter(|c| !c.is_whitespace()).collect();
    for expected in [
        name.as_str(),
        code.as_str(),
        ACCELERATION_PLAN,
        "387,200円", // 総事業費: 352,000 + 10 %
        "374,000円", // 補助対象経費 and 補助金申請額: 340,000 + 10 %, rate 1, under the 429,000 cap
        "13,200円",  // 自己負担額
        "429,000円", // 基準とする事業額 (seeds/003)
        "令和5年5月1日（2023-05-01）",
        "令和5年2月10日（2023-02-10）",
        "令和5年9月30日（2023-09-30）",
        "交付申請書",
        "領収書内訳書",
        "事業完了報告書",
        "資格確認端末（PC・モニタ一式）",
        "株式会社オンシ医療システム",
    ] {
        assert!(text.contains(expected), "{expected} is in the PDF:\n{text}");
    }

    // The CSV: summary then lines, read back with an independent parser.
    let res = app.get(&format!("/applications/{id}/package.csv")).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().expect("ascii").starts_with("text/csv"));
    let rows = read_csv(&res.bytes().await.expect("csv"));
    let value = |label: &str| {
        rows.iter().find(|r| r.first().map(String::as_str) == Some(label)).map(|r| r[1].clone()).unwrap_or_default()
    };
    assert_eq!(rows[0], vec!["項目", "値"]);
    assert_eq!(value("医療機関名"), name);
    assert_eq!(value("医療機関コード"), code);
    assert_eq!(value("制度コード"), "acceleration_plan_2020");
    assert_eq!(value("適用する補助制度"), ACCELERATION_PLAN);
    assert_eq!(
        ["小計", "消費税", "総事業費", "補助対象経費", "補助金申請額", "自己負担額"].map(value),
        ["352000", "35200", "387200", "374000", "374000", "13200"]
    );
    assert_eq!(
        ["申請日", "導入完了日", "運用開始日", "支払日"].map(value),
        ["2023-05-01", "2023-01-20", "2023-02-01", "2023-02-10"]
    );
    let header = rows.iter().position(|r| r.first().map(String::as_str) == Some("No.")).expect("the lines part");
    let lines: Vec<(String, String, String)> =
        rows[header + 1..].iter().map(|r| (r[1].clone(), r[4].clone(), r[5].clone())).collect();
    assert_eq!(
        lines,
        [
            ("terminal", "200000", "1"),
            ("network_setup", "80000", "1"),
            ("setup_labor", "60000", "1"),
            ("maintenance", "12000", "0")
        ]
        .map(|(c, a, e)| (c.to_owned(), a.to_owned(), e.to_owned()))
    );

    // draft → submitted → paid.
    let app_page = format!("/applications/{id}");
    let ids = id.to_string();
    let res = post(&app, "/api/submit_application", &app_page, &[("id", &ids), ("submitted_on", "2023-05-01")]).await;
    assert_done(&res, "post");
    let applied: Option<String> =
        sqlx::query_scalar("SELECT subsidy_applied_on FROM facility_progress WHERE facility_id = ?")
            .bind(facility)
            .fetch_one(app.pool())
            .await
            .expect("progress");
    assert_eq!(applied.as_deref(), Some("2023-05-01"), "the provisioning record sees the application made");
    let res = post(&app, "/api/prepare_application", &page, &prepare_fields(&fid, &qid, "2023-05-02")).await;
    assert!(location(&res).contains("__err"), "a submitted application is not prepared again");
    let res =
        post(&app, "/api/mark_quote_paid", &page, &[("facility_id", &fid), ("quote_id", &qid), ("paid_on", "")]).await;
    assert!(location(&res).contains("__err"), "the costs of a submitted application stay paid");
    let res = post(
        &app,
        "/api/record_application_payment",
        &app_page,
        &[("id", &ids), ("paid_on", "2023-07-14"), ("amount", "400,000")],
    )
    .await;
    assert!(location(&res).contains("__err"), "more than was requested is refused");
    let res = post(
        &app,
        "/api/record_application_payment",
        &app_page,
        &[("id", &ids), ("paid_on", "2023-07-14"), ("amount", "374,000")],
    )
    .await;
    assert_done(&res, "post");
    let (status, paid): (String, Option<String>) =
        sqlx::query_as("SELECT status, paid_amount FROM subsidy_applications WHERE id = ?")
            .bind(id)
            .fetch_one(app.pool())
            .await
            .expect("row");
    assert_eq!((status.as_str(), paid.as_deref()), ("paid", Some("374000")));
    let logged: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE (entity = 'subsidy_application' AND action IN ('create', 'submit', 'record_payment'))
            OR (entity = 'quote' AND action = 'mark_paid')",
    )
    .fetch_one(app.pool())
    .await
    .expect("count");
    assert_eq!(logged, 4, "mark paid, create, submit, payment are in the audit trail");

    // Reviewers (Fukuoka, medical) and auditors see the totals; the reviewer of nothing else.
    for who in [REVIEWER, AUDITOR] {
        let reader = app.signed_in_client(who).await;
        let html = reader.get(app.url("/applications")).send().await.expect("GET").text().await.expect("body");
        let totals = &html[html.find(r#"data-testid="application-totals""#).expect("totals")..];
        let totals = &totals[..totals.find("</table>").expect("end")];
        assert!(
            totals.contains("福岡県") && totals.contains("診療所") && totals.contains("374,000円"),
            "{who}: {totals}"
        );
        assert!(html.contains(&name), "{who} lists the application");
    }
}

#[tokio::test]
async fn refusals_list_every_reason_and_other_roles_cannot_prepare() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let (facility, _, _) = clinic(&app).await;
    let (fid, page) = (facility.to_string(), format!("/facilities/{facility}"));
    let quote = enter_costs(&app, facility).await.to_string();
    // Nothing done yet: no reader application, no completion, no operation, not paid.
    let res = post(&app, "/api/prepare_application", &page, &prepare_fields(&fid, &quote, "2023-05-01")).await;
    let codes = refusal_codes(&app, &res).await;
    for code in ["no_reader_application", "not_completed", "no_operation_start", "costs_not_paid"] {
        assert!(codes.iter().any(|c| c == code), "{code} in {codes:?}");
    }
    assert_eq!(applications(&app).await, 0);

    provision(&app, facility).await;
    post(
        &app,
        "/api/mark_quote_paid",
        &page,
        &[("facility_id", &fid), ("quote_id", &quote), ("paid_on", "2023-02-10")],
    )
    .await;
    let too_many =
        [("facility_id", fid.as_str()), ("quote_id", &quote), ("applied_on", "2023-05-01"), ("readers", "2")];
    let res = post(&app, "/api/prepare_application", &page, &too_many).await;
    assert_eq!(refusal_codes(&app, &res).await, vec!["readers_beyond_entitlement"], "a clinic gets one free reader");

    for who in [REVIEWER, AUDITOR] {
        let other = app.signed_in_client(who).await;
        let res =
            post_form(&app, &other, "/api/prepare_application", &page, &prepare_fields(&fid, &quote, "2023-05-01"))
                .await;
        assert_eq!(res.status(), 403, "{who} cannot prepare an application");
    }
    assert_eq!(applications(&app).await, 0);
}

#[tokio::test]
async fn a_corporation_bundle_has_a_pdf_per_eligible_facility_and_lists_the_others_with_why() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let (facility, name, code) = clinic(&app).await;
    provision(&app, facility).await;
    let quote = enter_costs(&app, facility).await.to_string();
    let fid = facility.to_string();
    post(
        &app,
        "/api/mark_quote_paid",
        &format!("/facilities/{facility}"),
        &[("facility_id", &fid), ("quote_id", &quote), ("paid_on", "2023-02-10")],
    )
    .await;
    let corp: i64 = sqlx::query_scalar("SELECT id FROM corporations WHERE code = 'demo_corp'")
        .fetch_one(app.pool())
        .await
        .expect("corp");
    let members: i64 = sqlx::query_scalar("SELECT count(*) FROM facilities WHERE corporation_id = ?")
        .bind(corp)
        .fetch_one(app.pool())
        .await
        .expect("count");

    let res = app.get(&format!("/corporations/{corp}/applications.zip?applied_on=2023-05-01")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/zip");
    let bytes = res.bytes().await.expect("zip");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("a zip");
    let mut names: Vec<String> = zip.file_names().map(|n| n.expect("an entry name").into_owned()).collect();
    names.sort();
    assert_eq!(names, vec![format!("{code}.pdf"), "summary.csv".to_owned()], "one PDF: the one eligible facility");
    let read = |zip: &mut zip::ZipArchive<std::io::Cursor<Vec<u8>>>, n: &str| {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut zip.by_name(n).expect("entry"), &mut out).expect("read");
        out
    };
    let pdf = read(&mut zip, &format!("{code}.pdf"));
    let text: String = pdf_text(&pdf).chars().filter(|c| !c.is_whitespace()).collect();
    assert!(text.contains(&name) && text.contains("374,000円") && text.contains(ACCELERATION_PLAN), "{text}");

    let rows = read_csv(&read(&mut zip, "summary.csv"));
    assert_eq!(rows[0][0], "医療機関コード");
    assert_eq!(rows.len() as i64, members + 1, "every facility of the corporation has a row");
    let eligible: Vec<&Vec<String>> = rows[1..].iter().filter(|r| r[4] == "申請可").collect();
    assert_eq!(eligible.len(), 1);
    assert_eq!((eligible[0][0].as_str(), eligible[0][8].as_str()), (code.as_str(), "374000"));
    for r in rows[1..].iter().filter(|r| r[4] != "申請可") {
        assert!(r[10].contains("costs_not_paid") && !r[11].is_empty(), "each refused facility says why: {r:?}");
    }

    let res = app.get(&format!("/corporations/{corp}/applications.zip?applied_on=2023-13-45")).await;
    assert_eq!(res.status(), 400, "a bad date is refused");
}
