//! The 交付申請 package as the portal asks for it, read back from outside: the 領収書内訳書
//! lists every receipt line (running costs marked 対象外 with the reason) and adds up exactly
//! to the receipt; every page says 「n / N」 and N is the page count; the 申請者 typed on the
//! form is printed; the scanned 領収書(写) is attached, refused when it is not a PDF, JPEG or
//! PNG or too big, and travels byte for byte in the zips; the 一括申請 splits a shared
//! receipt so that the facilities' 内訳書 add up to the combined receipt.

use crate::applications::{assert_done, enter_lines, provision};
use crate::helpers::*;

/// A receipt, tax excluded, whose 10 % leaves fractions, with a running cost of each kind.
const RECEIPT: [(&str, &str, &str); 5] = [
    ("資格確認端末（PC・モニタ一式）", "terminal", "133333"),
    ("ネットワーク設定・ルータ設定", "network_setup", "66667"),
    ("導入作業費", "setup_labor", "12345"),
    ("保守（月額）", "maintenance", "8801"),
    ("回線使用料（月額）", "line_fee", "3305"),
];

/// Who applies, as typed on the form.
const DETAILS: [(&str, &str); 6] = [
    ("founder", "医療法人社団 オンシ会"),
    ("representative_title", "理事長"),
    ("representative_name", "山田 太郎"),
    ("address", "福岡県福岡市博多区シカク町5番6号"),
    ("phone", "092-123-4567"),
    ("contact_person", "事務長 佐藤 花子"),
];

/// The demo corporation's medical clinics (Fukuoka): (id, 医療機関コード), by id.
async fn clinics(app: &TestApp) -> Vec<(i64, String)> {
    sqlx::query_as(
        "SELECT id, facility_code FROM facilities
         WHERE corporation_id = (SELECT id FROM corporations WHERE code = 'demo_corp') AND facility_type = 'medical_clinic'
         ORDER BY id",
    )
    .fetch_all(app.pool())
    .await
    .expect("the demo corporation's clinics")
}

async fn post(app: &TestApp, endpoint: &str, from: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    post_form(app, &app.client, endpoint, from, fields).await
}

/// Marks a quote paid on 2023-02-10.
async fn pay(app: &TestApp, facility: i64, quote: i64) {
    let (f, q) = (facility.to_string(), quote.to_string());
    let res = post(
        app,
        "/api/mark_quote_paid",
        &format!("/facilities/{facility}"),
        &[("facility_id", &f), ("quote_id", &q), ("paid_on", "2023-02-10")],
    )
    .await;
    assert_done(&res, "mark paid");
}

/// A provisioned clinic with `lines` paid: its application prepared with [`DETAILS`], its id.
async fn prepared(app: &TestApp, facility: i64, lines: &[(&str, &str, &str)]) -> i64 {
    provision(app, facility).await;
    let quote = enter_lines(app, facility, lines).await;
    pay(app, facility, quote).await;
    let (f, q) = (facility.to_string(), quote.to_string());
    let mut form = vec![
        ("facility_id", f.as_str()),
        ("quote_id", &q),
        ("applied_on", "2023-05-01"),
        ("readers", "1"),
        ("details", "1"),
    ];
    form.extend(DETAILS);
    let res = post(app, "/api/prepare_application", &format!("/facilities/{facility}"), &form).await;
    let to = location(&res);
    assert!(to.starts_with("/applications/") && !to.contains("__err"), "prepared: {to}");
    to.trim_start_matches("/applications/").parse().expect("id")
}

/// The PDF's text laid out as on the page (`pdftotext -layout`), pages split at form feeds.
fn layout_pages(pdf: &[u8]) -> Vec<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("package.pdf");
    std::fs::write(&path, pdf).expect("write");
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_owned).collect();
    while pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

/// The last 「…円」 amount on a line, in yen.
fn trailing_yen(line: &str) -> Option<i64> {
    let end = line.trim_end().strip_suffix('円')?;
    let digits: String = end.chars().rev().take_while(|c| c.is_ascii_digit() || *c == ',' || *c == '-').collect();
    digits.chars().rev().filter(|c| *c != ',').collect::<String>().parse().ok()
}

