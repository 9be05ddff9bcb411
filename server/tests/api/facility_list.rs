//! 施設一覧 a page at a time: every facility of the scope once, in order; filters and search as
//! SQL counts them; bad page numbers and codes say what to fix.

use crate::helpers::*;
use app::api::facilities::FacilityList;
use app::api::paging::ROWS_PER_PAGE as FACILITIES_PER_PAGE;
use server::seed::national::{Options, seed};

/// `/api/facilities` as a script on the page would ask.
async fn list(app: &TestApp, t: &str, p: &str, search: &str, page: &str) -> FacilityList {
    let res = app
        .client
        .post(app.url("/api/facilities"))
        .header("Origin", app.base.clone())
        .form(&[("facility_type", t), ("prefecture", p), ("search", search), ("page", page)])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 200, "{t:?} {p:?} {search:?} page {page:?}");
    res.json().await.expect("a facility list")
}

/// Every page of a filter, one after another: the ids in the order shown.
async fn every_page(app: &TestApp, t: &str, p: &str, search: &str) -> Vec<i64> {
    let first = list(app, t, p, search, "").await;
    let mut ids: Vec<i64> = first.rows.iter().map(|f| f.id).collect();
    for page in 2..=first.paging.pages {
        let next = list(app, t, p, search, &page.to_string()).await;
        assert_eq!(
            (next.paging.page, next.paging.total, next.paging.first),
            (page, first.paging.total, (page - 1) * FACILITIES_PER_PAGE + 1)
        );
        ids.extend(next.rows.iter().map(|f| f.id));
    }
    assert_eq!(i64::try_from(ids.len()).expect("small"), first.paging.total, "{t:?} {p:?} {search:?}");
    ids
}

async fn ids(app: &TestApp, sql: &str) -> Vec<i64> {
    sqlx::query_scalar(sql).fetch_all(app.pool()).await.expect(sql)
}

#[tokio::test]
async fn the_facility_list_comes_a_page_at_a_time_with_every_facility_once_in_order() {
    let app = spawn_app().await;
    seed(app.pool(), &Options { quotes_per_facility: 0, ..Options::new(450) }, |_| {}).await.expect("seed-national");
    app.login_as(AUDITOR).await;
    let expected = ids(&app, "SELECT id FROM facilities ORDER BY prefecture, kana, name, id").await;
    assert!(expected.len() > 4 * usize::try_from(FACILITIES_PER_PAGE).expect("small"), "several pages");
    let first = list(&app, "", "", "", "").await;
    assert_eq!(first.rows.len(), usize::try_from(FACILITIES_PER_PAGE).expect("small"));
    assert_eq!(first.paging.pages, (first.paging.total + FACILITIES_PER_PAGE - 1) / FACILITIES_PER_PAGE);
    assert_eq!(every_page(&app, "", "", "").await, expected);
    // The page itself: where it stands, and links on to the next page and back.
    let html = app.get_html("/facilities").await;
    assert!(
        html.contains(&format!("{} 施設中 1–100 件（1 / {} ページ）", first.paging.total, first.paging.pages)),
        "{html}"
    );
    assert!(html.contains("href=\"/facilities?page=2\" rel=\"next\""), "the next page's link");
    let second = app.get_html("/facilities?page=2").await;
    assert!(second.contains(&format!("{} 施設中 101–200 件", first.paging.total)), "the second page");
    assert!(second.contains("href=\"/facilities\" rel=\"prev\"") && second.contains("page=3"), "back and on");
    let clinics = list(&app, "medical_clinic", "", "", "").await;
    assert!(clinics.paging.pages > 1, "enough clinics for two pages");
    let filtered = app.get_html("/facilities?type=medical_clinic").await;
    assert!(filtered.contains("href=\"/facilities?type=medical_clinic&amp;page=2\" rel=\"next\""), "the filter kept");
    // Past the last page (a list that shrank, a number typed by hand): the last page.
    let past = list(&app, "", "", "", "9999").await;
    assert_eq!((past.paging.page, past.rows.last().map(|f| f.id)), (first.paging.pages, expected.last().copied()));
    // What the page answers: 400 and what to fix.
    for bad in ["0", "-1", "abc", "1.5"] {
        let res = app.get(&format!("/facilities?page={bad}")).await;
        assert_eq!(res.status(), 400, "page={bad}");
        let body = res.text().await.expect("body");
        assert!(body.contains(&format!("ページ番号 {bad} は 1 以上の数字で指定してください")), "page={bad}: {body}");
    }
    let res = app.get("/facilities?type=clinic&prefecture=99").await;
    assert_eq!(res.status(), 400);
    let body = res.text().await.expect("body");
    assert!(body.contains("施設区分 clinic はありません") && body.contains("都道府県コード 99 はありません"), "{body}");
}

