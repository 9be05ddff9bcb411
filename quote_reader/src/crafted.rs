//! Hostile files for tests: real quotes with one declared number or one copied text made to lie, and an honest workbook that inflates far.
//!
//! Each builder names what it aims at in calamine 0.38. The builders panic on a
//! base file without the part they change, so that a test never runs on an
//! unchanged file by mistake.

use crate::cfb::wrap;
use std::io::{Cursor, Read, Write};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

/// Rewrites every part of a ZIP container through `edit(name, content)`, deflated again
/// (an .ods's `mimetype` stays first and stored).
pub fn rewrite_zip(base: &[u8], mut edit: impl FnMut(&str, Vec<u8>) -> Vec<u8>) -> Vec<u8> {
    let mut archive = ZipArchive::new(Cursor::new(base)).expect("a ZIP container");
    let mut out = ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).expect("an entry");
        let name = entry.name().expect("a name").into_owned();
        if entry.is_dir() {
            out.add_directory(name, SimpleFileOptions::default()).expect("a directory");
            continue;
        }
        let mut content = Vec::new();
        entry.read_to_end(&mut content).expect("inflates");
        let method = if name == "mimetype" { CompressionMethod::Stored } else { CompressionMethod::Deflated };
        let content = edit(&name, content);
        out.start_file(name, SimpleFileOptions::default().compression_method(method)).expect("an entry");
        out.write_all(&content).expect("written");
    }
    out.finish().expect("a ZIP container").into_inner()
}

/// `text` with the first `from` replaced by `to`; panics without one.
fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "the base part has no {from:?}");
    text.replacen(from, to, 1)
}

/// The value of the first `attr="…"` in `text` replaced by `value`; panics without one.
fn set_attribute(text: &str, attr: &str, value: &str) -> String {
    let key = format!("{attr}=\"");
    let start = text.find(&key).unwrap_or_else(|| panic!("the base part has no {attr}")) + key.len();
    let end = start + text[start..].find('"').expect("a closing quote");
    format!("{}{value}{}", &text[..start], &text[end..])
}

fn edit_parts(base: &[u8], suffix: &str, edit: impl Fn(&str) -> String) -> Vec<u8> {
    let mut edited = 0;
    let out = rewrite_zip(base, |name, content| {
        if !name.ends_with(suffix) {
            return content;
        }
        edited += 1;
        edit(std::str::from_utf8(&content).expect("an XML part")).into_bytes()
    });
    assert!(edited > 0, "the base has no part ending in {suffix}");
    out
}

/// An .xlsx whose sharedStrings.xml declares `uniqueCount="{count}"`: calamine reserves room
/// for that many strings before reading one (`uniqueCount="10000000000000"`: 240 TB).
pub fn xlsx_shared_string_count(base: &[u8], count: &str) -> Vec<u8> {
    edit_parts(base, "sharedStrings.xml", |xml| set_attribute(xml, "uniqueCount", count))
}

/// An .xlsx whose worksheets declare `<dimension ref="{reference}"/>` (calamine sizes a
/// dense range from it when asked for one).
pub fn xlsx_dimension(base: &[u8], reference: &str) -> Vec<u8> {
    edit_parts(base, ".xml", |xml| {
        if xml.contains("<dimension ") { set_attribute(xml, "ref", reference) } else { xml.to_owned() }
    })
}

/// What [`xlsx_styles_copying`] makes calamine copy into each cell format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Copied {
    /// A font name (the reader drops fonts).
    FontName,
    /// A number format code (the reader keeps formats and counts the copies as text).
    FormatCode,
}

/// Printable bytes that deflate cannot shrink, to keep a part's compression ratio honest.
fn noise(len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(ALPHABET[(state % 64) as usize])
        })
        .collect()
}