/// The amount on the first line holding `label`.
fn amount_of(text: &str, label: &str) -> i64 {
    text.lines()
        .find(|l| l.contains(label))
        .and_then(trailing_yen)
        .unwrap_or_else(|| panic!("no amount for {label} in:\n{text}"))
}

/// The receipt lines of a 内訳書: (No., the row's text, amount) for every row starting with a number.
fn receipt_rows(text: &str) -> Vec<(usize, String, i64)> {
    let table = &text[text.find("品名・内容").expect("the 内訳書 table")..];
    let table = &table[..table.find("補助対象の小計").expect("its foot")];
    table
        .lines()
        .filter_map(|l| {
            let no: usize = l.split_whitespace().next()?.parse().ok()?;
            Some((no, l.to_owned(), trailing_yen(l)?))
        })
        .collect()
}

/// Fails on anything a person cannot look up or read: repository files, notes for developers.
fn assert_fit_to_send(text: &str) {
    for leak in ["domain.md", "seeds/", "出典の確認が不十分", ".txt", "issue"] {
        assert!(!text.contains(leak), "the PDF shows {leak:?}:\n{text}");
    }
    // An English sentence: three words of letters in a row.
    let words: Vec<&str> = text.split(|c: char| !c.is_ascii_alphabetic()).collect();
    let sentence = text
        .split(|c: char| !(c.is_ascii_alphabetic() || c == ' '))
        .find(|run| run.split(' ').filter(|w| w.len() >= 2).count() >= 3);
    assert!(sentence.is_none(), "English in the PDF: {sentence:?} ({} words)", words.len());
    assert!(!text.contains("（2023-") && !text.contains("（2021-"), "dates are written out in full");
}

#[tokio::test]
async fn the_package_pdf_lists_every_receipt_line_adds_up_exactly_and_numbers_its_pages() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let (facility, _) = clinics(&app).await[0].clone();
    let id = prepared(&app, facility, &RECEIPT).await;

    let pdf = app.get(&format!("/applications/{id}/package.pdf")).await.bytes().await.expect("pdf").to_vec();
    let pages = layout_pages(&pdf);
    let count = pdf_pages(&pdf);
    assert_eq!(pages.len(), count);
    assert_eq!(count, 2, "the demo-sized application fits two pages");
    for (i, page) in pages.iter().enumerate() {
        let bare: String = page.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(
            bare.contains(&format!("交付申請書類{}/{count}", i + 1)),
            "page {} says 「{} / {count}」:\n{page}",
            i + 1,
            i + 1
        );
    }
    let text = pages.join("\n");
    assert_fit_to_send(&text);

    // Every line of the receipt, eligible or not, tax included, adding up to the receipt.
    let rows = receipt_rows(&text);
    assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), [1, 2, 3, 4, 5], "{rows:?}");
    for ((description, ..), (_, row, _)) in RECEIPT.iter().zip(&rows) {
        assert!(row.contains(description), "{description} in {row}");
    }
    let before_tax: i64 = RECEIPT.iter().map(|(.., a)| a.parse::<i64>().expect("amount")).sum();
    let total = before_tax + before_tax / 10;
    assert_eq!(amount_of(&text, "合計（領収書の金額・総事業費）"), total);
    assert_eq!(rows.iter().map(|r| r.2).sum::<i64>(), total, "the lines add up exactly to the receipt");
    let eligible_before: i64 = 133_333 + 66_667 + 12_345;
    let eligible = amount_of(&text, "補助対象の小計（補助対象経費）");
    assert_eq!(eligible, eligible_before + eligible_before / 10);
    assert_eq!(rows[..3].iter().map(|r| r.2).sum::<i64>(), eligible);
    assert_eq!(amount_of(&text, "対象外の小計"), total - eligible);
    assert_eq!(rows[3..].iter().map(|r| r.2).sum::<i64>(), total - eligible);
    let read: String = pdf_text(&pdf).chars().filter(|c| !c.is_whitespace()).collect();
    assert_eq!(
        read.matches("対象外：月額費用（ランニングコスト）は補助対象外").count(),
        2,
        "both running costs say why"
    );
    let bare: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(bare.contains("消費税（10%）") && bare.contains("按分"), "how the tax was apportioned");

    // The 交付申請書 names who applies, and the 事業完了報告書 what was installed.
    for expected in
        ["理事長山田太郎", "092-123-4567", "事務長佐藤花子", "医療法人社団オンシ会", "令和5年5月1日（2023年5月1日）"]
    {
        assert!(bare.contains(expected), "{expected} in the PDF");
    }
    assert!(bare.contains("導入したもの資格確認端末（PC・モニタ一式）"), "what was installed");
}

