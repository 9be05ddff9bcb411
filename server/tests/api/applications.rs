//! 交付申請 over HTTP: mark costs paid, refusals that change nothing, the package as PDF and
//! CSV read back exactly, status draft → submitted → paid, totals, and the 一括申請 zip.

use crate::helpers::*;

/// The scheme a clinic that applied for its reader in March 2021 gets (rules/data/schemes.json).
const ACCELERATION_PLAN: &str = "「加速化プラン」を踏まえた追加的な財政補助（実費補助）";

/// The post went through: redirected back without an error.
pub(crate) fn assert_done(res: &reqwest::Response, what: &str) {
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
    provision_from(app, facility, "2021-03-15", "2022-10-01").await;
}

/// Reader applied for and vendor ordered on the days given, work finished 2023-01-20,
/// operating from 2023-02-01.
async fn provision_from(app: &TestApp, facility: i64, reader_applied_on: &str, vendor_ordered_on: &str) {
    let page = format!("/facilities/{facility}");
    let ids = facility.to_string();
    let res = post(
        app,
        "/api/apply_reader",
        &page,
        &[
            ("facility_ids", &ids),
            ("applied_on", reader_applied_on),
            ("readers", "1"),
            ("maker", "fujitsu_japan"),
            ("bulk_declared_on", ""),
        ],
    )
    .await;
    assert_done(&res, "reader application");
    for (stage, on) in [("vendor_ordered", vendor_ordered_on), ("installed", "2023-01-20"), ("operating", "2023-02-01")]
    {
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
    enter_lines(app, facility, &lines).await
}

/// Costs entered by hand, tax excluded, as (品名, category code, amount): the quote's id.
pub(crate) async fn enter_lines(app: &TestApp, facility: i64, lines: &[(&str, &str, &str)]) -> i64 {
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
        "令和5年5月1日（2023年5月1日）",
        "令和5年2月10日（2023年2月10日）",
        "令和5年9月30日（2023年9月30日）",
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
    let res = post(
        &app,
        "/api/submit_application",
        &app_page,
        &[("id", &ids), ("submitted_on", "2023-05-01"), ("confirm", "on")],
    )
    .await;
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

/// The money figures every page shows under the same `data-testid`, in this order.
const MONEY: [&str; 6] = ["total-paid", "subsidy", "self-burden", "not-covered", "above-cap", "rate-share"];

/// The one-answer case: 2,959,000円 paid, 429,000円 back, 2,530,000円 paid by the clinic
/// = 264,000 not covered + 2,266,000 above the cap + 0 left by the rate.
const ONE_ANSWER: [&str; 6] = ["2,959,000円", "429,000円", "2,530,000円", "264,000円", "2,266,000円", "0円"];

/// The CSV columns (and the package CSV's 項目) of the same figures, in the same order.
const CSV_MONEY: [&str; 6] = [
    "総事業費",
    "補助金申請額",
    "自己負担額",
    "自己負担額のうち補助対象外の費用",
    "自己負担額のうち上限を超える補助対象経費",
    "自己負担額のうち補助率により残る額",
];

/// The 備考 line of the 自己負担 with its parts.
const BURDEN_LINE: &str = "自己負担 2,530,000円（補助対象外の費用 264,000円 ＋ 上限を超える補助対象経費 2,266,000円 ＋ 補助率により残る額 0円）";

/// The text of the element with `data-testid="{id}"`, up to its first tag; the figure alone
/// when it is followed by its 万円 form (「429,000円（42.9万円）」).
fn testid_text(html: &str, id: &str) -> String {
    let at = html.find(&format!(r#"data-testid="{id}""#)).unwrap_or_else(|| panic!("no {id} on the page"));
    let text = &html[at..];
    let text = &text[text.find('>').expect("tag end") + 1..];
    let text = &text[..text.find('<').expect("next tag")];
    text.split('（').next().unwrap_or_default().to_owned()
}

fn money_on(html: &str) -> Vec<String> {
    MONEY.iter().map(|id| testid_text(html, id)).collect()
}

/// The 備考 of an application page, one per paragraph.
fn notes_on(html: &str) -> Vec<String> {
    let notes = &html[html.find("<h3>備考</h3>").expect("備考")..];
    notes.split(r#"<p class="note">"#).skip(1).map(|p| p[..p.find("</p>").expect("end")].to_owned()).collect()
}

/// The one-answer clinic: reader applied for in the 2022 revision's window, contract in time,
/// and a paid quote of 2,959,000円 (tax included) of which 264,000円 is maintenance. The id of
/// its draft application.
async fn one_answer_application(app: &TestApp) -> (i64, String) {
    let (facility, _, code) = clinic(app).await;
    let (fid, page) = (facility.to_string(), format!("/facilities/{facility}"));
    provision_from(app, facility, "2022-08-01", "2022-11-15").await;
    let lines = [
        ("資格確認端末", "terminal", "450000"),
        ("レセコン改修", "receipt_system", "1500000"),
        ("導入作業費", "setup_labor", "500000"),
        ("保守（年額）", "maintenance", "240000"),
    ];
    let qid = enter_lines(app, facility, &lines).await.to_string();
    let res = post(
        app,
        "/api/mark_quote_paid",
        &page,
        &[("facility_id", &fid), ("quote_id", &qid), ("paid_on", "2023-02-10")],
    )
    .await;
    assert_done(&res, "paid");
    let res = post(app, "/api/prepare_application", &page, &prepare_fields(&fid, &qid, "2023-05-01")).await;
    let to = location(&res);
    assert!(to.starts_with("/applications/") && !to.contains("__err"), "{to}");
    (to.trim_start_matches("/applications/").parse().expect("id"), code)
}

/// The figures of the package CSV, in the order of [`MONEY`], as plain numbers.
async fn money_in_package_csv(app: &TestApp, id: i64) -> Vec<String> {
    let rows = read_csv(&app.get(&format!("/applications/{id}/package.csv")).await.bytes().await.expect("csv"));
    let value = |label: &str| {
        rows.iter().find(|r| r.first().map(String::as_str) == Some(label)).map(|r| r[1].clone()).unwrap_or_default()
    };
    CSV_MONEY.map(value).to_vec()
}

/// The PDF's text without whitespace (pdftotext breaks lines where the form wraps them).
async fn package_pdf_text(app: &TestApp, id: i64) -> String {
    let res = app.get(&format!("/applications/{id}/package.pdf")).await;
    assert_eq!(res.status(), 200);
    pdf_text(&res.bytes().await.expect("pdf")).chars().filter(|c| !c.is_whitespace()).collect()
}

/// What the PDF must say, whitespace aside: the amounts with their labels (and
/// [`BURDEN_LINE`] in the 備考).
const PDF_SAYS: [&str; 6] = [
    "総事業費2,959,000円",
    "補助金申請額429,000円",
    "自己負担額2,530,000円",
    "うち補助対象外の費用264,000円",
    "うち上限を超える補助対象経費2,266,000円",
    "うち補助率により残る額0円",
];

fn plain(figures: &[&str]) -> Vec<String> {
    figures.iter().map(|f| f.trim_end_matches('円').replace(',', "")).collect()
}

#[tokio::test]
async fn the_application_the_simulator_and_the_command_give_one_subsidy_and_one_self_burden() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let (id, code) = one_answer_application(&app).await;

    // The page: the table and the 備考 say the same, and "eligible − subsidy" is never 自己負担.
    let html = app.get_html(&format!("/applications/{id}")).await;
    assert!(html.contains("令和4年度の補助の見直し（実費補助の再開）"), "the scheme the dates give");
    assert_eq!(money_on(&html), ONE_ANSWER);
    let notes = notes_on(&html);
    assert!(notes.iter().any(|n| n.starts_with(BURDEN_LINE)), "{notes:?}");
    assert!(
        notes.iter().any(|n| n.contains("補助対象経費 2,695,000円 のうち補助されない額: 2,266,000円")),
        "eligible − subsidy under its own name: {notes:?}"
    );
    assert!(!html.contains("自己負担: ") && !html.contains("自己負担 2,266,000円"), "no other 自己負担 on the page");

    // The PDF.
    let text = package_pdf_text(&app, id).await;
    let burden_line: String = BURDEN_LINE.chars().filter(|c| !c.is_whitespace()).collect();
    for expected in PDF_SAYS.into_iter().chain([burden_line.as_str()]) {
        assert!(text.contains(expected), "{expected} is in the PDF:\n{text}");
    }
    assert!(!text.contains("自己負担:"), "no other 自己負担 in the PDF:\n{text}");

    // The CSV of the package, the list's export and the 一括 zip.
    assert_eq!(money_in_package_csv(&app, id).await, plain(&ONE_ANSWER));
    let rows = read_csv(&app.get("/exports/applications.csv").await.bytes().await.expect("csv"));
    let at = |name: &str| rows[0].iter().position(|h| h == name).unwrap_or_else(|| panic!("column {name}"));
    let row = rows.iter().find(|r| r[at("申請ID")] == id.to_string()).expect("the application in the export");
    let exported = CSV_MONEY.map(|c| row[at(c)].clone());
    assert_eq!(exported.to_vec(), plain(&ONE_ANSWER));

    let corp: i64 = sqlx::query_scalar("SELECT id FROM corporations WHERE code = 'demo_corp'")
        .fetch_one(app.pool())
        .await
        .expect("corp");
    let bytes = app.get(&format!("/corporations/{corp}/applications.zip?applied_on=2023-05-01")).await.bytes().await;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.expect("zip").to_vec())).expect("a zip");
    let mut read = |n: &str| {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut zip.by_name(n).expect("entry"), &mut out).expect("read");
        out
    };
    let pdf: String = pdf_text(&read(&format!("{code}.pdf"))).chars().filter(|c| !c.is_whitespace()).collect();
    for expected in PDF_SAYS.into_iter().chain([burden_line.as_str()]) {
        assert!(pdf.contains(expected), "{expected} is in the zip's PDF:\n{pdf}");
    }
    let summary = read_csv(&read("summary.csv"));
    let at = |name: &str| summary[0].iter().position(|h| h == name).unwrap_or_else(|| panic!("column {name}"));
    let row = summary.iter().find(|r| r[0] == code).expect("the clinic's row");
    let bundled = CSV_MONEY.map(|c| row[at(c)].clone());
    assert_eq!(bundled.to_vec(), plain(&ONE_ANSWER));

    // The simulator with the same dates and costs.
    let html = app
        .get_html(
            "/subsidy?facility_type=medical_clinic&readers=1&reader_applied_on=2022-08-01&vendor_contract_on=2022-11-15\
             &completed_on=2023-01-20&operation_started_on=2023-02-01&eligible_cost=2695000&not_covered=264000",
        )
        .await;
    assert_eq!(money_on(&html), ONE_ANSWER);
    assert_eq!(testid_text(&html, "eligible-not-subsidised"), "2,266,000円");
    assert!(html.contains("補助対象経費のうち補助されない額"), "under its own name");
    assert!(html.contains(r#"value="264000""#), "the form keeps what was entered");
    let conditions = &html[html.find(r#"data-testid="conditions""#).expect("the conditions")..];
    assert!(conditions.contains("令和4年8月1日") && conditions.contains("令和4年11月15日"), "with their dates");

    // `onshi subsidy` with the same facts.
    let v = crate::cli::subsidy_json(&crate::cli::REVISION_2022_CLINIC);
    let cli = ["total_paid", "subsidy", "self_burden", "not_covered", "above_cap", "rate_share"]
        .map(|k| v[k].as_str().unwrap_or_default().to_owned());
    assert_eq!(cli.to_vec(), plain(&ONE_ANSWER));
}

#[tokio::test]
async fn an_application_stored_before_the_parts_were_kept_shows_the_same_figures_and_notes() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let (id, _) = one_answer_application(&app).await;
    let page = format!("/applications/{id}");
    let (html, pdf, csv) =
        (app.get_html(&page).await, package_pdf_text(&app, id).await, money_in_package_csv(&app, id).await);

    // As packages were stored before: no parts, the step that called "eligible − subsidy"
    // 自己負担, no line of the 自己負担 with its parts.
    let json: String = sqlx::query_scalar("SELECT package_json FROM subsidy_applications WHERE id = ?")
        .bind(id)
        .fetch_one(app.pool())
        .await
        .expect("package");
    let mut old: serde_json::Value = serde_json::from_str(&json).expect("json");
    for key in ["not_covered", "above_cap", "rate_share"] {
        assert!(old.as_object_mut().expect("object").remove(key).is_some(), "{key} is kept today");
    }
    let mut notes: Vec<String> = serde_json::from_value(old["notes"].take()).expect("notes");
    let burden = notes.iter().position(|n| n.starts_with("自己負担 ")).expect("the line of the 自己負担");
    notes.remove(burden);
    assert!(notes[burden - 1].starts_with("補助額: "), "the calculation's last step comes just before it");
    notes[burden - 1] = "補助額: 429,000円、自己負担: 2,266,000円".to_owned();
    old["notes"] = serde_json::json!(notes);
    sqlx::query("UPDATE subsidy_applications SET package_json = ? WHERE id = ?")
        .bind(old.to_string())
        .bind(id)
        .execute(app.pool())
        .await
        .expect("an earlier package");

    let html_then = app.get_html(&page).await;
    assert_eq!(money_on(&html_then), ONE_ANSWER);
    assert_eq!(notes_on(&html_then), notes_on(&html), "the 備考 read as a package prepared today");
    assert_eq!(package_pdf_text(&app, id).await, pdf, "the same PDF text");
    assert_eq!(money_in_package_csv(&app, id).await, csv);
    let rows = read_csv(&app.get("/exports/applications.csv").await.bytes().await.expect("csv"));
    let at = |name: &str| rows[0].iter().position(|h| h == name).unwrap_or_else(|| panic!("column {name}"));
    let row = rows.iter().find(|r| r[at("申請ID")] == id.to_string()).expect("exported");
    assert_eq!(
        CSV_MONEY.map(|c| row[at(c)].clone()).to_vec(),
        plain(&ONE_ANSWER),
        "derived from the package's own figures"
    );
}

#[tokio::test]
async fn the_dashboard_and_the_list_add_up_the_subsidy_each_package_carries() {
    // The demo activity prepares and submits applications as a manager would.
    let app = spawn_app_with_demo_activity().await;

    // Every stored row carries its package's subsidy and 自己負担, which the totals add up.
    let differing: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM subsidy_applications
         WHERE subsidy <> json_extract(package_json, '$.subsidy') OR self_burden <> json_extract(package_json, '$.self_burden')",
    )
    .fetch_one(app.pool())
    .await
    .expect("count");
    assert_eq!(differing, 0);
    let by_status: Vec<(String, i64)> = sqlx::query_as(
        "SELECT status, sum(CAST(json_extract(package_json, '$.subsidy') AS INTEGER)) FROM subsidy_applications
         GROUP BY status",
    )
    .fetch_all(app.pool())
    .await
    .expect("sums");
    assert!(by_status.iter().any(|(s, n)| s == "submitted" && *n > 0), "a submitted application: {by_status:?}");

    let auditor = app.signed_in_client(AUDITOR).await;
    let body = auditor.get(app.url("/dashboard/subsidies.csv")).send().await.expect("GET").bytes().await.expect("csv");
    let rows = read_csv(&body);
    let amount = rows[0].iter().position(|h| h == "申請額").expect("申請額");
    for (status, sum) in &by_status {
        let label = app::ssr::db::applications::status_label(status);
        let row = rows.iter().find(|r| r[0] == label).unwrap_or_else(|| panic!("{label}: {rows:?}"));
        assert_eq!(row[amount], sum.to_string(), "the dashboard adds up the packages' subsidies ({label})");
    }

    let html = auditor.get(app.url("/applications")).send().await.expect("GET").text().await.expect("body");
    let totals = &html[html.find(r#"data-testid="application-totals""#).expect("totals")..];
    let totals = &totals[..totals.find("</table>").expect("end")];
    let sent: i64 = by_status.iter().filter(|(s, _)| s != "draft").map(|(_, n)| n).sum();
    let expected = rules::Yen::from_i64(sent).to_string();
    assert!(totals.contains(&expected), "the list's 申請額 is the packages' subsidies, {expected}: {totals}");
}
