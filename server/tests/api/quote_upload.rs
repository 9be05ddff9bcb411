//! Quote upload: read, preview with the audit, correct, confirm in one transaction.

use crate::helpers::*;
use std::path::PathBuf;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../quote_reader/tests/fixtures").join(name))
        .expect("fixture")
}

/// The demo corporation's hospital, in the demo manager's scope.
pub(crate) async fn hospital(app: &TestApp) -> i64 {
    sqlx::query_scalar(
        "SELECT id FROM facilities WHERE facility_type = 'hospital' AND corporation_id = (SELECT id FROM corporations WHERE code = 'demo_corp') LIMIT 1",
    )
    .fetch_one(app.pool())
    .await
    .expect("hospital")
}

pub(crate) async fn upload(app: &TestApp, facility: i64, name: &str, bytes: Vec<u8>) -> reqwest::Response {
    let form =
        reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()));
    app.client
        .post(app.url(&format!("/facilities/{facility}/quotes")))
        .header("Origin", app.base.clone())
        .multipart(form)
        .send()
        .await
        .expect("upload")
}

pub(crate) async fn count(app: &TestApp, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}")).fetch_one(app.pool()).await.expect("count")
}

#[tokio::test]
async fn an_uploaded_quote_is_previewed_with_its_flags_corrected_and_stored_only_when_confirmed() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let facility = hospital(&app).await;
    let bytes = fixture("hospital_padded.xls");
    let res = upload(&app, facility, "hospital_padded.xls", bytes.clone()).await;
    assert_eq!(res.status(), 303);
    let draft = location(&res);
    assert!(draft.starts_with("/quotes/drafts/"), "{draft}");
    assert_eq!(count(&app, "quotes").await, 0, "nothing stored before confirmation");

    let html = app.get_html(&draft).await;
    assert!(html.contains(r#"data-flag="free_item_charged""#), "flags in the preview");
    assert!(html.contains(r#"data-flag="tax_mismatch""#));
    let token = draft.rsplit('/').next().expect("token").to_owned();

    // Correct row 18 (システム改修一式) to 電子カルテ and row 13's amount.
    let res = post_form(
        &app,
        &app.client,
        "/api/confirm_quote",
        &draft,
        &[
            ("token", token.as_str()),
            ("vendor_id", ""),
            ("new_vendor", "株式会社ヘルスケアシステムズ"),
            ("category[18]", "emr"),
            ("amount[13]", "750,000"),
        ],
    )
    .await;
    let to = location(&res);
    assert!(to.starts_with("/quotes/") && !to.contains("drafts"), "{to}");
    let (sha, lines): (String, i64) =
        sqlx::query_as("SELECT q.file_sha256, (SELECT count(*) FROM quote_lines WHERE quote_id = q.id) FROM quotes q")
            .fetch_one(app.pool())
            .await
            .expect("quote");
    use sha2::Digest;
    let expected: String = sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(sha, expected);
    assert_eq!(lines, 12);
    let stored: Vec<u8> =
        sqlx::query_scalar("SELECT bytes FROM quote_files").fetch_one(app.pool()).await.expect("file");
    assert_eq!(stored, bytes, "the file is kept as uploaded");
    let (cat, from): (String, Option<String>) =
        sqlx::query_as("SELECT category, parsed_category FROM quote_lines WHERE sheet_row = 18")
            .fetch_one(app.pool())
            .await
            .expect("row 18");
    assert_eq!((cat.as_str(), from.as_deref()), ("emr", Some("receipt_system")));
    let (amount, parsed): (String, Option<String>) =
        sqlx::query_as("SELECT amount, parsed_amount FROM quote_lines WHERE sheet_row = 13")
            .fetch_one(app.pool())
            .await
            .expect("row 13");
    assert_eq!((amount.as_str(), parsed.as_deref()), ("750000", Some("840000")));
    let after: String = sqlx::query_scalar("SELECT after_json FROM audit_log WHERE entity = 'quote'")
        .fetch_one(app.pool())
        .await
        .expect("log");
    assert!(after.contains("\"category_to\":\"emr\"") && after.contains(&sha), "{after}");
    assert_eq!(count(&app, "quote_drafts").await, 0, "the draft is gone");
    let page = app.get_html(&to).await;
    assert!(page.contains("株式会社ヘルスケアシステムズ"));
    let file = app.get(&format!("{to}/file")).await;
    assert_eq!(file.status(), 200);
    assert!(
        file.headers()["content-disposition"].to_str().expect("ascii").contains("filename*=UTF-8''hospital_padded.xls")
    );
    assert_eq!(file.bytes().await.expect("bytes").to_vec(), bytes, "the evidence file, byte for byte");
}

#[tokio::test]
async fn a_broken_upload_leaves_no_draft_and_no_quote() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let facility = hospital(&app).await;
    for name in ["truncated.xlsx", "ref_error.xlsx", "not_excel.xlsx"] {
        let res = upload(&app, facility, name, fixture(name)).await;
        assert_eq!(res.status(), 422, "{name}");
        let body = res.text().await.expect("body");
        assert!(body.contains(name) && body.contains("何も登録していません"), "{name}: {body}");
    }
    assert_eq!((count(&app, "quote_drafts").await, count(&app, "quotes").await), (0, 0));
}

#[tokio::test]
async fn limits_are_enforced_before_parsing_and_a_read_past_its_time_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let mut settings = settings(&dir.path().join("onshi.sqlite"), true);
    settings.read_time_limit = std::time::Duration::from_millis(1);
    let app = spawn_on(settings).await;
    app.login_as(MANAGER).await;
    let facility = hospital(&app).await;
    // 20,000 lines (100,000 cells, within the cell limit) take far longer than a millisecond.
    let mut csv = String::from("品名,数量,単位,単価,金額\r\n");
    for i in 0..20_000 {
        csv.push_str(&format!("LAN配線工事 {i},1,式,1000,1000\r\n"));
    }
    let res = upload(&app, facility, "long.csv", csv.into_bytes()).await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.expect("body");
    assert!(body.contains("制限時間") && body.contains("何も登録していません"), "{body}");

    // Over the size limit: refused while the body is read, before any parser sees it.
    let res = upload(&app, facility, "big.xlsx", vec![b'P'; 22 * 1024 * 1024]).await;
    assert_eq!(res.status(), 413);
    assert_eq!((count(&app, "quote_drafts").await, count(&app, "quotes").await), (0, 0), "nothing kept");
}

#[tokio::test]
async fn only_the_uploader_sees_a_draft_and_only_managers_upload() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let facility = hospital(&app).await;
    let res = upload(&app, facility, "clinic_cover.xlsx", fixture("clinic_cover.xlsx")).await;
    let draft = location(&res);
    let other = spawn_on(settings(&app.db_path, true)).await;
    other.login_as(AUDITOR).await;
    assert_eq!(other.get(&draft).await.status(), 403, "auditors do not confirm quotes");
    other.login_as(REVIEWER).await;
    let res = upload(&other, facility, "clinic_cover.xlsx", fixture("clinic_cover.xlsx")).await;
    assert_eq!(res.status(), 403);
    assert_eq!(count(&app, "quote_drafts").await, 1);
}

