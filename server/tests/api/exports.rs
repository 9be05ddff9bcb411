//! `/exports/{list}.csv` and `/audit-log.csv?encoding=sjis`: headers, scope, encodings, flags, history.
//! Every file is read back with the `csv` crate and CP932 with encoding_rs, not with the code that wrote it.

use crate::helpers::*;
use sqlx::SqlitePool;

const BOM: &[u8] = b"\xEF\xBB\xBF";
const LISTS: [&str; 6] = ["facilities", "quotes", "quote_lines", "complaints", "applications", "vendors"];

/// A signed-in app of `email`.
async fn signed_in(email: &str) -> TestApp {
    let app = spawn_app().await;
    app.login_as(email).await;
    app
}

/// The response's status, Content-Type and body.
async fn fetch(app: &TestApp, path: &str) -> (u16, String, Vec<u8>) {
    let res = app.get(path).await;
    let status = res.status().as_u16();
    let ctype = res.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_owned).unwrap_or_default();
    let body = res.bytes().await.expect("body").to_vec();
    (status, ctype, body)
}

/// RFC 4180 records, read by the `csv` crate.
fn records(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("a valid CSV record").iter().map(str::to_owned).collect())
        .collect()
}

/// A UTF-8 export: 200, `charset=utf-8`, the BOM first; its records.
async fn utf8_csv(app: &TestApp, path: &str) -> Vec<Vec<String>> {
    let (status, ctype, body) = fetch(app, path).await;
    assert_eq!(status, 200, "GET {path}: {}", String::from_utf8_lossy(&body));
    assert_eq!(ctype, "text/csv; charset=utf-8", "{path}");
    assert!(body.starts_with(BOM), "{path}: UTF-8 starts with the BOM");
    let text = std::str::from_utf8(&body[BOM.len()..]).expect("UTF-8");
    assert!(!text.starts_with('\u{feff}'), "{path}: one BOM only");
    records(text)
}

/// A CP932 export: 200, `charset=Shift_JIS`, no BOM, decodes without errors; its records.
async fn sjis_csv(app: &TestApp, path: &str) -> Vec<Vec<String>> {
    let (status, ctype, body) = fetch(app, path).await;
    assert_eq!(status, 200, "GET {path}");
    assert_eq!(ctype, "text/csv; charset=Shift_JIS", "{path}");
    assert!(!body.starts_with(BOM), "{path}: no BOM in Shift_JIS");
    let (text, had_errors) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(&body);
    assert!(!had_errors, "{path}: valid Shift_JIS");
    assert!(!text.contains("&#"), "{path}: no HTML numeric references");
    records(&text)
}

/// What a UTF-8 text becomes through CP932, character by character, as the
/// exports document it: a JIS character with a CP932 twin (〜 → ～, — → ―, …)
/// becomes the twin, one CP932 lacks becomes 〓.
fn through_cp932(rows: &[Vec<String>]) -> Vec<Vec<String>> {
    let twin = |c: char| match c {
        '〜' => '～',
        '‖' => '∥',
        '—' => '―',
        '¢' => '￠',
        '£' => '￡',
        '¬' => '￢',
        '¦' => '￤',
        other => other,
    };
    let char_through = |c: char| {
        let c = twin(c);
        let mut utf8 = [0; 4];
        let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(c.encode_utf8(&mut utf8));
        if unmappable {
            "〓".to_owned()
        } else {
            encoding_rs::SHIFT_JIS.decode_without_bom_handling(&bytes).0.into_owned()
        }
    };
    rows.iter().map(|r| r.iter().map(|f| f.chars().map(char_through).collect()).collect()).collect()
}

/// The values of one column, by its header.
fn column(rows: &[Vec<String>], name: &str) -> Vec<String> {
    let i = rows[0].iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name} in {:?}", rows[0]));
    rows[1..].iter().map(|r| r[i].clone()).collect()
}

