//! Reads every fixture quote (made by openpyxl, LibreOffice, msoffcrypto-tool and by hand; see
//! tests/fixtures/README.md) and compares it with the hand-checked expectation, or with the
//! refusal it must get.

use proptest::prelude::*;
use quote_reader::{Limits, ReadError, ReadErrorKind, UnsupportedFormat, read_quote};
use rules::quote::Quote;
use std::path::PathBuf;

fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture_path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn read(name: &str) -> Result<Quote, ReadError> {
    read_quote(name, &fixture(name), &Limits::default())
}

fn read_with(name: &str, limits: Limits) -> Result<Quote, ReadError> {
    read_quote(name, &fixture(name), &limits)
}

/// Reads a good fixture and compares it with `expected/<stem>.json`, printing both on a mismatch.
fn assert_reads_as_expected(name: &str) {
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let expected_text = std::fs::read_to_string(fixture_path(&format!("expected/{stem}.json"))).expect("expected json");
    let expected: Quote = serde_json::from_str(&expected_text).expect("expected json is a Quote");
    let mut actual = read(name).unwrap_or_else(|e| panic!("{name} was refused: {e}"));
    // How the file was understood is checked on its own (`the_preview_is_told_how_the_file_was_read`).
    actual.reading.clear();
    if actual != expected {
        panic!(
            "{name} did not read as expected.\n--- expected\n{}\n--- actual\n{}",
            serde_json::to_string_pretty(&expected).expect("json"),
            serde_json::to_string_pretty(&actual).expect("json")
        );
    }
}

fn refusal(name: &str) -> ReadError {
    match read(name) {
        Ok(q) => panic!("{name} was read, lines: {:?}", q.lines),
        Err(e) => e,
    }
}

const GOOD: [&str; 7] = [
    "clinic_cover.xlsx",
    "clinic_cover_openpyxl.xlsx",
    "hospital_padded.xls",
    "pharmacy_cp932.csv",
    "dental_bom.csv",
    "orthopedic_merged.ods",
    "chain_pharmacy.xlsm",
];

const BAD: [&str; 8] = [
    "not_excel.xlsx",
    "truncated.xlsx",
    "encrypted.xlsx",
    "no_table.xlsx",
    "header_only.xlsx",
    "ref_error.xlsx",
    "div_zero.ods",
    "zip_bomb.xlsx",
];

// ---------------------------------------------------------------- good quotes

#[test]
fn a_clean_clinic_quote_with_a_cover_sheet_is_read_from_its_detail_sheet_with_cached_formula_values() {
    assert_reads_as_expected("clinic_cover.xlsx");
}

#[test]
fn formulas_saved_by_openpyxl_without_cached_values_are_left_empty_not_invented() {
    assert_reads_as_expected("clinic_cover_openpyxl.xlsx");
}

#[test]
fn a_padded_hospital_quote_in_xls_keeps_every_suspicious_line_as_written() {
    assert_reads_as_expected("hospital_padded.xls");
}

#[test]
fn a_cp932_pharmacy_csv_with_units_in_quantities_and_full_width_digits_is_read() {
    assert_reads_as_expected("pharmacy_cp932.csv");
}

#[test]
fn a_utf8_bom_dental_csv_keeps_the_list_price_beside_the_charged_price() {
    assert_reads_as_expected("dental_bom.csv");
}

#[test]
fn an_ods_with_merged_cells_blank_rows_and_notes_under_the_table_is_read() {
    assert_reads_as_expected("orthopedic_merged.ods");
}

#[test]
fn an_xlsm_with_text_amounts_is_read_and_its_tax_inclusion_inferred_from_the_total() {
    assert_reads_as_expected("chain_pharmacy.xlsm");
}

#[test]
fn the_format_is_told_by_content_not_by_the_file_name() {
    let csv_named_xlsx = read_quote("見積書.xlsx", &fixture("pharmacy_cp932.csv"), &Limits::default()).unwrap();
    let csv = read("pharmacy_cp932.csv").unwrap();
    assert_eq!(csv_named_xlsx.lines, csv.lines);
    let xlsm_named_csv = read_quote("mitsumori.csv", &fixture("chain_pharmacy.xlsm"), &Limits::default()).unwrap();
    assert_eq!(xlsm_named_csv.lines.len(), 5);
}