/// An .xlsx whose styles.xml holds one font name or format code of `bytes` bytes and
/// `copies` more cell formats using it, under counts of 4 billion: calamine copies the
/// text into every cell format (`copies × bytes`), whatever the counts say.
pub fn xlsx_styles_copying(base: &[u8], copied: Copied, bytes: usize, copies: usize) -> Vec<u8> {
    let long = "0".repeat(bytes);
    edit_parts(base, "styles.xml", |xml| {
        let mut xml = xml.to_owned();
        for tag in ["numFmts", "fonts", "cellXfs"] {
            if xml.contains(&format!("<{tag} count=")) {
                xml = replace_once(&xml, &format!("<{tag} count=\""), &format!("<{tag} count=\"4000000000\" was=\""));
            }
        }
        let xf = match copied {
            Copied::FontName => {
                let fonts_open = xml.find("<fonts").expect("fonts");
                let at = fonts_open + xml[fonts_open..].find('>').expect("fonts tag") + 1;
                xml.insert_str(at, &format!(r#"<font><name val="{long}"/></font>"#));
                r#"<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>"#
            }
            Copied::FormatCode => {
                let sheet_open = xml.find("<styleSheet").expect("styleSheet");
                let at = sheet_open + xml[sheet_open..].find('>').expect("styleSheet tag") + 1;
                xml.insert_str(at, &format!(r#"<numFmts><numFmt numFmtId="300" formatCode="{long}"/></numFmts>"#));
                r#"<xf numFmtId="300" fontId="0" fillId="0" borderId="0"/>"#
            }
        };
        xml = replace_once(&xml, "</cellXfs>", &format!("{}</cellXfs>", xf.repeat(copies)));
        // About 1 byte in 100 that does not compress: a ratio near 100, under the reader's 200.
        let padding = noise(xml.len() / 100);
        replace_once(&xml, "</styleSheet>", &format!("<!-- {padding} --></styleSheet>"))
    })
}

/// An .ods whose content.xml has its first `from` replaced by `to`.
pub fn ods_edit(base: &[u8], from: &str, to: &str) -> Vec<u8> {
    edit_parts(base, "content.xml", |xml| replace_once(xml, from, to))
}

fn record(kind: u16, data: &[u8]) -> Vec<u8> {
    let mut out = kind.to_le_bytes().to_vec();
    out.extend_from_slice(&u16::try_from(data.len()).expect("a record's length").to_le_bytes());
    out.extend_from_slice(data);
    out
}

/// An .xls (BIFF8) with one shared string of `chars` Latin characters, split over CONTINUE
/// records as Excel splits it, used by `cells` LABELSST cells: calamine copies the string
/// into every cell (`cells × chars` bytes). The SST declares 4 billion strings.
pub fn xls_shared_string_in_cells(chars: usize, cells: usize) -> Vec<u8> {
    const BOF: u16 = 0x0809;
    const EOF: u16 = 0x000A;
    const MAX_RECORD: usize = 8224;
    let bof = |kind: u16| {
        let mut data = vec![0x00, 0x06];
        data.extend_from_slice(&kind.to_le_bytes());
        data.resize(16, 0);
        record(BOF, &data)
    };
    // The SST: header, then the string (cch, flags 0 = one byte a character), cut into records.
    let mut sst = u32::MAX.to_le_bytes().to_vec();
    sst.extend_from_slice(&u32::MAX.to_le_bytes());
    sst.extend_from_slice(&u16::try_from(chars).expect("at most 65,535 characters").to_le_bytes());
    sst.push(0);
    let text = "A".repeat(chars).into_bytes();
    let first = (MAX_RECORD - sst.len()).min(text.len());
    sst.extend_from_slice(&text[..first]);
    let mut sst_records = record(0x00FC, &sst);
    for piece in text[first..].chunks(MAX_RECORD - 1) {
        let mut data = vec![0u8];
        data.extend_from_slice(piece);
        sst_records.extend(record(0x003C, &data));
    }
    let boundsheet = |at: u32| {
        let mut data = at.to_le_bytes().to_vec();
        data.extend_from_slice(&[0, 0, 1, 0, b'A']);
        record(0x0085, &data)
    };
    let globals_len = [bof(0x0005), boundsheet(0), sst_records.clone(), record(EOF, &[])].concat().len();
    let at = u32::try_from(globals_len).expect("small globals");
    let mut stream = [bof(0x0005), boundsheet(at), sst_records, record(EOF, &[])].concat();
    stream.extend(bof(0x0010));
    for i in 0..cells {
        let (row, col) = (u16::try_from(i / 200).expect("rows"), u16::try_from(i % 200).expect("columns"));
        let mut data = row.to_le_bytes().to_vec();
        data.extend_from_slice(&col.to_le_bytes());
        data.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        stream.extend(record(0x00FD, &data));
    }
    stream.extend(record(EOF, &[]));
    wrap::workbook_file(&wrap::padded(&stream)).expect("a compound file")
}

/// One piece of a deflate stream, ended by a full flush (byte-aligned, history dropped:
/// the piece inflates alone and may be repeated) or by the final block.
fn deflate_piece(compress: &mut flate2::Compress, input: &[u8], flush: flate2::FlushCompress) -> Vec<u8> {
    let start = compress.total_in();
    let mut out = Vec::with_capacity(input.len() / 4 + 1024);
    loop {
        let consumed = usize::try_from(compress.total_in() - start).expect("consumed");
        if out.capacity() - out.len() < 1024 {
            out.reserve(64 * 1024);
        }
        let status = compress.compress_vec(&input[consumed..], &mut out, flush).expect("deflates");
        let consumed = usize::try_from(compress.total_in() - start).expect("consumed");
        let done = out.capacity() - out.len() >= 1024;
        if consumed == input.len()
            && done
            && (flush != flate2::FlushCompress::Finish || status == flate2::Status::StreamEnd)
        {
            return out;
        }
    }
}

/// One entry of a hand-made ZIP file.
struct Part<'a> {
    name: &'a str,
    method: u16,
    crc: u32,
    data: Vec<u8>,
    size: u64,
}

impl<'a> Part<'a> {
    fn stored(name: &'a str, text: &str) -> Self {
        let mut crc = flate2::Crc::new();
        crc.update(text.as_bytes());
        Part { name, method: 0, crc: crc.sum(), data: text.as_bytes().to_vec(), size: text.len() as u64 }
    }
}

/// A ZIP file of these parts, headers written by hand (the data is already deflated).
fn zip_of(parts: &[Part<'_>]) -> Vec<u8> {
    let u32_of = |n: u64| u32::try_from(n).expect("under 4 GiB").to_le_bytes();
    let mut out = Vec::new();
    let mut central = Vec::new();
    for part in parts {
        let offset = out.len() as u64;
        let header = |signature: u32, central: bool| {
            let mut h = signature.to_le_bytes().to_vec();
            if central {
                h.extend_from_slice(&20u16.to_le_bytes());
            }
            h.extend_from_slice(&20u16.to_le_bytes()); // version needed
            h.extend_from_slice(&0x0800u16.to_le_bytes()); // UTF-8 names
            h.extend_from_slice(&part.method.to_le_bytes());
            h.extend_from_slice(&[0, 0, 0x21, 0]); // 1980-01-01 00:00
            h.extend_from_slice(&part.crc.to_le_bytes());
            h.extend_from_slice(&u32_of(part.data.len() as u64));
            h.extend_from_slice(&u32_of(part.size));
            h.extend_from_slice(&u16::try_from(part.name.len()).expect("a short name").to_le_bytes());
            h.extend_from_slice(&[0, 0]); // extra field
            if central {
                h.extend_from_slice(&[0; 10]); // comment length, disk, internal and external attributes
                h.extend_from_slice(&u32_of(offset));
            }
            h.extend_from_slice(part.name.as_bytes());
            h
        };
        out.extend(header(0x0403_4B50, false));
        out.extend_from_slice(&part.data);
        central.extend(header(0x0201_4B50, true));
    }
    let directory_at = out.len() as u64;
    let count = u16::try_from(parts.len()).expect("few parts").to_le_bytes();
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4B50u32.to_le_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&count);
    out.extend_from_slice(&count);
    out.extend_from_slice(&u32_of(central.len() as u64));
    out.extend_from_slice(&u32_of(directory_at));
    out.extend_from_slice(&[0, 0]);
    out
}

/// Rows of formatted empty cells (a real sheet's look; the reader skips empty cells, so
/// none counts against the cell limit), a few of their formats varied as real sheets vary them.
fn empty_formatted_rows(bytes: usize) -> String {
    let mut rows = String::with_capacity(bytes + 1024);
    let mut state: u32 = 12_345;
    while rows.len() < bytes {
        rows.push_str("<row>");
        for _ in 0..8 {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let style = if (state >> 16).is_multiple_of(128) { (state >> 20) % 40 } else { 1 };
            rows.push_str(&format!(r#"<c s="{style}"/>"#));
        }
        rows.push_str("</row>");
    }
    rows
}

/// An .xlsx whose one worksheet honestly inflates to `chunks` MiB of formatted empty
/// cells: every declared size and the CRC are true, the ratio (about 130) is ordinary
/// for spreadsheet XML, and only the total is large (250 chunks: 1.9 MB → 250 MiB, the
/// file of the report that asked for a bound on the total). The workbook lists the sheet
/// under `sheet_names` names, so that calamine reads it that many times.
pub fn xlsx_inflating_honestly(chunks: usize, sheet_names: usize) -> Vec<u8> {
    let prefix = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
    let suffix = "</sheetData></worksheet>";
    let chunk = empty_formatted_rows(1024 * 1024);
    let mut compress = flate2::Compress::new(flate2::Compression::best(), false);
    let prefix_z = deflate_piece(&mut compress, prefix.as_bytes(), flate2::FlushCompress::Full);
    let chunk_z = deflate_piece(&mut compress, chunk.as_bytes(), flate2::FlushCompress::Full);
    let suffix_z = deflate_piece(&mut compress, suffix.as_bytes(), flate2::FlushCompress::Finish);
    let mut crc = flate2::Crc::new();
    crc.update(prefix.as_bytes());
    for _ in 0..chunks {
        crc.update(chunk.as_bytes());
    }
    crc.update(suffix.as_bytes());
    let mut sheet = prefix_z;
    for _ in 0..chunks {
        sheet.extend_from_slice(&chunk_z);
    }
    sheet.extend_from_slice(&suffix_z);
    let size = (prefix.len() + chunks * chunk.len() + suffix.len()) as u64;
    let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let sheets: String =
        (1..=sheet_names).map(|i| format!(r#"<sheet name="明細{i}" sheetId="{i}" r:id="rId1"/>"#)).collect();
    zip_of(&[
        Part::stored(
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        Part::stored(
            "_rels/.rels",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
            ),
        ),
        Part::stored(
            "xl/workbook.xml",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="{rel}"><sheets>{sheets}</sheets></workbook>"#
            ),
        ),
        Part::stored(
            "xl/_rels/workbook.xml.rels",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#
            ),
        ),
        Part { name: "xl/worksheets/sheet1.xml", method: 8, crc: crc.sum(), data: sheet, size },
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inflate_all(bytes: &[u8]) -> u64 {
        let mut archive = ZipArchive::new(Cursor::new(bytes)).expect("zip");
        let mut total = 0;
        for i in 0..archive.len() {
            total += std::io::copy(&mut archive.by_index(i).expect("entry"), &mut std::io::sink()).expect("inflates");
        }
        total
    }

    #[test]
    fn the_honest_workbook_inflates_to_what_it_declares_with_a_true_checksum() {
        let bytes = xlsx_inflating_honestly(3, 1);
        let mut archive = ZipArchive::new(Cursor::new(bytes.as_slice())).expect("zip");
        let declared: u64 = (0..archive.len()).map(|i| archive.by_index_raw(i).expect("entry").size()).sum();
        assert_eq!(inflate_all(&bytes), declared, "zip checks every CRC at the end of each entry");
        assert!(declared > 3 * 1024 * 1024);
        let sheet = archive.by_name("xl/worksheets/sheet1.xml").expect("sheet");
        let ratio = sheet.size() / sheet.compressed_size();
        assert!((50..200).contains(&ratio), "an ordinary ratio for spreadsheet XML: {ratio}");
    }

    #[test]
    fn the_crafted_xls_holds_the_string_in_every_cell() {
        let bytes = xls_shared_string_in_cells(9000, 3);
        let container = crate::cfb::Cfb::parse(&bytes).expect("a compound file");
        let stream = container.read_stream("Workbook").expect("a workbook stream");
        assert_eq!(stream.windows(4).filter(|w| w[..2] == 0x00FDu16.to_le_bytes()).count(), 3);
        assert!(stream.windows(2).any(|w| w == 0x003Cu16.to_le_bytes()), "the string continues");
    }
}