async fn scalar(pool: &SqlitePool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn codes(pool: &SqlitePool, sql: &str) -> Vec<String> {
    let mut v: Vec<String> = sqlx::query_scalar(sql).fetch_all(pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    v.sort();
    v
}

const DEMO_CORP: &str = "(SELECT id FROM corporations WHERE code = 'demo_corp')";
const MEDICAL_40: &str = "prefecture = '40' AND facility_type IN ('hospital', 'medical_clinic')";

/// A quote of `facility` with the given lines (category, kind, amount).
async fn quote_with(pool: &SqlitePool, facility: i64, file: &str, lines: &[(&str, &str, &str)]) -> i64 {
    let q: i64 =
        sqlx::query_scalar("INSERT INTO quotes (facility_id, file_name, confirmed) VALUES (?, ?, 1) RETURNING id")
            .bind(facility)
            .bind(file)
            .fetch_one(pool)
            .await
            .expect("quote");
    for (i, (category, kind, amount)) in lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO quote_lines (quote_id, position, sheet_row, kind, description, category, quantity, unit_price, amount)
             VALUES (?, ?, ?, ?, ?, ?, '1', ?, ?)",
        )
        .bind(q)
        .bind(i64::try_from(i).expect("position"))
        .bind(i64::try_from(i + 10).expect("row"))
        .bind(kind)
        .bind(format!("{file} の {category}"))
        .bind(category)
        .bind(amount)
        .bind(amount)
        .execute(pool)
        .await
        .expect("line");
    }
    q
}

#[tokio::test]
async fn every_export_has_japanese_headers_a_bom_and_one_row_per_item() {
    let app = signed_in(AUDITOR).await;
    let pool = app.pool();
    let facility = scalar(pool, "SELECT id FROM facilities LIMIT 1").await;
    quote_with(pool, facility, "header.xlsx", &[("terminal", "item", "150000")]).await;
    let expected_start: [(&str, &[&str]); 6] = [
        (
            "facilities",
            &[
                "施設ID",
                "医療機関コード",
                "医療機関名",
                "フリガナ",
                "施設区分コード",
                "施設区分",
                "都道府県コード",
                "都道府県",
            ],
        ),
        ("quotes", &["見積書ID", "施設ID", "医療機関コード", "医療機関名"]),
        ("quote_lines", &["見積書ID", "施設ID", "医療機関コード", "医療機関名"]),
        ("complaints", &["相談ID", "施設ID", "医療機関コード", "医療機関名"]),
        ("applications", &["申請ID", "施設ID", "医療機関コード", "医療機関名"]),
        ("vendors", &["ベンダーID", "ベンダーコード", "ベンダー名"]),
    ];
    let counts = [
        ("facilities", "SELECT count(*) FROM facilities"),
        ("quotes", "SELECT count(*) FROM quotes"),
        ("quote_lines", "SELECT count(*) FROM quote_lines"),
        ("applications", "SELECT count(*) FROM subsidy_applications"),
        ("vendors", "SELECT count(*) FROM vendors"),
    ];
    for (list, start) in expected_start {
        let path = format!("/exports/{list}.csv");
        let res = app.get(&path).await;
        assert_eq!(
            res.headers().get("content-disposition").and_then(|v| v.to_str().ok()),
            Some(format!("attachment; filename=\"{list}.csv\"").as_str())
        );
        let rows = utf8_csv(&app, &path).await;
        assert_eq!(&rows[0][..start.len()], start, "{list}");
        assert!(rows.iter().all(|r| r.len() == rows[0].len()), "{list}: every record has every column");
        if let Some((_, sql)) = counts.iter().find(|(l, _)| *l == list) {
            assert_eq!(rows.len() - 1, usize::try_from(scalar(pool, sql).await).expect("count"), "{list}");
        }
    }
    let facilities = utf8_csv(&app, "/exports/facilities.csv").await;
    assert!(column(&facilities, "都道府県").contains(&"福岡県".to_owned()), "labels next to codes");
    assert!(column(&facilities, "導入段階コード").iter().all(|c| !c.is_empty() && c.is_ascii()), "stable stage codes");
}

