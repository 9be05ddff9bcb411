//! The .ods pre-scan: table rows and cells of content.xml, with their repeats and the text calamine would copy into every repeat.
//!
//! calamine 0.38 (its ods.rs) reads three declared numbers here: a row's
//! `table:number-rows-repeated`, a cell's `table:number-columns-repeated`, and
//! a space run's `text:c` (`<text:s text:c="2000000000"/>` is two billion
//! spaces, pushed one by one). It reads them after unescaping (`1&#48;48576` is
//! 1048576), and clones a cell's text and formula into every repeat. The scan
//! reads the numbers the same way and refuses any it cannot read, which calamine
//! would refuse too.

use super::{Bounds, corrupted, too_many};
use crate::Limits;
use crate::budget::Budget;
use crate::error::{ReadError, ReadErrorKind};
use quick_xml::events::{BytesStart, Event};
use std::io::{BufReader, Read, Seek};
use zip::ZipArchive;

/// calamine's caps for .ods (`MAX_ROWS`, `MAX_COLUMNS` in its ods.rs).
const ODS_MAX_ROWS: u64 = 1_048_576;
const ODS_MAX_COLUMNS: u64 = 16_384;

/// Bytes counted for an entity reference in a cell's text (the longest a character takes in UTF-8).
const ENTITY_BYTES: u64 = 4;

/// One `table:table-cell` being scanned.
struct CellScan {
    repeats: u64,
    has_value: bool,
    /// Bytes of text calamine builds for one copy of the cell: its text, spaces,
    /// line breaks, and its attributes (value, formula).
    text: u64,
}

/// One `table:table-row` being scanned.
struct RowScan {
    repeats: u64,
    col: u64,
    cols: Option<(u64, u64)>,
    /// Cells calamine pushes for this row: every column up to the last non-empty one.
    materialized: u64,
    /// Bytes of text of one copy of the row.
    text: u64,
}

/// One `table:table` being scanned.
#[derive(Default)]
struct TableScan {
    rows: u64,
    bounds: Bounds,
    materialized: u64,
}

impl TableScan {
    /// Adds the row; returns the bytes of text its repeats hold.
    fn add_row(&mut self, row: RowScan) -> u64 {
        let repeats = row.repeats.min(ODS_MAX_ROWS.saturating_sub(self.rows));
        if let Some((c0, c1)) = row.cols
            && repeats > 0
        {
            self.bounds.add_rows(self.rows, self.rows.saturating_add(repeats - 1));
            self.bounds.add_cols(c0, c1);
            self.materialized = self.materialized.saturating_add(row.materialized);
        }
        self.rows = self.rows.saturating_add(repeats);
        row.text.saturating_mul(repeats)
    }

    fn cells(&self) -> u64 {
        self.bounds.area().max(self.materialized)
    }
}

/// A declared number as calamine reads it: the first attribute of that name,
/// unescaped, as an integer. A malformed tag or a value that is no integer is
/// an error (calamine fails on it too).
fn number_attr(e: &BytesStart<'_>, key: &str) -> Result<Option<u64>, String> {
    for attr in e.attributes() {
        let attr = attr.map_err(|err| err.to_string())?;
        if attr.key.as_ref() == key {
            let value = quick_xml::escape::unescape(&attr.value).map_err(|err| err.to_string())?;
            return value.parse().map(Some).map_err(|_| format!("{key}=\"{value}\" is not a count"));
        }
    }
    Ok(None)
}

fn has_value(e: &BytesStart<'_>) -> bool {
    e.attributes().flatten().any(|a| {
        let key = a.key.as_ref();
        key == "table:formula" || (key.starts_with("office:") && key.ends_with("value")) || key == "office:value-type"
    })
}

/// The bytes of the cell's attribute values: calamine copies its value and formula from them.
fn attribute_bytes(e: &BytesStart<'_>) -> u64 {
    e.attributes().flatten().fold(0u64, |sum, a| sum.saturating_add(u64::try_from(a.value.len()).unwrap_or(u64::MAX)))
}

fn open_cell(e: &BytesStart<'_>) -> Result<CellScan, String> {
    let repeats = number_attr(e, "table:number-columns-repeated")?.unwrap_or(1);
    Ok(CellScan { repeats, has_value: has_value(e), text: attribute_bytes(e) })
}

