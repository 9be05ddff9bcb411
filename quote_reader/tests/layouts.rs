//! Quotes laid out as vendors lay them out — two-row headers over merged cells, sections with
//! their own 小計, discounts in the foot, English headings, 内消費税 under 税抜 lines, wrapped
//! descriptions — each written by openpyxl and by LibreOffice (`tests/fixtures/layouts/`,
//! made by `make_layouts.py`), read and compared with the expectation written from the same data
//! that built the sheet.

use quote_reader::{Limits, read_quote};
use rules::quote::{LineKind, Quote};
use serde_json::Value;
use std::path::PathBuf;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/layouts")
}

/// Every layout with its two files.
fn layouts() -> Vec<(String, Vec<String>, Value)> {
    let mut out = Vec::new();
    let mut names: Vec<PathBuf> =
        std::fs::read_dir(dir().join("expected")).expect("expected/").map(|e| e.expect("entry").path()).collect();
    names.sort();
    for path in names {
        let layout = path.file_stem().and_then(|s| s.to_str()).expect("name").to_owned();
        let expected: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
        let mut files: Vec<String> = std::fs::read_dir(dir())
            .expect("layouts/")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|f| f.starts_with(&format!("{layout}_")) && !f.ends_with(".py"))
            .collect();
        files.sort();
        out.push((layout, files, expected));
    }
    out
}

fn yen(v: &Value) -> Option<String> {
    v.as_str().map(str::to_owned)
}

/// The parts of a quote the expectation states, in the expectation's shape.
fn as_read(q: &Quote, expected_lines: &[Value]) -> Value {
    let lines: Vec<Value> = q
        .lines
        .iter()
        .zip(expected_lines.iter().chain(std::iter::repeat(&Value::Null)))
        .map(|(l, e)| {
            let mut line = serde_json::json!({
                "description": l.description,
                "amount": l.amount.map(|a| a.amount().normalize().to_string()),
                "kind": if l.kind == LineKind::Discount { "discount" } else { "item" },
            });
            for (key, value) in [("unit_price", l.unit_price), ("list_price", l.list_price)] {
                if e.get(key).is_some() {
                    line[key] = value.map(|v| v.amount().normalize().to_string()).into();
                }
            }
            for (key, value) in [("amount_text", &l.amount_text), ("sheet", &l.sheet)] {
                if e.get(key).is_some() {
                    line[key] = value.clone().into();
                }
            }
            line
        })
        .collect();
    let amount = |w: Option<rules::quote::WrittenAmount>| w.map(|w| w.amount.amount().normalize().to_string());
    serde_json::json!({
        "lines": lines,
        "written": {
            "subtotal": amount(q.written.subtotal),
            "tax": amount(q.written.tax),
            "total": amount(q.written.total),
            "tax_included_in_total": q.written.tax_included_in_total,
        },
        "tax_inclusive": q.tax_inclusive,
        "left_out": q.left_out,
        "summary": q.summary.iter().map(|s| serde_json::json!([s.label, s.amount.amount().normalize().to_string()])).collect::<Vec<_>>(),
    })
}

/// Reads `path` and compares what the expectation states (less the keys in `unstated`): `None`
/// when it reads as expected, else what went wrong, both sides printed.
fn misread(path: &std::path::Path, file: &str, want: &Value, lines: &[Value], unstated: &[&str]) -> Option<String> {
    let bytes = std::fs::read(path).expect("fixture");
    match read_quote(file, &bytes, &Limits::default()) {
        Ok(q) => {
            let mut got = as_read(&q, lines);
            for key in unstated {
                got.as_object_mut().expect("object").remove(*key);
            }
            (got != *want).then(|| {
                format!(
                    "{file}:\n--- expected\n{}\n--- read\n{}",
                    serde_json::to_string_pretty(want).unwrap_or_default(),
                    serde_json::to_string_pretty(&got).unwrap_or_default()
                )
            })
        }
        Err(e) => Some(format!("{file}: refused: {e}")),
    }
}

#[test]
fn every_layout_from_both_producers_reads_as_its_sheet_was_written() {
    let all = layouts();
    assert!(all.len() >= 10, "{} layouts", all.len());
    let mut failures = Vec::new();
    for (layout, files, expected) in &all {
        assert!(files.len() >= 2, "{layout}: a file from each producer: {files:?}");
        let lines = expected["lines"].as_array().expect("lines");
        let want = serde_json::json!({
            "lines": lines,
            "written": expected["written"],
            "tax_inclusive": expected["tax_inclusive"],
            "left_out": expected.get("left_out").cloned().unwrap_or_else(|| serde_json::json!([])),
            "summary": expected.get("summary").cloned().unwrap_or_else(|| serde_json::json!([])),
        });
        for file in files {
            failures.extend(misread(&dir().join(file), file, &want, lines, &[]));
        }
    }
    assert!(failures.is_empty(), "{} of the layout files misread:\n{}", failures.len(), failures.join("\n\n"));
}

#[test]
fn the_expectations_add_up_as_a_quote_does() {
    for (layout, _, expected) in layouts() {
        let sum: i64 = expected["lines"]
            .as_array()
            .expect("lines")
            .iter()
            .filter_map(|l| yen(&l["amount"]))
            .map(|a| a.parse::<i64>().expect("whole yen"))
            .sum();
        let w = &expected["written"];
        let total: i64 = yen(&w["total"]).expect("a total").parse().expect("yen");
        let tax: i64 = yen(&w["tax"]).expect("a tax").parse().expect("yen");
        assert_eq!(sum + tax, total, "{layout}: lines + tax = total");
        assert_eq!(tax, sum / 10, "{layout}: 10% tax, rounded down");
    }
}