#[tokio::test]
async fn a_manager_exports_only_the_corporation_and_a_reviewer_only_medical_facilities_of_prefecture_40() {
    for (email, scope) in [(MANAGER, format!("corporation_id = {DEMO_CORP}")), (REVIEWER, MEDICAL_40.to_owned())] {
        let app = signed_in(email).await;
        let pool = app.pool();
        let own = scalar(pool, &format!("SELECT id FROM facilities WHERE {scope} LIMIT 1")).await;
        let foreign = scalar(pool, &format!("SELECT id FROM facilities WHERE NOT ({scope}) LIMIT 1")).await;
        quote_with(pool, own, "own.xlsx", &[("terminal", "item", "150000")]).await;
        quote_with(pool, foreign, "foreign.xlsx", &[("terminal", "item", "150000")]).await;

        let expected = codes(pool, &format!("SELECT facility_code FROM facilities WHERE {scope}")).await;
        let all = scalar(pool, "SELECT count(*) FROM facilities").await;
        assert!(usize::try_from(all).expect("count") > expected.len(), "the demo data has facilities outside");
        let rows = utf8_csv(&app, "/exports/facilities.csv").await;
        let mut got = column(&rows, "医療機関コード");
        got.sort();
        assert_eq!(got, expected, "{email}: exactly the facilities of the scope");
        // The CP932 file holds the same records.
        assert_eq!(sjis_csv(&app, "/exports/facilities.csv?encoding=sjis").await, through_cp932(&rows), "{email}");

        for list in ["quotes", "quote_lines"] {
            let text = column(&utf8_csv(&app, &format!("/exports/{list}.csv")).await, "ファイル名");
            assert!(text.contains(&"own.xlsx".to_owned()), "{email} {list}");
            assert!(!text.contains(&"foreign.xlsx".to_owned()), "{email} {list}: nothing outside the scope");
        }
        let res = app.get(&format!("/exports/quotes.csv?facility={foreign}")).await;
        assert_eq!(res.status(), 404, "{email}: a foreign facility looks missing");
        let rows = utf8_csv(&app, &format!("/exports/quotes.csv?facility={own}")).await;
        assert_eq!(column(&rows, "ファイル名"), ["own.xlsx"]);
    }
}

#[tokio::test]
async fn admins_may_export_the_vendor_registry_but_no_facility_data() {
    let app = signed_in(ADMIN).await;
    for list in LISTS {
        let (status, _, body) = fetch(&app, &format!("/exports/{list}.csv")).await;
        let expected = if list == "vendors" { 200 } else { 403 };
        assert_eq!(status, expected, "{list}: {}", String::from_utf8_lossy(&body));
    }
    let rows = utf8_csv(&app, "/exports/vendors.csv").await;
    assert_eq!(rows.len() - 1, usize::try_from(scalar(app.pool(), "SELECT count(*) FROM vendors").await).expect("n"));
    assert!(column(&rows, "確定した見積書の数（閲覧範囲内）").iter().all(|n| n == "0"), "admins see no quotes");
    let (status, _, _) = fetch(&app, "/audit-log.csv?encoding=sjis").await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn unknown_lists_are_404_and_bad_parameters_400() {
    let app = signed_in(AUDITOR).await;
    for (path, expected) in [
        ("/exports/users.csv", 404),
        ("/exports/facilities", 404),
        ("/exports/facilities.xlsx", 404),
        ("/exports/facilities.csv?encoding=latin1", 400),
        ("/exports/facilities.csv?facility=abc", 400),
        ("/exports/facilities.csv?quote=1", 400),
        ("/exports/vendors.csv?facility=1", 400),
        ("/exports/quote_lines.csv?quote=999999", 404),
        ("/exports/facilities.csv?encoding=cp932", 200),
        ("/exports/facilities.csv?encoding=utf-8", 200),
        ("/audit-log.csv?encoding=latin1", 400),
    ] {
        let (status, _, body) = fetch(&app, path).await;
        assert_eq!(status, expected, "GET {path}: {}", String::from_utf8_lossy(&body));
    }
    let signed_out = client().get(app.url("/exports/facilities.csv")).send().await.expect("GET");
    assert_eq!(location(&signed_out), "/login", "signed-out visitors go to the login page");
}

#[tokio::test]
async fn every_export_in_shift_jis_decodes_to_the_same_records_as_in_utf8() {
    let app = signed_in(AUDITOR).await;
    let pool = app.pool();
    let facility = scalar(pool, "SELECT id FROM facilities LIMIT 1").await;
    let q =
        quote_with(pool, facility, "sjis.xlsx", &[("terminal", "item", "150000"), ("discount", "discount", "-20000")])
            .await;
    sqlx::query(
        "INSERT INTO subsidy_applications (facility_id, quote_id, applied_on, scheme_id, total_cost, eligible_cost,
             subsidy, self_burden, package_json)
         VALUES (?, ?, '2023-05-01', 'test_scheme', '143000', '143000', '143000', '0', '{}')",
    )
    .bind(facility)
    .bind(q)
    .execute(pool)
    .await
    .expect("application");
    sqlx::query(
        "INSERT INTO complaints (facility_id, kind, description, status, filed_by) VALUES (?, 'delay', '㈱ベンダーの対応、遅延', 'submitted', 1)",
    )
    .bind(facility)
    .execute(pool)
    .await
    .expect("complaint");
    for (entity, note) in [("user", "氏名を𠮷田に変更 — 〜"), ("facility", "所在地, \"1丁目\"")] {
        use app::ssr::audit_log::{self, Actor, Change};
        let change = Change {
            action: "update",
            entity,
            entity_id: "1".into(),
            before: None,
            after: Some(serde_json::json!({ "note": note })),
        };
        let mut tx = audit_log::begin(pool).await.expect("begin");
        audit_log::record(&mut tx, &Actor::user(1, "=監査担当"), change).await.expect("record");
        tx.commit().await.expect("commit");
    }
    for path in LISTS.iter().map(|l| format!("/exports/{l}.csv")).chain(["/audit-log.csv".to_owned()]) {
        let utf8 = utf8_csv(&app, &path).await;
        let sjis = sjis_csv(&app, &format!("{path}?encoding=sjis")).await;
        assert!(utf8.len() > 1, "{path} has rows");
        assert_eq!(sjis, through_cp932(&utf8), "{path}");
    }
    let applications = utf8_csv(&app, "/exports/applications.csv").await;
    assert_eq!(column(&applications, "状態コード"), ["draft"]);
    assert_eq!(column(&applications, "総事業費"), ["143000"]);
    // The audit log's filters still apply in Shift_JIS.
    let utf8 = utf8_csv(&app, "/audit-log.csv?entity=user").await;
    assert_eq!(sjis_csv(&app, "/audit-log.csv?entity=user&encoding=sjis").await, through_cp932(&utf8));
    assert!(column(&utf8, "対象").iter().all(|e| e == "user"));
}

