//! The dashboards: scoped aggregates beside the published figures, SVG charts with their
//! tables, filters, and each table as CSV.

use crate::helpers::*;

async fn signed_in(app: &TestApp, who: &str) -> reqwest::Client {
    let c = client();
    let res = post_form(app, &c, "/api/login", "/login", &[("email", who), ("password", DEMO_PASSWORD)]).await;
    assert_eq!(location(&res), "/", "{who} signs in");
    c
}

async fn get(app: &TestApp, who: &reqwest::Client, path: &str) -> (u16, String) {
    let res = who.get(app.url(path)).send().await.expect("GET");
    (res.status().as_u16(), res.text().await.expect("body"))
}

fn read_csv(body: &str) -> Vec<Vec<String>> {
    let body = body.strip_prefix('\u{feff}').expect("a BOM for Excel");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body.as_bytes())
        .records()
        .map(|r| r.expect("record").iter().map(str::to_owned).collect())
        .collect()
}

/// Gives the first `n` Fukuoka clinics a reader application, `ready` of them a completion and
/// `operating` of those an operation start (all in 2022).
async fn progress(app: &TestApp, n: i64, ready: i64, operating: i64) {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM facilities WHERE prefecture = '40' AND facility_type = 'medical_clinic' ORDER BY id LIMIT ?",
    )
    .bind(n)
    .fetch_all(app.pool())
    .await
    .expect("clinics");
    assert_eq!(ids.len() as i64, n, "the demo has enough Fukuoka clinics");
    for (i, id) in ids.iter().enumerate() {
        let i = i as i64;
        sqlx::query("INSERT INTO reader_applications (facility_id, applied_on, readers, model_undecided, maker_code) VALUES (?, '2022-03-01', 1, 1, NULL)")
            .bind(id)
            .execute(app.pool())
            .await
            .expect("application");
        let completed = (i < ready).then_some("2022-09-01");
        let started = (i < operating).then_some("2022-10-01");
        sqlx::query("INSERT INTO facility_progress (facility_id, stage, completed_on, operation_started_on, blocker_code, blocker_text) VALUES (?, 'reader_applied', ?, ?, NULL, ?)")
            .bind(id)
            .bind(completed)
            .bind(started)
            .bind((i >= ready).then_some("ベンダーの人手不足"))
            .execute(app.pool())
            .await
            .expect("progress");
    }
}

#[tokio::test]
async fn reviewers_see_their_prefecture_auditors_the_country_beside_the_published_figures() {
    let app = spawn_app().await;
    progress(&app, 3, 2, 1).await;

    let reviewer = signed_in(&app, REVIEWER).await;
    let (status, html) = get(&app, &reviewer, "/dashboard").await;
    assert_eq!(status, 200);
    for chart in ["funnel_by_type", "funnel_by_prefecture", "blockers", "quote_categories", "complaints", "subsidies"] {
        assert!(html.contains(&format!(r#"data-testid="chart-{chart}""#)), "{chart} is on the page");
    }
    assert!(html.matches("<svg").count() >= 3 && !html.contains("<script src"), "server-drawn SVG, no external script");
    let by_prefecture = &html[html.find(r#"data-testid="chart-funnel_by_prefecture""#).expect("chart")..];
    let by_prefecture = &by_prefecture[..by_prefecture.find("</section>").expect("end")];
    assert!(by_prefecture.contains("福岡県") && !by_prefecture.contains("東京都"), "the reviewer's prefecture only");
    assert!(by_prefecture.contains("公表 2023-01-01"), "Fukuoka's published figures beside the live ones");

    let (_, body) = get(&app, &reviewer, "/dashboard/funnel_by_type.csv").await;
    let rows = read_csv(&body);
    assert_eq!(rows[0][..6], ["施設区分", "施設数", "カードリーダー申込", "準備完了", "運用開始", "運用開始率"]);
    let clinics: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM facilities WHERE prefecture = '40' AND facility_type = 'medical_clinic'",
    )
    .fetch_one(app.pool())
    .await
    .expect("count");
    let live = rows.iter().find(|r| r[0] == "医科診療所" && r[6] == "Onshiの登録データ").expect("the live clinic row");
    assert_eq!(live[1..5], [clinics.to_string(), "3".into(), "2".into(), "1".into()], "{live:?}");
    let published =
        rows.iter().find(|r| r[0].starts_with("医科診療所・福岡県（公表 2023-01-01")).expect("published row");
    assert_eq!(published[1..5], ["4142", "3813", "1432", "1061"], "seeds/004 as loaded, to the digit");

    let (_, body) = get(&app, &reviewer, "/dashboard/blockers.csv").await;
    let rows = read_csv(&body);
    assert_eq!(rows[1][1..3], ["ベンダーの人手不足".to_owned(), "1".to_owned()], "{rows:?}");

    let auditor = signed_in(&app, AUDITOR).await;
    let (_, html) = get(&app, &auditor, "/dashboard").await;
    assert!(html.contains("東京都"), "auditors see the country");
    let (_, body) = get(&app, &auditor, "/dashboard/funnel_by_type.csv").await;
    let national = read_csv(&body);
    let published = national.iter().find(|r| r[0].starts_with("病院・全国（公表 2022-05-01")).expect("national row");
    assert_eq!(published[1..5], ["8211", "6467", "3420", "2891"], "seeds/002 as loaded");
}

#[tokio::test]
async fn filters_narrow_every_chart_and_bad_ones_say_what_to_fix() {
    let app = spawn_app().await;
    progress(&app, 3, 2, 1).await;
    let auditor = signed_in(&app, AUDITOR).await;

    // As of 2022-09-15 nothing operated yet and two of the three were not ready.
    let (_, body) =
        get(&app, &auditor, "/dashboard/funnel_by_type.csv?type=medical_clinic&prefecture=40&to=2022-09-15").await;
    let rows = read_csv(&body);
    let live: Vec<&Vec<String>> =
        rows.iter().filter(|r| r.last().map(String::as_str) == Some("Onshiの登録データ")).collect();
    assert_eq!(live.len(), 1, "one type after the filter");
    assert_eq!(live[0][2..5], ["3", "2", "0"], "as of the period's end");

    let (status, html) = get(&app, &auditor, "/dashboard?from=2023-02-30").await;
    assert!(html.contains("期間の開始日"), "the bad date is named ({status})");
    let (status, _) = get(&app, &auditor, "/dashboard/funnel_by_type.csv?prefecture=99").await;
    assert_eq!(status, 400);
    let (status, _) = get(&app, &auditor, "/dashboard/no_such_chart.csv").await;
    assert_eq!(status, 404);

    let admin = signed_in(&app, ADMIN).await;
    assert_eq!(get(&app, &admin, "/dashboard").await.0, 403);
    assert_eq!(get(&app, &admin, "/dashboard/funnel_by_type.csv").await.0, 403);
}
