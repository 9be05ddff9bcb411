//! The .xls pre-scan: the records of the workbook stream, walked the way
//! calamine 0.38 walks them (`Xls::parse_workbook` in its xls.rs).
//!
//! calamine reads the workbook globals from the start of the stream up to their
//! EOF, then each sheet from the offset its BOUNDSHEET record gives. That offset
//! need not follow the records before it: it may point into the middle of one,
//! where other bytes read as other records, or two sheets may share it. So each
//! sheet is walked from its own offset, never by following the stream from its
//! start (a fuzzed file did exactly that: 0 cells from the start, a sheet of 130
//! million from its offset — issue 10).
//!
//! Besides cells, it counts the text calamine makes: a LABELSST cell gets its
//! own copy of a shared string (up to 65,535 characters), and a formula's text
//! names the sheets and defined names it refers to, up to 255 characters for
//! each reference of 7 bytes.

use super::{Bounds, corrupted, sst, too_many};
use crate::Limits;
use crate::budget::Budget;
use crate::cfb::{u16_at, u32_at};
use crate::error::{ReadError, ReadErrorKind};

const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const FILEPASS: u16 = 0x002F;
const BOUNDSHEET: u16 = 0x0085;
const DIMENSIONS: u16 = 0x0200;
const FORMULA: u16 = 0x0006;
/// The cached text of the formula before it: calamine puts it at that formula's cell.
const STRING: u16 = 0x0207;
const MULRK: u16 = 0x00BD;
const LABELSST: u16 = 0x00FD;
const SST: u16 = 0x00FC;
const CONTINUE: u16 = 0x003C;
/// A defined name (Lbl).
const NAME: u16 = 0x0018;

/// The most data a BIFF8 record holds (MS-XLS 2.1.4). calamine reads a formula
/// of any length and builds its text by inserting into the middle of a string,
/// which costs the square of the formula's length; Excel never writes longer.
const MAX_RECORD: usize = 8224;

/// UTF-8 bytes a character of an .xls string may take once decoded (a UTF-16 unit → at most 3).
const UTF8_PER_CHAR: u64 = 3;

/// Text a formula's byte of parsed tokens may turn into besides the names it cites:
/// `$XFD$1048576:` is 13 bytes for the 4 of an area's corner, a function name ~10 for 3.
const FORMULA_TEXT_PER_BYTE: u64 = 16;

/// The records of a stream from its first byte: (type, data). Ends at a truncated
/// record, where calamine's `RecordIter` stops with an error. CONTINUE records
/// come out on their own; calamine appends them to the record before, which
/// changes no record's type or position.
pub(super) fn records(mut stream: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        let kind = u16_at(stream, 0)?;
        let len = usize::from(u16_at(stream, 2)?);
        let data = stream.get(4..4 + len)?;
        stream = &stream[4 + len..];
        Some((kind, data))
    })
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

/// What the workbook globals say that the sheets' scans need.
#[derive(Debug, Default)]
struct Globals {
    /// Where each sheet starts.
    offsets: Vec<usize>,
    /// The character count of each shared string.
    strings: Vec<u64>,
    /// The longest sheet or defined name, in UTF-8 bytes: what a formula's reference may cite.
    longest_name: u64,
}

/// The globals, read like calamine up to their EOF; refuses encrypted workbooks.
fn globals(file: &str, stream: &[u8]) -> Result<Globals, ReadError> {
    let mut globals = Globals::default();
    let mut records = records(stream).peekable();
    while let Some((kind, data)) = records.next() {
        match kind {
            FILEPASS => return Err(ReadError::file(file, ReadErrorKind::Encrypted)),
            BOUNDSHEET => {
                if let Some(at) = u32_at(data, 0).and_then(|at| usize::try_from(at).ok()) {
                    globals.offsets.push(at);
                }
                let name = data.get(6).map_or(0, |&cch| u64::from(cch) * UTF8_PER_CHAR);
                globals.longest_name = globals.longest_name.max(name);
            }
            NAME => {
                let name = data.get(3).map_or(0, |&cch| u64::from(cch) * UTF8_PER_CHAR);
                globals.longest_name = globals.longest_name.max(name);
            }
            SST => {
                let mut continues = Vec::new();
                while let Some((_, more)) = records.next_if(|(kind, _)| *kind == CONTINUE) {
                    if continues.len() == sst::MAX_CONTINUES {
                        return Err(corrupted(file, "the shared strings run over too many CONTINUE records"));
                    }
                    continues.push(more);
                }
                globals.strings = sst::string_lengths(data, &continues)
                    .ok_or_else(|| corrupted(file, "the shared string table ends inside a string"))?;
            }
            EOF => break,
            _ => {}
        }
    }
    Ok(globals)
}

