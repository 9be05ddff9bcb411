//! The .xlsx parts whose declared numbers calamine trusts, rewritten in memory before it reads them.
//!
//! - `sharedStrings.xml`: calamine 0.38 reserves room for as many strings as the
//!   `<sst>` element's `uniqueCount` declares (`Xlsx::read_shared_strings` in its
//!   xlsx/mod.rs). `uniqueCount="10000000000000"` in a 2 KB file asks for 240 TB
//!   and aborts the process. The count is only a hint: the `<sst>` start tag is
//!   rewritten without its attributes, and calamine grows the list as it reads.
//! - `styles.xml`: calamine copies the font, fill, border and number format a cell
//!   format points to into every `<xf>` of `<cellXfs>` (`Xlsx::read_styles`). One
//!   long font name or format code and many `<xf>` make gigabytes. A quote needs
//!   only the number formats (they tell dates from numbers), so the part is
//!   rewritten down to them, and the format text the `<xf>` copy is counted as
//!   cell text ([`crate::Limits::max_text_bytes`]).
//!
//! Both are parsed with calamine's own reader settings, so that this code and
//! calamine see the same elements.

use crate::budget::Budget;
use crate::error::ReadError;
use crate::error::corrupted;
use quick_xml::Reader;
use quick_xml::escape::{escape, unescape};
use quick_xml::events::{BytesStart, Event};
use std::collections::BTreeMap;

/// A reader configured as calamine configures its own (`xml_reader` in its xlsx/mod.rs).
fn calamine_reader(bytes: &[u8]) -> Reader<&[u8]> {
    let mut reader = Reader::from_reader(bytes);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    reader
}

/// The last component of a part name, lower case (calamine matches names without case).
fn base_name(name: &str) -> String {
    name.rsplit(['/', '\\']).next().unwrap_or(name).to_ascii_lowercase()
}

/// Rewrites the part if it is one calamine trusts; other parts pass unchanged.
pub(super) fn part(file: &str, name: &str, bytes: Vec<u8>, budget: &Budget<'_>) -> Result<Vec<u8>, ReadError> {
    match base_name(name).as_str() {
        "sharedstrings.xml" => shared_strings(file, bytes),
        "styles.xml" => styles(file, &bytes, budget),
        _ => Ok(bytes),
    }
}

/// The first `<sst>` start tag (the one calamine takes its count from) without its attributes.
fn shared_strings(file: &str, bytes: Vec<u8>) -> Result<Vec<u8>, ReadError> {
    let mut reader = calamine_reader(&bytes);
    let mut buf = Vec::new();
    loop {
        let before = position(&reader);
        buf.clear();
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.local_name().as_ref() == "sst" => {
                let after = position(&reader);
                let tag = bytes.get(before..after).unwrap_or_default();
                let (Some(open), true) = (tag.iter().position(|&b| b == b'<'), tag.ends_with(b">")) else {
                    return Err(corrupted(file, "unexpected shared strings start tag"));
                };
                let closing: &[u8] = if tag.ends_with(b"/>") { b"/>" } else { b">" };
                let mut out = Vec::with_capacity(bytes.len());
                out.extend_from_slice(&bytes[..before + open]);
                out.push(b'<');
                out.extend_from_slice(e.name().as_ref().as_bytes());
                out.extend_from_slice(closing);
                out.extend_from_slice(&bytes[after..]);
                return Ok(out);
            }
            // calamine fails on the same bytes: nothing to neutralise.
            Ok(Event::Eof) | Err(_) => return Ok(bytes),
            Ok(_) => {}
        }
    }
}

fn position(reader: &Reader<&[u8]>) -> usize {
    usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX)
}

/// The first attribute of that exact name, as calamine's `raw_attr` finds it (escaped).
fn raw_attr<'a>(e: &'a BytesStart<'_>, key: &str) -> Option<std::borrow::Cow<'a, str>> {
    e.attributes().with_checks(false).flatten().find(|a| a.key.as_ref() == key).map(|a| a.value)
}

/// A number format id worth writing back: digits only (anything else means "no format" to us).
fn format_id(e: &BytesStart<'_>) -> Option<String> {
    raw_attr(e, "numFmtId")
        .filter(|v| !v.is_empty() && v.len() <= 10 && v.bytes().all(|b| b.is_ascii_digit()))
        .map(|v| v.into_owned())
}