#[test]
fn every_fixture_file_is_covered_by_a_test() {
    let mut covered: Vec<&str> = GOOD.iter().chain(BAD.iter()).copied().collect();
    covered.sort_unstable();
    covered.dedup();
    let mut files: Vec<String> = std::fs::read_dir(fixture_path(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        // fuzz/ holds the fuzzers' findings, covered by tests/fuzz_regressions.rs; layouts/ the
        // layouts of tests/layouts.rs, each file read there; pdf/ their prints, read there too
        // (and the password-protected one in tests/pdf_input.rs); scan/ their scans, faxes and
        // photos, read in tests/scan_input.rs.
        .filter(|n| {
            !n.ends_with(".py")
                && !n.ends_with(".md")
                && !["expected", "fuzz", "layouts", "pdf", "scan"].contains(&n.as_str())
        })
        .collect();
    files.sort_unstable();
    assert_eq!(files, covered);
}

// ---------------------------------------------------------------- bad input

fn assert_names_file(e: &ReadError, name: &str) {
    assert_eq!(e.file, name);
    assert!(e.to_string().starts_with(name), "{e}");
    assert!(e.to_string().contains("ください"), "says what to do: {e}");
}

#[test]
fn a_text_file_named_xlsx_is_not_a_spreadsheet_and_the_message_says_so() {
    let e = refusal("not_excel.xlsx");
    assert_eq!(e.kind, ReadErrorKind::NotASpreadsheet { claimed: Some("xlsx".into()) });
    assert_names_file(&e, "not_excel.xlsx");
    assert!(e.to_string().contains("拡張子は「.xlsx」ですが"), "{e}");
}

#[test]
fn a_truncated_xlsx_is_corrupted() {
    let e = refusal("truncated.xlsx");
    assert!(matches!(e.kind, ReadErrorKind::Corrupted { .. }), "{:?}", e.kind);
    assert_names_file(&e, "truncated.xlsx");
    assert!(e.to_string().contains("壊れている"), "{e}");
}

#[test]
fn a_password_protected_xlsx_is_refused_as_encrypted() {
    let e = refusal("encrypted.xlsx");
    assert_eq!(e.kind, ReadErrorKind::Encrypted);
    assert_names_file(&e, "encrypted.xlsx");
    assert!(e.to_string().contains("パスワード"), "{e}");
}

#[test]
fn a_sheet_without_an_item_table_says_which_header_words_were_looked_for() {
    let e = refusal("no_table.xlsx");
    assert_eq!(e.kind, ReadErrorKind::NoItemTable);
    assert_names_file(&e, "no_table.xlsx");
    let message = e.to_string();
    for word in ["品名", "項目", "摘要", "金額", "単価", "提供単価", "最初の50行"] {
        assert!(message.contains(word), "{word} missing from {message}");
    }
}

#[test]
fn a_header_without_item_lines_names_the_sheet_and_the_header_row() {
    let e = refusal("header_only.xlsx");
    assert_eq!(e.kind, ReadErrorKind::NoItemLines);
    assert_eq!((e.sheet.as_deref(), e.row, e.column.as_deref()), (Some("明細"), Some(3), None));
    assert_names_file(&e, "header_only.xlsx");
    assert!(e.to_string().starts_with("header_only.xlsx（シート「明細」、3行目）: "), "{e}");
}

#[test]
fn a_ref_error_in_an_amount_names_the_sheet_row_and_column() {
    let e = refusal("ref_error.xlsx");
    assert_eq!(e.kind, ReadErrorKind::ErrorCell { value: "#REF!".into() });
    assert_eq!(
        e.to_string(),
        "ref_error.xlsx（シート「明細」、5行目、D列）: 数式のエラー（#REF!）があります。元のファイルで数式を直してから、もう一度アップロードしてください。"
    );
}

#[test]
fn a_div_zero_error_in_an_ods_unit_price_names_the_sheet_row_and_column() {
    let e = refusal("div_zero.ods");
    assert_eq!(e.kind, ReadErrorKind::ErrorCell { value: "#DIV/0!".into() });
    assert_eq!((e.sheet.as_deref(), e.row, e.column.as_deref()), (Some("明細"), Some(5), Some("C")));
    assert_names_file(&e, "div_zero.ods");
}

#[test]
fn a_zip_bomb_is_refused_before_it_is_inflated() {
    let started = std::time::Instant::now();
    let e = refusal("zip_bomb.xlsx");
    match &e.kind {
        ReadErrorKind::ZipBomb { entry, uncompressed, compressed } => {
            assert_eq!(entry, "xl/worksheets/sheet1.xml");
            assert!(*uncompressed > 256 << 20 && *compressed < 300_000, "{uncompressed} / {compressed}");
        }
        other => panic!("{other:?}"),
    }
    assert_names_file(&e, "zip_bomb.xlsx");
    // Inflating 256 MiB would take seconds; reading the directory takes milliseconds.
    assert!(started.elapsed().as_secs() < 2, "{:?}", started.elapsed());
}

#[test]
fn a_file_over_the_size_limit_is_too_large() {
    let limits = Limits { max_bytes: 1000, ..Limits::default() };
    let e = read_with("clinic_cover.xlsx", limits).unwrap_err();
    assert_eq!(e.kind, ReadErrorKind::TooLarge { size: fixture("clinic_cover.xlsx").len() as u64, limit: 1000 });
    assert_names_file(&e, "clinic_cover.xlsx");
    assert!(Limits::default().max_bytes == 20 * 1024 * 1024);
}

#[test]
fn a_workbook_over_the_cell_limit_is_refused_in_every_format() {
    for name in [
        "clinic_cover.xlsx",
        "hospital_padded.xls",
        "orthopedic_merged.ods",
        "pharmacy_cp932.csv",
        "chain_pharmacy.xlsm",
    ] {
        let limits = Limits { max_cells: 20, ..Limits::default() };
        let e = read_with(name, limits).unwrap_err();
        match e.kind {
            ReadErrorKind::TooManyCells { cells, limit: 20 } => assert!(cells > 20, "{name}: {cells}"),
            ref other => panic!("{name}: {other:?}"),
        }
        assert_names_file(&e, name);
        // The same file within the default limit reads.
        assert!(read(name).is_ok(), "{name}");
    }
}

#[test]
fn zip_parts_beyond_the_uncompressed_limit_together_are_refused_as_too_much_data() {
    let limits = Limits { max_uncompressed_bytes: 1000, ..Limits::default() };
    for name in ["clinic_cover.xlsx", "orthopedic_merged.ods"] {
        let e = read_with(name, limits).unwrap_err();
        assert!(
            matches!(e.kind, ReadErrorKind::TooMuchData { bytes, limit: 1000 } if bytes > 1000),
            "{name}: {:?}",
            e.kind
        );
        assert!(e.to_string().contains("展開すると") && e.to_string().contains("ください"), "{e}");
    }
}

#[test]
fn other_kinds_of_files_are_named_for_what_they_are() {
    let limits = Limits::default();
    // A PDF cut off after its first bytes is a broken PDF, not a kind of file Onshi refuses.
    let e = read_quote("見積書.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", &limits).unwrap_err();
    assert!(matches!(e.kind, ReadErrorKind::Corrupted { .. }), "{:?}", e.kind);
    assert_names_file(&e, "見積書.pdf");
    let cases: [(&str, &[u8], ReadErrorKind); 5] = [
        (
            "export.xls",
            b"<html><body><table><tr><td>\xe5\x93\x81\xe5\x90\x8d</td></tr></table></body></html>",
            ReadErrorKind::Unsupported { format: UnsupportedFormat::Html },
        ),
        (
            "old.xml",
            b"<?xml version=\"1.0\"?><Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\"></Workbook>",
            ReadErrorKind::Unsupported { format: UnsupportedFormat::SpreadsheetMl2003 },
        ),
        (
            "photo.xlsx",
            b"GIF89a\x01\0\x01\0\x80\0\0\xff\xff\xff\0\0\0!",
            ReadErrorKind::NotASpreadsheet { claimed: Some("xlsx".into()) },
        ),
        ("empty.csv", b"", ReadErrorKind::NotASpreadsheet { claimed: None }),
        ("blank.csv", b" \r\n,,,\r\n", ReadErrorKind::NotASpreadsheet { claimed: None }),
    ];
    for (name, bytes, kind) in cases {
        let e = read_quote(name, bytes, &limits).unwrap_err();
        assert_eq!(e.kind, kind, "{name}");
        assert_names_file(&e, name);
    }
    // A picture (a scan or a photo, read by OCR: tests/scan_input.rs) cut short is a broken file.
    let e = read_quote("photo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", &limits).unwrap_err();
    assert!(matches!(e.kind, ReadErrorKind::Corrupted { .. }), "{:?}", e.kind);
    assert_names_file(&e, "photo.png");
}

#[test]
fn a_money_cell_with_digits_that_are_not_an_amount_is_refused_with_its_cell() {
    let csv = "品名,数量,単価,金額\n端末,1,\"1,05,000\",\"1,05,000\"\n";
    let e = read_quote("q.csv", csv.as_bytes(), &Limits::default()).unwrap_err();
    assert_eq!(e.kind, ReadErrorKind::UnreadableNumber { text: "1,05,000".into() });
    assert_eq!((e.sheet.as_deref(), e.row, e.column.as_deref()), (None, Some(2), Some("C")));
    assert!(e.to_string().starts_with("q.csv（2行目、C列）: 「1,05,000」を金額として読めません。"), "{e}");
}

#[test]
fn an_absurdly_large_amount_is_refused_so_that_sums_cannot_overflow() {
    let csv = "品名,数量,単価,金額\n端末,1,1,99999999999999999\n";
    let e = read_quote("q.csv", csv.as_bytes(), &Limits::default()).unwrap_err();
    assert!(matches!(e.kind, ReadErrorKind::NumberOutOfRange { .. }), "{:?}", e.kind);
    assert_eq!(e.column.as_deref(), Some("D"));
}

#[test]
fn a_header_repeated_on_a_later_printed_page_is_not_an_item() {
    let csv = "品名,数量,単価,金額\n端末,1,100,100\n品名,数量,単価,金額\nLAN工事,1,200,200\n合計,,,300\n";
    let quote = read_quote("q.csv", csv.as_bytes(), &Limits::default()).unwrap();
    let rows: Vec<u32> = quote.lines.iter().map(|l| l.row).collect();
    assert_eq!(rows, [2, 4]);
}

#[test]
fn figures_in_notes_under_ika_yohaku_are_not_read_as_amounts() {
    let csv = "品名,数量,単価,金額\n端末,1,100,100\n以下余白,,,\n,,,保守は月額約3万円程度\n";
    let quote = read_quote("q.csv", csv.as_bytes(), &Limits::default()).unwrap();
    assert_eq!(quote.lines.len(), 1);
    assert_eq!(quote.notes, ["保守は月額約3万円程度"]);
}

#[test]
fn a_zeikomi_note_makes_the_quote_tax_inclusive_with_the_note_as_evidence() {
    let csv = "品名,数量,単価,金額\n端末,1,1100,1100\n※価格は全て税込です\n";
    let quote = read_quote("q.csv", csv.as_bytes(), &Limits::default()).unwrap();
    assert!(quote.tax_inclusive);
    assert_eq!(quote.tax_inclusive_evidence.as_deref(), Some("A3セル「※価格は全て税込です」"));
    assert_eq!(quote.notes, ["※価格は全て税込です"]);
}

#[test]
fn a_total_that_differs_from_the_lines_without_a_tax_line_proves_nothing_about_tax() {
    let csv = "品名,数量,単価,金額\n端末,1,1000,1000\n合計,,,1100\n";
    let quote = read_quote("q.csv", csv.as_bytes(), &Limits::default()).unwrap();
    assert!(!quote.tax_inclusive);
    assert_eq!(quote.tax_inclusive_evidence, None);
}

// ---------------------------------------------------------------- crafted containers

/// A ZIP of stored (uncompressed) parts, for hostile layouts made in the test itself.
fn zip_of(parts: &[(&str, &str)]) -> Vec<u8> {
    use std::io::Write;
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, text) in parts {
        writer.start_file(*name, options).expect("start part");
        writer.write_all(text.as_bytes()).expect("write part");
    }
    writer.finish().expect("finish zip").into_inner()
}

const ODS_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="明細">"#;
const ODS_TAIL: &str = "</table:table></office:spreadsheet></office:body></office:document-content>";

fn ods_of(rows: &str) -> Vec<u8> {
    zip_of(&[
        ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
        ("content.xml", &format!("{ODS_HEAD}{rows}{ODS_TAIL}")),
        (
            "META-INF/manifest.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#,
        ),
    ])
}

fn xlsx_of(sheet_data: &str) -> Vec<u8> {
    zip_of(&[
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="明細" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
        (
            "xl/worksheets/sheet1.xml",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{sheet_data}</sheetData></worksheet>"#
            ),
        ),
    ])
}

