//! Workbooks (.xlsx, .xls) through calamine: every visible sheet that holds a list.

use crate::archive::check_sizes;
use crate::grid::Grid;
use crate::{ReadList, RegistryError, Unpacked, bureau_list};
use calamine::{Reader, SheetVisible, Xls, Xlsx};
use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Reads each visible worksheet; a workbook without any list is refused.
pub(crate) fn read(file: &str, bytes: &[u8], xlsx: bool, budget: &Unpacked) -> Result<ReadList, RegistryError> {
    if xlsx {
        check_sizes(file, bytes, budget)?;
    }
    let broken = |detail: String| RegistryError::Broken { file: file.to_owned(), detail };
    // calamine has panicked on malformed files before; a bad file must fail alone.
    let grids = catch_unwind(AssertUnwindSafe(|| grids(bytes, xlsx)))
        .map_err(|_| broken("読み取り中に異常が起きました".to_owned()))?
        .map_err(broken)?;
    let mut read = ReadList::default();
    let mut why_not = None;
    for grid in &grids {
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

fn grids(bytes: &[u8], xlsx: bool) -> Result<Vec<Grid>, String> {
    fn visible<R: Reader<Cursor<Vec<u8>>>>(workbook: &mut R) -> Result<Vec<Grid>, String>
    where
        R::Error: std::fmt::Display,
    {
        let names: Vec<String> = workbook
            .sheets_metadata()
            .iter()
            .filter(|s| s.visible == SheetVisible::Visible && s.typ == calamine::SheetType::WorkSheet)
            .map(|s| s.name.clone())
            .collect();
        let mut grids = Vec::with_capacity(names.len());
        for name in names {
            let range = workbook.worksheet_range(&name).map_err(|e| e.to_string())?;
            grids.push(Grid::from_range(&name, &range));
        }
        Ok(grids)
    }
    let cursor = Cursor::new(bytes.to_vec());
    if xlsx {
        let mut workbook: Xlsx<_> = Xlsx::new(cursor).map_err(|e| e.to_string())?;
        visible(&mut workbook)
    } else {
        let mut workbook: Xls<_> = Xls::new(cursor).map_err(|e| e.to_string())?;
        visible(&mut workbook)
    }
}
