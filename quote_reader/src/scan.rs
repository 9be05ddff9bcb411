//! Pre-scans that count the cells calamine would lay out for an .ods or .xls, before it allocates them.
//!
//! calamine builds a dense `Range` per sheet: rows × columns of the used
//! range. A few bytes can claim a huge one (an .ods cell repeated 16,384
//! times on 1,048,576 rows; an .xls cell at row 65,535, column 65,535), and
//! the allocation would abort the process — not a panic we could catch. So we
//! walk the same records first, cheaply, and refuse before calamine runs.
//! For .xls that includes the DIMENSIONS record, whose declared range
//! calamine reserves up front.

use crate::Limits;
use crate::error::{ReadError, ReadErrorKind};
use quick_xml::events::{BytesStart, Event};
use std::io::{BufReader, Cursor, Read};
use zip::ZipArchive;

/// calamine's caps for .ods (`MAX_ROWS`, `MAX_COLUMNS` in its ods.rs).
const ODS_MAX_ROWS: u64 = 1_048_576;
const ODS_MAX_COLUMNS: u64 = 16_384;

fn too_many(file: &str, cells: u64, limits: &Limits) -> ReadError {
    ReadError::file(file, ReadErrorKind::TooManyCells { cells, limit: limits.max_cells })
}

fn corrupted(file: &str, detail: impl ToString) -> ReadError {
    ReadError::file(file, ReadErrorKind::Corrupted { detail: detail.to_string() })
}

/// The bounding box of the cells of one sheet.
#[derive(Default)]
struct Bounds {
    rows: Option<(u64, u64)>,
    cols: Option<(u64, u64)>,
}

impl Bounds {
    fn add_rows(&mut self, first: u64, last: u64) {
        self.rows = Some(self.rows.map_or((first, last), |(a, b)| (a.min(first), b.max(last))));
    }

    fn add_cols(&mut self, first: u64, last: u64) {
        self.cols = Some(self.cols.map_or((first, last), |(a, b)| (a.min(first), b.max(last))));
    }

    fn area(&self) -> u64 {
        match (self.rows, self.cols) {
            (Some((r0, r1)), Some((c0, c1))) => {
                (r1.saturating_sub(r0).saturating_add(1)).saturating_mul(c1.saturating_sub(c0).saturating_add(1))
            }
            _ => 0,
        }
    }
}

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

fn u16_at(data: &[u8], at: usize) -> Option<u16> {
    let bytes: [u8; 2] = data.get(at..at.checked_add(2)?)?.try_into().ok()?;
    Some(u16::from_le_bytes(bytes))
}

fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    let bytes: [u8; 4] = data.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_le_bytes(bytes))
}

/// The used range a DIMENSIONS record declares, read as calamine reads it
/// (`parse_dimensions` in its xls.rs, calamine 0.38).
#[derive(Debug, PartialEq, Eq)]
enum Declared {
    /// First and last row, first and last column (0-based, inclusive).
    Range { rows: (u64, u64), cols: (u64, u64) },
    /// A last row before the first: calamine computes `last - first + 1`
    /// without a check, which wraps to about 4 billion rows.
    Inverted,
}

/// `None` for a length calamine refuses itself (it reads 10 bytes in BIFF2–5, 14 or 16 in BIFF8).
fn declared_range(data: &[u8]) -> Option<Declared> {
    let (first_row, row_after, first_col, col_after) = match data.len() {
        10 => (
            u32::from(u16_at(data, 0)?),
            u32::from(u16_at(data, 2)?),
            u32::from(u16_at(data, 4)?),
            u32::from(u16_at(data, 6)?),
        ),
        14 | 16 => (u32_at(data, 0)?, u32_at(data, 4)?, u32::from(u16_at(data, 8)?), u32::from(u16_at(data, 10)?)),
        _ => return None,
    };
    // calamine's own repair: a first column past 255 or after the last means 0.
    let first_col = if first_col > 0xFF || col_after < first_col { 0 } else { first_col };
    if row_after == 0 || col_after == 0 {
        // calamine then takes the range as the single first cell.
        let (r, c) = (u64::from(first_row), u64::from(first_col));
        return Some(Declared::Range { rows: (r, r), cols: (c, c) });
    }
    let (last_row, last_col) = (row_after - 1, col_after - 1);
    if last_row < first_row {
        return Some(Declared::Inverted);
    }
    Some(Declared::Range {
        rows: (u64::from(first_row), u64::from(last_row)),
        cols: (u64::from(first_col), u64::from(last_col)),
    })
}

