//! Zips: a workbook is one (checked before calamine expands it), and a bureau's lists come
//! as a zip of workbooks whose names Windows wrote in CP932.

use crate::text::entry_name;
use crate::{Limits, ReadList, RegistryError};
use std::io::{Cursor, Read};
use zip::ZipArchive;

/// Whether a zip is an Office Open XML workbook (it has `xl/workbook.xml`).
pub(crate) fn is_workbook(bytes: &[u8]) -> bool {
    ZipArchive::new(Cursor::new(bytes)).is_ok_and(|z| z.index_for_name("xl/workbook.xml").is_some())
}

/// Refuses a zip whose entries together declare more than the limit: zip ≥ 9.4 never inflates
/// an entry past its declared size, so this bounds what any reader of it can unpack.
pub(crate) fn check_sizes(file: &str, bytes: &[u8], limits: &Limits) -> Result<(), RegistryError> {
    let broken = |e: zip::result::ZipError| RegistryError::Broken { file: file.to_owned(), detail: e.to_string() };
    let mut zip = ZipArchive::new(Cursor::new(bytes)).map_err(broken)?;
    if zip.len() > limits.max_entries.saturating_mul(64) {
        return Err(RegistryError::TooLarge {
            file: file.to_owned(),
            size: zip.len() as u64,
            limit: limits.max_entries as u64,
        });
    }
    let mut total = 0u64;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(broken)?;
        total = total.saturating_add(entry.size());
    }
    if total > limits.max_unpacked {
        return Err(RegistryError::TooLarge { file: file.to_owned(), size: total, limit: limits.max_unpacked });
    }
    Ok(())
}

/// Reads every workbook and CSV in a zip (folders and other files are passed over; a zip
/// inside is not opened). A path that leaves the archive refuses the whole zip.
pub(crate) fn read(file: &str, bytes: &[u8], limits: &Limits) -> Result<ReadList, RegistryError> {
    check_sizes(file, bytes, limits)?;
    let broken = |e: zip::result::ZipError| RegistryError::Broken { file: file.to_owned(), detail: e.to_string() };
    let mut zip = ZipArchive::new(Cursor::new(bytes)).map_err(broken)?;
    if zip.len() > limits.max_entries {
        return Err(RegistryError::TooLarge {
            file: file.to_owned(),
            size: zip.len() as u64,
            limit: limits.max_entries as u64,
        });
    }
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
        let wanted = [".xlsx", ".xlsm", ".xls", ".csv", ".txt"].iter().any(|ext| lower.ends_with(ext));
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
        if inner.starts_with(b"PK\x03\x04") && !is_workbook(&inner) {
            continue;
        }
        lists_found += 1;
        read.extend(crate::read_file(&inner_name, &inner, limits)?);
    }
    if lists_found == 0 {
        return Err(RegistryError::NotARegistry {
            file: file.to_owned(),
            what: "zip の中に Excel ファイル（.xlsx / .xls）も CSV もありません".to_owned(),
        });
    }
    Ok(read)
}
