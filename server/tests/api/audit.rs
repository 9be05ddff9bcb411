//! The quote audit: `onshi audit FILE` and `POST /api/audit` on real files from real producers.

use crate::helpers::*;
use std::path::PathBuf;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_onshi");

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../quote_reader/tests/fixtures").join(name)
}

fn audit_cli(name: &str, kind: &str, extra: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .arg("audit")
        .arg(fixture(name))
        .args(["--facility-type", kind])
        .args(extra)
        .output()
        .expect("run onshi audit")
}

fn audit_json(name: &str, kind: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = extra.to_vec();
    args.push("--json");
    let out = audit_cli(name, kind, &args);
    assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("json")
}

/// (row, sorted flag codes) of every flagged line.
fn line_flags(doc: &serde_json::Value) -> Vec<(u64, Vec<String>)> {
    doc["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .filter_map(|l| {
            let mut codes: Vec<String> =
                l["flags"].as_array()?.iter().map(|f| f["code"].as_str().unwrap_or("").to_owned()).collect();
            codes.sort();
            (!codes.is_empty()).then(|| (l["row"].as_u64().unwrap_or(0), codes))
        })
        .collect()
}

#[test]
fn a_clean_clinic_quote_with_a_cover_sheet_has_no_flags_and_the_normal_subsidy() {
    let doc = audit_json("clinic_cover.xlsx", "medical_clinic", &[]);
    assert_eq!(line_flags(&doc), vec![]);
    assert_eq!(doc["flags"], serde_json::json!([]));
    assert_eq!(doc["lines"].as_array().expect("lines").len(), 8);
    assert_eq!(doc["lines"][0]["category"], "terminal");
    assert_eq!(doc["lines"][1]["category"], "card_reader");
    assert_eq!(doc["lines"][1]["eligible"], false);
    assert_eq!(doc["written"], serde_json::json!({"subtotal": "318000", "tax": "31800", "total": "349800"}));
    assert_eq!(doc["computed"]["eligible_total"], "349800");
    assert_eq!(doc["tax_inclusive"], false);
    // 3/4 of 349,800 = 262,350 → 262,000.
    assert_eq!(doc["subsidy"]["rate"], "3/4");
    assert_eq!(doc["subsidy"]["cap"], "429000");
    assert_eq!(doc["subsidy"]["amount"], "262000");
    assert_eq!(doc["subsidy"]["self_burden"], "87800");
    assert_eq!(doc["quote"]["quote_date"], "2022-09-01");
}

#[test]
fn the_reader_application_date_switches_to_the_acceleration_plan() {
    let doc = audit_json("clinic_cover.xlsx", "medical_clinic", &["--reader-applied-on", "令和3年3月31日"]);
    assert_eq!(doc["subsidy"]["scheme"], "acceleration_plan_2020");
    assert_eq!(doc["subsidy"]["amount"], "349000");
}

#[test]
fn every_clean_fixture_from_every_producer_has_no_flags() {
    for (name, kind) in [
        ("clinic_cover_openpyxl.xlsx", "medical_clinic"),
        ("dental_bom.csv", "dental_clinic"),
        ("orthopedic_merged.ods", "medical_clinic"),
        ("chain_pharmacy.xlsm", "large_chain_pharmacy"),
    ] {
        let doc = audit_json(name, kind, &[]);
        assert_eq!(line_flags(&doc), vec![], "{name}");
        assert_eq!(doc["flags"], serde_json::json!([]), "{name}");
    }
}

