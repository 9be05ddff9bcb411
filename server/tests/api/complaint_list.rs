//! 相談の一覧 a page at a time, newest first, narrowed by status; bad input says what to fix.

use crate::helpers::*;
use app::api::complaints::ComplaintList;

async fn list(app: &TestApp, status: &str, page: &str) -> ComplaintList {
    let res = app
        .client
        .post(app.url("/api/complaints"))
        .header("Origin", app.base.clone())
        .form(&[("status", status), ("page", page)])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 200, "status {status:?} page {page:?}");
    res.json().await.expect("a complaint list")
}

/// Every page, one after another: the ids in the order shown.
async fn every_page(app: &TestApp, status: &str) -> Vec<i64> {
    let first = list(app, status, "").await;
    let mut ids: Vec<i64> = first.rows.iter().map(|c| c.id).collect();
    for page in 2..=first.paging.pages {
        ids.extend(list(app, status, &page.to_string()).await.rows.iter().map(|c| c.id));
    }
    assert_eq!(i64::try_from(ids.len()).expect("small"), first.paging.total, "{status:?}");
    ids
}

#[tokio::test]
async fn complaints_come_a_page_at_a_time_newest_first_and_by_status() {
    let app = spawn_app().await;
    let facility = fukuoka_hospital(app.pool()).await;
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400)
         INSERT INTO complaints (facility_id, vendor_id, kind, description, status, filed_by)
         SELECT ?, (SELECT min(id) FROM vendors), 'delay', '納期の遅れ ' || i,
                CASE i % 3 WHEN 0 THEN 'submitted' WHEN 1 THEN 'under_review' ELSE 'forwarded' END,
                (SELECT min(id) FROM users)
         FROM n",
    )
    .bind(facility)
    .execute(app.pool())
    .await
    .expect("complaints");
    app.login_as(AUDITOR).await;
    let all: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM complaints ORDER BY id DESC").fetch_all(app.pool()).await.expect("ids");
    assert!(all.len() > 300, "four pages");
    assert_eq!(every_page(&app, "").await, all);
    let reviewing: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM complaints WHERE status = 'under_review' ORDER BY id DESC")
            .fetch_all(app.pool())
            .await
            .expect("ids");
    assert_eq!(every_page(&app, "under_review").await, reviewing);
    // The page: where it stands, the status kept in the links.
    let html = app.get_html("/complaints?status=under_review").await;
    assert!(html.contains(&format!("{} 件中 1–100 件", reviewing.len())), "where the page stands");
    assert!(html.contains("href=\"/complaints?status=under_review&amp;page=2\" rel=\"next\""), "the next page");
    // The list's CSV takes its status: the same complaints go to Excel.
    assert!(html.contains("href=\"/exports/complaints.csv?status=under_review\""), "the CSV link keeps the status");
    let csv = app.get("/exports/complaints.csv?status=under_review").await;
    assert_eq!(csv.status(), 200);
    let body = csv.text().await.expect("CSV");
    let mut exported: Vec<i64> = csv::Reader::from_reader(body.trim_start_matches('\u{feff}').as_bytes())
        .records()
        .map(|r| r.expect("a CSV record")[0].parse::<i64>().expect("相談ID"))
        .collect();
    exported.dedup();
    exported.reverse();
    assert_eq!(exported, reviewing, "one complaint after another, each with its steps");
    for (path, message) in [
        ("/exports/complaints.csv?status=closed", "status=\"closed\" はありません"),
        ("/exports/quotes.csv?status=submitted", "quotes.csv は status で絞り込めません"),
        ("/complaints?status=closed", "相談の状態 closed はありません"),
        ("/complaints?page=x", "ページ番号 x は 1 以上の数字で指定してください"),
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status(), 400, "{path}");
        assert!(res.text().await.expect("body").contains(message), "{path}");
    }
    // 福岡県医師会's reviewer pages through them all (another prefecture's sees none: complaints.rs).
    app.login_as(REVIEWER).await;
    assert_eq!(every_page(&app, "").await.len(), all.len(), "福岡県医師会: a 福岡県 hospital's complaints");
}
