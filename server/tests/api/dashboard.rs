//! The dashboards: scoped aggregates beside the published figures, SVG charts with their
//! tables, filters, and each table as CSV.

use crate::helpers::*;
use app::api::dashboard::{Chart, charts_from, parse_filter};
use app::ssr::db::dashboard::{Filter, Source, generation, totals_drift};

async fn signed_in(app: &TestApp, who: &str) -> reqwest::Client {
    app.signed_in_client(who).await
}

async fn get(app: &TestApp, who: &reqwest::Client, path: &str) -> (u16, String) {
    let res = who.get(app.url(path)).send().await.expect("GET");
    (res.status().as_u16(), res.text().await.expect("body"))
}

pub(crate) fn read_csv(body: &str) -> Vec<Vec<String>> {
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
    assert!(html.contains("公表された施設数（令和5年1月1日"), "the note says the shares are of the published totals");

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
    // Without a registry, the share is of the published total of 福岡県's clinics (seeds/004,
    // 2023-01-01), not of the few Onshi holds: the ministry's scale.
    assert!(clinics < 4142, "the demo holds fewer clinics than were published");
    assert_eq!(live[1..5], ["4142".to_owned(), "3".into(), "2".into(), "1".into()], "{live:?}");
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

    // As of 2022-09-15 two of the three were ready and none operated yet (a day, not a month: raw rows).
    let (_, body) =
        get(&app, &auditor, "/dashboard/funnel_by_type.csv?type=medical_clinic&prefecture=40&to=2022-09-15").await;
    let rows = read_csv(&body);
    let live: Vec<&Vec<String>> =
        rows.iter().filter(|r| r.last().map(String::as_str) == Some("Onshiの登録データ")).collect();
    assert_eq!(live.len(), 1, "one type after the filter");
    assert_eq!(live[0][2..5], ["3", "2", "0"], "as of the period's end");

    let (status, html) = get(&app, &auditor, "/dashboard?from=2023-02-30").await;
    assert!(html.contains("期間の開始"), "the bad date is named ({status})");
    let (status, _) = get(&app, &auditor, "/dashboard/funnel_by_type.csv?prefecture=99").await;
    assert_eq!(status, 400);
    let (status, _) = get(&app, &auditor, "/dashboard/no_such_chart.csv").await;
    assert_eq!(status, 404);

    let admin = signed_in(&app, ADMIN).await;
    assert_eq!(get(&app, &admin, "/dashboard").await.0, 403);
    assert_eq!(get(&app, &admin, "/dashboard/funnel_by_type.csv").await.0, 403);
}

/// Every chart from the running totals and from the raw rows, for a scope and filter.
async fn both_sources(app: &TestApp, scope: &rules::access::Scope, filter: &Filter) -> (Vec<Chart>, Vec<Chart>) {
    let from_totals = charts_from(app.pool(), Source::Totals, scope, filter).await.expect("totals");
    let from_rows = charts_from(app.pool(), Source::Raw, scope, filter).await.expect("raw rows");
    (from_totals, from_rows)
}

fn filter(facility_type: &str, prefecture: &str, from: &str, to: &str) -> Filter {
    parse_filter(facility_type, prefecture, from, to).expect("a good filter")
}

