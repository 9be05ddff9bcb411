//! Crafted files whose declared numbers lie or whose text is copied far: each one is read (the lie made harmless) or refused in Japanese, fast, without the reader reserving memory out of proportion to the file.
//!
//! Before the read budget, the first of these aborted the process (`memory allocation of
//! 240000000000000 bytes failed`), the .ods with two billion spaces grew past 4 GB in ten
//! minutes, and the others ask calamine for tens of gigabytes.

use quote_reader::crafted::{self, Copied};
use quote_reader::{Limits, ReadError, ReadErrorKind, Stop, read_quote, read_quote_with_stop};
use rules::quote::Quote;
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Reads `bytes`, and checks it took under 5 s: each case is decided before any expansion,
/// in milliseconds on the 2-core machine of BENCHMARKS.md; 5 s only catches a runaway.
fn read_quickly(name: &str, bytes: &[u8]) -> Result<Quote, ReadError> {
    let started = Instant::now();
    let read = read_quote(name, bytes, &Limits::default());
    assert!(started.elapsed() < Duration::from_secs(5), "{name} took {:?}", started.elapsed());
    read
}

fn refused(name: &str, bytes: &[u8]) -> ReadError {
    let e = read_quickly(name, bytes).expect_err("refused");
    let message = e.to_string();
    assert!(message.starts_with(name) && message.ends_with("ください。"), "{message}");
    e
}

#[test]
fn an_xlsx_declaring_ten_trillion_shared_strings_reads_as_the_quote_it_is() {
    let base = fixture("clinic_cover.xlsx");
    let expected = read_quickly("clinic_cover.xlsx", &base).expect("the real quote");
    for count in ["10000000000000", "18446744073709551615", "-1", "lots"] {
        let crafted = crafted::xlsx_shared_string_count(&base, count);
        assert_ne!(crafted, base);
        let quote = read_quickly("clinic_cover.xlsx", &crafted).unwrap_or_else(|e| panic!("{count}: {e}"));
        assert_eq!(quote, expected, "uniqueCount={count}");
    }
}

#[test]
fn an_xlsx_declaring_a_sheet_of_every_cell_reads_as_the_quote_it_is() {
    let base = fixture("clinic_cover.xlsx");
    let expected = read_quickly("clinic_cover.xlsx", &base).expect("the real quote");
    let crafted = crafted::xlsx_dimension(&base, "A1:XFD1048576");
    assert_eq!(read_quickly("clinic_cover.xlsx", &crafted).expect("reads"), expected);
}

#[test]
fn a_long_font_name_copied_into_ten_thousand_cell_formats_is_dropped_and_the_quote_read() {
    // calamine would copy 1 MB into each of 10,000 cell formats: 10 GB.
    let base = fixture("clinic_cover.xlsx");
    let expected = read_quickly("clinic_cover.xlsx", &base).expect("the real quote");
    let crafted = crafted::xlsx_styles_copying(&base, Copied::FontName, 1_000_000, 10_000);
    assert_eq!(read_quickly("clinic_cover.xlsx", &crafted).expect("reads"), expected);
}

#[test]
fn a_long_number_format_copied_into_many_cell_formats_is_refused_as_too_much_text() {
    let base = fixture("clinic_cover.xlsx");
    let crafted = crafted::xlsx_styles_copying(&base, Copied::FormatCode, 100_000, 1_000);
    let e = refused("clinic_cover.xlsx", &crafted);
    assert!(matches!(e.kind, ReadErrorKind::TooMuchText { limit: 33_554_432, .. }), "{:?}", e.kind);
    assert!(e.to_string().contains("セルの文字が多すぎます"), "{e}");
}

/// The first string cell of the .ods fixture.
const ODS_TITLE: &str = "<text:p>御見積書</text:p>";
/// The start of the .ods fixture's first row.
const ODS_FIRST_ROW: &str = r#"<table:table-row table:style-name="ro1">"#;

#[test]
fn an_ods_row_repeated_behind_a_character_reference_is_refused_for_its_cells() {
    let crafted = crafted::ods_edit(
        &fixture("orthopedic_merged.ods"),
        ODS_FIRST_ROW,
        r#"<table:table-row table:style-name="ro1" table:number-rows-repeated="1&#48;48576">"#,
    );
    let e = refused("orthopedic_merged.ods", &crafted);
    assert!(matches!(e.kind, ReadErrorKind::TooManyCells { cells, .. } if cells >= 1_048_576), "{:?}", e.kind);
}

#[test]
fn an_ods_cell_repeated_over_every_column_of_many_rows_is_refused_for_its_cells() {
    let repeated = r#"<table:table-row table:number-rows-repeated="1000"><table:table-cell table:number-columns-repeated="16384" office:value-type="float" office:value="1"/></table:table-row>"#;
    let crafted =
        crafted::ods_edit(&fixture("orthopedic_merged.ods"), ODS_FIRST_ROW, &format!("{repeated}{ODS_FIRST_ROW}"));
    let e = refused("orthopedic_merged.ods", &crafted);
    assert!(matches!(e.kind, ReadErrorKind::TooManyCells { cells, .. } if cells >= 16_384_000), "{:?}", e.kind);
}

#[test]
fn an_ods_with_two_billion_spaces_in_a_cell_is_refused_before_they_are_pushed() {
    let crafted = crafted::ods_edit(
        &fixture("orthopedic_merged.ods"),
        ODS_TITLE,
        r#"<text:p>御見積書<text:s text:c="2000000000"/></text:p>"#,
    );
    let e = refused("orthopedic_merged.ods", &crafted);
    assert!(matches!(e.kind, ReadErrorKind::TooMuchText { bytes, .. } if bytes >= 2_000_000_000), "{:?}", e.kind);
}