#[test]
fn the_padded_hospital_quote_gets_its_flags_line_by_line() {
    let doc = audit_json("hospital_padded.xls", "hospital", &[]);
    let s = |v: &[&str]| v.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>();
    assert_eq!(
        line_flags(&doc),
        vec![
            (13, s(&["above_benchmark"])),
            (14, s(&["free_item_charged"])),
            (15, s(&["free_item_charged"])),
            (16, s(&["above_benchmark"])),
            (17, s(&["above_benchmark", "labor_over_observed_max"])),
            (18, s(&["lump_sum_opaque"])),
            // 「LAN工事」 priced 1式 names its work: 一式 is ordinary quoting, not a hidden amount.
            (19, s(&["above_benchmark", "arithmetic_mismatch"])),
            (20, s(&["labor_over_observed_max"])),
            (21, s(&["duplicate_line", "labor_over_observed_max"])),
            (22, s(&["ineligible_running_cost"])),
            (23, s(&["ineligible_running_cost"])),
        ]
    );
    let quote_flags: Vec<&str> =
        doc["flags"].as_array().expect("flags").iter().filter_map(|f| f["code"].as_str()).collect();
    assert_eq!(quote_flags, vec!["tax_mismatch"]);
    let labour = &doc["lines"][4]["flags"][1];
    assert_eq!(labour["code"], "labor_over_observed_max");
    assert_eq!(labour["severity"], "high");
    assert!(labour["evidence"]["source"].as_str().expect("source").contains("seeds/002"));
    assert_eq!(labour["evidence"]["limit"], "1,542分（25.7時間）");
    assert_eq!(doc["written"]["tax"], "335440");
    assert_eq!(doc["computed"]["tax"], "419300");
}

#[test]
fn a_shift_jis_csv_with_internal_tax_is_read_and_audited() {
    let doc = audit_json("pharmacy_cp932.csv", "pharmacy", &[]);
    assert_eq!(doc["tax_inclusive"], true);
    assert_eq!(doc["lines"][5]["category"], "discount");
    assert_eq!(doc["lines"][5]["amount"], "-11000");
    assert_eq!(line_flags(&doc), vec![(12, vec!["ineligible_running_cost".to_owned()])]);
    // Eligible, tax included: 120,000 + 16,000 + 55,000 − 11,000 = 180,000; 3/4 → 135,000.
    assert_eq!(doc["computed"]["eligible_total"], "180000");
    assert_eq!(doc["subsidy"]["amount"], "135000");
}

#[test]
fn the_text_table_lists_lines_totals_and_flags_in_japanese() {
    let out = audit_cli("hospital_padded.xls", "hospital", &[]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(text.contains("行 | 品名 | 費目 | 数量 | 単価 | 金額 | 補助 | 指摘"));
    assert!(text.contains("14 | 顔認証付きカードリーダー | 顔認証付きカードリーダー | 3台 | 99,000円 | 297,000円 | 無償提供 | free_item_charged"));
    let doc = audit_json("hospital_padded.xls", "hospital", &[]);
    let flags = doc["flags"].as_array().expect("flags").len()
        + doc["lines"]
            .as_array()
            .expect("lines")
            .iter()
            .map(|l| l["flags"].as_array().map_or(0, Vec::len))
            .sum::<usize>();
    assert!(text.contains(&format!("指摘 {flags}件:")), "{text}");
    assert!(text.contains("［想定値］"), "assumption-based flags say so");
}

#[test]
fn bad_files_exit_non_zero_with_the_place_and_what_to_fix() {
    for (name, expected) in [
        ("ref_error.xlsx", "ref_error.xlsx（シート"),
        ("div_zero.ods", "div_zero.ods（シート"),
        ("not_excel.xlsx", "not_excel.xlsx"),
        ("truncated.xlsx", "truncated.xlsx"),
        ("encrypted.xlsx", "パスワード"),
        ("zip_bomb.xlsx", "zip_bomb.xlsx"),
        ("no_table.xlsx", "品名"),
        ("header_only.xlsx", "header_only.xlsx"),
    ] {
        let out = audit_cli(name, "medical_clinic", &["--json"]);
        assert!(!out.status.success(), "{name} should fail");
        assert!(out.stdout.is_empty(), "{name}: nothing on stdout");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expected), "{name}: {err}");
    }
    let err = audit_cli("ref_error.xlsx", "medical_clinic", &[]);
    let msg = String::from_utf8_lossy(&err.stderr);
    assert!(msg.contains("行目") && msg.contains("列"), "{msg}");
}

#[test]
fn a_missing_file_is_reported_by_name() {
    let out = audit_cli("no_such_file.xlsx", "hospital", &[]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no_such_file.xlsx"));
}

pub(crate) async fn post_audit(
    app: &TestApp,
    name: &str,
    bytes: Vec<u8>,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut form =
        reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()));
    for (k, v) in fields {
        form = form.text((*k).to_owned(), (*v).to_owned());
    }
    app.client
        .post(app.url("/api/audit"))
        .header("Origin", app.base.clone())
        .multipart(form)
        .send()
        .await
        .expect("POST /api/audit")
}