#[tokio::test]
async fn the_application_form_refuses_missing_details_beside_each_field_and_keeps_what_was_typed() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let (facility, _) = clinics(&app).await[0].clone();
    provision(&app, facility).await;
    let quote = enter_lines(&app, facility, &RECEIPT).await;
    pay(&app, facility, quote).await;
    let page = format!("/facilities/{facility}");
    let html = app.get_html(&page).await;
    assert!(
        html.contains(r#"value="福岡県福岡市博多区シカク町5番6号""#),
        "the address comes prefilled from the facility"
    );

    let (f, q) = (facility.to_string(), quote.to_string());
    let form = [
        ("facility_id", f.as_str()),
        ("quote_id", &q),
        ("applied_on", "2023-05-01"),
        ("readers", "1"),
        ("details", "1"),
        ("founder", "医療法人社団 オンシ会"),
        ("representative_title", "理事長"),
        ("representative_name", ""),
        ("address", "福岡県福岡市博多区シカク町5番6号"),
        ("phone", "でんわ"),
        ("contact_person", "事務長 佐藤 花子"),
    ];
    let res = post(&app, "/api/prepare_application", &page, &form).await;
    let back = location(&res);
    assert!(back.contains("__err"), "refused: {back}");
    let count: i64 =
        sqlx::query_scalar("SELECT count(*) FROM subsidy_applications").fetch_one(app.pool()).await.expect("count");
    assert_eq!(count, 0, "nothing stored");
    let html = app.client.get(&back).send().await.expect("GET").text().await.expect("body");
    for expected in [
        "代表者の氏名を入力してください",
        "電話番号は市外局番から10桁または11桁の数字で入力してください",
        r#"value="でんわ""#,
        r#"value="事務長 佐藤 花子""#,
        r#"aria-describedby="application-phone-error""#,
    ] {
        assert!(html.contains(expected), "{expected} on the refused form");
    }
}

/// A tiny PNG: its signature and the start of a header are all the check reads.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

async fn upload(app: &TestApp, id: i64, name: &str, bytes: Vec<u8>) -> reqwest::Response {
    let form =
        reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()));
    app.client
        .post(app.url(&format!("/applications/{id}/receipts")))
        .header("Origin", app.base.clone())
        .header("Accept", "text/html")
        .multipart(form)
        .send()
        .await
        .expect("POST")
}

async fn scans(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM application_receipts").fetch_one(app.pool()).await.expect("count")
}

/// The entries of a zip: name → bytes.
fn unzip(bytes: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("a zip");
    (0..zip.len())
        .map(|i| {
            let mut entry = zip.by_index(i).expect("entry");
            let mut out = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut out).expect("read");
            (entry.name().expect("an entry name").into_owned(), out)
        })
        .collect()
}

