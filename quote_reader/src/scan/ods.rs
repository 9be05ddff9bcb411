//! The .ods pre-scan: table rows and cells of content.xml, with their repeats.

use super::{Bounds, corrupted, too_many};
use crate::Limits;
use crate::error::{ReadError, ReadErrorKind};
use quick_xml::events::{BytesStart, Event};
use std::io::{BufReader, Cursor, Read};
use zip::ZipArchive;

/// calamine's caps for .ods (`MAX_ROWS`, `MAX_COLUMNS` in its ods.rs).
const ODS_MAX_ROWS: u64 = 1_048_576;
const ODS_MAX_COLUMNS: u64 = 16_384;

/// One `table:table-row` being scanned.
struct RowScan {
    repeats: u64,
    col: u64,
    cols: Option<(u64, u64)>,
    /// Cells calamine pushes for this row: every column up to the last non-empty one.
    materialized: u64,
}

/// One `table:table` being scanned.
#[derive(Default)]
struct TableScan {
    rows: u64,
    bounds: Bounds,
    materialized: u64,
}

impl TableScan {
    fn add_row(&mut self, row: RowScan) {
        let repeats = row.repeats.min(ODS_MAX_ROWS.saturating_sub(self.rows));
        if let Some((c0, c1)) = row.cols
            && repeats > 0
        {
            self.bounds.add_rows(self.rows, self.rows.saturating_add(repeats - 1));
            self.bounds.add_cols(c0, c1);
            self.materialized = self.materialized.saturating_add(row.materialized);
        }
        self.rows = self.rows.saturating_add(repeats);
    }

    fn cells(&self) -> u64 {
        self.bounds.area().max(self.materialized)
    }
}

fn number_attr(e: &BytesStart<'_>, key: &str) -> Option<u64> {
    e.attributes().flatten().find(|a| a.key.as_ref() == key).and_then(|a| a.value.trim().parse().ok())
}

fn has_value(e: &BytesStart<'_>) -> bool {
    e.attributes().flatten().any(|a| {
        let key = a.key.as_ref();
        key == "table:formula" || (key.starts_with("office:") && key.ends_with("value")) || key == "office:value-type"
    })
}

fn scan_cell(row: &mut Option<RowScan>, e: &BytesStart<'_>, has_children: bool) {
    let Some(row) = row.as_mut() else {
        return;
    };
    let repeats =
        number_attr(e, "table:number-columns-repeated").unwrap_or(1).min(ODS_MAX_COLUMNS.saturating_sub(row.col));
    // A cell with children may hold text; counting it as non-empty only over-estimates.
    if repeats > 0 && (has_children || has_value(e)) {
        let last = row.col.saturating_add(repeats - 1);
        row.cols = Some(row.cols.map_or((row.col, last), |(a, b)| (a.min(row.col), b.max(last))));
        row.materialized = last.saturating_add(1);
    }
    row.col = row.col.saturating_add(repeats);
}

/// Counts the cells of every table in an .ods's content.xml as calamine would lay them out.
pub(crate) fn ods_cells(file: &str, archive: &mut ZipArchive<Cursor<&[u8]>>, limits: &Limits) -> Result<(), ReadError> {
    // Encrypted parts are not XML: say "password" before the scan says "corrupted".
    if let Ok(manifest) = archive.by_name("META-INF/manifest.xml") {
        let mut text = String::new();
        if manifest.take(limits.max_uncompressed_bytes).read_to_string(&mut text).is_ok()
            && text.contains("encryption-data")
        {
            return Err(ReadError::file(file, ReadErrorKind::Encrypted));
        }
    }
    let content = archive.by_name("content.xml").map_err(|e| corrupted(file, e))?;
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(content));
    let mut buf = Vec::new();
    let mut total: u64 = 0;
    let mut table: Option<TableScan> = None;
    let mut row: Option<RowScan> = None;
    loop {
        match reader.read_event_into(&mut buf) {
            Err(e) => return Err(corrupted(file, e)),
            Ok(Event::Eof) => break,
            Ok(Event::Start(e)) => match e.name().as_ref() {
                "table:table" => table = Some(TableScan::default()),
                "table:table-row" => {
                    let repeats = number_attr(&e, "table:number-rows-repeated").unwrap_or(1);
                    row = Some(RowScan { repeats, col: 0, cols: None, materialized: 0 });
                }
                "table:table-cell" | "table:covered-table-cell" => scan_cell(&mut row, &e, true),
                _ => {}
            },
            Ok(Event::Empty(e)) => {
                if matches!(e.name().as_ref(), "table:table-cell" | "table:covered-table-cell") {
                    scan_cell(&mut row, &e, false);
                }
            }
            Ok(Event::End(e)) => match e.name().as_ref() {
                "table:table-row" => {
                    if let (Some(t), Some(r)) = (table.as_mut(), row.take()) {
                        t.add_row(r);
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
            Ok(_) => {}
        }
        buf.clear();
    }
    Ok(())
}
