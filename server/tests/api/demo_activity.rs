//! The demo activity (seed/demo_activity.json) that a first `onshi serve` replays: quotes
//! read from their files, progress, a complaint — made by the same functions as the pages,
//! so everything a user would see after doing it themselves is there.

use crate::helpers::*;

/// The index of a CSV header's column.
fn column(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap_or_else(|| panic!("column {name} in {header:?}"))
}

#[tokio::test]
async fn a_first_start_shows_audited_quotes_progress_and_a_complaint() {
    let app = spawn_app_with_demo_activity().await;
    let pool = app.pool();

    // Three vendor files of three formats, read and confirmed, each kept as the evidence.
    let quotes: Vec<(i64, String, String, bool, i64)> = sqlx::query_as(
        "SELECT q.id, q.file_name, f.facility_code, q.confirmed, (SELECT count(*) FROM quote_lines l WHERE l.quote_id = q.id)
         FROM quotes q JOIN facilities f ON f.id = q.facility_id JOIN quote_files b ON b.quote_id = q.id ORDER BY q.id",
    )
    .fetch_all(pool)
    .await
    .expect("quotes");
    let files: Vec<(&str, &str, bool)> = quotes.iter().map(|q| (q.1.as_str(), q.2.as_str(), q.3)).collect();
    assert_eq!(
        files,
        vec![
            ("hospital_padded.xls", "4010123018", true),
            ("clinic_cover.xlsx", "4010188425", true),
            ("orthopedic_merged.ods", "4013244100", true)
        ]
    );
    assert!(quotes.iter().all(|q| q.4 > 0), "every quote has its lines: {quotes:?}");

    // The manager sees the padded quote's flags, line by line, as the audit finds them.
    app.login_as(MANAGER).await;
    let res = app.get(&format!("/exports/quote_lines.csv?quote={}", quotes[0].0)).await;
    assert_eq!(res.status(), 200);
    let body = res.text().await.expect("body");
    let rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body.trim_start_matches('\u{feff}').as_bytes())
        .records()
        .map(|r| r.expect("CSV record").iter().map(str::to_owned).collect())
        .collect();
    let flags = column(&rows[0], "指摘コード");
    let codes: Vec<&str> = rows[1..].iter().flat_map(|r| r[flags].split(' ')).filter(|c| !c.is_empty()).collect();
    let times = |code: &str| codes.iter().filter(|c| **c == code).count();
    assert_eq!(times("free_item_charged"), 2, "the charged reader and app: {codes:?}");
    assert_eq!(times("ineligible_running_cost"), 2, "monthly maintenance and line: {codes:?}");
    assert_eq!(times("duplicate_line"), 1, "{codes:?}");
    assert_eq!(times("lump_sum_opaque"), 1, "システム改修一式 only (LAN工事 1式 names its work): {codes:?}");

    // The clinic that finished is operating; the hospital is stuck on the quote's cost.
    let progress: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT f.facility_code, p.stage, p.blocker_code FROM facility_progress p JOIN facilities f ON f.id = p.facility_id
         ORDER BY f.facility_code",
    )
    .fetch_all(pool)
    .await
    .expect("progress");
    assert!(progress.contains(&("4010188425".into(), "operating".into(), None)), "{progress:?}");
    assert!(
        progress.contains(&("4010123018".into(), "reader_applied".into(), Some("quote_cost_burden".into()))),
        "{progress:?}"
    );
    // The list says where each facility's rollout stands.
    let list = app.get_html("/facilities").await;
    let row_of = |name: &str| {
        let start = list.find(name).unwrap_or_else(|| panic!("{name} listed"));
        list[start..].split("</tr>").next().unwrap_or_default().to_owned()
    };
    use rules::provisioning::Stage;
    assert!(row_of("オンシ内科クリニック").contains(Stage::Operating.label_ja()));
    assert!(row_of("オンシ記念病院").contains(Stage::ReaderApplied.label_ja()));
    assert!(row_of("オンシこどもクリニック").contains(Stage::PortalRegistered.label_ja()));
    let page = app.get_html(&format!("/quotes/{}", quotes[0].0)).await;
    assert!(page.contains("hospital_padded.xls"), "the quote page shows the stored quote");
    assert!(page.contains("令和4年10月5日（2022-10-05）"), "the 見積日 with its era");
    assert!(page.contains("記載の消費税 335,440円"), "a stored quote's written totals have no rows to name");
    assert!(!page.contains(">0行目"), "no 「0行目」");

    // The complaint about the padded quote waits for the prefecture's medical association.
    app.post_logout().await;
    app.login_as(REVIEWER).await;
    let complaints = app.get_html("/complaints").await;
    assert!(complaints.contains("オンシ記念病院"), "the reviewer of 福岡県 sees it");
    let filed_at: String = sqlx::query_scalar("SELECT filed_at FROM complaints").fetch_one(pool).await.expect("filed");
    assert!(!complaints.contains(&filed_at), "not the stored UTC text {filed_at}");
    assert!(complaints.contains(&rules::format_timestamp_jst(&filed_at)), "filed in Japan time with the era");
    assert!(rules::format_timestamp_jst(&filed_at).starts_with("令和"), "{filed_at}");
    let filed: (String, String, Option<i64>) =
        sqlx::query_as("SELECT status, kind, quote_id FROM complaints").fetch_one(pool).await.expect("one complaint");
    assert_eq!(filed, ("submitted".to_owned(), "high_quote".to_owned(), Some(quotes[0].0)));

    // The finished clinic's 交付申請 was prepared from its paid quote and submitted.
    let applied: (String, String, String, Option<String>) = sqlx::query_as(
        "SELECT f.facility_code, a.status, a.applied_on, a.submitted_on FROM subsidy_applications a
         JOIN facilities f ON f.id = a.facility_id",
    )
    .fetch_one(pool)
    .await
    .expect("one application");
    assert_eq!(
        applied,
        ("4010188425".to_owned(), "submitted".to_owned(), "2023-01-20".to_owned(), Some("2023-01-23".to_owned()))
    );
    assert!(app.get_html("/applications").await.contains("オンシ内科クリニック"), "the reviewer sees it");

    // Everything went through the audited write paths and the dashboards' triggers.
    let report = app::ssr::audit_log::verify(pool).await.expect("verify");
    assert!(report.is_intact());
    let by_manager: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE actor_label = ?")
        .bind(MANAGER)
        .fetch_one(pool)
        .await
        .expect("audit rows");
    assert!(by_manager >= 13, "applications, quotes, stages and the complaint are on record: {by_manager}");
    assert_eq!(app::ssr::db::dashboard::totals_drift(pool).await.expect("drift"), vec![]);
}