#[tokio::test]
async fn filters_and_search_narrow_the_list_as_sql_counts_it() {
    let app = spawn_app().await;
    seed(app.pool(), &Options { quotes_per_facility: 0, ..Options::new(450) }, |_| {}).await.expect("seed-national");
    app.login_as(AUDITOR).await;
    let clinics_in_tokyo = ids(
        &app,
        "SELECT id FROM facilities WHERE facility_type = 'medical_clinic' AND prefecture = '13'
         ORDER BY prefecture, kana, name, id",
    )
    .await;
    assert!(!clinics_in_tokyo.is_empty(), "the seed has clinics in 東京都");
    assert_eq!(every_page(&app, "medical_clinic", "13", "").await, clinics_in_tokyo);
    // Part of a name, in the middle of it.
    let name: String = sqlx::query_scalar("SELECT name FROM facilities ORDER BY id DESC LIMIT 1")
        .fetch_one(app.pool())
        .await
        .expect("a name");
    let part: String = name.chars().skip(1).take(3).collect();
    let found = every_page(&app, "", "", &part).await;
    let like = format!("%{part}%");
    let expected: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM facilities WHERE instr(name, ?) > 0 OR instr(kana, ?) > 0 OR substr(facility_code, 1, length(?)) = ?
         ORDER BY prefecture, kana, name, id",
    )
    .bind(&part)
    .bind(&part)
    .bind(&part)
    .bind(&part)
    .fetch_all(app.pool())
    .await
    .expect(&like);
    assert!(!expected.is_empty());
    assert_eq!(found, expected, "search {part:?}");
    // The start of a 医療機関コード, with spaces typed around it.
    let code: String = sqlx::query_scalar("SELECT facility_code FROM facilities ORDER BY id LIMIT 1")
        .fetch_one(app.pool())
        .await
        .expect("a code");
    let by_code = list(&app, "", "", &format!("  {}  ", &code[..7]), "").await;
    assert!(by_code.rows.iter().any(|f| f.code == code), "{code}");
    assert_eq!(by_code.applied[2], code[..7], "the search as applied, trimmed");
    // LIKE's wildcards typed are themselves, not "anything".
    for wild in ["%", "_", "\\"] {
        assert_eq!(list(&app, "", "", wild, "").await.paging.total, 0, "search {wild:?}");
    }
}

#[tokio::test]
async fn a_reviewer_pages_through_their_prefecture_only() {
    let app = spawn_app().await;
    seed(app.pool(), &Options { quotes_per_facility: 0, ..Options::new(1000) }, |_| {}).await.expect("seed-national");
    app.login_as(REVIEWER).await;
    // 福岡県医師会: hospitals and medical clinics of 福岡県.
    let theirs = ids(
        &app,
        "SELECT id FROM facilities WHERE prefecture = '40' AND facility_type IN ('hospital', 'medical_clinic')
         ORDER BY prefecture, kana, name, id",
    )
    .await;
    assert_eq!(every_page(&app, "", "", "").await, theirs);
    assert_eq!(list(&app, "", "13", "", "").await.paging.total, 0, "another prefecture asked for: none of it");
    assert_eq!(list(&app, "pharmacy", "", "", "").await.paging.total, 0, "a type the association does not cover");
    let page = app.get_html("/facilities").await;
    assert!(page.contains("data-testid=\"facility-filter\""), "reviewers filter");
}