#[tokio::test]
async fn characters_cp932_cannot_write_become_geta_marks_and_jis_dashes_keep_their_glyph() {
    let app = signed_in(AUDITOR).await;
    sqlx::query(
        "INSERT INTO facilities (facility_code, name, kana, facility_type, prefecture) VALUES ('4010000001', '𠮷田クリニック〜本院', 'ヨシダ', 'medical_clinic', '40')",
    )
    .execute(app.pool())
    .await
    .expect("facility");
    let names = |rows: Vec<Vec<String>>| column(&rows, "医療機関名");
    let utf8 = names(utf8_csv(&app, "/exports/facilities.csv").await);
    assert!(utf8.contains(&"𠮷田クリニック〜本院".to_owned()));
    let sjis = names(sjis_csv(&app, "/exports/facilities.csv?encoding=sjis").await);
    assert!(sjis.contains(&"〓田クリニック～本院".to_owned()), "{sjis:?}");
}

#[tokio::test]
async fn quote_lines_carry_the_audits_flag_codes_and_amounts_stay_plain_numbers() {
    let app = signed_in(MANAGER).await;
    let pool = app.pool();
    let own = scalar(pool, &format!("SELECT id FROM facilities WHERE corporation_id = {DEMO_CORP} LIMIT 1")).await;
    let q = quote_with(
        pool,
        own,
        "flags.xlsx",
        &[("card_reader", "item", "55000"), ("terminal", "item", "150000"), ("discount", "discount", "-20000")],
    )
    .await;
    let path = format!("/exports/quote_lines.csv?quote={q}");
    let rows = utf8_csv(&app, &path).await;
    assert_eq!(column(&rows, "費目コード"), ["card_reader", "terminal", "discount"]);
    assert_eq!(column(&rows, "明細番号"), ["1", "2", "3"]);
    let flags = column(&rows, "指摘コード");
    assert!(flags[0].split(' ').any(|c| c == "free_item_charged"), "a charged card reader: {flags:?}");
    assert!(column(&rows, "指摘")[0].contains("無償品への請求"));
    assert!(!flags[1].contains("free_item_charged"));
    assert_eq!(column(&rows, "金額"), ["55000", "150000", "-20000"]);
    assert_eq!(column(&rows, "補助区分コード")[0], "free");
    let (_, _, body) = fetch(&app, &path).await;
    let text = String::from_utf8(body).expect("UTF-8");
    assert!(text.contains(",-20000,") && !text.contains("'-20000"), "a discount stays a number for Excel");
    // The quote's list row.
    let quotes = utf8_csv(&app, &format!("/exports/quotes.csv?quote={q}")).await;
    assert_eq!(column(&quotes, "明細行数"), ["3"]);
    assert_eq!(column(&quotes, "状態コード"), ["confirmed"]);
}