/// Ends a cell of the row: its columns, and its text once per repeat.
fn close_cell(row: &mut Option<RowScan>, cell: CellScan, has_children: bool) {
    let Some(row) = row.as_mut() else {
        return;
    };
    let repeats = cell.repeats.min(ODS_MAX_COLUMNS.saturating_sub(row.col));
    // A cell with children may hold text; counting it as non-empty only over-estimates.
    if repeats > 0 && (has_children || cell.has_value) {
        let last = row.col.saturating_add(repeats - 1);
        row.cols = Some(row.cols.map_or((row.col, last), |(a, b)| (a.min(row.col), b.max(last))));
        row.materialized = last.saturating_add(1);
        row.text = row.text.saturating_add(cell.text.saturating_mul(repeats));
    }
    row.col = row.col.saturating_add(repeats);
}

/// Counts the cells of every table in an .ods's content.xml as calamine would lay them
/// out, and the text it would copy into them (against the budget).
pub(crate) fn ods_cells<R: Read + Seek>(
    file: &str,
    archive: &mut ZipArchive<R>,
    limits: &Limits,
    budget: &Budget<'_>,
) -> Result<(), ReadError> {
    let read_error = |e: &dyn std::fmt::Display| budget.explain(file, corrupted(file, e));
    // Encrypted parts are not XML: say "password" before the scan says "corrupted".
    if let Ok(manifest) = archive.by_name("META-INF/manifest.xml") {
        let mut text = String::new();
        if manifest.take(limits.max_uncompressed_bytes).read_to_string(&mut text).is_ok()
            && text.contains("encryption-data")
        {
            return Err(ReadError::file(file, ReadErrorKind::Encrypted));
        }
    }
    let content = archive.by_name("content.xml").map_err(|e| read_error(&e))?;
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(content));
    let mut buf = Vec::new();
    let mut total: u64 = 0;
    let mut table: Option<TableScan> = None;
    let mut row: Option<RowScan> = None;
    let mut cell: Option<CellScan> = None;
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| read_error(&e))?;
        match event {
            Event::Eof => break,
            Event::Start(e) => match e.name().as_ref() {
                "table:table" => table = Some(TableScan::default()),
                "table:table-row" => {
                    let repeats = number_attr(&e, "table:number-rows-repeated").map_err(|e| read_error(&e))?;
                    row = Some(RowScan { repeats: repeats.unwrap_or(1), col: 0, cols: None, materialized: 0, text: 0 });
                }
                "table:table-cell" | "table:covered-table-cell" => {
                    if let Some(open) = cell.take() {
                        close_cell(&mut row, open, true);
                    }
                    cell = Some(open_cell(&e).map_err(|e| read_error(&e))?);
                }
                name => add_text(&mut cell, name, &e).map_err(|e| read_error(&e))?,
            },
            Event::Empty(e) => match e.name().as_ref() {
                "table:table-cell" | "table:covered-table-cell" => {
                    let empty = open_cell(&e).map_err(|e| read_error(&e))?;
                    close_cell(&mut row, empty, false);
                }
                name => add_text(&mut cell, name, &e).map_err(|e| read_error(&e))?,
            },
            Event::Text(t) => {
                if let Some(c) = cell.as_mut() {
                    c.text = c.text.saturating_add(u64::try_from(t.len()).unwrap_or(u64::MAX));
                }
            }
            Event::GeneralRef(_) => {
                if let Some(c) = cell.as_mut() {
                    c.text = c.text.saturating_add(ENTITY_BYTES);
                }
            }
            Event::End(e) => match e.name().as_ref() {
                "table:table-cell" | "table:covered-table-cell" => {
                    if let Some(open) = cell.take() {
                        close_cell(&mut row, open, true);
                    }
                }
                "table:table-row" => {
                    if let (Some(t), Some(r)) = (table.as_mut(), row.take()) {
                        let text = t.add_row(r);
                        // Too many cells says more than too much text: check them first.
                        let cells = total.saturating_add(t.cells());
                        if cells > limits.max_cells {
                            return Err(too_many(file, cells, limits));
                        }
                        budget.text(text).map_err(|e| e.into_error(file))?;
                    }
                }
                "table:table" => {
                    if let Some(t) = table.take() {
                        total = total.saturating_add(t.cells());
                        if total > limits.max_cells {
                            return Err(too_many(file, total, limits));
                        }
                    }
                }
                _ => {}
            },
            _ => {}
        }
        buf.clear();
    }
    Ok(())
}

