//! Pages: health, assets, 404, the reference pages with the seeds' numbers.

use crate::helpers::*;

#[tokio::test]
async fn healthz_answers_ok_after_checking_the_database() {
    let app = spawn_app().await;
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.expect("body"), "ok\n");
}

#[tokio::test]
async fn healthz_fails_when_the_database_is_closed() {
    let app = spawn_app().await;
    app.pool().close().await;
    assert_eq!(app.get("/healthz").await.status(), 503);
}

#[tokio::test]
async fn the_stylesheet_is_served_by_the_binary_without_a_session() {
    let app = spawn_app().await;
    let res = app.get("/assets/onshi.css").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/css; charset=utf-8");
    assert!(res.text().await.expect("body").contains(".site-header"));
}

#[tokio::test]
async fn pages_load_no_external_resources() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    for path in ["/login", "/", "/reference/vendors", "/reference/statistics", "/reference/benchmarks"] {
        let html = app.get_html(path).await;
        for attr in ["src=\"http", "href=\"http", "src=\"//", "href=\"//"] {
            assert!(!html.contains(attr), "{path} loads an external resource ({attr})");
        }
    }
}

#[tokio::test]
async fn an_unknown_page_is_a_japanese_404_inside_the_app_frame() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let res = app.get("/no/such/page").await;
    assert_eq!(res.status(), 404);
    let html = res.text().await.expect("body");
    assert!(html.contains("ページが見つかりません"));
    assert!(html.contains(r#"<html lang="ja">"#));
    assert!(html.contains(MANAGER), "header still shows the user");
}

#[tokio::test]
async fn the_navigation_differs_by_role() {
    let app = spawn_app().await;
    app.login_as(REVIEWER).await;
    let html = app.get_html("/").await;
    let nav = &html[html.find("site-nav").expect("nav")..];
    let statistics = nav.find("/reference/statistics").expect("statistics link");
    let benchmarks = nav.find("/reference/benchmarks").expect("benchmarks link");
    assert!(statistics < benchmarks, "reviewers see statistics before benchmarks");
}

#[tokio::test]
async fn the_auditors_home_shows_the_newest_national_figures_of_seed_004_exactly() {
    let app = spawn_app().await;
    app.login_as(AUDITOR).await;
    let html = app.get_html("/").await;
    assert!(html.contains("令和5年1月1日（2023-01-01）"));
    // seeds/004: all types 229,963 / 208,511 / 111,513 / 93,385; 病院 8,187 / 8,049 / 5,162 / 4,349.
    for figure in ["229,963", "208,511", "111,513", "93,385", "8,187", "8,049", "5,162", "4,349"] {
        assert!(html.contains(&format!(">{figure}<")), "home lacks {figure}");
    }
}

#[tokio::test]
async fn pages_carry_their_data_as_html_only_not_again_as_hydration_data() {
    let app = spawn_app().await;
    app.login_as(AUDITOR).await;
    for path in ["/", "/reference/statistics", "/facilities", "/dashboard"] {
        let html = app.get_html(path).await;
        // Leptos writes a resource's value as `__RESOLVED_RESOURCES[n] = "<JSON>"` for a
        // browser build to pick up; there is none, so the pages carry only the empty lists.
        assert!(html.contains("__RESOLVED_RESOURCES=[]"), "{path}");
        assert!(!html.contains("__RESOLVED_RESOURCES["), "{path}: hydration data in the page");
        assert!(!html.contains("\\\"source\\\""), "{path}: escaped JSON in the page");
    }
}

#[tokio::test]
async fn the_statistics_page_shows_seed_002_figures_exactly_with_their_source() {
    let app = spawn_app().await;
    app.login_as(AUDITOR).await;
    let html = app.get_html("/reference/statistics").await;
    // seeds/002 (2022-05-01): 229,836 facilities, 132,324 applied, 55,265 ready, 42,333 operating;
    // 病院 8,211 / 6,467 / 3,420 / 2,891.
    for figure in ["229,836", "132,324", "55,265", "42,333", "8,211", "6,467", "3,420", "2,891"] {
        assert!(html.contains(&format!(">{figure}<")), "statistics lack {figure}");
    }
    assert!(
        html.contains(r#"<a href="/reference/sources#mhlw_progress_2022_05">厚生労働省「オンライン資格確認の進捗状況について」（令和4年5月）</a>"#),
        "the source in its short form, linked to the register"
    );
    assert!(!html.contains("seeds/"), "no file of the repository named as a source");
    assert!(html.contains("福岡県"), "the 福岡 series of 004");
}

#[tokio::test]
async fn the_vendor_page_lists_every_seeded_vendor() {
    let app = spawn_app().await;
    app.login_as(REVIEWER).await;
    let html = app.get_html("/reference/vendors").await;
    let seeded: Vec<serde_json::Value> =
        serde_json::from_str(include_str!("../../../seed/vendors.json")).expect("vendors.json");
    assert!(seeded.len() >= 20);
    for v in &seeded {
        let name = v["name"].as_str().expect("name");
        assert!(html.contains(name), "vendor {name} missing");
    }
    assert_eq!(html.matches("<tr>").count(), seeded.len() + 1, "one row per vendor plus the header");
}

#[tokio::test]
async fn the_benchmark_page_shows_the_on_site_minutes_of_seed_002() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let html = app.get_html("/reference/benchmarks").await;
    // seeds/002: 資格確認端末セットアップ 30 / 131 / 370 minutes; total 160 / 450 / 1542.
    for figure in ["370分", "131分", "1,542分", "450分"] {
        assert!(html.contains(&format!(">{figure}<")), "benchmarks lack {figure}");
    }
    // seeds/003: 105万円 for a hospital with one reader, with separators.
    assert!(html.contains(">1,050,000円<"), "yen with separators");
    assert!(html.contains("単位: 分"), "units in Japanese");
    assert!(html.contains("出典の確認が不十分な値です"), "unverified tables are marked");
    assert!(
        html.contains("Onshi の目安（公的な基準額ではありません。運用者が変更できます）"),
        "Onshi's own ceilings say so"
    );
    for leak in ["seeds/", "単位: minutes", "Subsidy =", "inferred", "issue 4", "cardinal"] {
        assert!(!html.contains(leak), "{leak} on the benchmark page");
    }
}

#[tokio::test]
async fn the_subsidy_calculator_shows_amount_deadlines_what_if_and_sources() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let res = app
        .client
        .get(app.url("/subsidy"))
        .query(&[
            ("facility_type", "hospital"),
            ("readers", "2"),
            ("reader_applied_on", "令和3年4月1日"),
            ("eligible_cost", "3,000,000"),
            ("what_if_applied_on", "2021-03-31"),
            ("target_completion", "2023-03-31"),
        ])
        .send()
        .await
        .expect("GET /subsidy");
    assert_eq!(res.status(), 200);
    let html = res.text().await.expect("body");
    assert!(html.contains("1,001,000円（100.1万円）"), "the official amount for 2 hospital readers");
    assert!(html.contains("1,999,000円"), "self-burden");
    assert!(html.contains("令和5年9月30日（2023-09-30）"), "moved application deadline");
    assert!(html.contains("補助額 2,002,000円（差 +1,001,000円）"), "what-if line");
    assert!(html.contains("令和4年9月30日（2022-09-30）までにカードリーダーを申し込む"), "planning line");
    assert!(
        html.contains("厚生労働省保険局「オンライン資格確認導入の手引き」（令和2年6月）"),
        "sources shown as public documents"
    );
    assert!(!html.contains("seeds/"), "no file of the repository named as a source");
    assert!(html.contains(r#"value="3,000,000""#), "the form keeps what was entered");
}

#[tokio::test]
async fn the_subsidy_calculator_explains_each_bad_field_in_japanese() {
    let app = spawn_app().await;
    app.login_as(REVIEWER).await;
    let res = app
        .client
        .get(app.url("/subsidy"))
        .query(&[
            ("facility_type", "hospital"),
            ("readers", "1"),
            ("reader_applied_on", "2021-02-30"),
            ("eligible_cost", "abc"),
        ])
        .send()
        .await
        .expect("GET");
    let html = res.text().await.expect("body");
    assert!(html.contains("存在しない日付"), "date error");
    assert!(html.contains(r#"class="field-error""#));
    assert!(!html.contains("計算結果"), "no result on bad input");
    let res = app
        .client
        .get(app.url("/subsidy"))
        .query(&[
            ("facility_type", "hospital"),
            ("readers", "4"),
            ("reader_applied_on", "2021-02-03"),
            ("eligible_cost", "1"),
        ])
        .send()
        .await
        .expect("GET");
    assert!(res.text().await.expect("body").contains("病院の無償提供は3台までです"));
}

#[tokio::test]
async fn only_those_who_may_edit_see_the_edit_link_and_the_upload_form() {
    let app = spawn_app().await;
    let facility: i64 = sqlx::query_scalar(
        "SELECT id FROM facilities WHERE corporation_id = (SELECT id FROM corporations WHERE code = 'demo_corp') LIMIT 1",
    )
    .fetch_one(app.pool())
    .await
    .expect("demo facility");
    let path = format!("/facilities/{facility}");
    let edit = format!("/facilities/{facility}/edit");

    app.login_as(MANAGER).await;
    let html = app.get_html(&path).await;
    assert!(html.contains("upload-quote") && html.contains(&edit), "the manager edits their own facility");
    app.post_logout().await;

    app.login_as(AUDITOR).await;
    let html = app.get_html(&path).await;
    assert!(html.contains("data-testid=\"facility\""), "the auditor sees the facility");
    assert!(!html.contains("upload-quote") && !html.contains(&edit), "but is offered no edit or upload");
}

#[tokio::test]
async fn the_register_of_sources_lists_each_public_document_with_its_date_number_and_address_for_every_role() {
    let app = spawn_app().await;
    for who in [MANAGER, REVIEWER, AUDITOR, ADMIN] {
        let client = app.signed_in_client(who).await;
        let res = client.get(app.url("/reference/sources")).send().await.expect("GET /reference/sources");
        assert_eq!(res.status(), 200, "{who}");
        let html = res.text().await.expect("body");
        assert!(html.contains("<h1>出典一覧</h1>"), "{who}");
        assert!(html.contains("令和4年5月（2022年5月）"), "dates in 和暦 with the western date");
        assert!(html.contains("令和4年12月16日（2022-12-16）") && html.contains("内閣衆質210第45号"), "the number");
        assert!(
            html.contains(r#"href="https://www.mhlw.go.jp/stf/newpage_08280.html""#),
            "a link where the address is known"
        );
        assert!(
            html.contains("公的資料") && html.contains("団体資料") && html.contains("報道"),
            "reliability in Japanese"
        );
        assert!(html.contains("27.8万〜70.2万円"), "what Onshi's own ceilings rest on");
        assert!(html.contains("Onshi の目安（公的な基準額ではありません。運用者が変更できます）"));
        assert!(!html.contains("生成AI"), "the weak source is never cited");
        assert!(!html.contains("seeds/"), "no file of the repository");
    }
}

#[tokio::test]
async fn the_national_figures_on_the_auditors_home_cite_the_registers_short_form() {
    let app = spawn_app().await;
    // The others have them one link away, on the statistics page (its own test).
    for who in [MANAGER, REVIEWER, ADMIN] {
        let client = app.signed_in_client(who).await;
        let html = client.get(app.url("/")).send().await.expect("GET /").text().await.expect("body");
        assert!(html.contains(r#"<a href="/reference/statistics" data-testid="national-figures">"#), "{who}");
    }
    for who in [AUDITOR] {
        let client = app.signed_in_client(who).await;
        let html = client.get(app.url("/")).send().await.expect("GET /").text().await.expect("body");
        assert!(
            html.contains(r#"<a href="/reference/sources#fukuoka_seminar_2023_02_06">福岡県医師会「オンライン資格確認システム導入支援基礎セミナー」（令和5年2月6日）</a>"#),
            "{who}: the 2023-01-01 figures of seeds/004 cite the seminar"
        );
        assert!(
            html.contains("スライド「福岡県および全国におけるオンライン資格確認の普及状況 2023/1/1現在」"),
            "{who}"
        );
        assert!(!html.contains("seeds/") && !html.contains("slide"), "{who}");
    }
}