#[tokio::test]
async fn complaints_export_one_row_per_history_step() {
    let app = signed_in(REVIEWER).await;
    let pool = app.pool();
    let facility = scalar(pool, &format!("SELECT id FROM facilities WHERE {MEDICAL_40} LIMIT 1")).await;
    let user = scalar(pool, "SELECT id FROM users WHERE role = 'reviewer' LIMIT 1").await;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO complaints (facility_id, kind, description, status, filed_by) VALUES (?, 'high_quote', '=HYPERLINK(\"x\")', 'under_review', ?) RETURNING id",
    )
    .bind(facility)
    .bind(user)
    .fetch_one(pool)
    .await
    .expect("complaint");
    for (from, to, comment) in
        [(None, "submitted", "相談を提出しました"), (Some("submitted"), "under_review", "確認します, 至急")]
    {
        sqlx::query("INSERT INTO complaint_events (complaint_id, from_status, to_status, actor_id, comment) VALUES (?, ?, ?, ?, ?)")
            .bind(id)
            .bind(from)
            .bind(to)
            .bind(user)
            .bind(comment)
            .execute(pool)
            .await
            .expect("event");
    }
    let rows = utf8_csv(&app, "/exports/complaints.csv").await;
    let ids = column(&rows, "相談ID");
    let mine: Vec<usize> = ids.iter().enumerate().filter(|(_, c)| **c == id.to_string()).map(|(i, _)| i + 1).collect();
    assert_eq!(mine.len(), 2, "one row per step");
    let cell = |row: usize, name: &str| column(&rows, name)[row - 1].clone();
    assert_eq!([cell(mine[0], "経過番号"), cell(mine[1], "経過番号")], ["1", "2"]);
    assert_eq!([cell(mine[0], "変更前の状態コード"), cell(mine[1], "変更前の状態コード")], ["", "submitted"]);
    assert_eq!(cell(mine[1], "変更後の状態"), "医師会等で確認中", "the label next to the code");
    assert_eq!(cell(mine[1], "コメント"), "確認します, 至急");
    assert_eq!(cell(mine[0], "現在の状態コード"), "under_review");
    assert_eq!(cell(mine[0], "種類コード"), "high_quote");
    assert_eq!(cell(mine[0], "経緯"), "'=HYPERLINK(\"x\")", "a formula typed by a user stays text");
    let total = scalar(pool, "SELECT count(*) FROM complaints c JOIN facilities f ON f.id = c.facility_id WHERE f.prefecture = '40' AND f.facility_type IN ('hospital', 'medical_clinic')").await;
    let distinct: std::collections::BTreeSet<&String> = ids.iter().collect();
    assert_eq!(distinct.len(), usize::try_from(total).expect("n"), "every complaint of the scope, none outside");
}

#[tokio::test]
async fn a_large_export_arrives_whole_in_both_encodings() {
    let app = signed_in(AUDITOR).await;
    let pool = app.pool();
    let mut tx = pool.begin().await.expect("tx");
    for i in 0..3000 {
        sqlx::query(
            "INSERT INTO facilities (facility_code, name, kana, facility_type, prefecture, address) VALUES (?, ?, 'カナ', 'pharmacy', '13', '東京都千代田区霞が関1-2-2')",
        )
        .bind(format!("13{i:08}"))
        .bind(format!("大量薬局{i}"))
        .execute(&mut *tx)
        .await
        .expect("facility");
    }
    tx.commit().await.expect("commit");
    let n = usize::try_from(scalar(pool, "SELECT count(*) FROM facilities").await).expect("n");
    let (_, _, body) = fetch(&app, "/exports/facilities.csv").await;
    assert!(body.len() > 4 * 32 * 1024, "several chunks: {} bytes", body.len());
    let utf8 = utf8_csv(&app, "/exports/facilities.csv").await;
    assert_eq!(utf8.len() - 1, n);
    assert_eq!(sjis_csv(&app, "/exports/facilities.csv?encoding=sjis").await, through_cp932(&utf8));
}

