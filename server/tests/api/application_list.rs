//! 交付申請の一覧 at scale: a page at a time in the facility list's order, narrowed by type,
//! prefecture and status, its totals from the running totals equal to the raw rows, and its CSV
//! the rows the page shows; bad input says what to fix.

use crate::helpers::*;
use app::api::applications::ApplicationList;
use app::ssr::db::applications::by_place;
use app::ssr::db::dashboard::{Filter, subsidies_by_place};
use rules::access::Scope;
use server::seed::national::{Options, seed};

async fn list(app: &TestApp, t: &str, p: &str, status: &str, page: &str) -> ApplicationList {
    found(app, t, p, "", status, page).await
}

async fn found(app: &TestApp, t: &str, p: &str, q: &str, status: &str, page: &str) -> ApplicationList {
    let res = app
        .client
        .post(app.url("/api/applications"))
        .header("Origin", app.base.clone())
        .form(&[("facility_type", t), ("prefecture", p), ("search", q), ("status", status), ("page", page)])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 200, "{t:?} {p:?} {q:?} {status:?} page {page:?}");
    res.json().await.expect("an application list")
}

/// Every page, one after another: the ids in the order shown.
async fn every_page(app: &TestApp, t: &str, p: &str, status: &str) -> Vec<i64> {
    let first = list(app, t, p, status, "").await;
    let mut ids: Vec<i64> = first.rows.iter().map(|a| a.id).collect();
    for page in 2..=first.paging.pages {
        ids.extend(list(app, t, p, status, &page.to_string()).await.rows.iter().map(|a| a.id));
    }
    assert_eq!(i64::try_from(ids.len()).expect("small"), first.paging.total, "{t:?} {p:?} {status:?}");
    ids
}

async fn ids(app: &TestApp, condition: &str) -> Vec<i64> {
    sqlx::query_scalar(&format!(
        "SELECT a.id FROM facilities f JOIN subsidy_applications a ON a.facility_id = f.id
         WHERE {condition} ORDER BY f.prefecture, f.kana, f.name, f.id"
    ))
    .fetch_all(app.pool())
    .await
    .expect("ids")
}

