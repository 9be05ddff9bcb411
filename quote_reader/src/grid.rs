//! The cells of a workbook as the analysis sees them: sparse sheets of typed values, whatever the file format.

use chrono::NaiveDate;
use std::collections::BTreeMap;

/// A non-empty cell value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// Text as stored (CSV cells are always text).
    Text(String),
    /// A number (a formula's cached result included).
    Number(f64),
    /// A date cell (Excel serial with a date format, or an ODS date).
    Date(NaiveDate),
    /// TRUE / FALSE.
    Bool(bool),
    /// A formula error as shown: `#REF!`, `#DIV/0!`.
    Error(String),
}

/// Formula errors as Excel and LibreOffice show them. LibreOffice's .ods and
/// CSV exports store the error as its text, so text equal to one of these is
/// an error cell too (nobody types 「#REF!」 into a quote on purpose).
const ERROR_TEXTS: [&str; 9] =
    ["#REF!", "#DIV/0!", "#VALUE!", "#NAME?", "#N/A", "#NUM!", "#NULL!", "#DATA!", "#SPILL!"];

impl Value {
    /// A text cell, or an error cell when the text is a formula error (`#REF!`, LibreOffice's `Err:502`).
    pub(crate) fn from_text(s: &str) -> Value {
        let t = s.trim();
        let libreoffice_error =
            t.strip_prefix("Err:").is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        if ERROR_TEXTS.contains(&t) || libreoffice_error {
            Value::Error(t.to_owned())
        } else {
            Value::Text(s.to_owned())
        }
    }

    /// The cell as plain text: text as stored, a whole number without a decimal point, a date
    /// as `2025-08-01`, an error cell empty.
    pub(crate) fn as_plain_text(&self) -> String {
        match self {
            Value::Text(s) => s.trim().to_owned(),
            Value::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{n:.0}"),
            Value::Number(n) => n.to_string(),
            Value::Date(d) => d.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Error(_) => String::new(),
        }
    }

    /// The text, if the cell is text.
    pub(crate) fn text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }
}

/// Rows and columns a sheet hides: 0-based inclusive ranges (a repeated row of an .ods may
/// hide a million rows at once).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Hidden {
    pub(crate) rows: Vec<(u32, u32)>,
    pub(crate) cols: Vec<(u32, u32)>,
}

impl Hidden {
    pub(crate) fn is_empty(&self) -> bool {
        self.rows.is_empty() && self.cols.is_empty()
    }

    /// Whether a column is hidden; `cols` sorted and merged ([`merged`]), so a file that hides
    /// a million single columns costs a binary search per cell, not a million comparisons.
    fn hides_col(cols: &[(u32, u32)], col: u32) -> bool {
        let after = cols.partition_point(|(a, _)| *a <= col);
        after > 0 && cols.get(after - 1).is_some_and(|(_, b)| col <= *b)
    }
}

/// Ranges sorted by their start and merged where they touch or overlap; backwards ones dropped.
fn merged(ranges: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut sorted: Vec<(u32, u32)> = ranges.iter().copied().filter(|(a, b)| a <= b).collect();
    sorted.sort_unstable();
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(sorted.len());
    for (a, b) in sorted {
        match out.last_mut() {
            Some(last) if a <= last.1.saturating_add(1) => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

/// The hidden rows and columns that held cells, left out of a sheet (0-based).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct LeftOut {
    pub(crate) rows: std::collections::BTreeSet<u32>,
    pub(crate) cols: std::collections::BTreeSet<u32>,
}

/// Where a row of a rebuilt page stands: the page (0-based) and the band from `top` to `bottom`,
/// in points down from the page's top edge.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RowPlace {
    pub(crate) page: u32,
    pub(crate) top: f64,
    pub(crate) bottom: f64,
}

/// One sheet: rows by 0-based index, each row's cells sorted by 0-based column.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sheet {
    /// Sheet name (empty for CSV).
    pub(crate) name: String,
    /// Hidden rows and columns that held cells, left out of the sheet (0-based), for the preview.
    pub(crate) left_out: LeftOut,
    /// For a PDF's rebuilt table: the first row of each page (0-based), so that a message can
    /// name the page; empty for workbooks and CSV.
    pub(crate) page_starts: Vec<u32>,
    /// For a PDF's or a scan's rebuilt table: where each row stands on its page, by row.
    pub(crate) places: Vec<RowPlace>,
    /// For a scan: the cells a person should check (0-based row and column), and why.
    pub(crate) doubts: Vec<(u32, u32, crate::ocr::Doubt)>,
    rows: BTreeMap<u32, Vec<(u32, Value)>>,
    /// The row being filled: readers emit cells row by row, so most pushes skip the map.
    pending: Option<(u32, Vec<(u32, Value)>)>,
    cells: u64,
}

