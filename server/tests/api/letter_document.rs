//! The letter to the vendor as a document to send: a business letter in page and PDF, set
//! without broken numbers or words, numbered and dated, and edited by the facility's manager
//! alone, each save in the audit trail.

use crate::helpers::*;
use crate::quote_upload::upload;
use std::path::PathBuf;

/// The letter's title, as page, PDF and PDF metadata give it.
const TITLE: &str = "お見積り内容についてのご確認とお願い";

/// A vendor name as long as the form takes (80 characters).
const LONG_VENDOR: &str = "株式会社ヘルスケアシステムズ・ネットワークソリューションズ医療情報サービス事業本部九州支社福岡営業所オンライン資格確認導入支援センター第一課";

/// What a letter to a vendor must never show: names of this repository's files, issue
/// numbers, project names and statistics jargon.
const LEAKS: [&str; 8] = ["seeds/", "domain.md", "issue", "Issue", "cardinal", "Tukey", "IQR", "benchmarks.json"];

/// The manager's hospital, its 医療機関コード.
async fn hospital(app: &TestApp) -> (i64, String) {
    sqlx::query_as(
        "SELECT id, facility_code FROM facilities WHERE facility_type = 'hospital'
         AND corporation_id = (SELECT id FROM corporations WHERE code = 'demo_corp') LIMIT 1",
    )
    .fetch_one(app.pool())
    .await
    .expect("hospital")
}

/// The padded hospital quote (16 flags) uploaded and confirmed with `vendor`: its letter's path.
async fn padded_quote_letter(app: &TestApp, facility: i64, vendor: &str) -> String {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../quote_reader/tests/fixtures/hospital_padded.xls");
    let res = upload(app, facility, "hospital_padded.xls", std::fs::read(file).expect("fixture")).await;
    let draft = location(&res);
    let token = draft.rsplit('/').next().expect("token").to_owned();
    let fields = [("token", token.as_str()), ("vendor_id", ""), ("new_vendor", vendor)];
    let quote = location(&post_form(app, &app.client, "/api/confirm_quote", &draft, &fields).await);
    assert!(quote.starts_with("/quotes/") && !quote.contains("drafts"), "{quote}");
    format!("{quote}/letter")
}

/// The text of the element `data-testid=id`, tags dropped and entities read.
fn testid_text(html: &str, id: &str) -> String {
    let at = html.find(&format!(r#"data-testid="{id}""#)).unwrap_or_else(|| panic!("no {id} on the page"));
    let rest = &html[at + html[at..].find('>').expect("the tag's end") + 1..];
    let end = ["</article>", "</section>"].iter().filter_map(|e| rest.find(e)).min().expect("the end");
    let mut text = String::new();
    let mut in_tag = false;
    for c in rest[..end].chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&quot;", "\"").replace("&#x27;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

/// The letter's PDF, fetched by `who`.
async fn letter_pdf(app: &TestApp, who: &reqwest::Client, letter: &str) -> Vec<u8> {
    let res = who.get(app.url(&format!("{letter}.pdf"))).send().await.expect("GET pdf");
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    res.bytes().await.expect("pdf").to_vec()
}

/// `pdfinfo -isodates` of a PDF: (field, value) lines.
fn pdf_info(pdf: &[u8]) -> Vec<(String, String)> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("letter.pdf");
    std::fs::write(&path, pdf).expect("write pdf");
    let out = std::process::Command::new("pdfinfo").arg("-isodates").arg(&path).output().expect("pdfinfo");
    assert!(out.status.success(), "pdfinfo: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once(':').map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned())))
        .collect()
}

fn info<'a>(info: &'a [(String, String)], key: &str) -> &'a str {
    info.iter().find(|(k, _)| k == key).map_or("", |(_, v)| v.as_str())
}

/// The PDF was made today in Japan (not on 1970-01-01), and not changed since.
fn assert_made_today(meta: &[(String, String)]) {
    let today = (chrono::Utc::now() + chrono::TimeDelta::hours(9)).format("%Y-%m-%d").to_string();
    assert!(info(meta, "CreationDate").starts_with(&today), "made today, not 1970: {meta:?}");
    assert_eq!(info(meta, "ModDate"), info(meta, "CreationDate"), "{meta:?}");
}

/// Amounts with their yen sign (「429,000円」) in `text`.
fn amounts(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut run = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() || (c == ',' && !run.is_empty()) {
            run.push(c);
        } else {
            if c == '円' && run.chars().next().is_some_and(|d| d.is_ascii_digit()) {
                out.push(format!("{run}円"));
            }
            run.clear();
        }
    }
    out
}