#[tokio::test]
async fn applications_come_a_page_at_a_time_narrowed_with_totals_from_the_running_totals() {
    let app = spawn_app().await;
    seed(app.pool(), &Options { lines_per_quote: 3, ..Options::new(4_000) }, |_| {}).await.expect("seed-national");
    app.login_as(AUDITOR).await;
    let all = ids(&app, "1 = 1").await;
    assert!(all.len() > 300, "several pages: {}", all.len());
    assert_eq!(every_page(&app, "", "", "").await, all);
    let paid_clinics = ids(&app, "f.facility_type = 'medical_clinic' AND a.status = 'paid'").await;
    assert!(!paid_clinics.is_empty());
    assert_eq!(every_page(&app, "medical_clinic", "", "paid").await, paid_clinics);
    let tokyo_drafts = ids(&app, "f.prefecture = '13' AND a.status = 'draft'").await;
    assert_eq!(every_page(&app, "", "13", "draft").await, tokyo_drafts);

    // The totals read from the running totals are the rows' for the country, a prefecture, a type
    // and a reviewer.
    let fukuoka_medical =
        Scope::Association { association: rules::Association::Medical, prefecture: "40".parse().expect("Fukuoka") };
    for (scope, t, p) in [
        (Scope::National, None, None),
        (Scope::National, None, Some("13")),
        (Scope::National, Some("hospital"), None),
        (fukuoka_medical, None, None),
    ] {
        let (t, p) = (t.map(str::to_owned), p.map(str::to_owned));
        let codes = Filter { facility_type: t.clone(), prefecture: p.clone(), ..Default::default() };
        let from_totals = subsidies_by_place(app.pool(), &scope, &codes).await.expect("totals");
        let facilities = app::ssr::db::facilities::ListFilter { facility_type: t, prefecture: p, search: None };
        let from_rows = by_place(app.pool(), &scope, &facilities).await.expect("rows");
        assert!(!from_rows.is_empty(), "{scope:?} {codes:?}");
        assert_eq!(from_totals, from_rows, "{scope:?} {codes:?}");
    }
    // The page's totals: one row per prefecture and type, and the sum of all, as SQL counts them.
    let page = list(&app, "", "", "paid", "").await;
    let sum = page.totals.last().expect("合計");
    assert_eq!(sum.prefecture, "合計");
    let (draft, submitted, paid, requested, granted): (i64, i64, i64, i64, i64) = sqlx::query_as(
        "SELECT sum(status = 'draft'), sum(status = 'submitted'), sum(status = 'paid'),
                sum(CASE WHEN status <> 'draft' THEN CAST(subsidy AS INTEGER) END), sum(CAST(paid_amount AS INTEGER))
         FROM subsidy_applications",
    )
    .fetch_one(app.pool())
    .await
    .expect("sums");
    assert_eq!(sum.counts, [draft, submitted, paid], "every status, whatever the list shows");
    assert_eq!(
        (sum.requested.clone(), sum.granted.clone()),
        (rules::Yen::from(requested).to_string(), rules::Yen::from(granted).to_string())
    );
    let places: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT f.prefecture || f.facility_type) FROM subsidy_applications a JOIN facilities f ON f.id = a.facility_id",
    )
    .fetch_one(app.pool())
    .await
    .expect("places");
    assert_eq!(page.totals.len() as i64, places + 1);
    assert_eq!(page.paging.total, paid, "the count comes from the totals");

    // A search on the facility's name (or kana, or the start of its code): the list, its totals
    // and its CSV are the applications of the facilities found.
    let name: String = sqlx::query_scalar(
        "SELECT f.name FROM facilities f JOIN subsidy_applications a ON a.facility_id = f.id ORDER BY a.id LIMIT 1",
    )
    .fetch_one(app.pool())
    .await
    .expect("a name");
    let part: String = name.chars().take(3).collect();
    let like = format!("%{part}%");
    let named: Vec<i64> = sqlx::query_scalar(
        "SELECT a.id FROM facilities f JOIN subsidy_applications a ON a.facility_id = f.id
         WHERE f.name LIKE ?1 OR f.kana LIKE ?1 OR f.facility_code LIKE ?2 ORDER BY f.prefecture, f.kana, f.name, f.id",
    )
    .bind(&like)
    .bind(format!("{part}%"))
    .fetch_all(app.pool())
    .await
    .expect("named");
    assert!(!named.is_empty() && named.len() < all.len(), "{part}: {} of {}", named.len(), all.len());
    let page = found(&app, "", "", &part, "", "").await;
    assert_eq!(page.rows.iter().map(|r| r.id).collect::<Vec<_>>(), named.iter().copied().take(100).collect::<Vec<_>>());
    let counted: i64 =
        page.totals.iter().filter(|t| t.prefecture != "合計").map(|t| t.counts.iter().sum::<i64>()).sum();
    assert_eq!(
        (page.paging.total, counted),
        (named.len() as i64, named.len() as i64),
        "totals of the facilities found"
    );
    let body = app.get(&format!("/exports/applications.csv?q={part}")).await.text().await.expect("CSV");
    assert_eq!(
        body.trim_start_matches('\u{feff}').lines().count(),
        named.len() + 1,
        "the header and the applications found"
    );

    // The page: where it stands, the filter kept in the links and in the CSV link.
    assert!(paid > 100, "two pages of paid applications: {paid}");
    let html = app.get_html("/applications?status=paid").await;
    assert!(html.contains(&format!("{paid} 件中 1–100 件")), "where the page stands");
    assert!(
        html.contains("href=\"/applications?status=paid&amp;page=2\" rel=\"next\""),
        "the next page keeps the filter"
    );
    let html = app.get_html("/applications?type=medical_clinic&status=paid").await;
    assert!(html.contains("href=\"/exports/applications.csv?type=medical_clinic&amp;status=paid\""));
    let csv = app.get("/exports/applications.csv?type=medical_clinic&status=paid").await;
    assert_eq!(csv.status(), 200);
    let body = csv.text().await.expect("CSV");
    let exported: Vec<i64> = csv::Reader::from_reader(body.trim_start_matches('\u{feff}').as_bytes())
        .records()
        .map(|r| r.expect("a CSV record")[0].parse::<i64>().expect("申請ID"))
        .collect();
    assert_eq!(exported, paid_clinics, "what the page shows, in its order");
    for (path, message) in [
        ("/applications?status=closed", "申請の状態 \"closed\" はありません"),
        ("/applications?type=clinic", "施設区分"),
        ("/applications?page=0", "ページ番号 0 は 1 以上の数字で指定してください"),
        ("/exports/applications.csv?status=closed", "status=\"closed\" はありません"),
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status(), 400, "{path}");
        assert!(res.text().await.expect("body").contains(message), "{path}");
    }

    // 福岡県医師会's reviewer: the medical facilities of 福岡県, and nothing else, page after page.
    app.login_as(REVIEWER).await;
    let fukuoka = ids(&app, "f.prefecture = '40' AND f.facility_type IN ('hospital', 'medical_clinic')").await;
    assert!(!fukuoka.is_empty());
    assert_eq!(every_page(&app, "", "", "").await, fukuoka);
    let page = list(&app, "", "", "", "").await;
    assert!(page.totals.iter().all(|t| t.prefecture == "福岡県" || t.prefecture == "合計"), "{:?}", page.totals);
    // The reviewer's search stays within the prefecture and association.
    let found_here = found(&app, "", "", &part, "", "").await;
    let theirs: Vec<i64> = named.iter().copied().filter(|id| fukuoka.contains(id)).collect();
    assert_eq!(found_here.rows.iter().map(|r| r.id).collect::<Vec<_>>(), theirs);
    let counted: i64 =
        found_here.totals.iter().filter(|t| t.prefecture != "合計").map(|t| t.counts.iter().sum::<i64>()).sum();
    assert_eq!(counted, theirs.len() as i64);
}
