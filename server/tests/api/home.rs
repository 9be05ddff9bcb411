//! Each role's home page shows what waits for that user, in the user's own scope.

use crate::helpers::*;

/// A confirmed quote of the manager's 福岡県 hospital with a line the audit flags (the reader
/// application software, free of charge, billed at 50,000円), and a complaint about it; the
/// (quote id, complaint id).
async fn flagged_quote_and_complaint(app: &TestApp, manager: &reqwest::Client) -> (i64, String) {
    let facility = managed_fukuoka_hospital(app.pool()).await;
    let quote = quote_billing_a_free_item(app.pool(), facility).await;
    let fields = [
        ("facility_id", facility.to_string()),
        ("quote_id", quote.to_string()),
        ("kind", "high_quote".into()),
        ("description", "無償のはずのアプリに請求".into()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = post_form(app, manager, "/api/file_complaint", "/complaints", &fields).await;
    (quote, location(&res).trim_start_matches("/complaints/").to_owned())
}

/// The part of a page from `marker` on.
fn from<'a>(html: &'a str, marker: &str) -> &'a str {
    &html[html.find(marker).unwrap_or_else(|| panic!("{marker} in the page"))..]
}

#[tokio::test]
async fn the_managers_home_lists_her_deadlines_flagged_quotes_complaints_and_applications() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let (quote, complaint) = flagged_quote_and_complaint(&app, &app.client).await;
    // Not audited yet: listed to be looked at; the home page audits nothing itself.
    let before = app.get_html("/").await;
    assert!(from(&before, "確認する見積書").contains("監査結果を開いて、指摘を確認してください"), "{before}");
    app.get_html(&format!("/quotes/{quote}")).await;
    let html = app.get_html("/").await;
    // Her scope, not the country: no national table, a link to it.
    assert!(html.contains("範囲: 医療法人社団 オンシ会"), "{html}");
    assert!(!html.contains("#fukuoka_seminar_2023_02_06"), "national figures one click away");
    assert!(html.contains(r#"href="/reference/statistics" data-testid="national-figures""#));
    // Deadlines: every facility of hers with one, missed first, each with what missing it costs.
    let deadlines = from(&html, r#"data-testid="home-deadlines""#);
    let facilities: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM facilities WHERE corporation_id = (SELECT id FROM corporations WHERE code = 'demo_corp')",
    )
    .fetch_one(app.pool())
    .await
    .expect("count");
    let listed = deadlines[..deadlines.find("</section>").expect("end")].matches("<li").count();
    assert!(listed >= 1 && listed as i64 <= facilities, "{listed} of {facilities}");
    assert!(deadlines.contains(r#"data-status="missed""#), "the demo's 2022–23 deadlines have passed today");
    assert!(deadlines.contains("補助上限の場合"), "the yen at stake");
    // The quote, with its flags counted by the audit.
    let flagged = from(&html, "確認する見積書");
    assert!(flagged.contains("padded.xlsx") && flagged.contains("指摘 1件"), "{flagged}");
    // The complaint, open, with its age; nothing waits to be paid yet.
    assert!(from(&html, "対応中の相談").contains(&format!("相談 #{complaint} ")), "{html}");
    assert!(from(&html, "交付を待っている申請").contains("交付を待っている申請はありません。"));
    // Her navigation reaches the dashboard.
    let nav = from(&html, "site-nav");
    assert!(nav.contains(r#"href="/dashboard""#), "the manager's dashboard link");
}

#[tokio::test]
async fn the_reviewers_home_is_the_queue_of_his_prefecture_and_the_auditors_the_forwarded_cases() {
    let app = spawn_app().await;
    let manager = app.signed_in_client(MANAGER).await;
    let (_, id) = flagged_quote_and_complaint(&app, &manager).await;
    let reviewer = app.signed_in_client(REVIEWER).await;
    let html = reviewer.get(app.url("/")).send().await.expect("GET").text().await.expect("body");
    assert!(html.contains("範囲: 福岡県 医師会"), "{html}");
    let queue = from(&html, "確認を待っている相談");
    assert!(queue.contains("相談 #") && queue.contains("提出から"), "with its age: {queue}");
    assert!(!html.contains("#fukuoka_seminar_2023_02_06"), "no national table for a prefecture's reviewer");

    // Once forwarded, the case waits for the auditors, on their home page.
    for (to, confirm) in [("under_review", ""), ("forwarded", "on")] {
        let res = post_form(
            &app,
            &reviewer,
            "/api/move_complaint",
            "/complaints",
            &[("id", id.as_str()), ("to", to), ("comment", "確認しました"), ("confirm", confirm)],
        )
        .await;
        assert!(!location(&res).contains("__err"), "{to}: {}", location(&res));
    }
    let auditor = app.signed_in_client(AUDITOR).await;
    let html = auditor.get(app.url("/")).send().await.expect("GET").text().await.expect("body");
    let forwarded = from(&html, "厚生労働省に送付された相談");
    assert!(forwarded.contains(&format!("相談 #{id} ")), "{forwarded}");
    assert!(html.contains("#fukuoka_seminar_2023_02_06"), "the country is the auditor's scope: its figures");
    let reviewer_home = reviewer.get(app.url("/")).send().await.expect("GET").text().await.expect("body");
    assert!(from(&reviewer_home, "確認を待っている相談").contains("確認を待っている相談はありません。"));
}

#[tokio::test]
async fn the_admins_home_lists_pending_work() {
    let app = spawn_app().await;
    sqlx::query("INSERT INTO vendors (code, name, source, reviewed) VALUES ('typed_in_1', '未確認の電機', 'Onshi の利用者が登録', 0)")
        .execute(app.pool())
        .await
        .expect("vendor");
    let admin = app.signed_in_client(ADMIN).await;
    let html = admin.get(app.url("/")).send().await.expect("GET").text().await.expect("body");
    let pending = from(&html, "未処理の作業");
    assert!(pending.contains("ベンダー名の確認（1件）") && pending.contains(r#"href="/admin/vendors""#), "{pending}");
}
