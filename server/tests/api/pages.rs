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
async fn home_shows_the_newest_national_figures_of_seed_004_exactly() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let html = app.get_html("/").await;
    assert!(html.contains("2023-01-01"));
    // seeds/004: all types 229,963 / 208,511 / 111,513 / 93,385; 病院 8,187 / 8,049 / 5,162 / 4,349.
    for figure in ["229,963", "208,511", "111,513", "93,385", "8,187", "8,049", "5,162", "4,349"] {
        assert!(html.contains(&format!(">{figure}<")), "home lacks {figure}");
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
    assert!(html.contains("seeds/002_5f7084ac66d79285.txt"));
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
    for figure in ["370", "131", "1542", "450"] {
        assert!(html.contains(&format!(">{figure}<")), "benchmarks lack {figure}");
    }
    assert!(html.contains("出典の確認が不十分な値です"), "unverified tables are marked");
}