/// The cells calamine lays out for the sheet starting at `sheet`: the dense
/// range of its cells (with the room a DIMENSIONS record makes it reserve)
/// plus the dense range of its formulas. The text it makes is spent from the budget.
fn sheet_cells(file: &str, sheet: &[u8], globals: &Globals, budget: &Budget<'_>) -> Result<u64, ReadError> {
    let text = |bytes: u64| budget.text(bytes).map_err(|e| e.into_error(file));
    let mut cells = Bounds::default();
    let mut formulas = Bounds::default();
    let mut formula_at = (0u64, 0u64);
    let mut seen_bof = false;
    // Embedded substreams (charts) are skipped, as calamine skips them.
    let mut nested = 0usize;
    for (kind, data) in records(sheet) {
        if nested > 0 {
            match kind {
                BOF => nested += 1,
                EOF => nested -= 1,
                _ => {}
            }
            continue;
        }
        let row_col = || Some((u64::from(u16_at(data, 0)?), u64::from(u16_at(data, 2)?)));
        match kind {
            BOF if seen_bof => nested += 1,
            BOF => seen_bof = true,
            EOF => break,
            // calamine reserves room for rows × columns of the declared range before
            // it reads a single cell (fuzzing found 4 billion rows claimed in a few bytes).
            DIMENSIONS => match declared_range(data) {
                Some(Declared::Range { rows, cols }) => {
                    cells.add_rows(rows.0, rows.1);
                    cells.add_cols(cols.0, cols.1);
                }
                Some(Declared::Inverted) => {
                    return Err(corrupted(file, "DIMENSIONS record ends before it starts"));
                }
                None => {}
            },
            FORMULA => {
                if data.len() > MAX_RECORD {
                    return Err(corrupted(file, "a FORMULA record longer than BIFF8 allows"));
                }
                if let Some(at) = row_col() {
                    formula_at = at;
                    formulas.add_cell(at);
                    cells.add_cell(at);
                }
                let tokens = u64::from(u16_at(data, 20).unwrap_or(0));
                text(tokens.saturating_mul(globals.longest_name.saturating_add(FORMULA_TEXT_PER_BYTE)))?;
            }
            LABELSST => {
                if let Some(at) = row_col() {
                    cells.add_cell(at);
                }
                let index = u32_at(data, 6).and_then(|i| usize::try_from(i).ok());
                if let Some(&chars) = index.and_then(|i| globals.strings.get(i)) {
                    text(chars.saturating_mul(UTF8_PER_CHAR))?;
                }
            }
            STRING => cells.add_cell(formula_at),
            MULRK => {
                let last = data.len().checked_sub(2).and_then(|at| u16_at(data, at));
                if let (Some((r, c0)), Some(c1)) = (row_col(), last) {
                    cells.add_rows(r, r);
                    cells.add_cols(c0.min(u64::from(c1)), c0.max(u64::from(c1)));
                }
            }
            // NUMBER, LABEL, RSTRING, BOOLERR, RK (each starts with row and column),
            // and the BIFF2–4 cell records, which calamine skips: counting them only
            // over-estimates.
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x0002..=0x0005 | 0x0406 => {
                if let Some(at) = row_col() {
                    cells.add_cell(at);
                }
            }
            _ => {}
        }
    }
    Ok(cells.area().saturating_add(formulas.area()))
}

