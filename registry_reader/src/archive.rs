//! Zips: a workbook is one (checked before calamine expands it), and a bureau's lists come
//! as a zip of workbooks whose names Windows wrote in CP932.

use crate::text::entry_name;
use crate::{Limits, ReadList, RegistryError, Unpacked};
use std::io::{Cursor, Read};
use zip::ZipArchive;

/// Whether a zip is an Office Open XML workbook (it has `xl/workbook.xml`).
pub(crate) fn is_workbook(bytes: &[u8]) -> bool {
    ZipArchive::new(Cursor::new(bytes)).is_ok_and(|z| z.index_for_name("xl/workbook.xml").is_some())
}

/// Refuses a zip whose entries together declare more than what is left to unpack: zip ≥ 9.4
/// never inflates an entry past its declared size, so this bounds what any reader of it can
/// unpack, nested zips and workbooks in a zip included.
pub(crate) fn check_sizes(file: &str, bytes: &[u8], budget: &Unpacked) -> Result<(), RegistryError> {
    let broken = |e: zip::result::ZipError| RegistryError::Broken { file: file.to_owned(), detail: e.to_string() };
    let mut zip = ZipArchive::new(Cursor::new(bytes)).map_err(broken)?;
    let mut total = 0u64;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(broken)?;
        total = total.saturating_add(entry.size());
    }
    budget.take(file, total)
}

/// Zips inside a zip opened (九州 publishes a zip per prefecture; someone may zip those).
const MOST_NESTING: u8 = 1;

/// Reads every workbook and CSV in a zip, and the zips in it one level deep (folders and other
/// files are passed over). A path that leaves the archive refuses the whole zip; a file inside
/// that is no list (a bureau's notes, a broken workbook) is one refused line, and the others
/// are read.
pub(crate) fn read(file: &str, bytes: &[u8], limits: &Limits, budget: &Unpacked) -> Result<ReadList, RegistryError> {
    let broken = |e: zip::result::ZipError| RegistryError::Broken { file: file.to_owned(), detail: e.to_string() };
    let mut zip = ZipArchive::new(Cursor::new(bytes)).map_err(broken)?;
    if zip.len() > limits.max_entries {
        return Err(RegistryError::TooLarge {
            file: file.to_owned(),
            size: zip.len() as u64,
            limit: limits.max_entries as u64,
        });
    }
    check_sizes(file, bytes, budget)?;
    // Every name is checked before anything is read: a zip with one unsafe path is refused whole.
    let mut names = Vec::with_capacity(zip.len());
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(broken)?;
        let name = entry_name(entry.name_raw());
        let unsafe_path = name.starts_with('/')
            || name.starts_with('\\')
            || name.contains(':')
            || name.split(['/', '\\']).any(|part| part == "..");
        if unsafe_path {
            return Err(RegistryError::UnsafePath { file: file.to_owned(), entry: name });
        }
        names.push((name, entry.is_dir()));
    }
    let mut read = ReadList::default();
    let mut lists_found = 0usize;
    for (i, (name, is_dir)) in names.into_iter().enumerate() {
        let base = name.rsplit(['/', '\\']).next().unwrap_or(&name).to_owned();
        let lower = base.to_lowercase();
        let wanted = [".xlsx", ".xlsm", ".xls", ".csv", ".txt", ".zip"].iter().any(|ext| lower.ends_with(ext));
        if is_dir || !wanted || base.starts_with("~$") || name.starts_with("__MACOSX") {
            continue;
        }
        let mut entry = zip.by_index(i).map_err(broken)?;
        let mut inner = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0).min(64 << 20));
        entry
            .by_ref()
            .take(limits.max_bytes.saturating_add(1))
            .read_to_end(&mut inner)
            .map_err(|e| RegistryError::Broken { file: format!("{file}/{name}"), detail: e.to_string() })?;
        drop(entry);
        let inner_name = format!("{file}/{name}");
        let nested = Unpacked {
            left: std::cell::Cell::new(budget.left.get()),
            nesting: budget.nesting + 1,
            stop: budget.stop.clone(),
        };
        if inner.starts_with(b"PK\x03\x04") && !is_workbook(&inner) && budget.nesting >= MOST_NESTING {
            continue;
        }
        let list = crate::read_within(&inner_name, &inner, limits, &nested);
        // What the inner file unpacked comes off this zip's budget too.
        budget.left.set(nested.left.get());
        match list {
            Ok(list) => {
                lists_found += 1;
                read.extend(list);
            }
            Err(e) => read.refused.push(crate::Refused {
                file: inner_name,
                sheet: String::new(),
                row: 0,
                code: String::new(),
                reason: e.to_string(),
            }),
        }
    }
    if lists_found == 0 {
        let why = read.refused.first().map_or_else(
            || "zip の中に Excel ファイル（.xlsx / .xls）も CSV もありません".to_owned(),
            |r| format!("zip の中のファイルはどれも読めませんでした（{}）", r.reason),
        );
        return Err(RegistryError::NotARegistry { file: file.to_owned(), what: why });
    }
    Ok(read)
}
