//! Rows and columns an .xls hides: a ROW record with fDyZero (grbit 0x0020) and a COLINFO record
//! with fHidden (grbit 0x0001), in the substream each BOUNDSHEET record points at.

use super::xls::records;
use crate::cfb::{u16_at, u32_at};
use crate::grid::Hidden;
use std::collections::HashMap;

const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const BOUNDSHEET: u16 = 0x0085;
const ROW: u16 = 0x0208;
const COLINFO: u16 = 0x007D;

/// A sheet's name as BIFF8 writes it (ShortXLUnicodeString): a count, a flag for UTF-16, the characters.
fn sheet_name(data: &[u8]) -> Option<String> {
    let count = usize::from(*data.get(6)?);
    let wide = data.get(7)? & 1 == 1;
    let chars = data.get(8..)?;
    if wide {
        let units: Vec<u16> = chars.chunks_exact(2).take(count).map(|b| u16::from_le_bytes([b[0], b[1]])).collect();
        Some(String::from_utf16_lossy(&units))
    } else {
        Some(chars.iter().take(count).map(|&b| char::from(b)).collect())
    }
}

/// The hidden rows and columns of one sheet's substream (charts inside it skipped).
fn sheet_hidden(sheet: &[u8]) -> Hidden {
    let mut hidden = Hidden::default();
    let (mut seen_bof, mut nested) = (false, 0usize);
    for (kind, data) in records(sheet) {
        match kind {
            BOF if seen_bof => nested += 1,
            BOF => seen_bof = true,
            EOF if nested > 0 => nested -= 1,
            EOF => break,
            _ if nested > 0 => {}
            ROW => {
                if let (Some(row), Some(flags)) = (u16_at(data, 0), u16_at(data, 12))
                    && flags & 0x0020 != 0
                {
                    hidden.rows.push((u32::from(row), u32::from(row)));
                }
            }
            COLINFO => {
                if let (Some(first), Some(last), Some(flags)) = (u16_at(data, 0), u16_at(data, 2), u16_at(data, 8))
                    && flags & 0x0001 != 0
                {
                    hidden.cols.push((u32::from(first), u32::from(last.max(first))));
                }
            }
            _ => {}
        }
    }
    hidden
}

/// The hidden rows and columns of every sheet of a workbook stream, by sheet name.
pub(crate) fn biff_hidden(stream: &[u8]) -> HashMap<String, Hidden> {
    let mut sheets = Vec::new();
    for (kind, data) in records(stream) {
        match kind {
            BOUNDSHEET => {
                if let (Some(at), Some(name)) =
                    (u32_at(data, 0).and_then(|a| usize::try_from(a).ok()), sheet_name(data))
                {
                    sheets.push((name, at));
                }
            }
            EOF => break,
            _ => {}
        }
    }
    sheets
        .into_iter()
        .filter_map(|(name, at)| {
            let hidden = sheet_hidden(stream.get(at..)?);
            (!hidden.is_empty()).then_some((name, hidden))
        })
        .collect()
}