#[tokio::test]
async fn the_http_audit_answers_the_same_json_as_the_command() {
    let app = spawn_app().await;
    app.login_as(MANAGER).await;
    let bytes = std::fs::read(fixture("hospital_padded.xls")).expect("fixture");
    let res = post_audit(&app, "hospital_padded.xls", bytes, &[("facility_type", "hospital"), ("readers", "3")]).await;
    assert_eq!(res.status(), 200);
    let http: serde_json::Value = res.json().await.expect("json");
    let cli = audit_json("hospital_padded.xls", "hospital", &["--readers", "3"]);
    for key in ["lines", "flags", "written", "computed", "tax_inclusive", "subsidy"] {
        assert_eq!(http[key], cli[key], "{key}");
    }
}

#[tokio::test]
async fn the_http_audit_refuses_bad_input_with_a_clear_error_and_the_place() {
    let app = spawn_app().await;
    app.login_as(REVIEWER).await;
    let bytes = std::fs::read(fixture("ref_error.xlsx")).expect("fixture");
    let res = post_audit(&app, "ref_error.xlsx", bytes.clone(), &[("facility_type", "medical_clinic")]).await;
    assert_eq!(res.status(), 422);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["file"], "ref_error.xlsx");
    assert!(body["sheet"].is_string() && body["row"].is_u64() && body["column"].is_string(), "{body}");
    assert!(body["error"].as_str().expect("error").contains("#REF!"));

    let res = post_audit(&app, "ref_error.xlsx", bytes, &[("facility_type", "clinic")]).await;
    assert_eq!(res.status(), 400);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["field"], "facility_type");

    let form = reqwest::multipart::Form::new().text("facility_type", "hospital");
    let res = app
        .client
        .post(app.url("/api/audit"))
        .header("Origin", app.base.clone())
        .multipart(form)
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 400);

    let huge = vec![b'a'; 20 * 1024 * 1024 + 10];
    let res = post_audit(&app, "huge.csv", huge, &[("facility_type", "hospital")]).await;
    assert_eq!(res.status(), 413);
}