/// The PDF's text is set as Japanese documents are: no line starts with closing punctuation,
/// no line ends with an opening bracket, every amount of the page with its 円 on one line,
/// the pages numbered 「n / N」 as pdfinfo counts them, its title and today's date in its
/// metadata.
fn assert_set_well(pdf: &[u8], page_text: &str) {
    let text = pdf_text(pdf);
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    for l in &lines {
        let first = l.chars().next().unwrap_or(' ');
        assert!(!"。、，．」』）)】〕・ーっゃゅょ々,.".contains(first), "a line starts with {first}: {l}\n{text}");
        let last = l.chars().next_back().unwrap_or(' ');
        assert!(!"「『（(【".contains(last), "a line ends with {last}: {l}\n{text}");
    }
    let squeezed: String = page_text.chars().filter(|c| !c.is_whitespace()).collect();
    let on_page = amounts(&squeezed);
    assert!(on_page.len() > 10, "the letter has amounts: {on_page:?}");
    for amount in on_page {
        assert!(lines.iter().any(|l| l.contains(&amount)), "{amount} is split across lines:\n{text}");
    }
    for leak in LEAKS {
        assert!(!text.contains(leak), "the PDF shows {leak}:\n{text}");
    }
    let meta = pdf_info(pdf);
    assert_eq!(info(&meta, "Title"), TITLE, "{meta:?}");
    assert_made_today(&meta);
    let pages: usize = info(&meta, "Pages").parse().expect("pages");
    assert!(pages >= 2, "sixteen points take more than a page: {pages}");
    // pdftotext drops the narrow spaces of 「1 / 4」.
    let numbers: Vec<String> =
        lines.iter().map(|l| l.replace(' ', "")).filter(|l| l.ends_with(&format!("/{pages}"))).collect();
    let expected: Vec<String> = (1..=pages).map(|n| format!("{n}/{pages}")).collect();
    assert_eq!(numbers, expected, "every page numbered n / {pages}:\n{text}");
}

#[tokio::test]
async fn the_letter_to_the_vendor_is_a_business_letter_set_without_broken_numbers_or_words() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let (facility, code) = hospital(&app).await;
    let letter = padded_quote_letter(&app, facility, LONG_VENDOR).await;
    let html = app.get_html(&letter).await;
    let page = testid_text(&html, "letter");
    for part in [
        "拝啓　時下ますますご清栄のこととお慶び申し上げます。",
        "敬具",
        "記",
        "以上",
        &format!("{LONG_VENDOR} 御中"),
        &format!("医療機関コード {code}"),
        "福岡県福岡市中央区オンシ一丁目1番1号",
        TITLE,
    ] {
        assert!(page.contains(part), "the letter says {part}:\n{page}");
    }
    let order = ["拝啓", "敬具記1. ", "以上"].map(|p| page.find(p).expect(p));
    assert!(order.windows(2).all(|w| w[0] < w[1]), "拝啓…敬具, then 記…以上: {order:?}");
    assert!(page.trim_end().ends_with("以上"), "{page}");
    // Each point: what the quote says, what it is compared with, what the vendor is asked.
    assert!(page.contains("顔認証付きカードリーダーは、病院には3台まで社会保険診療報酬支払基金から無償で提供されることとされています。（出典: 日本医師会 通知"), "{page}");
    assert!(page.contains("当院が参考にしている目安（公的な基準額ではありません）"), "{page}");
    assert_eq!(page.matches("いただけますようお願い申し上げます。").count(), 15, "one request per flag:\n{page}");
    for clinic_facing in ["求めてください", "確認してください", "されるべきではありません", "想定値"]
    {
        assert!(!page.contains(clinic_facing), "written to the clinic: {clinic_facing}\n{page}");
    }
    let edit = testid_text(&html, "letter-edit");
    for leak in LEAKS {
        assert!(!page.contains(leak) && !edit.contains(leak), "the page shows {leak}");
    }
    // LAN and the portal's FAQ are how Japanese writes them; other Latin letters would be a
    // developer's note.
    assert!(
        !page.replace("LAN", "").replace("FAQ", "").chars().any(|c| c.is_ascii_alphabetic()),
        "no English in the letter:\n{page}"
    );

    let pdf = letter_pdf(&app, &app.client, &letter).await;
    assert_set_well(&pdf, &page);
    let text: String = pdf_text(&pdf).chars().filter(|c| !c.is_whitespace()).collect();
    for part in ["拝啓", "敬具", "記", "以上", &format!("{LONG_VENDOR}御中"), &format!("医療機関コード{code}")]
    {
        assert!(text.contains(part), "the PDF says {part}: {text}");
    }
}

