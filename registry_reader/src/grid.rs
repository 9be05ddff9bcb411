//! A sheet as rows of cell text: what both a workbook's worksheet and a CSV become.

use calamine::{Data, Range};

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

    /// A worksheet read by calamine.
    pub(crate) fn from_range(name: &str, range: &Range<Data>) -> Grid {
        let first_row = range.start().map_or(1, |(r, _)| r.saturating_add(1));
        let first_col = range.start().map_or(0, |(_, c)| c as usize);
        let rows = range
            .rows()
            .map(|row| {
                let mut cells = vec![String::new(); first_col];
                cells.extend(row.iter().map(cell_text));
                while cells.last().is_some_and(String::is_empty) {
                    cells.pop();
                }
                cells
            })
            .collect();
        Grid { name: name.to_owned(), rows, first_row }
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

/// A cell as text: whole numbers without a decimal point (a code or a postal code typed as
/// a number), text trimmed.
fn cell_text(data: &Data) -> String {
    match data {
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_owned(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => d.as_datetime().map(|t| t.date().to_string()).unwrap_or_default(),
        Data::Error(_) | Data::Empty => String::new(),
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
