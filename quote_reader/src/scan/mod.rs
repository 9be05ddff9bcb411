//! Pre-scans that count the cells calamine would lay out for an .ods or .xls, before it allocates them.
//!
//! calamine builds a dense `Range` per sheet: rows × columns of the used
//! range. A few bytes can claim a huge one (an .ods cell repeated 16,384
//! times on 1,048,576 rows; an .xls cell at row 65,535, column 65,535), and
//! the allocation would abort the process — not a panic we could catch. So we
//! walk the same records first, cheaply, and refuse before calamine runs.
//! For .xls that includes the DIMENSIONS record, whose declared range
//! calamine reserves up front. Both scans also count the text calamine would
//! copy into the cells (a repeated cell's text, a shared string per cell) against
//! the read's budget.

use crate::Limits;
pub(super) use crate::error::corrupted;
use crate::error::{ReadError, ReadErrorKind};

mod ods;
mod ods_hidden;
mod sst;
mod xls;
mod xls_hidden;
mod xlsx_hidden;

pub(crate) use ods::ods_cells;
pub(crate) use ods_hidden::ods_hidden;
pub(crate) use xls::biff_cells;
pub(crate) use xls_hidden::biff_hidden;
pub(crate) use xlsx_hidden::xlsx_hidden;

pub(super) fn too_many(file: &str, cells: u64, limits: &Limits) -> ReadError {
    ReadError::file(file, ReadErrorKind::TooManyCells { cells, limit: limits.max_cells })
}

/// The bounding box of the cells of one sheet.
#[derive(Default)]
pub(super) struct Bounds {
    rows: Option<(u64, u64)>,
    cols: Option<(u64, u64)>,
}

impl Bounds {
    pub(super) fn add_rows(&mut self, first: u64, last: u64) {
        self.rows = Some(self.rows.map_or((first, last), |(a, b)| (a.min(first), b.max(last))));
    }

    pub(super) fn add_cols(&mut self, first: u64, last: u64) {
        self.cols = Some(self.cols.map_or((first, last), |(a, b)| (a.min(first), b.max(last))));
    }

    pub(super) fn add_cell(&mut self, (row, col): (u64, u64)) {
        self.add_rows(row, row);
        self.add_cols(col, col);
    }

    pub(super) fn area(&self) -> u64 {
        match (self.rows, self.cols) {
            (Some((r0, r1)), Some((c0, c1))) => {
                (r1.saturating_sub(r0).saturating_add(1)).saturating_mul(c1.saturating_sub(c0).saturating_add(1))
            }
            _ => 0,
        }
    }
}