impl Sheet {
    /// An empty sheet.
    pub(crate) fn new(name: impl Into<String>) -> Self {
        Sheet {
            name: name.into(),
            left_out: LeftOut::default(),
            page_starts: Vec::new(),
            places: Vec::new(),
            doubts: Vec::new(),
            rows: BTreeMap::new(),
            pending: None,
            cells: 0,
        }
    }

    /// Adds a cell. Cells may come in any order; call [`Sheet::finish`] once all are in.
    pub(crate) fn push(&mut self, row: u32, col: u32, value: Value) {
        self.cells = self.cells.saturating_add(1);
        match &mut self.pending {
            Some((r, cells)) if *r == row => cells.push((col, value)),
            _ => {
                self.flush();
                self.pending = Some((row, vec![(col, value)]));
            }
        }
    }

    fn flush(&mut self) {
        if let Some((row, cells)) = self.pending.take() {
            self.rows.entry(row).or_default().extend(cells);
        }
    }

    /// Sorts each row by column; of two values for one cell the last pushed wins.
    pub(crate) fn finish(&mut self) {
        self.flush();
        for cells in self.rows.values_mut() {
            // Readers emit cells in order: skip the work then.
            if cells.windows(2).all(|w| matches!(w, [a, b] if a.0 < b.0)) {
                continue;
            }
            // Stable sort keeps push order among equal columns, so dedup keeps the last.
            cells.sort_by_key(|(col, _)| *col);
            let mut deduped: Vec<(u32, Value)> = Vec::with_capacity(cells.len());
            for cell in cells.drain(..) {
                match deduped.last_mut() {
                    Some(last) if last.0 == cell.0 => *last = cell,
                    _ => deduped.push(cell),
                }
            }
            *cells = deduped;
        }
    }

    /// Leaves out the cells of hidden rows and columns: they are not part of the quote as printed.
    pub(crate) fn drop_hidden(&mut self, hidden: &Hidden) {
        // merged drops ranges that run backwards, on which BTreeMap::range would panic.
        for (first, last) in merged(&hidden.rows) {
            let rows: Vec<u32> = self.rows.range(first..=last).map(|(r, _)| *r).collect();
            for row in rows {
                self.rows.remove(&row);
                self.left_out.rows.insert(row);
            }
        }
        if hidden.cols.is_empty() {
            return;
        }
        let cols = merged(&hidden.cols);
        let left_out = &mut self.left_out.cols;
        for cells in self.rows.values_mut() {
            cells.retain(|(c, _)| {
                let keep = !Hidden::hides_col(&cols, *c);
                if !keep {
                    left_out.insert(*c);
                }
                keep
            });
        }
        self.rows.retain(|_, cells| !cells.is_empty());
    }

    /// Number of cells pushed.
    pub(crate) fn cell_count(&self) -> u64 {
        self.cells
    }

    /// Rows in order, with their cells.
    pub(crate) fn rows(&self) -> impl Iterator<Item = (u32, &[(u32, Value)])> {
        self.rows.iter().map(|(r, cells)| (*r, cells.as_slice()))
    }

    /// Rows from `first` on, in order.
    pub(crate) fn rows_from(&self, first: u32) -> impl Iterator<Item = (u32, &[(u32, Value)])> {
        self.rows.range(first..).map(|(r, cells)| (*r, cells.as_slice()))
    }

    /// The cells of one row (empty if the row is empty).
    pub(crate) fn row(&self, row: u32) -> &[(u32, Value)] {
        self.rows.get(&row).map_or(&[], Vec::as_slice)
    }

    /// The value of one cell.
    pub(crate) fn get(&self, row: u32, col: u32) -> Option<&Value> {
        get_in_row(self.row(row), col)
    }