#[tokio::test]
async fn every_list_page_links_its_csv_in_both_encodings() {
    let app = signed_in(MANAGER).await;
    let pool = app.pool();
    let own = scalar(pool, &format!("SELECT id FROM facilities WHERE corporation_id = {DEMO_CORP} LIMIT 1")).await;
    let q = quote_with(pool, own, "links.xlsx", &[("terminal", "item", "150000")]).await;
    sqlx::query(
        "INSERT INTO complaints (facility_id, kind, description, status, filed_by) VALUES (?, 'delay', '遅延', 'submitted', 1)",
    )
    .bind(own)
    .execute(pool)
    .await
    .expect("complaint");
    let pages = [
        ("/facilities", "/exports/facilities.csv"),
        ("/facilities", "/exports/quotes.csv"),
        ("/facilities", "/exports/quote_lines.csv"),
        (&format!("/facilities/{own}") as &str, &format!("/exports/quote_lines.csv?facility={own}") as &str),
        (&format!("/quotes/{q}"), &format!("/exports/quote_lines.csv?quote={q}")),
        ("/complaints", "/exports/complaints.csv"),
        ("/applications", "/exports/applications.csv"),
    ];
    for (page, export) in pages {
        let html = app.get_html(page).await;
        let sjis = if export.contains('?') {
            format!("{export}&amp;encoding=sjis")
        } else {
            format!("{export}?encoding=sjis")
        };
        assert!(html.contains(&format!("href=\"{export}\"")), "{page} links {export}");
        assert!(html.contains(&format!("href=\"{sjis}\"")), "{page} links {sjis}");
        assert!(html.contains("CSVでダウンロード") && html.contains("CSV（Excel旧版: Shift_JIS）"), "{page}");
        // The link works for the user who sees it.
        utf8_csv(&app, export).await;
    }
    let auditor = signed_in(AUDITOR).await;
    let html = auditor.get_html("/vendors").await;
    assert!(html.contains("href=\"/exports/vendors.csv?encoding=sjis\""));
    let html = auditor.get_html("/audit-log?entity=user").await;
    assert!(
        html.contains("/audit-log.csv?entity=user&amp;actor=&amp;action=&amp;from=&amp;to=&amp;encoding=sjis"),
        "the filters carry over"
    );
}

#[tokio::test]
async fn the_exports_take_the_facility_lists_filter_so_excel_gets_what_the_page_shows() {
    let app = signed_in(AUDITOR).await;
    server::seed::national::seed(
        app.pool(),
        &server::seed::national::Options { lines_per_quote: 2, ..server::seed::national::Options::new(300) },
        |_| {},
    )
    .await
    .expect("seed-national");
    let pool = app.pool();
    let count = async |sql: &'static str| sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await.expect(sql);
    // The header row, then one row per facility (or line) of the filter.
    let rows = |records: Vec<Vec<String>>| i64::try_from(records.len() - 1).expect("small");
    let pharmacies_in_tokyo =
        count("SELECT count(*) FROM facilities WHERE facility_type = 'pharmacy' AND prefecture = '13'").await;
    assert!(pharmacies_in_tokyo > 0, "the seed has pharmacies in 東京都");
    assert_eq!(rows(utf8_csv(&app, "/exports/facilities.csv?type=pharmacy&prefecture=13").await), pharmacies_in_tokyo);
    assert_eq!(
        rows(sjis_csv(&app, "/exports/facilities.csv?type=pharmacy&prefecture=13&encoding=sjis").await),
        pharmacies_in_tokyo
    );
    let hospital_lines = count(
        "SELECT count(*) FROM quote_lines l JOIN quotes q ON q.id = l.quote_id JOIN facilities f ON f.id = q.facility_id
         WHERE f.facility_type = 'hospital'",
    )
    .await;
    assert!(hospital_lines > 0, "the seed has hospitals' quote lines");
    assert_eq!(rows(utf8_csv(&app, "/exports/quote_lines.csv?type=hospital").await), hospital_lines);
    // The facility list's links carry its filter.
    let page = app.get_html("/facilities?type=pharmacy&prefecture=13").await;
    assert!(page.contains("href=\"/exports/facilities.csv?type=pharmacy&amp;prefecture=13\""), "the CSV link");
    assert!(page.contains("href=\"/exports/quote_lines.csv?type=pharmacy&amp;prefecture=13&amp;encoding=sjis\""));
    for (path, message) in [
        ("/exports/facilities.csv?type=clinic", "施設区分 clinic はありません"),
        ("/exports/facilities.csv?prefecture=48", "都道府県コード 48 はありません（01〜47）"),
        ("/exports/vendors.csv?q=x", "vendors.csv は q で絞り込めません"),
    ] {
        let (status, _, body) = fetch(&app, path).await;
        assert_eq!(status, 400, "{path}");
        assert!(String::from_utf8_lossy(&body).contains(message), "{path}: {}", String::from_utf8_lossy(&body));
    }
}
