//! ZIP containers (.xlsx, .xlsm, .ods): every entry checked before anything is inflated, then inflated once, within the budget, into a stored copy the parsers read back through the budget — with the parts whose declared numbers calamine trusts made harmless on the way.
//!
//! zip ≥ 9.4 stops inflating an entry at its declared size, so the declared
//! sizes bound what inflating can produce; this adds that the whole container
//! inflates once, counted ([`crate::budget`]), and that calamine then reads
//! plain stored bytes, each of them counted too, however often its structure
//! makes it read a part.

mod sanitise;

use crate::budget::{Budget, Metered};
use crate::error::corrupted;
use crate::error::{ReadError, ReadErrorKind};
use crate::{Limits, load};
use std::collections::HashSet;
use std::io::{Cursor, Read, Write};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

/// An entry smaller than this is not checked for its compression ratio:
/// whatever it expands to is harmless.
const RATIO_FLOOR: u64 = 1024 * 1024;

/// What a ZIP container holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ZipKind {
    Xlsx,
    Ods,
}

/// A container inflated into a stored copy.
pub(crate) struct Unpacked {
    pub(crate) kind: ZipKind,
    /// A ZIP file of the same entries, stored uncompressed.
    pub(crate) bytes: Vec<u8>,
}

/// Checks every entry's declared size and ratio before anything is inflated,
/// then decides what the container is. Returns the declared total.
fn inspect(file: &str, archive: &mut ZipArchive<Cursor<&[u8]>>, limits: &Limits) -> Result<(ZipKind, u64), ReadError> {
    let mut total: u64 = 0;
    let mut names = Vec::with_capacity(archive.len());
    // calamine finds parts by name without case and with `\` read as `/` (utils.rs,
    // build_zip_path_cache): two entries that meet there are one part twice.
    let mut seen = HashSet::with_capacity(archive.len());
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|e| corrupted(file, e))?;
        let name = entry.name().map_err(|e| corrupted(file, e))?.into_owned();
        if entry.encrypted() {
            return Err(ReadError::file(file, ReadErrorKind::Encrypted));
        }
        if !seen.insert(name.replace('\\', "/").to_ascii_lowercase()) {
            return Err(corrupted(file, format!("two entries named {name}")));
        }
        let (size, compressed) = (entry.size(), entry.compressed_size());
        if size > RATIO_FLOOR && size / compressed.max(1) > limits.max_compression_ratio {
            return Err(ReadError::file(file, ReadErrorKind::ZipBomb { entry: name, uncompressed: size, compressed }));
        }
        total = total.saturating_add(size);
        if total > limits.max_uncompressed_bytes {
            return Err(ReadError::file(
                file,
                ReadErrorKind::TooMuchData { bytes: total, limit: limits.max_uncompressed_bytes },
            ));
        }
        names.push(name);
    }
    if names.iter().any(|n| n == "mimetype") {
        let mut mimetype = String::new();
        archive
            .by_name("mimetype")
            .map_err(|e| corrupted(file, e))?
            .take(256)
            .read_to_string(&mut mimetype)
            .map_err(|e| corrupted(file, e))?;
        if mimetype.trim().starts_with("application/vnd.oasis.opendocument.spreadsheet") {
            return Ok((ZipKind::Ods, total));
        }
        return Err(load::not_a_spreadsheet(file));
    }
    if names.iter().any(|n| n.starts_with("xl/") && n.ends_with(".bin") && n.contains("workbook")) {
        return Err(ReadError::file(
            file,
            ReadErrorKind::Unsupported { format: crate::error::UnsupportedFormat::Xlsb },
        ));
    }
    if names.iter().any(|n| n.starts_with("xl/") && n.ends_with("workbook.xml")) {
        return Ok((ZipKind::Xlsx, total));
    }
    Err(load::not_a_spreadsheet(file))
}

/// Inflates the container into a stored copy, within the budget.
pub(crate) fn unpack(file: &str, bytes: &[u8], limits: &Limits, budget: &Budget<'_>) -> Result<Unpacked, ReadError> {
    let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(|e| corrupted(file, e))?;
    let (kind, declared) = inspect(file, &mut archive, limits)?;
    let write_error = |e: zip::result::ZipError| corrupted(file, e);
    // Stored entries take their size plus about 100 bytes of headers each.
    let headers = u64::try_from(archive.len()).unwrap_or(u64::MAX).saturating_mul(128);
    let capacity = usize::try_from(declared.saturating_add(headers)).unwrap_or(usize::MAX);
    let mut out = ZipWriter::new(Cursor::new(Vec::with_capacity(capacity)));
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    for i in 0..archive.len() {
        let entry = archive.by_index(i).map_err(|e| corrupted(file, e))?;
        if entry.is_dir() {
            continue;
        }
        let name = entry.name().map_err(|e| corrupted(file, e))?.into_owned();
        // The declared size is checked above and zip stops at it: a safe reservation.
        let mut part = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0));
        Metered::inflating(entry, budget)
            .read_to_end(&mut part)
            .map_err(|e| budget.explain(file, corrupted(file, e)))?;
        if kind == ZipKind::Xlsx {
            part = sanitise::part(file, &name, part, budget)?;
        }
        out.start_file(name, stored).map_err(write_error)?;
        out.write_all(&part).map_err(|e| corrupted(file, e))?;
    }
    let bytes = out.finish().map_err(write_error)?.into_inner();
    Ok(Unpacked { kind, bytes })
}