/// styles.xml down to `<numFmts>` and the number format of each `<xf>` of `<cellXfs>`,
/// walked as `Xlsx::read_styles` walks it.
fn styles(file: &str, bytes: &[u8], budget: &Budget<'_>) -> Result<Vec<u8>, ReadError> {
    let mut reader = calamine_reader(bytes);
    let mut formats: BTreeMap<String, String> = BTreeMap::new();
    let mut xfs: Vec<Option<String>> = Vec::new();
    let (mut buf, mut inner) = (Vec::new(), Vec::new());
    'document: loop {
        buf.clear();
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.local_name().as_ref() == "numFmts" => loop {
                inner.clear();
                match reader.read_event_into(&mut inner) {
                    Ok(Event::Start(e)) if e.local_name().as_ref() == "numFmt" => {
                        let code = raw_attr(&e, "formatCode").and_then(|c| unescape(&c).ok().map(|c| c.into_owned()));
                        if let (Some(id), Some(code)) = (format_id(&e), code) {
                            formats.insert(id, code);
                        }
                    }
                    Ok(Event::End(e)) if e.local_name().as_ref() == "numFmts" => break,
                    Ok(Event::Eof) | Err(_) => break 'document,
                    Ok(_) => {}
                }
            },
            Ok(Event::Start(e)) if e.local_name().as_ref() == "cellXfs" => loop {
                inner.clear();
                match reader.read_event_into(&mut inner) {
                    Ok(Event::Start(e)) if e.local_name().as_ref() == "xf" => {
                        let id = format_id(&e);
                        // calamine copies the format's text into each cell format.
                        let copied = id.as_ref().and_then(|id| formats.get(id)).map_or(0, String::len);
                        budget
                            .text(u64::try_from(copied).unwrap_or(u64::MAX))
                            .map_err(|exceeded| exceeded.into_error(file))?;
                        xfs.push(id);
                    }
                    Ok(Event::End(e)) if e.local_name().as_ref() == "cellXfs" => break,
                    Ok(Event::Eof) | Err(_) => break 'document,
                    Ok(_) => {}
                }
            },
            Ok(Event::End(e)) if e.local_name().as_ref() == "styleSheet" => break,
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    let mut out = String::from(r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet><numFmts>"#);
    for (id, code) in &formats {
        out.push_str(&format!(r#"<numFmt numFmtId="{id}" formatCode="{}"/>"#, escape(code.as_str())));
    }
    out.push_str("</numFmts><cellXfs>");
    for id in &xfs {
        match id {
            Some(id) => out.push_str(&format!(r#"<xf numFmtId="{id}"/>"#)),
            None => out.push_str("<xf/>"),
        }
    }
    out.push_str("</cellXfs></styleSheet>");
    Ok(out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budget::Stop;
    use crate::error::ReadErrorKind;

    fn text(bytes: &[u8]) -> &str {
        std::str::from_utf8(bytes).expect("utf-8")
    }

    #[test]
    fn the_declared_string_count_is_dropped_and_the_strings_kept() {
        let sst = br#"<?xml version="1.0"?>
<x:sst xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" uniqueCount="10000000000000"><x:si><x:t>a</x:t></x:si></x:sst>"#;
        let out = shared_strings("q.xlsx", sst.to_vec()).expect("rewritten");
        assert_eq!(text(&out), "<?xml version=\"1.0\"?>\n<x:sst><x:si><x:t>a</x:t></x:si></x:sst>");
        let empty = shared_strings("q.xlsx", br#"<sst uniqueCount="99999999999"/>"#.to_vec()).expect("rewritten");
        assert_eq!(text(&empty), "<sst/>");
    }

    #[test]
    fn a_part_without_shared_strings_passes_unchanged() {
        let other = b"<worksheet><sheetData/></worksheet>".to_vec();
        assert_eq!(shared_strings("q.xlsx", other.clone()).expect("unchanged"), other);
    }

    #[test]
    fn styles_keep_only_the_number_formats_of_the_cell_formats() {
        let styles_xml = r#"<styleSheet><numFmts count="1"><numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts>
<fonts count="999999"><font><name val="MS Pゴシック"/></font></fonts>
<cellStyleXfs><xf numFmtId="9"/></cellStyleXfs>
<cellXfs count="4000000000"><xf numFmtId="0" fontId="0"><alignment horizontal="center"/></xf><xf numFmtId="176"/><xf fontId="0"/></cellXfs></styleSheet>"#;
        let stop = Stop::new();
        let budget = Budget::new(&stop, 1 << 20, 1 << 20);
        let out = styles("q.xlsx", styles_xml.as_bytes(), &budget).expect("rewritten");
        assert_eq!(
            text(&out),
            r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet><numFmts><numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="176"/><xf/></cellXfs></styleSheet>"#
        );
    }

    #[test]
    fn a_long_format_copied_into_many_cell_formats_counts_as_text() {
        let code = "0".repeat(1000);
        let xfs = r#"<xf numFmtId="200"/>"#.repeat(100);
        let styles_xml = format!(
            r#"<styleSheet><numFmts><numFmt numFmtId="200" formatCode="{code}"/></numFmts><cellXfs>{xfs}</cellXfs></styleSheet>"#
        );
        let stop = Stop::new();
        let budget = Budget::new(&stop, 1 << 20, 50_000);
        let e = styles("q.xlsx", styles_xml.as_bytes(), &budget).expect_err("100 copies of 1,000 bytes");
        assert_eq!(e.kind, ReadErrorKind::TooMuchText { bytes: 51_000, limit: 50_000 });
    }

    #[test]
    fn only_shared_strings_and_styles_are_rewritten() {
        let stop = Stop::new();
        let budget = Budget::new(&stop, 1 << 20, 1 << 20);
        let sheet = br#"<sst uniqueCount="5"/>"#.to_vec();
        assert_eq!(part("q.xlsx", "xl/worksheets/sheet1.xml", sheet.clone(), &budget).expect("same"), sheet);
        assert_eq!(text(&part("q.xlsx", r"XL\SharedStrings.XML", sheet, &budget).expect("rewritten")), "<sst/>");
    }
}