#[tokio::test]
async fn a_scanned_receipt_is_attached_listed_and_zipped_byte_for_byte_and_anything_else_is_refused() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let (facility, code) = clinics(&app).await[0].clone();
    let id = prepared(&app, facility, &RECEIPT).await;

    // Not a PDF, JPEG or PNG, whatever its name says: refused beside the field, nothing stored.
    let res = upload(&app, id, "領収書.pdf", b"GIF89a\x01\x00\x01\x00".to_vec()).await;
    assert_eq!(res.status(), 415);
    let html = res.text().await.expect("body");
    assert!(
        html.contains("PDF・JPEG・PNG のファイルではありません") && html.contains(r#"aria-invalid="true""#),
        "{html}"
    );
    assert!(html.contains("何も登録していません"));
    // Too big: refused, nothing stored.
    let mut big = b"%PDF-1.4\n".to_vec();
    big.resize(10 * 1024 * 1024 + 1, b'0');
    let res = upload(&app, id, "大きな領収書.pdf", big).await;
    assert_eq!(res.status(), 413);
    assert!(res.text().await.expect("body").contains("上限10MB"));
    assert_eq!(scans(&app).await, 0);

    let res = upload(&app, id, "領収書 2023-02-10.png", PNG.to_vec()).await;
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(scans(&app).await, 1);
    let scan: i64 = sqlx::query_scalar("SELECT id FROM application_receipts").fetch_one(app.pool()).await.expect("id");
    let html = app.get_html(&format!("/applications/{id}")).await;
    assert!(html.contains("領収書 2023-02-10.png") && html.contains(&format!("/applications/{id}/receipts/{scan}")));
    let download = app.get(&format!("/applications/{id}/receipts/{scan}")).await;
    assert_eq!(download.headers()["content-type"], "image/png");
    assert_eq!(download.bytes().await.expect("bytes").as_ref(), PNG, "downloaded as uploaded");

    let files = unzip(&app.get(&format!("/applications/{id}/package.zip")).await.bytes().await.expect("zip"));
    assert!(
        files.contains_key(&format!("application-{id}.pdf")) && files.contains_key(&format!("application-{id}.csv"))
    );
    assert_eq!(files.get(&format!("領収書(写)_{scan}_領収書 2023-02-10.png")).map(Vec::as_slice), Some(PNG));

    let corp: i64 = sqlx::query_scalar("SELECT id FROM corporations WHERE code = 'demo_corp'")
        .fetch_one(app.pool())
        .await
        .expect("corp");
    let bundle = unzip(
        &app.get(&format!("/corporations/{corp}/applications.zip?applied_on=2023-05-01"))
            .await
            .bytes()
            .await
            .expect("zip"),
    );
    assert!(bundle.contains_key(&format!("{code}.pdf")));
    assert_eq!(bundle.get(&format!("{code}_領収書(写)_{scan}_領収書 2023-02-10.png")).map(Vec::as_slice), Some(PNG));

    // Others read but do not attach; the manager deletes.
    let auditor = app.signed_in_client(AUDITOR).await;
    let res = auditor
        .post(app.url(&format!("/applications/{id}/receipts")))
        .header("Origin", app.base.clone())
        .multipart(
            reqwest::multipart::Form::new()
                .part("file", reqwest::multipart::Part::bytes(PNG.to_vec()).file_name("x.png")),
        )
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 403);
    let (ids, scan_id) = (id.to_string(), scan.to_string());
    let res =
        post(&app, "/api/delete_receipt_scan", &format!("/applications/{id}"), &[("id", &ids), ("scan_id", &scan_id)])
            .await;
    assert_done(&res, "delete");
    assert_eq!(scans(&app).await, 0);
}