fn inline(cell: &str, text: &str) -> String {
    format!(r#"<c r="{cell}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

#[test]
fn a_hand_made_xlsx_and_ods_are_read_so_the_crafted_cases_below_test_what_they_claim() {
    let rows = format!(
        r#"<row r="1">{}{}</row><row r="2">{}<c r="B2"><v>1000</v></c></row>"#,
        inline("A1", "品名"),
        inline("B1", "金額"),
        inline("A2", "LAN工事")
    );
    let quote = read_quote("q.xlsx", &xlsx_of(&rows), &Limits::default()).expect("xlsx reads");
    assert_eq!(quote.lines.len(), 1);
    let ods = ods_of(
        r#"<table:table-row><table:table-cell office:value-type="string"><text:p>品名</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>金額</text:p></table:table-cell></table:table-row><table:table-row><table:table-cell office:value-type="string"><text:p>LAN工事</text:p></table:table-cell><table:table-cell office:value-type="float" office:value="1000"/></table:table-row>"#,
    );
    let quote = read_quote("q.ods", &ods, &Limits::default()).expect("ods reads");
    assert_eq!(quote.lines.len(), 1);
}

#[test]
fn an_xlsx_with_two_cells_at_opposite_corners_is_refused_without_laying_out_the_sheet() {
    let rows =
        format!(r#"<row r="1">{}</row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#, inline("A1", "品名"));
    let e = read_quote("corners.xlsx", &xlsx_of(&rows), &Limits::default()).unwrap_err();
    assert_eq!(e.kind, ReadErrorKind::TooManyCells { cells: 1_048_576 * 16_384, limit: 200_000 });
}

#[test]
fn an_ods_repeating_one_cell_over_a_whole_sheet_is_refused_before_calamine_expands_it() {
    let rows = r#"<table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="16384" office:value-type="float" office:value="1"/></table:table-row>"#;
    let e = read_quote("repeat.ods", &ods_of(rows), &Limits::default()).unwrap_err();
    assert_eq!(e.kind, ReadErrorKind::TooManyCells { cells: 1_000_000 * 16_384, limit: 200_000 });
}

#[test]
fn an_ods_with_a_far_away_cell_after_repeated_empty_rows_is_refused() {
    let rows = r#"<table:table-row><table:table-cell office:value-type="string"><text:p>品名</text:p></table:table-cell></table:table-row><table:table-row table:number-rows-repeated="999999"><table:table-cell/></table:table-row><table:table-row><table:table-cell table:number-columns-repeated="15999"/><table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>"#;
    let e = read_quote("far.ods", &ods_of(rows), &Limits::default()).unwrap_err();
    assert_eq!(e.kind, ReadErrorKind::TooManyCells { cells: 1_000_001 * 16_000, limit: 200_000 });
}

/// An xlsx whose sheet part says it inflates to 100 bytes but inflates to 4 MiB.
fn xlsx_lying_about_its_sheet_size() -> Vec<u8> {
    use std::io::Write;
    let good = xlsx_of(&format!(r#"<row r="1">{}{}</row>"#, inline("A1", "品名"), inline("B1", "金額")));
    // Rewrite the package with the sheet deflated and padded with 4 MiB of spaces.
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(good)).expect("zip");
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..archive.len() {
        let mut part = archive.by_index(i).expect("part");
        let name = part.name().expect("name").into_owned();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut part, &mut text).expect("text");
        if name.ends_with("sheet1.xml") {
            text = text.replace("<sheetData>", &format!("<sheetData>{}", " ".repeat(4 << 20)));
        }
        writer.start_file(name, options).expect("start");
        writer.write_all(text.as_bytes()).expect("write");
    }
    let mut bytes = writer.finish().expect("finish").into_inner();
    // Patch the declared uncompressed size (local header +22, central header +24) of the sheet.
    let name = b"xl/worksheets/sheet1.xml";
    for (signature, offset) in [(b"PK\x03\x04", 22usize), (b"PK\x01\x02", 24usize)] {
        let at = (0..bytes.len() - name.len())
            .find(|&i| {
                bytes[i..].starts_with(signature) && {
                    let header = if offset == 22 { 30 } else { 46 };
                    bytes[i + header..].starts_with(name)
                }
            })
            .expect("header of the sheet part");
        bytes[at + offset..at + offset + 4].copy_from_slice(&100u32.to_le_bytes());
    }
    bytes
}

#[test]
fn a_zip_part_inflating_past_its_declared_size_is_cut_off_and_refused_as_corrupted() {
    let bytes = xlsx_lying_about_its_sheet_size();
    let started = std::time::Instant::now();
    let e = read_quote("lying.xlsx", &bytes, &Limits::default()).unwrap_err();
    assert!(matches!(e.kind, ReadErrorKind::Corrupted { .. }), "{:?}", e.kind);
    assert!(started.elapsed().as_secs() < 2, "{:?}", started.elapsed());
}

#[test]
fn a_zip_that_is_neither_a_workbook_nor_an_ods_is_not_a_spreadsheet() {
    let docx = zip_of(&[("[Content_Types].xml", "<Types/>"), ("word/document.xml", "<w:document/>")]);
    let e = read_quote("letter.xlsx", &docx, &Limits::default()).unwrap_err();
    assert_eq!(e.kind, ReadErrorKind::NotASpreadsheet { claimed: Some("xlsx".into()) });
    let odt = zip_of(&[("mimetype", "application/vnd.oasis.opendocument.text"), ("content.xml", "<x/>")]);
    let e = read_quote("letter.ods", &odt, &Limits::default()).unwrap_err();
    assert_eq!(e.kind, ReadErrorKind::NotASpreadsheet { claimed: Some("ods".into()) });
    let xlsb = zip_of(&[("[Content_Types].xml", "<Types/>"), ("xl/workbook.bin", "")]);
    let e = read_quote("q.xlsb", &xlsb, &Limits::default()).unwrap_err();
    assert_eq!(e.kind, ReadErrorKind::Unsupported { format: UnsupportedFormat::Xlsb });
}

// ---------------------------------------------------------------- robustness

/// Every fixture cut short and with bytes flipped: any outcome but a panic.
#[test]
fn damaged_copies_of_every_fixture_never_panic() {
    let names: Vec<&str> = GOOD.iter().chain(BAD.iter()).copied().filter(|n| *n != "zip_bomb.xlsx").collect();
    for name in names {
        let bytes = fixture(name);
        let len = bytes.len();
        for i in 0..48 {
            let cut = len * i / 48;
            let _ = read_quote(name, &bytes[..cut], &Limits::default());
            let mut flipped = bytes.clone();
            let at = (len * i / 48 + 7 * i) % len.max(1);
            if let Some(b) = flipped.get_mut(at) {
                *b ^= 0x5A;
            }
            let _ = read_quote(name, &flipped, &Limits::default());
        }
    }
}

// 256 cases by default; PROPTEST_CASES=100000 for a longer local run.
proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = read_quote("x.xlsx", &bytes, &Limits::default());
    }

    #[test]
    fn arbitrary_quote_like_csv_never_panics(
        cells in proptest::collection::vec(
            prop_oneof![
                Just("品名".to_owned()), Just("数量".to_owned()), Just("単価".to_owned()), Just("金額".to_owned()),
                Just("小計".to_owned()), Just("内消費税".to_owned()), Just("以下余白".to_owned()), Just("値引".to_owned()),
                Just("一式".to_owned()), Just("▲１，０００".to_owned()), Just("\"".to_owned()), Just("\n".to_owned()),
                Just("見積日".to_owned()), Just("令和4年9月1日".to_owned()), Just("R4.13.1".to_owned()),
                Just("○○ 御中".to_owned()), Just("株式会社".to_owned()), Just("税込".to_owned()),
                "[0-9,.()¥-]{0,12}", "[0-9０-９年月日令和平成元.]{0,10}", "\\PC{0,6}",
            ],
            0..80,
        )
    ) {
        let text = cells.join(",");
        let _ = read_quote("x.csv", text.as_bytes(), &Limits::default());
    }
}