/// The text an element inside a cell adds: `text:c` spaces for a space run, a character for
/// a paragraph, tab or line break.
fn add_text(cell: &mut Option<CellScan>, name: &str, e: &BytesStart<'_>) -> Result<(), String> {
    let Some(cell) = cell.as_mut() else {
        return Ok(());
    };
    let added = match name {
        "text:s" => number_attr(e, "text:c")?.unwrap_or(1),
        "text:p" | "text:tab" | "text:line-break" => 1,
        _ => 0,
    };
    cell.text = cell.text.saturating_add(added);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budget::Stop;
    use std::io::{Cursor, Write};

    /// An .ods container whose content.xml holds one table of these rows.
    fn ods(rows: &str) -> Vec<u8> {
        let content = format!(
            r#"<office:document-content><office:body><office:spreadsheet><table:table table:name="S">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
        );
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file("content.xml", zip::write::SimpleFileOptions::default()).expect("entry");
        zip.write_all(content.as_bytes()).expect("write");
        zip.finish().expect("zip").into_inner()
    }

    fn scan(rows: &str, limits: &Limits) -> Result<(), ReadError> {
        let bytes = ods(rows);
        let mut archive = ZipArchive::new(Cursor::new(bytes.as_slice())).expect("zip");
        let stop = Stop::new();
        let budget = Budget::new(&stop, limits.max_uncompressed_bytes, limits.max_text_bytes);
        ods_cells("a.ods", &mut archive, limits, &budget)
    }

    const VALUE: &str = r#"office:value-type="float" office:value="1""#;

    #[test]
    fn a_row_repeat_behind_a_character_reference_counts_as_calamine_reads_it() {
        let rows = format!(
            r#"<table:table-row table:number-rows-repeated="1&#48;48576"><table:table-cell {VALUE} table:number-columns-repeated="2"/></table:table-row>"#
        );
        let err = scan(&rows, &Limits::default()).unwrap_err();
        assert_eq!(err.kind, ReadErrorKind::TooManyCells { cells: 2 * 1_048_576, limit: 200_000 });
    }

    #[test]
    fn a_column_repeat_counts_its_columns() {
        let rows = format!(
            r#"<table:table-row><table:table-cell {VALUE} table:number-columns-repeated="16384"/></table:table-row>"#
        );
        let limits = Limits { max_cells: 16_383, ..Limits::default() };
        assert_eq!(
            scan(&rows, &limits).unwrap_err().kind,
            ReadErrorKind::TooManyCells { cells: 16_384, limit: 16_383 }
        );
    }

    #[test]
    fn a_count_that_is_no_integer_is_corrupted() {
        for attr in [r#"table:number-rows-repeated="-1""#, r#"table:number-rows-repeated="1e9""#] {
            let rows = format!(r#"<table:table-row {attr}><table:table-cell {VALUE}/></table:table-row>"#);
            let err = scan(&rows, &Limits::default()).unwrap_err();
            assert!(matches!(err.kind, ReadErrorKind::Corrupted { .. }), "{attr}: {err:?}");
        }
    }

    #[test]
    fn two_billion_spaces_are_refused_as_text_before_calamine_pushes_them() {
        let rows = r#"<table:table-row><table:table-cell office:value-type="string"><text:p>見積<text:s text:c="2000000000"/></text:p></table:table-cell></table:table-row>"#;
        let err = scan(rows, &Limits::default()).unwrap_err();
        assert!(
            matches!(err.kind, ReadErrorKind::TooMuchText { bytes, limit: 33_554_432 } if bytes > 2_000_000_000),
            "{err:?}"
        );
    }

    #[test]
    fn a_long_text_repeated_over_columns_and_rows_counts_once_per_copy() {
        let text = "あ".repeat(1000); // 3,000 bytes
        let rows = format!(
            r#"<table:table-row table:number-rows-repeated="10"><table:table-cell office:value-type="string" table:number-columns-repeated="100"><text:p>{text}</text:p></table:table-cell></table:table-row>"#
        );
        let limits = Limits { max_text_bytes: 3_000_000, ..Limits::default() };
        let err = scan(&rows, &limits).unwrap_err();
        assert!(matches!(err.kind, ReadErrorKind::TooMuchText { bytes, .. } if bytes > 3_000_000), "{err:?}");
        let roomy = Limits { max_text_bytes: 4_000_000, ..Limits::default() };
        assert!(scan(&rows, &roomy).is_ok());
    }
}