#[tokio::test]
async fn the_bulk_zip_splits_a_shared_receipt_and_the_facilities_add_up_to_the_combined_receipt() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let clinics = clinics(&app).await;
    let clinics = &clinics[..2];
    let own: [&[(&str, &str, &str)]; 2] =
        [&RECEIPT, &[("資格確認端末", "terminal", "199999"), ("導入作業費", "setup_labor", "33333")]];
    for ((facility, _), lines) in clinics.iter().zip(own) {
        prepared(&app, *facility, lines).await;
    }
    // The corporation paid one more receipt for both: entered under the first clinic, marked shared.
    let shared_lines = [
        ("院内LAN配線（法人一括）", "lan_wiring", "100001"),
        ("操作研修（法人一括）", "training", "50000"),
        ("回線使用料（月額）", "line_fee", "9999"),
    ];
    let (first, _) = clinics[0];
    let shared = enter_lines(&app, first, &shared_lines).await;
    pay(&app, first, shared).await;
    let (f, q) = (first.to_string(), shared.to_string());
    let res = post(
        &app,
        "/api/mark_receipt_shared",
        &format!("/facilities/{first}"),
        &[("facility_id", &f), ("quote_id", &q), ("shared", "1")],
    )
    .await;
    assert_done(&res, "mark shared");

    let receipt_total = |lines: &[(&str, &str, &str)]| {
        let before: i64 = lines.iter().map(|(.., a)| a.parse::<i64>().expect("amount")).sum();
        before + before / 10
    };
    let combined = own.iter().map(|l| receipt_total(l)).sum::<i64>() + receipt_total(&shared_lines);

    let corp: i64 = sqlx::query_scalar("SELECT id FROM corporations WHERE code = 'demo_corp'")
        .fetch_one(app.pool())
        .await
        .expect("corp");
    let bundle = unzip(
        &app.get(&format!("/corporations/{corp}/applications.zip?applied_on=2023-05-01"))
            .await
            .bytes()
            .await
            .expect("zip"),
    );
    let mut sum = 0;
    for (_, code) in clinics {
        let pdf = bundle.get(&format!("{code}.pdf")).unwrap_or_else(|| panic!("{code}.pdf in the bundle"));
        let text = layout_pages(pdf).join("\n");
        assert_fit_to_send(&text);
        let total = amount_of(&text, "合計（領収書の金額・総事業費）");
        assert_eq!(
            receipt_rows(&text).iter().map(|r| r.2).sum::<i64>(),
            total,
            "{code}: its lines add up to its 内訳書"
        );
        let bare: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(bare.contains("共通費用（法人でまとめて支払い、特定の施設に属さない費用）は、申請する施設数で均等に按分し、1円未満の端数は最初の施設に加算しています。"), "{code}: the rule is written on it");
        let rows = receipt_rows(&text);
        assert_eq!(
            rows.iter().filter(|r| r.1.contains("【共通費用")).count(),
            3,
            "{code}: a share of each shared line"
        );
        assert!(bare.contains("【共通費用2施設で按分】"), "{code}: the share says how many facilities");
        sum += total;
    }
    assert_eq!(sum, combined, "the facilities' 内訳書 add up to the combined receipt");
}

#[tokio::test]
async fn the_demo_applications_fit_two_numbered_pages_and_cite_only_public_documents() {
    let app = spawn_app_with_demo_activity().await;
    let auditor = app.signed_in_client(AUDITOR).await;
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM subsidy_applications ORDER BY id").fetch_all(app.pool()).await.expect("ids");
    assert!(!ids.is_empty(), "the demo data has an application");
    for id in ids {
        let res = auditor.get(app.url(&format!("/applications/{id}/package.pdf"))).send().await.expect("GET");
        assert_eq!(res.status(), 200);
        let pdf = res.bytes().await.expect("pdf").to_vec();
        let pages = layout_pages(&pdf);
        assert_eq!((pages.len(), pdf_pages(&pdf)), (2, 2), "application {id}");
        for (i, page) in pages.iter().enumerate() {
            let bare: String = page.chars().filter(|c| !c.is_whitespace()).collect();
            assert!(bare.contains(&format!("交付申請書類{}/2", i + 1)), "application {id}, page {}", i + 1);
        }
        let text = pages.join("\n");
        assert_fit_to_send(&text);
        let rows = receipt_rows(&text);
        assert!(!rows.is_empty());
        assert_eq!(
            rows.iter().map(|r| r.2).sum::<i64>(),
            amount_of(&text, "合計（領収書の金額・総事業費）"),
            "application {id}"
        );
    }
}