#[tokio::test]
async fn an_anonymous_audit_request_gets_no_analysis() {
    let app = spawn_app().await;
    let bytes = std::fs::read(fixture("clinic_cover.xlsx")).expect("fixture");
    let res = post_audit(&app, "clinic_cover.xlsx", bytes, &[("facility_type", "medical_clinic")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/login");
}

/// A confirmed quote of a demo facility of `kind` with one router line per price.
async fn confirmed_router_quote(app: &TestApp, kind: &str, prices: &[i64], confirmed: bool) {
    let facility: i64 = sqlx::query_scalar("SELECT id FROM facilities WHERE facility_type = ? LIMIT 1")
        .bind(kind)
        .fetch_one(app.pool())
        .await
        .expect("a demo facility");
    let quote: i64 = sqlx::query_scalar(
        "INSERT INTO quotes (facility_id, file_name, confirmed) VALUES (?, 'peer.xlsx', ?) RETURNING id",
    )
    .bind(facility)
    .bind(confirmed)
    .fetch_one(app.pool())
    .await
    .expect("quote");
    for (i, p) in prices.iter().enumerate() {
        sqlx::query(
            "INSERT INTO quote_lines (quote_id, position, kind, description, category, quantity, unit, unit_price, amount, comparable_price)
             VALUES (?, ?, 'item', 'ルーター', 'router', '1', '台', ?, ?, ?)",
        )
        .bind(quote)
        .bind(i64::try_from(i).expect("small"))
        .bind(p.to_string())
        .bind(p.to_string())
        .bind(p.to_string())
        .execute(app.pool())
        .await
        .expect("line");
    }
}

fn router_flags(doc: &serde_json::Value) -> Vec<serde_json::Value> {
    doc["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .find(|l| l["category"] == "router")
        .and_then(|l| l["flags"].as_array().cloned())
        .unwrap_or_default()
}

#[tokio::test]
async fn eight_confirmed_peer_lines_make_a_price_beyond_the_tukey_fence_an_outlier() {
    let app = spawn_app().await;
    app.login_as(AUDITOR).await;
    let bytes = std::fs::read(fixture("clinic_cover.xlsx")).expect("fixture");
    let peers = [10_000, 11_000, 12_000, 12_000, 13_000, 14_000, 14_000, 15_000];

    // Seven confirmed peers and an unconfirmed quote: not enough to judge.
    confirmed_router_quote(&app, "medical_clinic", &peers[..7], true).await;
    confirmed_router_quote(&app, "medical_clinic", &[9_000, 9_500], false).await;
    let res = post_audit(&app, "clinic_cover.xlsx", bytes.clone(), &[("facility_type", "medical_clinic")]).await;
    let doc: serde_json::Value = res.json().await.expect("json");
    assert_eq!(router_flags(&doc), Vec::<serde_json::Value>::new());

    // The eighth confirmed peer: the 30,000円 router is beyond Q3 + 1.5 IQR.
    confirmed_router_quote(&app, "medical_clinic", &peers[7..], true).await;
    let res = post_audit(&app, "clinic_cover.xlsx", bytes.clone(), &[("facility_type", "medical_clinic")]).await;
    let doc: serde_json::Value = res.json().await.expect("json");
    let flags = router_flags(&doc);
    assert_eq!(flags.len(), 1, "{flags:?}");
    assert_eq!(flags[0]["code"], "above_benchmark");
    assert_eq!(flags[0]["evidence"]["fence"]["peers"], 8);
    assert_eq!(flags[0]["evidence"]["value"], "30,000円");

    // Peers of another facility type do not count.
    let res = post_audit(&app, "clinic_cover.xlsx", bytes, &[("facility_type", "dental_clinic")]).await;
    let doc: serde_json::Value = res.json().await.expect("json");
    assert_eq!(router_flags(&doc), Vec::<serde_json::Value>::new());
}

/// The layouts of `quote_reader/tests/fixtures/layouts/` (two producers each) with their expectations.
fn layout_files() -> Vec<(String, serde_json::Value)> {
    let dir = fixture("layouts");
    let mut out = Vec::new();
    let mut expected: Vec<PathBuf> =
        std::fs::read_dir(dir.join("expected")).expect("expected/").map(|e| e.expect("entry").path()).collect();
    expected.sort();
    for path in expected {
        let layout = path.file_stem().and_then(|s| s.to_str()).expect("name").to_owned();
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
        for entry in std::fs::read_dir(&dir).expect("layouts/") {
            let file = entry.expect("entry").file_name().into_string().expect("utf-8 name");
            if file.starts_with(&format!("{layout}_")) && !file.ends_with(".py") {
                out.push((format!("layouts/{file}"), doc.clone()));
            }
        }
        // The same quote printed to PDF by LibreOffice and by Chromium gets the same audit.
        for producer in ["libreoffice", "chromium"] {
            let file = format!("pdf/{layout}_{producer}.pdf");
            if fixture(&file).exists() {
                out.push((file, doc.clone()));
            }
        }
    }
    out
}

#[test]
fn clean_quotes_in_every_layout_get_no_flag_and_padded_ones_get_each_planted_flag() {
    let files = layout_files();
    assert!(files.len() >= 48, "{} layout files and prints", files.len());
    let mut failures = Vec::new();
    for (file, expected) in files {
        let kind = expected["facility_type"].as_str().expect("facility_type");
        let doc = audit_json(&file, kind, &[]);
        let planted = expected["flags"].as_array().expect("flags");
        if planted.is_empty() {
            if !line_flags(&doc).is_empty() || doc["flags"] != serde_json::json!([]) {
                failures.push(format!("{file}: a clean quote got {:?} and {}", line_flags(&doc), doc["flags"]));
            }
            continue;
        }
        // Each planted problem found, and nothing else raised.
        let mut want: Vec<(String, String)> = planted
            .iter()
            .map(|p| (p[0].as_str().unwrap_or("").to_owned(), p[1].as_str().unwrap_or("").to_owned()))
            .collect();
        let mut got: Vec<(String, String)> = doc["lines"]
            .as_array()
            .expect("lines")
            .iter()
            .flat_map(|l| {
                let description = l["description"].as_str().unwrap_or("").to_owned();
                l["flags"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(move |f| (description.clone(), f["code"].as_str().unwrap_or("").to_owned()))
            })
            .collect();
        // Flags about the whole quote (a cover's total that the lines do not make) are planted
        // without a line: 「""」.
        got.extend(
            doc["flags"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|f| (String::new(), f["code"].as_str().unwrap_or("").to_owned())),
        );
        want.sort();
        got.sort();
        if got != want {
            failures.push(format!("{file}: planted {want:?}, found {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every scan, fax and photo of a clean quote (tests/fixtures/scan): no flag at all — a figure
/// OCR misread is held back as 「読み取りを確認してください」, not put to the vendor.
#[test]
fn scans_of_clean_quotes_get_no_flag_from_a_misread_digit() {
    let dir = fixture("scan");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("scan/")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|f| !f.ends_with(".py"))
        .collect();
    files.sort();
    assert!(files.len() >= 40, "{} scans", files.len());
    let mut failures = Vec::new();
    let mut clean = 0;
    for file in files {
        let layout =
            ["_libreoffice_", "_chromium_"].iter().find_map(|p| file.split_once(p).map(|(l, _)| l)).expect("layout");
        let expected: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(fixture(&format!("layouts/expected/{layout}.json"))).expect("expectation"),
        )
        .expect("json");
        if !expected["flags"].as_array().expect("flags").is_empty() {
            continue;
        }
        let out = audit_cli(&format!("scan/{file}"), expected["facility_type"].as_str().expect("kind"), &["--json"]);
        if !out.status.success() {
            // A scan OCR could not make a table of is refused with a message, never flagged.
            let said = String::from_utf8_lossy(&out.stderr);
            assert!(
                said.contains("明細の表（品名・数量・単価・金額などの見出しの行）を読み取れませんでした"),
                "{file}: {said}"
            );
            continue;
        }
        clean += 1;
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        if !line_flags(&doc).is_empty() || doc["flags"] != serde_json::json!([]) {
            failures.push(format!("{file}: {:?} and {}", line_flags(&doc), doc["flags"]));
        }
    }
    assert!(clean >= 20, "{clean} clean scans read");
    assert!(failures.is_empty(), "flags on clean scans:\n{}", failures.join("\n"));
}

/// Without an OCR engine, a scan is refused with what to install; spreadsheets still read.
#[test]
fn without_tesseract_a_scan_says_what_is_missing_and_a_workbook_still_reads() {
    let run = |name: &str| {
        Command::new(BIN)
            .arg("audit")
            .arg(fixture(name))
            .args(["--facility-type", "medical_clinic", "--json"])
            .env("ONSHI_TESSERACT", "")
            .output()
            .expect("run onshi audit")
    };
    for scan in [
        "scan/sections_libreoffice_scan200.png",
        "scan/sections_libreoffice_scan.pdf",
        "scan/sections_libreoffice_fax.tif",
    ] {
        let out = run(scan);
        assert!(!out.status.success(), "{scan}");
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(said.contains("文字認識ソフト（Tesseract と日本語のデータ"), "{scan}: {said}");
    }
    assert!(run("layouts/sections_openpyxl.xlsx").status.success());
    assert!(run("pdf/sections_libreoffice.pdf").status.success(), "a text PDF needs no OCR");
}

/// `onshi audit` on a scan whose card reader OCR reads as 6 yen: no flag, and the table says
/// what to check against the picture.
#[test]
fn the_audit_of_a_scan_lists_what_to_check_before_anything_is_flagged() {
    let out = audit_cli("scan/discount_foot_chromium_scan200.png", "pharmacy", &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("指摘はありません。"), "{text}");
    assert!(text.contains("読み取りの確認"), "{text}");
    assert!(text.contains("[free_item_charged] "), "the held finding names its flag: {text}");
    let doc = audit_json("scan/discount_foot_chromium_scan200.png", "pharmacy", &[]);
    let held: Vec<&str> =
        doc["reading_checks"].as_array().expect("checks").iter().filter_map(|c| c["held"].as_str()).collect();
    assert!(held.contains(&"free_item_charged"), "{held:?}");
}
