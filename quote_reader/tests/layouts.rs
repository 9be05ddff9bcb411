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
    })
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
        });
        for file in files {
            let bytes = std::fs::read(dir().join(file)).expect("fixture");
            match read_quote(file, &bytes, &Limits::default()) {
                Ok(q) => {
                    let got = as_read(&q, lines);
                    if got != want {
                        failures.push(format!(
                            "{file}:\n--- expected\n{}\n--- read\n{}",
                            serde_json::to_string_pretty(&want).unwrap_or_default(),
                            serde_json::to_string_pretty(&got).unwrap_or_default()
                        ));
                    }
                }
                Err(e) => failures.push(format!("{file}: refused: {e}")),
            }
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
