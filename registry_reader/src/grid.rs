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

    /// CSV (or tab-separated) text, RFC 4180 quoting; a record's row number is the line it
    /// starts on.
    pub(crate) fn from_csv(text: &str) -> Grid {
        let delimiter = {
            let head: Vec<&str> = text.lines().take(20).collect();
            let count = |c: char| head.iter().map(|l| l.matches(c).count()).sum::<usize>();
            if count('\t') > count(',') { '\t' } else { ',' }
        };
        let mut rows: Vec<Vec<String>> = Vec::new();
        let mut record: Vec<String> = Vec::new();
        let mut field = String::new();
        let mut in_quotes = false;
        let mut line = 0usize;
        let mut record_line = 0usize;
        let mut chars = text.chars().peekable();
        let end_record = |rows: &mut Vec<Vec<String>>, record: &mut Vec<String>, at: usize| {
            while rows.len() < at {
                rows.push(Vec::new());
            }
            while record.last().is_some_and(String::is_empty) {
                record.pop();
            }
            rows.push(std::mem::take(record));
        };
        while let Some(c) = chars.next() {
            if in_quotes {
                match c {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    '"' => in_quotes = false,
                    '\n' => {
                        line += 1;
                        field.push('\n');
                    }
                    '\r' => {}
                    _ => field.push(c),
                }
                continue;
            }
            match c {
                '"' if field.trim().is_empty() => {
                    field.clear();
                    in_quotes = true;
                }
                c if c == delimiter => record.push(std::mem::take(&mut field).trim().to_owned()),
                '\r' => {}
                '\n' => {
                    record.push(std::mem::take(&mut field).trim().to_owned());
                    end_record(&mut rows, &mut record, record_line);
                    line += 1;
                    record_line = line;
                }
                _ => field.push(c),
            }
        }
        if !field.is_empty() || !record.is_empty() {
            record.push(field.trim().to_owned());
            end_record(&mut rows, &mut record, record_line);
        }
        Grid { name: String::new(), rows, first_row: 1 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_keep_quotes_commas_and_line_numbers() {
        let grid = Grid::from_csv("a,b\n\"x,1\",\"two\nlines\"\n\nz,\"q\"\"\"\n");
        assert_eq!(grid.rows[0], vec!["a", "b"]);
        assert_eq!(grid.rows[1], vec!["x,1", "two\nlines"]);
        assert_eq!(grid.row_number(4), 5);
        assert_eq!(grid.rows[4], vec!["z", "q\""]);
        let tabs = Grid::from_csv("a\tb\r\n1\t2");
        assert_eq!(tabs.rows[1], vec!["1", "2"]);
    }
}