    /// Rows × columns of the smallest rectangle holding every cell (Excel's used range).
    pub(crate) fn used_area(&self) -> u64 {
        let (Some(first), Some(last)) = (self.rows.keys().next(), self.rows.keys().next_back()) else {
            return 0;
        };
        let mut min_col = u32::MAX;
        let mut max_col = 0;
        for cells in self.rows.values() {
            if let (Some(a), Some(b)) = (cells.first(), cells.last()) {
                min_col = min_col.min(a.0).min(b.0);
                max_col = max_col.max(a.0).max(b.0);
            }
        }
        if min_col > max_col {
            return 0;
        }
        let height = u64::from(last - first) + 1;
        let width = u64::from(max_col - min_col) + 1;
        height.saturating_mul(width)
    }
}

/// The value at `col` in a row's sorted cells.
pub(crate) fn get_in_row(cells: &[(u32, Value)], col: u32) -> Option<&Value> {
    cells.binary_search_by_key(&col, |(c, _)| *c).ok().and_then(|i| cells.get(i)).map(|(_, v)| v)
}

/// Column letters of a 0-based column: 0 → `A`, 25 → `Z`, 26 → `AA`.
pub(crate) fn column_name(col: u32) -> String {
    let mut n = u64::from(col) + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// 1-based row number of a 0-based row index, as people and messages count rows.
pub(crate) fn row_number(row: u32) -> u32 {
    row.saturating_add(1)
}

/// A cell reference like `F11` (0-based row and column in).
pub(crate) fn cell_name(row: u32, col: u32) -> String {
    format!("{}{}", column_name(col), row_number(row))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_rows_and_columns_are_left_out_and_remembered_whatever_their_ranges() {
        let mut s = Sheet::new("s");
        for r in 0..6 {
            for c in 0..4 {
                s.push(r, c, Value::Number(f64::from(r * 10 + c)));
            }
        }
        s.finish();
        let hidden = Hidden { rows: vec![(4, 2), (1, 1), (2, 3), (3, 3)], cols: vec![(2, 2), (9, 1_000_000), (2, 2)] };
        s.drop_hidden(&hidden);
        assert_eq!(s.rows().map(|(r, _)| r).collect::<Vec<_>>(), [0, 4, 5], "rows 1–3 hidden; 4..=2 runs backwards");
        assert_eq!(s.row(0).iter().map(|(c, _)| *c).collect::<Vec<_>>(), [0, 1, 3]);
        assert_eq!(s.left_out.rows.iter().copied().collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(s.left_out.cols.iter().copied().collect::<Vec<_>>(), [2]);
        assert_eq!(merged(&[(5, 9), (1, 2), (3, 4), (20, 20)]), [(1, 9), (20, 20)]);
    }

    #[test]
    fn columns_are_named_as_excel_names_them() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(5), "F");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(16_383), "XFD");
        assert_eq!(column_name(u32::MAX), "MWLQKWV");
        assert_eq!(cell_name(10, 5), "F11");
    }

    #[test]
    fn the_used_area_is_the_rectangle_around_all_cells() {
        let mut s = Sheet::new("x");
        assert_eq!(s.used_area(), 0);
        s.push(2, 1, Value::Bool(true));
        s.push(4, 3, Value::Bool(true));
        s.finish();
        assert_eq!(s.used_area(), 9);
        s.push(u32::MAX, u32::MAX, Value::Bool(true));
        s.push(0, 0, Value::Bool(true));
        s.finish();
        assert_eq!(s.used_area(), u64::MAX, "saturates");
    }

    #[test]
    fn formula_errors_stored_as_text_are_error_cells() {
        assert_eq!(Value::from_text("#DIV/0!"), Value::Error("#DIV/0!".into()));
        assert_eq!(Value::from_text(" Err:502 "), Value::Error("Err:502".into()));
        assert_eq!(Value::from_text("Err:"), Value::Text("Err:".into()));
        assert_eq!(Value::from_text("#1"), Value::Text("#1".into()));
    }

    #[test]
    fn of_two_values_for_one_cell_the_last_wins() {
        let mut s = Sheet::new("x");
        s.push(0, 1, Value::Text("a".into()));
        s.push(0, 0, Value::Text("b".into()));
        s.push(0, 1, Value::Text("c".into()));
        s.finish();
        assert_eq!(s.get(0, 1), Some(&Value::Text("c".into())));
        assert_eq!(s.row(0).len(), 2);
    }
}