/// The edit form's fields for a letter with `points` (a point's text, left out).
fn form(quote_id: &str, facility: &str, code: &str, points: &[(&str, bool)]) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = [
        ("quote_id", quote_id),
        ("sender[facility]", facility),
        ("sender[facility_code]", code),
        ("sender[address]", "福岡県福岡市中央区オンシ一丁目1番1号"),
        ("sender[phone]", "092-123-4567"),
        ("sender[person]", "事務長 山田花子"),
        ("opening", "時下ますますご清栄のこととお慶び申し上げます。\r\n\r\nさて、先日のお見積りについて下記のとおりお願いいたします。"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    for (i, (text, omitted)) in points.iter().enumerate() {
        f.push((format!("point[{}]", i + 1), (*text).to_owned()));
        if *omitted {
            f.push((format!("omit[{}]", i + 1), "on".to_owned()));
        }
    }
    f
}

/// The audit trail's rows of a quote's letter: (action, after).
async fn letter_trail(app: &TestApp, quote_id: &str) -> Vec<(String, Option<String>)> {
    sqlx::query_as(
        "SELECT action, after_json FROM audit_log WHERE entity = 'counter_offer_letter' AND entity_id = ? ORDER BY id",
    )
    .bind(quote_id)
    .fetch_all(app.pool())
    .await
    .expect("trail")
}

#[tokio::test]
async fn the_manager_edits_the_letter_and_page_pdf_and_audit_trail_show_the_saved_text() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let (facility, code) = hospital(&app).await;
    let letter = padded_quote_letter(&app, facility, "株式会社ヘルスケアシステムズ").await;
    let quote_id = letter.trim_start_matches("/quotes/").trim_end_matches("/letter").to_owned();
    let html = app.get_html(&letter).await;
    assert!(html.contains(r#"data-testid="letter-form""#), "the manager has the edit form");
    assert!(
        testid_text(&html, "letter").contains("担当 山田 花子"),
        "the person in charge starts as the signed-in user's name"
    );

    let long_facility = "医療法人社団オンシ会".repeat(10);
    let points = [
        (
            "14行目「顔認証付きカードリーダー」\n無償提供分（429,000円のうち1,050,000円を超えない額）を除いたお見積りをお願いいたします。",
            false,
        ),
        ("外すことにした項目です。", true),
        ("見積全体\n消費税額の訂正をお願いいたします。", false),
    ];
    let fields = form(&quote_id, &long_facility, &code, &points);
    let res = post_form(&app, &app.client, "/api/save_letter", &letter, &fields).await;
    assert_eq!(location(&res), letter, "saved, back to the letter");

    let html = app.get_html(&letter).await;
    let page = testid_text(&html, "letter");
    for part in [
        "1. 14行目「顔認証付きカードリーダー」",
        "2. 見積全体",
        "電話 092-123-4567",
        "担当 事務長 山田花子",
        "拝啓　時下ますますご清栄のこととお慶び申し上げます。",
        "さて、先日のお見積りについて下記のとおりお願いいたします。",
        &long_facility,
    ] {
        assert!(page.contains(part), "the saved letter says {part}:\n{page}");
    }
    assert!(!page.contains("外すことにした項目"), "the point left out is gone:\n{page}");
    assert!(testid_text(&html, "letter-edited").contains("保存したもの"), "the page says it was edited");
    let pdf = letter_pdf(&app, &app.client, &letter).await;
    let text: String = pdf_text(&pdf).chars().filter(|c| !c.is_whitespace()).collect();
    assert!(text.contains("消費税額の訂正をお願いいたします。") && text.contains("事務長山田花子"), "{text}");
    assert!(text.contains(&long_facility), "{text}");
    assert!(!text.contains("外すことにした項目"), "{text}");

    let trail = letter_trail(&app, &quote_id).await;
    assert_eq!(trail.len(), 1, "{trail:?}");
    assert_eq!(trail[0].0, "create");
    assert!(trail[0].1.as_deref().is_some_and(|a| a.contains("事務長 山田花子")), "{trail:?}");
    let auditor = app.signed_in_client(AUDITOR).await;
    let log = auditor.get(app.url("/audit-log")).send().await.expect("GET").text().await.expect("html");
    assert!(log.contains("counter_offer_letter"), "the auditor sees the edit in the audit trail");

    // Another quote of the facility: its letter starts with the phone and person saved last.
    let vendor: i64 = sqlx::query_scalar("SELECT min(id) FROM vendors").fetch_one(app.pool()).await.expect("vendor");
    let other = insert_confirmed_quote(app.pool(), facility, vendor, &[("ルーター", "router", "45000")]).await;
    let page = testid_text(&app.get_html(&format!("/quotes/{other}/letter")).await, "letter");
    assert!(page.contains("電話 092-123-4567\n担当 事務長 山田花子"), "{page}");

    // Too long: refused beside the field, with what was typed kept; the saved text stays.
    let too_long = "長".repeat(2001);
    let fields = form(&quote_id, "オンシ記念病院", &code, &[(too_long.as_str(), false)]);
    let res = post_form(&app, &app.client, "/api/save_letter", &letter, &fields).await;
    let back = location(&res);
    assert!(back.starts_with(&app.url(&letter)), "back to the form");
    let html = app.client.get(&back).send().await.expect("GET").text().await.expect("html");
    let edit = testid_text(&html, "letter-edit");
    assert!(edit.contains("1番目の項目は2000文字以内で入力してください（いま2001文字です）。"), "{edit}");
    assert!(html.contains(r#"aria-invalid="true""#), "marked invalid");
    assert!(html.contains(r#"aria-describedby="letter-point-1-error""#), "the message belongs to the field");
    assert!(edit.contains(&too_long), "what was typed is kept");
    assert_eq!(letter_trail(&app, &quote_id).await.len(), 1, "nothing saved");
    assert!(testid_text(&app.get_html(&letter).await, "letter").contains("事務長 山田花子"));

    // 元の文面に戻す: the letter built from the audit again, and the reset in the trail.
    let res = post_form(&app, &app.client, "/api/reset_letter", &letter, &[("quote_id", quote_id.as_str())]).await;
    assert_eq!(location(&res), letter);
    let page = testid_text(&app.get_html(&letter).await, "letter");
    assert!(
        page.contains("拝啓　時下ますますご清栄") && !page.contains("消費税額の訂正をお願いいたします。"),
        "{page}"
    );
    assert!(!page.contains("電話 092-123-4567"), "{page}");
    let trail = letter_trail(&app, &quote_id).await;
    assert_eq!(trail.iter().map(|(a, _)| a.as_str()).collect::<Vec<_>>(), ["create", "reset"]);
}

#[tokio::test]
async fn only_the_facilitys_manager_may_edit_its_letter() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let (facility, code) = hospital(&app).await;
    let letter = padded_quote_letter(&app, facility, "株式会社ヘルスケアシステムズ").await;
    let quote_id = letter.trim_start_matches("/quotes/").trim_end_matches("/letter").to_owned();
    let fields = form(&quote_id, "オンシ記念病院", &code, &[("書き換えです。", false)]);

    // A reviewer of the prefecture sees the letter but has no form, and a save is refused.
    let reviewer = app.signed_in_client(REVIEWER).await;
    let html = reviewer.get(app.url(&letter)).send().await.expect("GET").text().await.expect("html");
    assert!(html.contains(r#"data-testid="letter""#), "the reviewer may read the letter");
    assert!(!html.contains(r#"data-testid="letter-form""#), "but not edit it");
    post_form(&app, &reviewer, "/api/save_letter", &letter, &fields).await;
    post_form(&app, &reviewer, "/api/reset_letter", &letter, &[("quote_id", quote_id.as_str())]).await;
    assert!(letter_trail(&app, &quote_id).await.is_empty(), "nothing saved by the reviewer");

    // A manager of another corporation's facility: the quote does not exist for them.
    let other: i64 = sqlx::query_scalar(
        "SELECT id FROM facilities WHERE corporation_id IS NOT (SELECT id FROM corporations WHERE code = 'demo_corp') LIMIT 1",
    )
    .fetch_one(app.pool())
    .await
    .expect("a facility of another corporation");
    let vendor: i64 = sqlx::query_scalar("SELECT min(id) FROM vendors").fetch_one(app.pool()).await.expect("vendor");
    let foreign =
        insert_confirmed_quote(app.pool(), other, vendor, &[("顔認証付きカードリーダー", "card_reader", "99000")])
            .await;
    let foreign_letter = format!("/quotes/{foreign}/letter");
    let fields = form(&foreign.to_string(), "オンシ記念病院", &code, &[("書き換えです。", false)]);
    post_form(&app, &app.client, "/api/save_letter", &foreign_letter, &fields).await;
    assert!(letter_trail(&app, &foreign.to_string()).await.is_empty(), "nothing saved for another facility");
    let saved: i64 =
        sqlx::query_scalar("SELECT count(*) FROM counter_offer_letters").fetch_one(app.pool()).await.expect("count");
    assert_eq!(saved, 0);
}

#[tokio::test]
async fn the_application_package_pdf_carries_its_title_and_the_day_it_was_made() {
    let app = spawn_app_with_demo_activity().await;
    let manager = app.signed_in_client(MANAGER).await;
    let application: i64 = sqlx::query_scalar("SELECT min(id) FROM subsidy_applications")
        .fetch_one(app.pool())
        .await
        .expect("a demo application");
    let res = manager.get(app.url(&format!("/applications/{application}/package.pdf"))).send().await.expect("GET");
    assert_eq!(res.status(), 200);
    let meta = pdf_info(&res.bytes().await.expect("pdf"));
    assert_eq!(info(&meta, "Title"), "交付申請書類（オンシ内科クリニック）", "{meta:?}");
    assert_made_today(&meta);
    assert!(info(&meta, "Producer").starts_with("Onshi"), "{meta:?}");
}