#[test]
fn an_ods_text_repeated_over_columns_and_rows_is_refused_as_too_much_text() {
    // 100 KB of text in 100 columns of 100 rows: 10,000 cells, 1 GB once calamine copies it.
    let text = "あ".repeat(33_000);
    let repeated = format!(
        r#"<table:table-row table:number-rows-repeated="100"><table:table-cell office:value-type="string" table:number-columns-repeated="100"><text:p>{text}</text:p></table:table-cell></table:table-row>"#
    );
    let crafted =
        crafted::ods_edit(&fixture("orthopedic_merged.ods"), ODS_FIRST_ROW, &format!("{repeated}{ODS_FIRST_ROW}"));
    let e = refused("orthopedic_merged.ods", &crafted);
    assert!(matches!(e.kind, ReadErrorKind::TooMuchText { .. }), "{:?}", e.kind);
}

#[test]
fn an_xls_shared_string_copied_into_a_hundred_thousand_cells_is_refused_as_too_much_text() {
    // 60,000 characters × 100,000 LABELSST cells: calamine would make 6 GB of copies.
    let crafted = crafted::xls_shared_string_in_cells(60_000, 100_000);
    let e = refused("見積書.xls", &crafted);
    assert!(matches!(e.kind, ReadErrorKind::TooMuchText { .. }), "{:?}", e.kind);
    // The same workbook with a few cells is a workbook calamine reads (it has no item table).
    let small = crafted::xls_shared_string_in_cells(60_000, 3);
    assert_eq!(read_quickly("見積書.xls", &small).expect_err("no table").kind, ReadErrorKind::NoItemTable);
}

#[test]
fn an_xlsx_inflating_honestly_to_250_mib_is_refused_before_it_is_inflated() {
    let crafted = crafted::xlsx_inflating_honestly(250, 1);
    assert!(crafted.len() < 2_200_000, "a {} byte upload", crafted.len());
    let e = refused("見積書.xlsx", &crafted);
    assert!(
        matches!(e.kind, ReadErrorKind::TooMuchData { bytes, limit } if bytes > 250 << 20 && limit == 64 << 20),
        "{:?}",
        e.kind
    );
    assert!(e.to_string().contains("展開すると"), "{e}");
}

#[test]
fn a_sheet_listed_under_many_names_is_read_back_only_within_the_budget() {
    // A 2 MiB sheet read once per name: 6 names would be 12 MiB of reading, over twice
    // the 4 MiB these limits let the container inflate to.
    let limits = Limits { max_uncompressed_bytes: 4 << 20, ..Limits::default() };
    let crafted = crafted::xlsx_inflating_honestly(2, 6);
    let e = read_quote("見積書.xlsx", &crafted, &limits).expect_err("refused");
    assert!(matches!(e.kind, ReadErrorKind::TooMuchData { bytes, limit } if bytes > limit && limit == 8 << 20), "{e}");
    assert!(e.to_string().contains("上限の8.0MBを超えます"), "{e}");
    // Listed once, the same sheet is read (and holds no item table).
    let once = crafted::xlsx_inflating_honestly(2, 1);
    assert_eq!(read_quote("見積書.xlsx", &once, &limits).expect_err("empty").kind, ReadErrorKind::NoItemTable);
}

#[test]
fn a_read_stopped_from_another_thread_ends_within_a_fraction_of_a_second() {
    // 60 MiB of formatted empty cells: within every limit, and seconds of parsing.
    let big = crafted::xlsx_inflating_honestly(60, 1);
    let stop = Stop::new();
    let raise = stop.clone();
    let raised_at = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        raise.stop();
        Instant::now()
    });
    let e = read_quote_with_stop("見積書.xlsx", &big, &Limits::default(), &stop).expect_err("stopped");
    let ended = Instant::now();
    let raised_at = raised_at.join().expect("the stopping thread");
    assert_eq!(e.kind, ReadErrorKind::Stopped);
    assert!(e.to_string().contains("制限時間"), "{e}");
    let after = ended.duration_since(raised_at);
    eprintln!("the read ended {after:?} after the stop was raised");
    assert!(after < Duration::from_secs(2), "{after:?}");
}

#[test]
fn a_stop_raised_before_the_read_refuses_every_format_at_once() {
    let stop = Stop::new();
    stop.stop();
    for name in ["clinic_cover.xlsx", "orthopedic_merged.ods", "hospital_padded.xls"] {
        let e = read_quote_with_stop(name, &fixture(name), &Limits::default(), &stop).expect_err("stopped");
        assert_eq!(e.kind, ReadErrorKind::Stopped, "{name}");
    }
}

#[test]
fn the_ten_thousand_line_quote_reads_within_the_limits_with_room_to_spare() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../benches/quotes/quote_10000_lines.xlsx");
    let bytes = std::fs::read(&path).expect("the benchmark quote");
    // An eighth of the inflate limit and a thirty-second of the text limit are enough.
    let tight = Limits { max_uncompressed_bytes: 8 << 20 | 512 << 10, max_text_bytes: 1 << 20, ..Limits::default() };
    let quote = read_quote("quote_10000_lines.xlsx", &bytes, &tight).expect("reads");
    assert_eq!(quote.lines.len(), 10_000);
}
