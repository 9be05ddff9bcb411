//! A sheet as rows of cell text: what both a workbook's worksheet and a CSV become.

/// One sheet: its name ("" for a CSV) and its rows of trimmed cell text.
#[derive(Debug, Clone, Default)]
pub(crate) struct Grid {
    pub(crate) name: String,
    pub(crate) rows: Vec<Vec<String>>,
    /// The 1-based row number people see for `rows[0]` (a worksheet's used range may start
    /// below row 1).
    pub(crate) first_row: u32,
}

impl Grid {
    /// The cell at (row, column), or "".
    pub(crate) fn cell(&self, row: usize, col: usize) -> &str {
        self.rows.get(row).and_then(|r| r.get(col)).map_or("", String::as_str)
    }

    /// The 1-based row number of `rows[row]`.
    pub(crate) fn row_number(&self, row: usize) -> u32 {
        self.first_row.saturating_add(u32::try_from(row).unwrap_or(u32::MAX))
    }

    /// A worksheet as quote_reader's loader gives it (sparse rows of text).
    pub(crate) fn from_sheet(sheet: &quote_reader::SheetText) -> Grid {
        let mut rows: Vec<Vec<String>> = Vec::new();
        for (row, cells) in &sheet.rows {
            let row = *row as usize;
            if rows.len() <= row {
                rows.resize(row + 1, Vec::new());
            }
            let width = cells.iter().map(|(c, _)| *c as usize + 1).max().unwrap_or(0);
            let mut line = vec![String::new(); width];
            for (col, text) in cells {
                line[*col as usize] = text.clone();
            }
            rows[row] = line;
        }
        Grid { name: sheet.name.clone(), rows, first_row: 1 }
    }
}