#[test]
fn the_preview_is_told_how_the_file_was_read() {
    let read = |file: &str| {
        let bytes = std::fs::read(dir().join(file)).expect("fixture");
        read_quote(file, &bytes, &Limits::default()).expect("read")
    };
    let q = read("sections_libreoffice.xls");
    let [table] = q.reading.as_slice() else { panic!("one table: {:?}", q.reading) };
    assert_eq!((table.sheet.as_str(), table.header_rows), ("見積明細", (8, 8)));
    let rows: Vec<(u32, &str)> = table.rows.iter().map(|r| (r.row, r.taken_as.as_str())).collect();
    assert_eq!(
        rows,
        [
            (9, "区分の見出し"),
            (12, "区分の小計（照合には使いません）"),
            (13, "空白の行"),
            (14, "区分の見出し"),
            (16, "区分の小計（照合には使いません）"),
            (17, "空白の行"),
            (18, "区分の見出し"),
            (21, "最後の区分の小計（照合には使いません）"),
            (22, "空白の行"),
            (23, "小計（明細の合計と照合します）"),
            (24, "消費税"),
            (25, "合計（見積の総額として照合します）"),
        ]
    );
    let q = read("two_row_header_openpyxl.xlsx");
    let columns: Vec<(&str, &str, &str)> =
        q.reading[0].columns.iter().map(|c| (c.column.as_str(), c.heading.as_str(), c.taken_as.as_str())).collect();
    assert_eq!(q.reading[0].header_rows, (8, 9));
    assert_eq!(
        columns,
        [
            ("A", "品目 大項目", "品名"),
            ("B", "品目 小項目", "品名"),
            ("C", "数量", "数量"),
            ("D", "単位", "単位"),
            ("E", "単価 標準", "定価・標準価格（参考として記録）"),
            ("F", "単価 提供", "単価（請求される価格）"),
            ("G", "金額", "金額"),
            ("H", "備考", "備考"),
        ]
    );
    let q = read("discount_foot_openpyxl.xlsx");
    let foot: Vec<&str> = q.reading[0].rows.iter().map(|r| r.taken_as.as_str()).collect();
    assert_eq!(
        foot,
        [
            "以下余白（ここで明細が終わります）",
            "値引き前の金額（照合には使いません）",
            "小計（明細の合計と照合します）",
            "消費税",
            "合計（見積の総額として照合します）"
        ]
    );
    // Hidden rows among the items are listed where they stand, each run of them once.
    for file in ["hidden_rows_openpyxl.xlsx", "hidden_rows_libreoffice.ods", "hidden_rows_libreoffice.xls"] {
        let q = read(file);
        let hidden: Vec<u32> =
            q.reading[0].rows.iter().filter(|r| r.taken_as == "非表示の行（読んでいません）").map(|r| r.row).collect();
        assert_eq!(hidden, [10, 12], "{file}");
    }
}

#[test]
fn blank_rows_inside_the_table_are_listed_as_runs() {
    let text = "品名,数量,金額\n端末,1,100000\n,,\n,,\n作業,1,20000\n\n合計,,120000\n";
    let q = read_quote("q.csv", text.as_bytes(), &Limits::default()).expect("read");
    let rows: Vec<(u32, &str, &str)> =
        q.reading[0].rows.iter().map(|r| (r.row, r.text.as_str(), r.taken_as.as_str())).collect();
    assert_eq!(
        rows,
        [(3, "3〜4行目", "空白の行"), (6, "", "空白の行"), (7, "合計 120000", "合計（見積の総額として照合します）")]
    );
}

/// The printed layouts (`tests/fixtures/pdf/`, made by `make_pdfs.py` from the workbooks above,
/// by LibreOffice and by Chromium) with the workbook's expectation: a PDF of a quote reads as
/// the spreadsheet it was printed from.
fn printed() -> Vec<(String, String, Value)> {
    let pdf_dir = dir().join("../pdf");
    let mut files: Vec<String> = std::fs::read_dir(&pdf_dir)
        .expect("pdf/")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|f| f.ends_with(".pdf"))
        .collect();
    files.sort();
    files
        .into_iter()
        // password_libreoffice.pdf is a refusal (tests/pdf_input.rs), not a layout.
        .filter_map(|file| {
            let layout = file.rsplit_once('_').map(|(l, _)| l.to_owned()).expect("layout_producer.pdf");
            let path = dir().join("expected").join(format!("{layout}.json"));
            let expected: Value = serde_json::from_str(&std::fs::read_to_string(&path).ok()?).expect("json");
            Some((layout, file, expected))
        })
        .collect()
}

#[test]
fn every_printed_layout_reads_as_the_workbook_it_was_printed_from() {
    let all = printed();
    assert!(all.len() >= 20, "{} PDFs", all.len());
    let mut failures = Vec::new();
    for (_, file, expected) in &all {
        // A print has no sheets to name and leaves hidden rows out rather than hiding them.
        let lines: Vec<Value> = expected["lines"]
            .as_array()
            .expect("lines")
            .iter()
            .map(|l| {
                let mut l = l.clone();
                l.as_object_mut().expect("line").remove("sheet");
                l
            })
            .collect();
        let want = serde_json::json!({
            "lines": lines,
            "written": expected["written"],
            "tax_inclusive": expected["tax_inclusive"],
            "summary": expected.get("summary").cloned().unwrap_or_else(|| serde_json::json!([])),
        });
        failures.extend(misread(&dir().join("../pdf").join(file), file, &want, &lines, &["left_out"]));
    }
    assert!(failures.is_empty(), "{} of the PDFs misread:\n{}", failures.len(), failures.join("\n\n"));
}
