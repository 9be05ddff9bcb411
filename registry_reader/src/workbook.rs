//! Workbooks (.xlsx, .xls), and the text of CSV files, through quote_reader's guarded loader (the same checks an uploaded
//! quote passes: container and .xls structure checked first, reads metered and stoppable,
//! calamine's panics caught): every visible sheet that holds a list.

use crate::archive::check_sizes;
use crate::grid::Grid;
use crate::{ReadList, RegistryError, Unpacked, bureau_list};

/// Cells of one upload's workbooks: 東京都's 医科 list, the largest, is about 13,000 facilities
/// of up to 14 rows of 10 columns; five million leaves room for a bureau's workbook of several
/// prefectures (東北) and still bounds what a crafted file can lay out.
const MOST_CELLS: u64 = 5_000_000;
/// Text the cells may hold once laid out.
const MOST_TEXT_BYTES: u64 = 512 << 20;

/// Reads each visible worksheet; a workbook without any list is refused.
pub(crate) fn read(
    file: &str,
    bytes: &[u8],
    xlsx: bool,
    budget: &Unpacked,
    stop: &quote_reader::Stop,
) -> Result<ReadList, RegistryError> {
    let before = budget.left.get();
    if xlsx {
        check_sizes(file, bytes, budget)?;
    }
    // An .xlsx may inflate to what its parts declare (just taken from the budget); an .xls is
    // not compressed, and its streams are read from what is left.
    let inflating = if xlsx { before - budget.left.get() } else { budget.left.get() };
    let mut read = ReadList::default();
    let mut why_not = None;
    for grid in &sheets(file, bytes, inflating, stop)? {
        match bureau_list::read(file, grid) {
            Ok(list) => read.extend(list),
            Err(reason) => why_not = why_not.or(Some(reason)),
        }
    }
    if read.lists.is_empty() {
        return Err(RegistryError::NotARegistry {
            file: file.to_owned(),
            what: why_not.unwrap_or_else(|| "シートがありません".to_owned()),
        });
    }
    Ok(read)
}

/// The sheets of a workbook, or a CSV as one sheet, through quote_reader's guarded loader.
pub(crate) fn sheets(
    file: &str,
    bytes: &[u8],
    inflating: u64,
    stop: &quote_reader::Stop,
) -> Result<Vec<Grid>, RegistryError> {
    let limits = quote_reader::Limits {
        max_bytes: bytes.len() as u64,
        max_cells: MOST_CELLS,
        max_uncompressed_bytes: inflating.max(1 << 20),
        max_text_bytes: MOST_TEXT_BYTES,
        ..quote_reader::Limits::default()
    };
    let sheets =
        quote_reader::workbook_text(file, bytes, &limits, stop).map_err(|e| RegistryError::from_read(file, e))?;
    Ok(sheets.iter().map(Grid::from_sheet).collect())
}