async fn run(app: &TestApp, sql: &str) {
    sqlx::query(sql).execute(app.pool()).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

#[tokio::test]
async fn the_running_totals_follow_every_write_and_give_the_raw_rows_figures() {
    let app = spawn_app().await;
    progress(&app, 3, 2, 1).await;
    let clinic: i64 = sqlx::query_scalar(
        "SELECT id FROM facilities WHERE prefecture = '40' AND facility_type = 'medical_clinic' ORDER BY id LIMIT 1",
    )
    .fetch_one(app.pool())
    .await
    .expect("a clinic");
    let other: i64 = sqlx::query_scalar("SELECT id FROM facilities WHERE prefecture <> '40' ORDER BY id LIMIT 1")
        .fetch_one(app.pool())
        .await
        .expect("another facility");
    let manager: i64 = sqlx::query_scalar("SELECT id FROM users WHERE role = 'clinic_manager' LIMIT 1")
        .fetch_one(app.pool())
        .await
        .expect("a manager");
    // Every kind of write, straight in SQL: the triggers keep the totals, whoever writes.
    for sql in [
        format!("INSERT INTO quotes (id, facility_id, file_name, quote_date, confirmed) VALUES (9001, {clinic}, 'a.xlsx', '2022-05-10', 1)"),
        "INSERT INTO quote_lines (quote_id, position, kind, description, category, amount) VALUES
            (9001, 1, 'item', '顔認証付きカードリーダー', 'card_reader', '100000'),
            (9001, 2, 'item', 'PC', 'terminal', '250000'),
            (9001, 3, 'item', '保守', 'maintenance', '36000'),
            (9001, 4, 'discount', '値引き', 'discount', '-20000')".to_owned(),
        format!("INSERT INTO quotes (id, facility_id, file_name, quote_date, confirmed) VALUES (9002, {other}, 'b.xlsx', NULL, 0)"),
        "INSERT INTO quote_lines (quote_id, position, kind, description, category, amount) VALUES
            (9002, 1, 'item', 'ルーター', 'router', '48000'), (9002, 2, 'item', '資格確認アプリ', 'app_software', '0')".to_owned(),
        "UPDATE quotes SET confirmed = 1, quote_date = '2022-07-01' WHERE id = 9002".to_owned(),
        "UPDATE quote_lines SET amount = '52000', category = 'network_setup' WHERE quote_id = 9002 AND position = 1".to_owned(),
        "DELETE FROM quote_lines WHERE quote_id = 9001 AND position = 2".to_owned(),
        "UPDATE quotes SET quote_date = '2023-01-15' WHERE id = 9001".to_owned(),
        format!("UPDATE facility_progress SET blocker_code = NULL, blocker_text = NULL, operation_started_on = '2023-02-01' WHERE facility_id = {clinic}"),
        format!("UPDATE reader_applications SET applied_on = '2021-12-20' WHERE facility_id = {clinic}"),
        format!("INSERT INTO complaints (id, facility_id, quote_id, kind, description, status, filed_by, filed_at) VALUES (9001, {clinic}, 9001, 'high_quote', '高い', 'submitted', {manager}, '2022-06-01T09:00:00Z')"),
        "UPDATE complaints SET status = 'under_review' WHERE id = 9001".to_owned(),
        format!("INSERT INTO subsidy_applications (facility_id, quote_id, applied_on, scheme_id, total_cost, eligible_cost, subsidy, self_burden, package_json)
                 VALUES ({clinic}, 9001, '2023-03-01', 's', '116000', '100000', '50000', '66000', '{{}}')"),
        format!("UPDATE subsidy_applications SET status = 'submitted', submitted_on = '2023-03-02' WHERE facility_id = {clinic}"),
        format!("UPDATE subsidy_applications SET status = 'paid', paid_on = '2023-04-10', paid_amount = '50000' WHERE facility_id = {clinic}"),
        // The facility moves: everything it counted moves with it.
        format!("UPDATE facilities SET prefecture = '13' WHERE id = {other}"),
        format!("UPDATE facilities SET facility_type = 'hospital' WHERE id = {clinic}"),
    ] {
        run(&app, &sql).await;
    }
    assert_eq!(totals_drift(app.pool()).await.expect("drift"), vec![], "the totals agree with the raw rows");

    let fukuoka = rules::access::Scope::Association {
        association: rules::Association::Medical,
        prefecture: "40".parse().expect("Fukuoka"),
    };
    let national = rules::access::Scope::National;
    for (scope, f) in [
        (&national, filter("", "", "", "")),
        (&national, filter("", "", "2022-06", "2023-01")),
        (&national, filter("hospital", "", "", "2022-12")),
        (&national, filter("", "40", "2023-01-01", "2023-03-31")),
        (&fukuoka, filter("", "", "", "")),
        (&fukuoka, filter("hospital", "", "2022-01", "令和5年2月")),
        // Periods starting or ending mid-month: totals for the whole months, raw rows for the days.
        (&national, filter("", "", "2022-06-01", "2023-01-15")),
        (&national, filter("", "", "2022-06-02", "2023-01-14")),
        (&national, filter("", "", "2022-05-15", "")),
        (&national, filter("", "", "", "2023-02-01")),
        (&national, filter("hospital", "", "2023-01-10", "2023-03-01")),
        (&national, filter("", "40", "2022-07-01", "2022-07-01")),
        (&national, filter("", "", "2023-01-31", "2023-02-01")),
        (&national, filter("", "", "2023-03-10", "2023-01-05")),
        (&fukuoka, filter("", "", "2021-12-20", "2023-03-01")),
        (&fukuoka, filter("", "", "2022-07-02", "2023-01-16")),
    ] {
        let (from_totals, from_rows) = both_sources(&app, scope, &f).await;
        assert_eq!(from_totals, from_rows, "{scope:?} {f:?}");
    }
    // The comparison would miss a chart that is empty both ways: these are not.
    let (charts, _) = both_sources(&app, &national, &filter("", "", "", "")).await;
    let rows = |id: &str| charts.iter().find(|c| c.id == id).map_or(0, |c| c.rows.len());
    assert!(
        ["funnel_by_type", "funnel_by_prefecture", "blockers", "quote_categories", "complaints", "subsidies"]
            .iter()
            .all(|id| rows(id) > 0),
        "{charts:?}"
    );
    let quotes = charts.iter().find(|c| c.id == "quote_categories").expect("quotes chart");
    let card_reader = quotes.rows.iter().find(|r| r.cells[0] == "顔認証付きカードリーダー").expect("card reader row");
    assert_eq!(card_reader.cells[1..4], ["1", "100,000円", "1"], "one line charging for a free reader");
    let subsidies = charts.iter().find(|c| c.id == "subsidies").expect("subsidies chart");
    assert_eq!(subsidies.rows[0].cells[1..], ["1", "50,000円", "50,000円"]);

    // Deleting a confirmed quote takes its lines out once (the cascade finds no quote).
    run(&app, "DELETE FROM complaints WHERE id = 9001").await;
    run(&app, "DELETE FROM subsidy_applications").await;
    run(&app, "DELETE FROM quotes WHERE id = 9002").await;
    assert_eq!(totals_drift(app.pool()).await.expect("drift"), vec![], "after deletes");
}

#[test]
fn a_period_splits_into_whole_months_and_the_days_of_part_months() {
    let day = |s: &str| s.parse::<chrono::NaiveDate>().expect("a date");
    let months = |a: &str, b: &str| {
        Some((Some(a.to_owned()).filter(|s| !s.is_empty()), Some(b.to_owned()).filter(|s| !s.is_empty())))
    };
    for (from, to, whole, days) in [
        ("2022-04", "2023-03", months("2022-04", "2023-03"), vec![]),
        ("", "", months("", ""), vec![]),
        ("2022-04-01", "2023-02-28", months("2022-04", "2023-02"), vec![]),
        ("2024-02", "2024-02-29", months("2024-02", "2024-02"), vec![]),
        ("2022-04-02", "", months("2022-05", ""), vec![(day("2022-04-02"), day("2022-04-30"))]),
        ("", "2023-02-27", months("", "2023-01"), vec![(day("2023-02-01"), day("2023-02-27"))]),
        (
            "2022-12-31",
            "2023-03-01",
            months("2023-01", "2023-02"),
            vec![(day("2022-12-31"), day("2022-12-31")), (day("2023-03-01"), day("2023-03-01"))],
        ),
        // Within one month: one span, no whole month.
        ("2023-02-03", "2023-02-20", None, vec![(day("2023-02-03"), day("2023-02-20"))]),
        ("2023-02-01", "2023-02-20", None, vec![(day("2023-02-01"), day("2023-02-20"))]),
        // Two neighbouring part months and no whole one.
        (
            "2023-01-31",
            "2023-02-01",
            None,
            vec![(day("2023-01-31"), day("2023-01-31")), (day("2023-02-01"), day("2023-02-01"))],
        ),
        // An end before the start: nothing at all.
        ("2023-03-10", "2023-01-05", None, vec![]),
        ("2023-03-10", "2023-03-05", None, vec![]),
    ] {
        let split = filter("", "", from, to).split();
        assert_eq!(split.months, whole, "{from}..{to}");
        assert_eq!(split.days, days, "{from}..{to}");
    }
    let auditor = rules::access::Scope::National;
    let manager = rules::access::Scope::Corporation { id: 1 };
    assert_eq!(Source::for_request(&auditor), Source::Totals);
    assert_eq!(Source::for_request(&manager), Source::Raw, "a manager's own rows");
}

#[tokio::test]
async fn a_period_ending_mid_month_counts_its_last_day_and_not_the_next() {
    let app = spawn_app().await;
    let clinic: i64 = sqlx::query_scalar("SELECT id FROM facilities ORDER BY id LIMIT 1")
        .fetch_one(app.pool())
        .await
        .expect("a facility");
    run(&app, &format!("INSERT INTO quotes (id, facility_id, file_name, quote_date, confirmed) VALUES (9101, {clinic}, 'a.xlsx', '2023-01-15', 1)")).await;
    run(&app, "INSERT INTO quote_lines (quote_id, position, kind, description, category, amount) VALUES (9101, 1, 'item', 'カードリーダー', 'card_reader', '100000')").await;
    let national = rules::access::Scope::National;
    for source in [Source::Totals, Source::Raw] {
        let readers = |charts: &[Chart]| {
            charts
                .iter()
                .find(|c| c.id == "quote_categories")
                .and_then(|c| c.rows.iter().find(|r| r.cells[0] == "顔認証付きカードリーダー"))
                .map(|r| r.cells[1].clone())
        };
        let on = charts_from(app.pool(), source, &national, &filter("", "", "2023-01-15", "2023-01-15"))
            .await
            .expect("charts");
        assert_eq!(readers(&on), Some("1".to_owned()), "{source:?}: the day itself");
        let before = charts_from(app.pool(), source, &national, &filter("", "", "2022-12-01", "2023-01-14"))
            .await
            .expect("charts");
        assert_eq!(readers(&before), None, "{source:?}: up to the day before");
        let after = charts_from(app.pool(), source, &national, &filter("", "", "2023-01-16", "2023-02-10"))
            .await
            .expect("charts");
        assert_eq!(readers(&after), None, "{source:?}: from the day after");
    }
}

#[tokio::test]
async fn a_dashboard_is_served_again_until_anything_it_shows_changes() {
    let app = spawn_app().await;
    let auditor = signed_in(&app, AUDITOR).await;
    let facility: i64 = sqlx::query_scalar("SELECT id FROM facilities ORDER BY id LIMIT 1")
        .fetch_one(app.pool())
        .await
        .expect("facility");
    let manager: i64 = sqlx::query_scalar("SELECT id FROM users WHERE role = 'clinic_manager' LIMIT 1")
        .fetch_one(app.pool())
        .await
        .expect("manager");
    let vendor: i64 =
        sqlx::query_scalar("SELECT id FROM vendors ORDER BY id LIMIT 1").fetch_one(app.pool()).await.expect("vendor");
    let complaints = |body: String| read_csv(&body).into_iter().skip(1).collect::<Vec<_>>();

    let (_, first) = get(&app, &auditor, "/dashboard/complaints.csv").await;
    // The rendered charts, without the page around them (its script nonce differs every time).
    let charts_of = |html: String| {
        let start = html.find(r#"<div class="charts">"#).expect("charts");
        html[start..start + html[start..].find("</main>").expect("end of main")].to_owned()
    };
    let page_first = charts_of(get(&app, &auditor, "/dashboard").await.1);
    let before = generation(app.pool()).await.expect("generation");
    let (_, again) = get(&app, &auditor, "/dashboard/complaints.csv").await;
    assert_eq!(first, again);
    assert_eq!(generation(app.pool()).await.expect("generation"), before, "reading changes nothing");

    run(&app, &format!(
        "INSERT INTO complaints (facility_id, vendor_id, kind, description, status, filed_by) VALUES ({facility}, {vendor}, 'delay', '遅い', 'submitted', {manager})"
    ))
    .await;
    let (_, after) = get(&app, &auditor, "/dashboard/complaints.csv").await;
    let rows = complaints(after);
    assert_eq!(rows.len(), complaints(first).len() + 1, "the new complaint shows at once: {rows:?}");
    let page_after = charts_of(get(&app, &auditor, "/dashboard").await.1);
    assert!(page_after != page_first, "the page's rendered charts follow the new complaint");

    // Served from the cache: national rows changed behind the triggers' back do not show…
    run(&app, "UPDATE dashboard_totals SET n = n + 100 WHERE metric = 'complaint' AND prefecture = ''").await;
    let (_, cached) = get(&app, &auditor, "/dashboard/complaints.csv").await;
    assert_eq!(complaints(cached), rows, "the computed charts were served again");
    let page_cached = charts_of(get(&app, &auditor, "/dashboard").await.1);
    assert!(page_cached == page_after, "the rendered charts were served again");
    run(&app, "UPDATE dashboard_totals SET n = n - 100 WHERE metric = 'complaint' AND prefecture = ''").await;

    run(&app, &format!("UPDATE vendors SET name = '改名後のベンダー' WHERE id = {vendor}")).await;
    let (_, renamed) = get(&app, &auditor, "/dashboard/complaints.csv").await;
    assert!(complaints(renamed).iter().any(|r| r[0] == "改名後のベンダー"), "a renamed vendor shows at once");
    assert!(charts_of(get(&app, &auditor, "/dashboard").await.1).contains("改名後のベンダー"), "and on the page");
}

/// `onshi dashboard-totals SUBCOMMAND --db DB`: exit code and stdout.
fn totals_cli(subcommand: &str, db: &std::path::Path) -> (Option<i32>, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_onshi"))
        .args(["dashboard-totals", subcommand, "--db"])
        .arg(db)
        .env_remove("ONSHI_DB")
        .output()
        .expect("run onshi dashboard-totals");
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    (out.status.code(), format!("{stdout}{}", String::from_utf8_lossy(&out.stderr)))
}

#[tokio::test]
async fn the_cli_finds_totals_written_past_the_triggers_and_rebuilds_them() {
    let app = spawn_app_with_demo_activity().await;
    let db = app.db_path.clone();
    let pool = app.pool();
    let (code, out) = totals_cli("check", &db);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("dashboard totals agree with the raw rows"), "{out}");

    // A line written with its triggers out of the way (and put back): the totals never saw it.
    let before = generation(pool).await.expect("generation");
    let mut tx = pool.begin().await.expect("tx");
    for sql in [
        "CREATE TEMP TABLE kept AS SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN ('dashboard_line_added', 'dashboard_line_day_added')",
        "DROP TRIGGER dashboard_line_added",
        "DROP TRIGGER dashboard_line_day_added",
        "INSERT INTO quote_lines (quote_id, position, kind, description, category, quantity, unit_price, amount)
         VALUES (1, 999, 'item', '追加のルーター', 'router', '1', '30000', '30000')",
    ] {
        sqlx::query(sql).execute(&mut *tx).await.expect(sql);
    }
    let kept: Vec<(String,)> = sqlx::query_as("SELECT sql FROM kept").fetch_all(&mut *tx).await.expect("kept");
    for (sql,) in kept {
        sqlx::query(&sql).execute(&mut *tx).await.expect("trigger again");
    }
    tx.commit().await.expect("commit");

    let (code, out) = totals_cli("check", &db);
    assert_eq!(code, Some(1), "{out}");
    for row in [
        "quote_line\t40\thospital\trouter\t\t2022-10\t1",
        "quote_line\t\thospital\trouter\t\t2022-10\t1",
        "quote_line_day\t\thospital\trouter\t\t2022-10-05\t1",
    ] {
        assert!(out.contains(row), "{row:?} is listed: {out}");
    }

    let (code, out) = totals_cli("rebuild", &db);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(totals_drift(pool).await.expect("drift"), vec![], "the rebuilt totals agree");
    assert!(generation(pool).await.expect("generation") > before, "cached dashboards are computed again");
    let (code, out) = totals_cli("check", &db);
    assert_eq!(code, Some(0), "{out}");
    app.stop().await;
}

#[test]
fn the_cli_refuses_a_missing_database_instead_of_creating_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("typo.sqlite");
    for subcommand in ["check", "rebuild"] {
        let (code, out) = totals_cli(subcommand, &db);
        assert_eq!(code, Some(2), "{out}");
        assert!(out.contains("データベースがありません"), "{out}");
    }
    assert!(!db.exists(), "no file was created");
}