/// Counts the cells calamine would lay out for every sheet of an .xls workbook
/// stream (BIFF5/8) and spends the text it would make, and refuses encrypted
/// workbooks (a FILEPASS record).
pub(crate) fn biff_cells(file: &str, stream: &[u8], limits: &Limits, budget: &Budget<'_>) -> Result<(), ReadError> {
    let globals = globals(file, stream)?;
    let mut total: u64 = 0;
    for &at in &globals.offsets {
        budget.check().map_err(|e| e.into_error(file))?;
        let Some(sheet) = stream.get(at..) else {
            return Err(corrupted(file, "a BOUNDSHEET record points past the end of the workbook"));
        };
        total = total.saturating_add(sheet_cells(file, sheet, &globals, budget)?);
        if total > limits.max_cells {
            return Err(too_many(file, total, limits));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budget::Stop;

    fn biff(stream: &[u8], limits: &Limits) -> Result<(), ReadError> {
        let stop = Stop::new();
        let budget = Budget::new(&stop, limits.max_uncompressed_bytes, limits.max_text_bytes);
        biff_cells("a.xls", stream, limits, &budget)
    }

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

    fn formula(row: u16, col: u16) -> Vec<u8> {
        let mut data = row.to_le_bytes().to_vec();
        data.extend_from_slice(&col.to_le_bytes());
        data.extend_from_slice(&[0; 18]);
        record(FORMULA, &data)
    }

    fn boundsheet(at: usize) -> Vec<u8> {
        let mut data = u32::try_from(at).unwrap().to_le_bytes().to_vec();
        data.extend_from_slice(&[0, 0, 1, 0, b'A']);
        record(BOUNDSHEET, &data)
    }

    fn sheet_of(records: &[Vec<u8>]) -> Vec<u8> {
        let mut stream = record(BOF, &[0; 16]);
        stream.extend(records.concat());
        stream.extend(record(EOF, &[]));
        stream
    }

    /// A workbook stream: globals listing each sheet at its offset, then the sheets.
    fn workbook(sheets: &[Vec<u8>]) -> Vec<u8> {
        let mut at = globals(&vec![0; sheets.len()]).len();
        let mut offsets = Vec::new();
        for s in sheets {
            offsets.push(at);
            at += s.len();
        }
        let mut stream = globals(&offsets);
        stream.extend(sheets.concat());
        stream
    }

    #[test]
    fn two_far_apart_xls_cells_count_as_their_whole_rectangle() {
        let stream = workbook(&[sheet_of(&[number(0, 0), number(65_535, 255)])]);
        let limits = Limits::default();
        let err = biff(&stream, &limits).unwrap_err();
        assert_eq!(err.kind, ReadErrorKind::TooManyCells { cells: 65_536 * 256, limit: limits.max_cells });
    }

    #[test]
    fn formulas_count_twice_and_sheets_add_up() {
        let limits = Limits { max_cells: 40, ..Limits::default() };
        // 4 × 5 cells (the cells' range) + 4 × 5 (the formulas' range) = 40.
        let sheet = sheet_of(&[formula(0, 0), formula(3, 4)]);
        assert!(biff(&workbook(std::slice::from_ref(&sheet)), &limits).is_ok());
        let err = biff(&workbook(&[sheet.clone(), sheet_of(&[number(0, 0)])]), &limits).unwrap_err();
        assert_eq!(err.kind, ReadErrorKind::TooManyCells { cells: 41, limit: 40 });
    }

    /// Workbook globals listing sheets at these offsets.
    fn globals(offsets: &[usize]) -> Vec<u8> {
        sheet_of(&offsets.iter().map(|&at| boundsheet(at)).collect::<Vec<_>>())
    }

    #[test]
    fn a_sheet_offset_into_the_middle_of_a_record_is_walked_from_there() {
        // From the stream's start the sheet is one unknown record; from the offset its
        // BOUNDSHEET gives, the same bytes are two cells far apart.
        let hidden = [number(0, 0), number(65_535, 255), record(EOF, &[])].concat();
        let mut disguise = record(BOF, &[0; 16]);
        disguise.extend(record(0x1234, &hidden));
        let globals_len = globals(&[0]).len();
        let mut stream = globals(&[globals_len + 20 + 4]);
        stream.extend(disguise);
        let err = biff(&stream, &Limits::default()).unwrap_err();
        assert!(matches!(err.kind, ReadErrorKind::TooManyCells { cells, .. } if cells == 65_536 * 256), "{err:?}");
    }

    #[test]
    fn two_sheets_at_one_offset_count_twice() {
        let at = globals(&[0, 0]).len();
        let mut stream = globals(&[at, at]);
        stream.extend(sheet_of(&[number(0, 0), number(9, 9)]));
        let limits = Limits { max_cells: 199, ..Limits::default() };
        let err = biff(&stream, &limits).unwrap_err();
        assert_eq!(err.kind, ReadErrorKind::TooManyCells { cells: 200, limit: 199 });
    }

    #[test]
    fn a_sheet_offset_past_the_end_is_corrupted() {
        let stream = globals(&[10_000]);
        let err = biff(&stream, &Limits::default()).unwrap_err();
        assert!(matches!(err.kind, ReadErrorKind::Corrupted { .. }), "{err:?}");
    }

    #[test]
    fn embedded_substreams_are_skipped_as_calamine_skips_them() {
        let chart = sheet_of(&[number(65_535, 255)]);
        let stream = workbook(&[sheet_of(&[&chart[..], &number(0, 0)].map(<[u8]>::to_vec))]);
        assert!(biff(&stream, &Limits::default()).is_ok());
    }

    fn dimensions(first_row: u32, row_after: u32, first_col: u16, col_after: u16) -> Vec<u8> {
        let mut data = first_row.to_le_bytes().to_vec();
        data.extend_from_slice(&row_after.to_le_bytes());
        data.extend_from_slice(&first_col.to_le_bytes());
        data.extend_from_slice(&col_after.to_le_bytes());
        data.extend_from_slice(&[0; 2]);
        record(DIMENSIONS, &data)
    }

    #[test]
    fn a_dimensions_record_claiming_billions_of_rows_is_refused_before_calamine_reserves_them() {
        let limits = Limits::default();
        let err = biff(&workbook(&[sheet_of(&[dimensions(0, u32::MAX, 0, 4)])]), &limits).unwrap_err();
        assert_eq!(err.kind, ReadErrorKind::TooManyCells { cells: u64::from(u32::MAX) * 4, limit: limits.max_cells });
    }

    #[test]
    fn a_dimensions_record_ending_before_it_starts_is_corrupted() {
        let stream = workbook(&[sheet_of(&[dimensions(70_000, 5, 0, 4)])]);
        let err = biff(&stream, &Limits::default()).unwrap_err();
        assert!(matches!(err.kind, ReadErrorKind::Corrupted { .. }), "{err:?}");
    }

    #[test]
    fn an_ordinary_dimensions_record_counts_its_range() {
        let limits = Limits { max_cells: 40, ..Limits::default() };
        assert!(biff(&workbook(&[sheet_of(&[dimensions(0, 10, 0, 4), number(9, 3)])]), &limits).is_ok());
        let err = biff(&workbook(&[sheet_of(&[dimensions(0, 11, 0, 4)])]), &limits).unwrap_err();
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
        let mut stream = record(BOF, &[0; 16]);
        stream.extend(record(FILEPASS, &[1, 0, 0, 0]));
        let err = biff(&stream, &Limits::default()).unwrap_err();
        assert_eq!(err.kind, ReadErrorKind::Encrypted);
    }

    #[test]
    fn a_truncated_record_ends_the_scan_quietly() {
        let mut stream = workbook(&[sheet_of(&[number(3, 4)])]);
        stream.truncate(stream.len() - 4);
        stream.extend([0x03, 0x02, 0xFF]);
        assert!(biff(&stream, &Limits::default()).is_ok());
    }
}