/// Counts the used-range cells of every sheet of an .xls workbook stream (BIFF2–8),
/// and refuses encrypted workbooks (a FILEPASS record).
pub(crate) fn biff_cells(file: &str, stream: &[u8], limits: &Limits) -> Result<(), ReadError> {
    let mut pos = 0usize;
    let mut total: u64 = 0;
    let mut sheet = Bounds::default();
    let mut finish = |sheet: &mut Bounds| -> Result<(), ReadError> {
        total = total.saturating_add(sheet.area());
        *sheet = Bounds::default();
        if total > limits.max_cells { Err(too_many(file, total, limits)) } else { Ok(()) }
    };
    while let (Some(kind), Some(len)) = (u16_at(stream, pos), pos.checked_add(2).and_then(|p| u16_at(stream, p))) {
        let start = pos.saturating_add(4);
        let end = start.saturating_add(usize::from(len));
        let Some(data) = stream.get(start..end) else {
            break; // truncated: calamine will say so
        };
        pos = end;
        match kind {
            // BOF and EOF of a substream (workbook globals, each sheet).
            0x0009 | 0x0209 | 0x0409 | 0x0809 | 0x000A => finish(&mut sheet)?,
            0x002F => return Err(ReadError::file(file, ReadErrorKind::Encrypted)),
            // Cell records, all starting with row and column: FORMULA, NUMBER, LABEL,
            // RSTRING, BOOLERR, RK, LABELSST, and the BIFF2 forms.
            0x0002..=0x0006 | 0x0406 | 0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD => {
                if let (Some(r), Some(c)) = (u16_at(data, 0), u16_at(data, 2)) {
                    sheet.add_rows(u64::from(r), u64::from(r));
                    sheet.add_cols(u64::from(c), u64::from(c));
                }
            }
            // DIMENSIONS: calamine reserves room for rows × columns of the range this
            // record declares before it reads a single cell, so a few bytes claiming
            // 4 billion rows made it ask for a terabyte and abort (fuzzing, issue 10).
            0x0200 => match declared_range(data) {
                Some(Declared::Range { rows, cols }) => {
                    sheet.add_rows(rows.0, rows.1);
                    sheet.add_cols(cols.0, cols.1);
                }
                Some(Declared::Inverted) => {
                    return Err(corrupted(file, "DIMENSIONS record ends before it starts"));
                }
                None => {}
            },
            // MULRK: row, first column, …, last column.
            0x00BD => {
                let last = data.len().checked_sub(2).and_then(|at| u16_at(data, at));
                if let (Some(r), Some(c0), Some(c1)) = (u16_at(data, 0), u16_at(data, 2), last) {
                    sheet.add_rows(u64::from(r), u64::from(r));
                    sheet.add_cols(u64::from(c0.min(c1)), u64::from(c0.max(c1)));
                }
            }
            _ => {}
        }
    }
    finish(&mut sheet)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: u16, data: &[u8]) -> Vec<u8> {
        let mut out = kind.to_le_bytes().to_vec();
        out.extend_from_slice(&u16::try_from(data.len()).unwrap().to_le_bytes());
        out.extend_from_slice(data);
        out
    }

    fn number(row: u16, col: u16) -> Vec<u8> {
        let mut data = row.to_le_bytes().to_vec();
        data.extend_from_slice(&col.to_le_bytes());
        data.extend_from_slice(&[0; 10]);
        record(0x0203, &data)
    }

    #[test]
    fn two_far_apart_xls_cells_count_as_their_whole_rectangle() {
        let mut stream = record(0x0809, &[0; 16]);
        stream.extend(number(0, 0));
        stream.extend(number(65_535, 255));
        stream.extend(record(0x000A, &[]));
        let limits = Limits::default();
        let err = biff_cells("a.xls", &stream, &limits).unwrap_err();
        assert_eq!(err.kind, ReadErrorKind::TooManyCells { cells: 65_536 * 256, limit: limits.max_cells });
    }

    fn dimensions(first_row: u32, row_after: u32, first_col: u16, col_after: u16) -> Vec<u8> {
        let mut data = first_row.to_le_bytes().to_vec();
        data.extend_from_slice(&row_after.to_le_bytes());
        data.extend_from_slice(&first_col.to_le_bytes());
        data.extend_from_slice(&col_after.to_le_bytes());
        data.extend_from_slice(&[0; 2]);
        record(0x0200, &data)
    }

    fn sheet_of(records: &[Vec<u8>]) -> Vec<u8> {
        let mut stream = record(0x0809, &[0; 16]);
        stream.extend(records.concat());
        stream.extend(record(0x000A, &[]));
        stream
    }

    #[test]
    fn a_dimensions_record_claiming_billions_of_rows_is_refused_before_calamine_reserves_them() {
        let limits = Limits::default();
        let err = biff_cells("a.xls", &sheet_of(&[dimensions(0, u32::MAX, 0, 4)]), &limits).unwrap_err();
        assert_eq!(err.kind, ReadErrorKind::TooManyCells { cells: u64::from(u32::MAX) * 4, limit: limits.max_cells });
    }

    #[test]
    fn a_dimensions_record_ending_before_it_starts_is_corrupted() {
        let err = biff_cells("a.xls", &sheet_of(&[dimensions(70_000, 5, 0, 4)]), &Limits::default()).unwrap_err();
        assert!(matches!(err.kind, ReadErrorKind::Corrupted { .. }), "{err:?}");
    }

    #[test]
    fn an_ordinary_dimensions_record_counts_its_range() {
        let limits = Limits { max_cells: 40, ..Limits::default() };
        assert!(biff_cells("a.xls", &sheet_of(&[dimensions(0, 10, 0, 4), number(9, 3)]), &limits).is_ok());
        let err = biff_cells("a.xls", &sheet_of(&[dimensions(0, 11, 0, 4)]), &limits).unwrap_err();
        assert_eq!(err.kind, ReadErrorKind::TooManyCells { cells: 44, limit: 40 });
        // BIFF2–5 form (u16 rows), and calamine's fallbacks: an empty range is its first cell,
        // a first column past 255 starts at 0.
        assert_eq!(
            declared_range(&[0, 0, 3, 0, 0, 0, 2, 0, 0, 0]),
            Some(Declared::Range { rows: (0, 2), cols: (0, 1) })
        );
        assert_eq!(
            declared_range(&[5, 0, 0, 0, 9, 0, 10, 0, 0, 0]),
            Some(Declared::Range { rows: (5, 5), cols: (9, 9) })
        );
        assert_eq!(
            declared_range(&[0, 0, 1, 0, 0, 1, 3, 1, 0, 0]),
            Some(Declared::Range { rows: (0, 0), cols: (0, 258) })
        );
        assert_eq!(declared_range(&[0; 12]), None);
    }

    #[test]
    fn a_filepass_record_means_a_password() {
        let mut stream = record(0x0809, &[0; 16]);
        stream.extend(record(0x002F, &[1, 0, 0, 0]));
        let err = biff_cells("a.xls", &stream, &Limits::default()).unwrap_err();
        assert_eq!(err.kind, ReadErrorKind::Encrypted);
    }

    #[test]
    fn a_truncated_record_ends_the_scan_quietly() {
        let mut stream = record(0x0809, &[0; 16]);
        stream.extend(number(3, 4));
        stream.extend([0x03, 0x02, 0xFF]);
        assert!(biff_cells("a.xls", &stream, &Limits::default()).is_ok());
    }
}
