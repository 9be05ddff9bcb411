//! Rows and columns an .xlsx hides: `<row hidden="1">` and `<col hidden="1">` in each worksheet's
//! XML. calamine reads every cell whatever its visibility; a hidden row holds a withdrawn item or
//! an old figure, which is not part of the quote the clinic received.

use crate::grid::Hidden;
use quick_xml::events::{BytesStart, Event};
use std::collections::HashMap;
use std::io::{Read, Seek};
use zip::ZipArchive;

/// The value of an attribute by its local name (`r:id` → `id`), unescaped.
fn attr(e: &BytesStart<'_>, local: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .and_then(|a| quick_xml::escape::unescape(&a.value).ok().map(|s| s.into_owned()))
}

fn truthy(value: Option<String>) -> bool {
    matches!(value.as_deref(), Some("1" | "true"))
}

/// The bytes of a part, found as calamine finds it (no case, a backslash read as `/`).
fn part<R: Read + Seek>(archive: &mut ZipArchive<R>, path: &str) -> Result<Vec<u8>, String> {
    let index = (0..archive.len())
        .find(|i| {
            archive
                .name_for_index(*i)
                .and_then(|n| n.ok())
                .is_some_and(|n| n.replace('\\', "/").eq_ignore_ascii_case(path))
        })
        .ok_or_else(|| format!("{path} is missing"))?;
    let mut bytes = Vec::new();
    archive.by_index(index).map_err(|e| e.to_string())?.read_to_end(&mut bytes).map_err(|e| e.to_string())?;
    Ok(bytes)
}

/// Calls `each` with every start or empty element of a part's XML, by local name.
fn elements(xml: &[u8], mut each: impl FnMut(&str, &BytesStart<'_>)) -> Result<(), String> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).map_err(|e| e.to_string())? {
            Event::Eof => return Ok(()),
            Event::Start(e) | Event::Empty(e) => each(e.local_name().as_ref(), &e),
            _ => {}
        }
        buf.clear();
    }
}

/// Where each worksheet's XML is: `xl/workbook.xml` names the sheets and their relationship
/// ids, `xl/_rels/workbook.xml.rels` the parts.
fn sheet_paths<R: Read + Seek>(archive: &mut ZipArchive<R>) -> Result<HashMap<String, String>, String> {
    let mut ids = Vec::new();
    elements(&part(archive, "xl/workbook.xml")?, |name, e| {
        if name == "sheet"
            && let (Some(sheet), Some(id)) = (attr(e, "name"), attr(e, "id"))
        {
            ids.push((sheet, id));
        }
    })?;
    let mut targets = HashMap::new();
    elements(&part(archive, "xl/_rels/workbook.xml.rels")?, |name, e| {
        if name == "Relationship"
            && let (Some(id), Some(target)) = (attr(e, "Id"), attr(e, "Target"))
        {
            let path = match target.strip_prefix('/') {
                Some(absolute) => absolute.to_owned(),
                None => format!("xl/{target}"),
            };
            targets.insert(id, path);
        }
    })?;
    Ok(ids.into_iter().filter_map(|(sheet, id)| Some((sheet, targets.get(&id)?.clone()))).collect())
}

/// The hidden rows and columns of the named worksheets.
pub(crate) fn xlsx_hidden<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    sheets: &[String],
) -> Result<HashMap<String, Hidden>, String> {
    let paths = sheet_paths(archive)?;
    let mut out = HashMap::new();
    for sheet in sheets {
        let Some(path) = paths.get(sheet) else { continue };
        let xml = part(archive, path)?;
        // Most quotes hide nothing: a search of the bytes spares them a third parse of the sheet
        // (LibreOffice writes hidden="false" on every row, so the value is part of the search).
        let hides = [&b"hidden=\"1\""[..], b"hidden=\"true\"", b"hidden='1'", b"hidden='true'"];
        if !hides.iter().any(|h| memchr::memmem::find(&xml, h).is_some()) {
            continue;
        }
        let mut hidden = Hidden::default();
        let mut next_row: u32 = 0;
        elements(&xml, |name, e| match name {
            "row" => {
                let row = attr(e, "r").and_then(|r| r.parse::<u32>().ok()).map_or(next_row, |r| r.saturating_sub(1));
                next_row = row.saturating_add(1);
                if truthy(attr(e, "hidden")) {
                    hidden.rows.push((row, row));
                }
            }
            "col" if truthy(attr(e, "hidden")) => {
                let bound = |key: &str| attr(e, key).and_then(|v| v.parse::<u32>().ok()).map(|v| v.saturating_sub(1));
                if let (Some(min), Some(max)) = (bound("min"), bound("max")) {
                    hidden.cols.push((min, max.max(min)));
                }
            }
            _ => {}
        })?;
        if !hidden.is_empty() {
            out.insert(sheet.clone(), hidden);
        }
    }
    Ok(out)
}