/// The id of the quote a location (「/quotes/12」) points at.
fn quote_id(location: &str) -> i64 {
    location.rsplit('/').next().and_then(|s| s.parse().ok()).expect("quote id")
}

async fn upload_and_confirm(app: &TestApp, facility: i64, name: &str, corrections: &[(&str, &str)]) -> String {
    let res = upload(app, facility, name, fixture(name)).await;
    let draft = location(&res);
    let token = draft.rsplit('/').next().expect("token").to_owned();
    let mut form = vec![("token", token.as_str()), ("vendor_id", ""), ("new_vendor", "")];
    form.extend_from_slice(corrections);
    let res = post_form(app, &app.client, "/api/confirm_quote", &draft, &form).await;
    location(&res)
}

#[tokio::test]
async fn a_stored_quote_shows_its_audit_with_evidence_and_compares_with_another() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let facility = hospital(&app).await;
    let padded = upload_and_confirm(&app, facility, "hospital_padded.xls", &[]).await;
    let clean = upload_and_confirm(&app, facility, "clinic_cover.xlsx", &[]).await;
    let html = app.get_html(&padded).await;
    assert!(html.contains(r#"data-testid="quote-audit""#));
    for code in ["free_item_charged", "ineligible_running_cost", "labor_over_observed_max", "tax_mismatch"] {
        assert!(html.contains(&format!(r#"data-flag="{code}""#)), "{code}");
    }
    assert!(
        html.contains("厚生労働省「オンライン資格確認の進捗状況について」（令和4年5月）"),
        "evidence cites the public document it comes from"
    );
    assert!(!html.contains("seeds/"), "and never the copy kept in the repository");
    assert!(html.contains("335,440円") && html.contains("419,300円"), "written and computed tax side by side");
    let clean_id = clean.rsplit('/').next().expect("id");
    let html = app.get_html(&format!("{padded}?compare={clean_id}")).await;
    assert!(html.contains(r#"data-testid="comparison""#));
    assert!(
        html.contains("資格確認端末") && html.contains("840,000円") && html.contains("150,000円"),
        "terminal amounts side by side"
    );
    // A reviewer of the prefecture reads the same audit; a foreign manager gets 404.
    let other = spawn_on(settings(&app.db_path, true)).await;
    other.login_as(REVIEWER).await;
    assert_eq!(other.get(&padded).await.status(), 200);
}

#[tokio::test]
async fn a_corrected_category_is_what_the_stored_audit_uses() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let facility = hospital(&app).await;
    // Row 22 (保守サービス) booked as setup work: no running-cost flag any more.
    let quote = upload_and_confirm(&app, facility, "hospital_padded.xls", &[("category[22]", "setup_labor")]).await;
    let html = app.get_html(&quote).await;
    let flags = html.matches(r#"data-flag="ineligible_running_cost""#).count();
    assert_eq!(flags, 1, "only the line fee (row 23) is still a running cost");
}

#[tokio::test]
async fn the_letter_to_the_vendor_lists_every_flag_with_its_benchmark_and_public_source() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let facility = hospital(&app).await;
    let res = upload(&app, facility, "hospital_padded.xls", fixture("hospital_padded.xls")).await;
    let draft = location(&res);
    let token = draft.rsplit('/').next().expect("token").to_owned();
    let res = post_form(
        &app,
        &app.client,
        "/api/confirm_quote",
        &draft,
        &[("token", token.as_str()), ("vendor_id", ""), ("new_vendor", "株式会社ヘルスケアシステムズ")],
    )
    .await;
    let quote = location(&res);
    let html = app.get_html(&format!("{quote}/letter")).await;
    let letter = &html[html.find(r#"data-testid="letter""#).expect("letter")..];
    let letter = &letter[..letter.find("</article>").expect("end of the letter")];
    assert!(letter.contains("株式会社ヘルスケアシステムズ 御中"));
    assert!(letter.contains("お見積り内容についてのご確認とお願い"));
    assert!(letter.contains("14行目「顔認証付きカードリーダー」"), "the charged reader is listed");
    assert!(
        letter.contains("（出典: 日本医師会 通知（令和3年3月）別添1「加速化プラン」を踏まえた追加的な財政補助（令和2年11月17日公表））"),
        "with the public document it rests on"
    );
    assert!(!letter.contains("seeds/"), "never a file of the repository");
    assert!(letter.contains("当院が参考にしている目安（公的な基準額ではありません）"), "own 目安 are marked");
    assert!(letter.contains("令和"), "dated in 和暦");
    let points = letter.matches("行目「").count() + letter.matches("お見積り全体").count();
    assert_eq!(
        points, 16,
        "one paragraph per flag, 14 on lines and 1 on the whole quote (tax), and the duplicate's first line named in its point"
    );

    // The same letter as a PDF, read back with pdftotext.
    let res = app.get(&format!("{quote}/letter.pdf")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let pdf = res.bytes().await.expect("pdf");
    let text: String = pdf_text(&pdf).chars().filter(|c| !c.is_whitespace()).collect();
    for expected in [
        "株式会社ヘルスケアシステムズ御中",
        "お見積り内容についてのご確認とお願い",
        "14行目「顔認証付きカードリーダー」",
        "（出典:日本医師会通知（令和3年3月）",
        "当院が参考にしている目安（公的な基準額ではありません）",
        "令和",
        "以上",
    ] {
        assert!(text.contains(expected), "the PDF says {expected}: {text}");
    }
    let pdf_points = text.matches("行目「").count() + text.matches("お見積り全体").count();
    assert_eq!(pdf_points, 16, "every point of the page is in the PDF");
}

#[tokio::test]
async fn a_paper_quote_entered_by_hand_is_stored_and_audited() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let facility = hospital(&app).await;
    let post = |fields: Vec<(&'static str, &'static str)>| {
        let app = &app;
        let mut form: Vec<(String, String)> = vec![
            ("facility_id".into(), facility.to_string()),
            ("vendor_id".into(), String::new()),
            ("new_vendor".into(), "有限会社紙見積".into()),
        ];
        form.extend(fields.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())));
        async move {
            post_form(app, &app.client, "/api/enter_quote", &format!("/facilities/{facility}/quotes/new"), &form).await
        }
    };
    let res = post(vec![
        ("quote_date", "令和4年9月1日"),
        ("lines[0][description]", "資格確認アプリケーション"),
        ("lines[0][category]", "app_software"),
        ("lines[0][quantity]", "1"),
        ("lines[0][unit]", "式"),
        ("lines[0][unit_price]", ""),
        ("lines[0][amount]", "abc"),
    ])
    .await;
    let back = location(&res);
    assert!(back.contains("__err"), "a bad amount is refused");
    assert_eq!(count(&app, "quotes").await, 0);
    let res = post(vec![
        ("quote_date", "令和4年9月1日"),
        ("lines[0][description]", "資格確認アプリケーション"),
        ("lines[0][category]", "app_software"),
        ("lines[0][quantity]", "1"),
        ("lines[0][unit]", "式"),
        ("lines[0][unit_price]", "50,000"),
        ("lines[0][amount]", ""),
        ("lines[1][description]", ""),
        ("lines[1][category]", "other"),
        ("lines[1][quantity]", ""),
        ("lines[1][unit]", ""),
        ("lines[1][unit_price]", ""),
        ("lines[1][amount]", ""),
        ("lines[2][description]", "資格確認端末"),
        ("lines[2][category]", "terminal"),
        ("lines[2][quantity]", "1"),
        ("lines[2][unit]", "台"),
        ("lines[2][unit_price]", "180000"),
        ("lines[2][amount]", "180,000"),
    ])
    .await;
    let to = location(&res);
    assert!(to.starts_with("/quotes/") && !to.contains("__err"), "{to}");
    let html = app.get_html(&to).await;
    assert!(html.contains(r#"data-flag="free_item_charged""#), "the hand-entered charge for the free app is flagged");
    assert!(html.contains("有限会社紙見積"));
    let (lines, file): (i64, i64) =
        sqlx::query_as("SELECT (SELECT count(*) FROM quote_lines), (SELECT count(*) FROM quote_files)")
            .fetch_one(app.pool())
            .await
            .expect("counts");
    assert_eq!((lines, file), (2, 0), "two lines, no file");
}

#[tokio::test]
async fn a_line_that_writes_a_word_for_its_price_is_previewed_with_it_and_stored_with_it() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let facility = hospital(&app).await;
    let name = "layouts/words_for_prices_libreoffice.xls";
    let res = upload(&app, facility, "words_for_prices.xls", fixture(name)).await;
    let draft = location(&res);
    let html = app.get_html(&draft).await;
    for said in ["見積書の記載: 「別途」", "見積書の記載: 「サービス」", "見積書の記載: 「込み」"]
    {
        assert!(html.contains(said), "{said} beside its amount");
    }
    assert!(html.contains("電子カルテ改修（連携設定）"), "the line without a figure is a line of the quote");
    let quote = upload_and_confirm(&app, facility, name, &[]).await;
    let id = quote_id(&quote);
    let stored: Vec<(String, Option<String>, Option<String>)> =
        sqlx::query_as("SELECT description, amount, amount_text FROM quote_lines WHERE quote_id = ? ORDER BY position")
            .bind(id)
            .fetch_all(app.pool())
            .await
            .expect("lines");
    assert_eq!(stored.len(), 7);
    assert_eq!(stored[4], ("電子カルテ改修（連携設定）".into(), None, Some("別途".into())));
    assert_eq!(stored[5], ("操作説明".into(), Some("0".into()), Some("サービス".into())));
    let page = app.get_html(&quote).await;
    assert!(page.contains("見積書の記載: 「別途」"), "the stored quote's audit says it too");
}

#[tokio::test]
async fn hidden_rows_columns_and_sheets_are_left_out_and_the_preview_says_which() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let facility = hospital(&app).await;
    for (file, said) in [
        ("hidden_rows_openpyxl.xlsx", "シート「見積書」の非表示の行（10・12行目）は読んでいません。"),
        ("hidden_rows_libreoffice.xlsx", "シート「見積書」の非表示の列（G列）は読んでいません。"),
        ("hidden_rows_libreoffice.ods", "シート「見積書」の非表示の行（10・12行目）は読んでいません。"),
        ("hidden_rows_libreoffice.xls", "シート「見積書」の非表示の列（G列）は読んでいません。"),
        ("two_sheets_libreoffice.xlsx", "非表示のシート「旧版」は読んでいません。"),
    ] {
        let res = upload(&app, facility, file, fixture(&format!("layouts/{file}"))).await;
        let html = app.get_html(&location(&res)).await;
        assert!(html.contains(said), "{file}: {said}");
        for withdrawn in ["取り下げ", "リモート保守", "旧見積"] {
            assert!(!html.contains(withdrawn), "{file}: a hidden item was read: {withdrawn}");
        }
    }
}

#[tokio::test]
async fn the_preview_shows_how_the_file_was_read_header_columns_and_rows_that_are_not_lines() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let facility = hospital(&app).await;
    let res = upload(&app, facility, "sections.xls", fixture("layouts/sections_libreoffice.xls")).await;
    let html = app.get_html(&location(&res)).await;
    for said in [
        "ファイルの読み方（見出し・列・明細以外の行）",
        "シート「見積明細」の8行目を見出しとして読みました。",
        "単価（請求される価格）",
        "■ハードウェア",
        "区分の見出し",
        "区分の小計（照合には使いません）",
        "最後の区分の小計（照合には使いません）",
        "小計（明細の合計と照合します）",
    ] {
        assert!(html.contains(said), "the preview says {said}");
    }
}

#[tokio::test]
async fn a_cover_total_is_checked_against_the_lines_in_the_preview_and_again_once_stored() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let facility = hospital(&app).await;
    // A cover summing each sheet with its tax agrees and says with what.
    let res = upload(&app, facility, "two_sheets.xlsx", fixture("layouts/two_sheets_openpyxl.xlsx")).await;
    let html = app.get_html(&location(&res)).await;
    assert!(html.contains(r#"data-testid="summary-amounts""#), "the preview lists the cover's figures");
    assert!(
        html.contains(
            "シート「表紙」のA9セルの「初期費用（税込）」346,500円は、月額の費用を除いた明細の税込の合計と一致しています。"
        ),
        "{html}"
    );
    assert!(!html.contains(r#"data-flag="arithmetic_mismatch""#));
    // A cover written from an earlier draft: flagged in the preview, and on the stored quote's
    // audit, which reads the cover's figures back from the database.
    let name = "layouts/cover_mismatch_libreoffice.ods";
    let res = upload(&app, facility, "cover_mismatch.ods", fixture(name)).await;
    let html = app.get_html(&location(&res)).await;
    let said = "シート「表紙」のA10セルの「御見積金額（税込）」385,000円は、明細の合計（税抜 315,000円・税込 346,500円）とも、その一部の合計とも一致しません。";
    assert!(html.contains(said), "preview: {said}");
    let quote = upload_and_confirm(&app, facility, name, &[]).await;
    let id = quote_id(&quote);
    let stored: Option<String> = sqlx::query_scalar("SELECT written_summary FROM quotes WHERE id = ?")
        .bind(id)
        .fetch_one(app.pool())
        .await
        .expect("summary");
    let stored: serde_json::Value = serde_json::from_str(&stored.expect("stored")).expect("json");
    assert_eq!(stored[0]["label"], "御見積金額（税込）");
    assert_eq!(stored[0]["amount"], "385000");
    let page = app.get_html(&quote).await;
    assert!(page.contains(r#"data-flag="arithmetic_mismatch""#) && page.contains(said), "stored audit: {said}");
}

#[tokio::test]
async fn a_pdf_quote_is_previewed_stored_and_audited_as_the_workbook_it_was_printed_from() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let facility = hospital(&app).await;
    let bytes = fixture("pdf/padded_sections_chromium.pdf");
    let res = upload(&app, facility, "御見積書.pdf", bytes.clone()).await;
    let draft = location(&res);
    let html = app.get_html(&draft).await;
    for said in ["資格確認アプリケーション", "システム改修一式", "PDFの行は、ページの上から順に数えた文字の行です。"]
    {
        assert!(html.contains(said), "the preview shows {said}");
    }
    for code in ["free_item_charged", "lump_sum_opaque", "duplicate_line", "above_benchmark"] {
        assert!(html.contains(&format!(r#"data-flag="{code}""#)), "preview flag {code}");
    }
    let token = draft.rsplit('/').next().expect("token").to_owned();
    let form = [("token", token.as_str()), ("vendor_id", ""), ("new_vendor", "")];
    let quote = location(&post_form(&app, &app.client, "/api/confirm_quote", &draft, &form).await);
    let id = quote_id(&quote);
    let (name, kept): (String, Vec<u8>) = sqlx::query_as(
        "SELECT q.file_name, f.bytes FROM quotes q JOIN quote_files f ON f.quote_id = q.id WHERE q.id = ?",
    )
    .bind(id)
    .fetch_one(app.pool())
    .await
    .expect("stored");
    assert_eq!((name.as_str(), kept == bytes), ("御見積書.pdf", true), "the file is kept as it came");
    let lines: i64 = sqlx::query_scalar("SELECT count(*) FROM quote_lines WHERE quote_id = ?")
        .bind(id)
        .fetch_one(app.pool())
        .await
        .expect("lines");
    assert_eq!(lines, 6);
    let page = app.get_html(&quote).await;
    assert!(page.contains(r#"data-flag="free_item_charged""#), "the stored audit");
}

#[tokio::test]
async fn a_cover_that_the_lines_do_not_make_is_the_same_flag_on_the_quote_page_and_in_the_lines_export() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let facility = hospital(&app).await;
    for name in ["layouts/cover_mismatch_libreoffice.ods", "pdf/cover_mismatch_chromium.pdf"] {
        let quote = upload_and_confirm(&app, facility, name, &[]).await;
        let id = quote_id(&quote);
        let page = app.get_html(&quote).await;
        assert!(page.contains(r#"data-flag="arithmetic_mismatch""#), "{name}: the quote page");
        let res = app.get(&format!("/exports/quote_lines.csv?quote={id}")).await;
        assert_eq!(res.status(), 200);
        let body = res.text().await.expect("csv");
        let mut reader = csv::ReaderBuilder::new().from_reader(body.trim_start_matches('\u{feff}').as_bytes());
        let at = reader.headers().expect("header").iter().position(|h| h == "見積書全体の指摘コード").expect("column");
        let rows: Vec<Vec<String>> =
            reader.records().map(|r| r.expect("record").iter().map(str::to_owned).collect()).collect();
        assert_eq!(rows.len(), 5, "{name}: one row per line");
        for row in &rows {
            assert_eq!(row[at], "arithmetic_mismatch", "{name}: every line carries the quote's own flag");
        }
    }
}

/// A scan (a 200 dpi PNG of the printed discount_foot quote, where OCR reads the card reader's
/// 「0」 as 「6」): the preview shows each line beside the picture it was read from and marks the
/// cells to check; the 6 yen charged for a free reader is held back as a reading to check, not
/// put to the vendor; the manager corrects it, and the stored quote has the corrected amount and
/// the file as it came.
#[tokio::test]
async fn a_scanned_quote_is_checked_against_the_pictures_of_its_lines_before_it_is_stored() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let facility = hospital(&app).await;
    let bytes = fixture("scan/discount_foot_chromium_scan200.png");
    let res = upload(&app, facility, "見積書.png", bytes.clone()).await;
    let draft = location(&res);
    let token = draft.rsplit('/').next().expect("token").to_owned();
    let html = app.get_html(&draft).await;
    assert!(html.contains(r#"data-testid="scan-reading""#), "the scan is said to be read by OCR");
    assert!(html.contains("Tesseract"), "with the engine named");
    let parsed: String = sqlx::query_scalar("SELECT parsed_json FROM quote_drafts WHERE token = ?")
        .bind(&token)
        .fetch_one(app.pool())
        .await
        .expect("draft");
    let quote: rules::quote::Quote = serde_json::from_str(&parsed).expect("quote");
    // OCR reads the description a little differently as the preparation of the page changes
    // (「カードリダー」): the line is found by its first words.
    let reader = quote.lines.iter().find(|l| l.description.contains("顔認証付きカード")).expect("the reader line");
    assert_eq!(reader.amount.map(|a| a.to_string()).as_deref(), Some("6円"), "OCR's misreading, kept for the test");
    // Every line has its picture, and the misread amount is marked.
    for line in &quote.lines {
        let src = format!("/quotes/drafts/{token}/rows/{}", line.row);
        assert!(html.contains(&src), "row {} has its picture", line.row);
    }
    assert!(html.contains(r#"data-testid="amount-to-check""#), "the amount to check is marked");
    assert!(html.contains(r#"data-testid="reading-checks""#), "the held-back finding is shown");
    assert!(!html.contains(r#"data-flag="free_item_charged""#), "not put to the vendor before it is checked");
    let picture = app.get(&format!("/quotes/drafts/{token}/rows/{}", reader.row)).await;
    assert_eq!(picture.status(), 200);
    assert_eq!(picture.headers()["content-type"], "image/png");
    assert!(picture.bytes().await.expect("png").starts_with(b"\x89PNG"));
    // Nobody else sees it.
    let other = app.signed_in_client(REVIEWER).await;
    let theirs =
        other.get(format!("{}/quotes/drafts/{token}/rows/{}", app.base, reader.row)).send().await.expect("get");
    assert_ne!(theirs.status(), 200);
    // The manager corrects the amount and registers the quote.
    let amount_field = format!("amount[{}]", reader.row);
    let form = [("token", token.as_str()), ("vendor_id", ""), ("new_vendor", ""), (amount_field.as_str(), "0")];
    let stored = location(&post_form(&app, &app.client, "/api/confirm_quote", &draft, &form).await);
    let id = quote_id(&stored);
    let amount: Option<String> =
        sqlx::query_scalar("SELECT amount FROM quote_lines WHERE quote_id = ? AND sheet_row = ?")
            .bind(id)
            .bind(i64::from(reader.row))
            .fetch_one(app.pool())
            .await
            .expect("line");
    assert_eq!(amount.as_deref(), Some("0"));
    let page = app.get_html(&stored).await;
    let flagged: Vec<&str> = page.match_indices("data-flag=\"").map(|(i, _)| &page[i + 11..i + 40]).collect();
    assert!(!page.contains(r#"data-flag="free_item_charged""#), "stored as corrected: {flagged:?}");
    let kept: Vec<u8> = sqlx::query_scalar("SELECT bytes FROM quote_files WHERE quote_id = ?")
        .bind(id)
        .fetch_one(app.pool())
        .await
        .expect("file");
    assert!(kept == bytes, "the file is kept as it came");
    let pictures: i64 = sqlx::query_scalar("SELECT count(*) FROM quote_draft_pictures WHERE token = ?")
        .bind(&token)
        .fetch_one(app.pool())
        .await
        .expect("count");
    assert_eq!(pictures, 0, "the pictures go with the draft");
}
