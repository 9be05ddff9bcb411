//! The complaint workflow across the three roles, each step by the role that owns it.

use crate::helpers::*;

async fn post(app: &TestApp, who: &reqwest::Client, endpoint: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    post_form(app, who, endpoint, "/complaints", fields).await
}

/// Files a 高額な見積 complaint about a quote as `who`; the complaint's page.
async fn file_about_quote(app: &TestApp, who: &reqwest::Client, facility: i64, quote: i64, text: &str) -> String {
    let res = post(
        app,
        who,
        "/api/file_complaint",
        &[
            ("facility_id", &facility.to_string()),
            ("quote_id", &quote.to_string()),
            ("kind", "high_quote"),
            ("description", text),
        ],
    )
    .await;
    location(&res)
}

async fn signed_in(app: &TestApp, email: &str) -> reqwest::Client {
    app.signed_in_client(email).await
}

#[tokio::test]
async fn a_complaint_goes_from_the_clinic_to_the_association_to_the_ministry_and_back() {
    let app = spawn_app().await;
    let manager = signed_in(&app, MANAGER).await;
    // A stored quote of the corporation's Fukuoka hospital as evidence.
    let facility = managed_fukuoka_hospital(app.pool()).await;
    let quote = quote_billing_a_free_item(app.pool(), facility).await;

    let case = file_about_quote(&app, &manager, facility, quote, "無償のアプリに5万円を請求された").await;
    assert!(case.starts_with("/complaints/"), "{case}");
    let html = manager.get(app.url(&case)).send().await.expect("GET").text().await.expect("body");
    assert!(html.contains("提出済み"));
    assert!(
        html.contains(r#"data-testid="evidence""#) && html.contains("無償品への請求: 1件"),
        "the quote's flags attach as evidence"
    );
    let id = case.rsplit('/').next().expect("id").to_owned();

    // The reviewer of 福岡県 医師会 is told and acts; the auditor may not act yet.
    let reviewer = signed_in(&app, REVIEWER).await;
    let home = reviewer.get(app.url("/")).send().await.expect("GET").text().await.expect("body");
    assert!(home.contains(&format!("相談 #{id} が提出されました")), "notified");
    let auditor = signed_in(&app, AUDITOR).await;
    let res =
        post(&app, &auditor, "/api/move_complaint", &[("id", &id), ("to", "under_review"), ("comment", "横取り")])
            .await;
    assert_eq!(res.status(), 403, "not the auditor's step");
    let res =
        post(&app, &reviewer, "/api/move_complaint", &[("id", &id), ("to", "under_review"), ("comment", "")]).await;
    assert!(location(&res).contains("__err"), "a comment is required");
    // Forwarding to the ministry cannot be undone: refused until confirmed, comment kept.
    let res = post(
        &app,
        &reviewer,
        "/api/move_complaint",
        &[("id", &id), ("to", "under_review"), ("comment", "内容を確認します")],
    )
    .await;
    assert!(!location(&res).contains("__err"), "{}", location(&res));
    let unconfirmed = [("id", id.as_str()), ("to", "forwarded"), ("comment", "厚生労働省へ送付します")];
    let res = post_form(&app, &reviewer, "/api/move_complaint", &format!("/complaints/{id}"), &unconfirmed).await;
    assert!(location(&res).contains("__err"), "forwarding needs the confirmation");
    let page = reviewer.get(location(&res)).send().await.expect("GET").text().await.expect("body");
    assert!(page.contains("元に戻せません") && page.contains(">厚生労働省へ送付します</textarea>"), "{page}");
    let status: String = sqlx::query_scalar("SELECT status FROM complaints WHERE id = ?")
        .bind(&id)
        .fetch_one(app.pool())
        .await
        .expect("status");
    assert_eq!(status, "under_review", "nothing moved");
    let confirmed =
        [("id", id.as_str()), ("to", "forwarded"), ("comment", "厚生労働省へ送付します"), ("confirm", "on")];
    let res = post(&app, &reviewer, "/api/move_complaint", &confirmed).await;
    assert_eq!(res.status(), 302);
    assert!(!location(&res).contains("__err"), "{}", location(&res));
    let res = post(
        &app,
        &manager,
        "/api/move_complaint",
        &[("id", &id), ("to", "withdrawn"), ("comment", "取り下げ"), ("confirm", "on")],
    )
    .await;
    assert_eq!(res.status(), 403, "no withdrawal once at MHLW");
    for (to, comment) in [("vendor_contacted", "ベンダーに価格の根拠を確認"), ("resolved", "請求を取り消すと回答")]
    {
        let res = post(&app, &auditor, "/api/move_complaint", &[("id", &id), ("to", to), ("comment", comment)]).await;
        assert_eq!(res.status(), 302, "{to}");
    }

    let html = manager.get(app.url(&case)).send().await.expect("GET").text().await.expect("body");
    assert!(html.contains(r#"data-testid="complaint-status">解決"#), "the manager sees the outcome");
    for step in ["内容を確認します", "厚生労働省へ送付します", "ベンダーに価格の根拠を確認", "請求を取り消すと回答"]
    {
        assert!(html.contains(step), "history has {step}");
    }
    let (events, log): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM complaint_events), (SELECT count(*) FROM audit_log WHERE entity = 'complaint')",
    )
    .fetch_one(app.pool())
    .await
    .expect("counts");
    assert_eq!((events, log), (5, 5));
}

#[tokio::test]
async fn a_reviewer_of_another_prefecture_cannot_see_the_case() {
    let app = spawn_app().await;
    let facility: i64 = sqlx::query_scalar("SELECT id FROM facilities WHERE prefecture != '40' LIMIT 1")
        .fetch_one(app.pool())
        .await
        .expect("f");
    let id: i64 = sqlx::query_scalar("INSERT INTO complaints (facility_id, kind, description, status, filed_by) VALUES (?, 'delay', '遅い', 'submitted', 1) RETURNING id")
        .bind(facility)
        .fetch_one(app.pool())
        .await
        .expect("complaint");
    let reviewer = signed_in(&app, REVIEWER).await;
    assert_eq!(reviewer.get(app.url(&format!("/complaints/{id}"))).send().await.expect("GET").status(), 404);
    let res = post(
        &app,
        &reviewer,
        "/api/move_complaint",
        &[("id", &id.to_string()), ("to", "under_review"), ("comment", "x")],
    )
    .await;
    assert!(location(&res).contains("__err") || res.status() == 404, "refused");
    let status: String = sqlx::query_scalar("SELECT status FROM complaints WHERE id = ?")
        .bind(id)
        .fetch_one(app.pool())
        .await
        .expect("s");
    assert_eq!(status, "submitted");
}

#[tokio::test]
async fn the_vendor_league_ranks_vendors_by_their_flags_and_the_vendor_page_breaks_them_down() {
    let app = spawn_app().await;
    let facility = fukuoka_hospital(app.pool()).await;
    let vendors: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, name FROM vendors ORDER BY id LIMIT 2").fetch_all(app.pool()).await.expect("v");
    // Vendor A: a terminal at 500,000円 (twice the assumed ceiling) and a charged app; vendor B: a fair terminal.
    for ((vendor, _), lines) in vendors.iter().zip([
        vec![("資格確認端末", "terminal", "500000"), ("資格確認アプリケーション", "app_software", "50000")],
        vec![("資格確認端末", "terminal", "150000")],
    ]) {
        insert_confirmed_quote(app.pool(), facility, *vendor, &lines).await;
    }
    let reviewer = signed_in(&app, REVIEWER).await;
    let html = reviewer.get(app.url("/vendors")).send().await.expect("GET").text().await.expect("body");
    let table = &html[html.find(r#"data-testid="vendor-league""#).expect("league")..];
    let (a, b) = (&vendors[0].1, &vendors[1].1);
    assert!(table.find(a.as_str()).expect("A") < table.find(b.as_str()).expect("B"), "the flagged vendor ranks first");
    assert!(table.contains("2.00倍"), "terminal at twice the ceiling");
    let page = reviewer
        .get(app.url(&format!("/vendors/{}", vendors[0].0)))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    assert!(page.contains("無償品への請求: 1件") && page.contains("目安を超える価格: 1件"), "flags by code");
    let manager = signed_in(&app, MANAGER).await;
    assert_eq!(
        manager.get(app.url("/vendors")).send().await.expect("GET").status(),
        403,
        "the league is for reviewers and auditors"
    );
}

#[tokio::test]
async fn the_original_file_is_linked_only_where_one_is_stored() {
    let app = spawn_app().await;
    let manager = signed_in(&app, MANAGER).await;
    let facility = managed_fukuoka_hospital(app.pool()).await;
    let quote = |name: &'static str| {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO quotes (facility_id, file_name, confirmed) VALUES (?, ?, 1) RETURNING id",
        )
        .bind(facility)
        .bind(name)
        .fetch_one(app.pool())
    };
    let (typed, uploaded) = (quote("手入力").await.expect("typed"), quote("見積書.xlsx").await.expect("uploaded"));
    sqlx::query("INSERT INTO quote_files (quote_id, bytes) VALUES (?, x'504b0304')")
        .bind(uploaded)
        .execute(app.pool())
        .await
        .expect("file");
    for (q, stored) in [(typed, false), (uploaded, true)] {
        let link = format!("href=\"/quotes/{q}/file\"");
        let page = manager.get(app.url(&format!("/quotes/{q}"))).send().await.expect("GET").text().await.expect("body");
        assert_eq!(page.contains(&link), stored, "quote {q}'s page");
        let case = file_about_quote(&app, &manager, facility, q, "見積が高い").await;
        let html = manager.get(app.url(&case)).send().await.expect("GET").text().await.expect("body");
        assert!(html.contains(r#"data-testid="evidence""#), "{case}");
        assert_eq!(html.contains(&link), stored, "the evidence of {case}");
        let file = manager.get(app.url(&format!("/quotes/{q}/file"))).send().await.expect("GET").status();
        assert_eq!(file, if stored { 200 } else { 404 }, "quote {q}'s file");
    }
}

/// A facility of the demo manager's whose association then has no reviewer in Onshi: the
/// demo's only reviewer (福岡県 医師会) is disabled first.
async fn managed_facility_without_reviewer(pool: &sqlx::SqlitePool) -> (i64, String, String) {
    sqlx::query("UPDATE users SET disabled = 1 WHERE email = ?").bind(REVIEWER).execute(pool).await.expect("disable");
    let facility = managed_fukuoka_hospital(pool).await;
    (facility, "40".to_owned(), "hospital".to_owned())
}

#[tokio::test]
async fn a_complaint_nobody_reviews_reaches_the_auditors_and_the_clinic_is_told() {
    let app = spawn_app().await;
    let manager = signed_in(&app, MANAGER).await;
    let (facility, prefecture, kind) = managed_facility_without_reviewer(app.pool()).await;
    let fields = [
        ("facility_id", facility.to_string()),
        ("quote_id", String::new()),
        ("kind", "delay".into()),
        ("description", "工事の日程が決まらない".into()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let filed = post(&app, &manager, "/api/file_complaint", &fields).await;
    assert_eq!(done_of(&filed).as_deref(), Some("file_complaint"));
    let case = raw_location(&filed);
    assert!(case.starts_with("/complaints/"), "{case}");
    let id = location(&filed).trim_start_matches("/complaints/").to_owned();

    // The clinic is told who holds it, and why.
    let html = manager.get(app.url(&case)).send().await.expect("GET").text().await.expect("body");
    assert!(html.contains("相談を提出しました。"), "the success message");
    assert!(html.contains(r#"data-testid="held-by-auditors""#), "{html}");
    assert!(html.contains("全国の監査担当（厚生労働省）が受け付けました"), "{html}");
    let prefecture_name = prefecture.parse::<rules::Prefecture>().expect("prefecture").name_ja();
    assert!(html.contains(prefecture_name), "names the prefecture {prefecture_name} ({kind})");

    // The auditors are notified, and make the association's moves.
    let auditor = signed_in(&app, AUDITOR).await;
    let home = auditor.get(app.url("/")).send().await.expect("GET").text().await.expect("body");
    assert!(
        home.contains(&format!("相談 #{id} が提出されました（所属団体の審査担当が Onshi にいないため")),
        "auditor notified"
    );
    let res = post(
        &app,
        &auditor,
        "/api/move_complaint",
        &[("id", &id), ("to", "under_review"), ("comment", "監査担当が確認します")],
    )
    .await;
    assert!(!location(&res).contains("__err"), "{}", location(&res));
    let status: String = sqlx::query_scalar("SELECT status FROM complaints WHERE id = ?")
        .bind(&id)
        .fetch_one(app.pool())
        .await
        .expect("status");
    assert_eq!(status, "under_review");

    // A reviewer added later for that association and prefecture is notified of what waits.
    let admin = signed_in(&app, ADMIN).await;
    let association = match kind.as_str() {
        "dental_clinic" => "dental",
        "pharmacy" | "large_chain_pharmacy" => "pharmaceutical",
        _ => "medical",
    };
    let user = [
        ("email", "later@example.jp"),
        ("display_name", "後任 審査担当"),
        ("role", "reviewer"),
        ("password", "a-long-reviewer-passphrase-2023"),
        ("facility", ""),
        ("corporation", ""),
        ("association", association),
        ("prefecture", prefecture.as_str()),
    ];
    let res = post_form(&app, &admin, "/api/create_user", "/admin/users", &user).await;
    assert!(!location(&res).contains("__err"), "{}", location(&res));
    assert_eq!(done_of(&res).as_deref(), Some("create_user"));
    let waiting: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.email = 'later@example.jp' AND n.complaint_id = ?",
    )
    .bind(&id)
    .fetch_one(app.pool())
    .await
    .expect("notifications");
    assert_eq!(waiting, 1, "the new reviewer hears of the waiting complaint");
}

#[tokio::test]
async fn every_complaint_page_says_who_holds_it() {
    let app = spawn_app().await;
    let manager = signed_in(&app, MANAGER).await;
    let facility = managed_fukuoka_hospital(app.pool()).await;
    let fields = [
        ("facility_id", facility.to_string()),
        ("quote_id", String::new()),
        ("kind", "delay".into()),
        ("description", "返事がない".into()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let case = location(&post(&app, &manager, "/api/file_complaint", &fields).await);
    let html = manager.get(app.url(&case)).send().await.expect("GET").text().await.expect("body");
    assert!(html.contains("福岡県医師会（Onshi の審査担当 1名）が確認します。"), "{html}");
    assert!(!html.contains(r#"data-testid="held-by-auditors""#));
}
