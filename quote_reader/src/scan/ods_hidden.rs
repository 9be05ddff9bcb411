//! Rows and columns an .ods hides: `table:visibility="collapse"` (or `"filter"`) on a
//! `table:table-row` or `table:table-column`, each repeated `table:number-rows-repeated` /
//! `table:number-columns-repeated` times, counted from the table's first row and column as
//! calamine lays the cells out.

use crate::grid::Hidden;
use quick_xml::events::{BytesStart, Event};
use std::collections::HashMap;
use std::io::{BufReader, Read, Seek};
use zip::ZipArchive;

fn attr(e: &BytesStart<'_>, key: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == key)
        .and_then(|a| quick_xml::escape::unescape(&a.value).ok().map(|s| s.into_owned()))
}

/// How many rows or columns an element stands for, and whether they are hidden.
fn span(e: &BytesStart<'_>, repeated: &str) -> (u32, bool) {
    let count = attr(e, repeated).and_then(|n| n.parse::<u32>().ok()).unwrap_or(1).max(1);
    let hidden = attr(e, "table:visibility").is_some_and(|v| v != "visible");
    (count, hidden)
}

/// The hidden rows and columns of each table, by table name.
pub(crate) fn ods_hidden<R: Read + Seek>(archive: &mut ZipArchive<R>) -> Result<HashMap<String, Hidden>, String> {
    let content = archive.by_name("content.xml").map_err(|e| e.to_string())?;
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(content));
    let mut buf = Vec::new();
    let mut out = HashMap::new();
    let mut table: Option<(String, Hidden)> = None;
    let (mut row, mut col) = (0u32, 0u32);
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| e.to_string())?;
        match &event {
            Event::Eof => return Ok(out),
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                "table:table" => {
                    table = Some((attr(e, "table:name").unwrap_or_default(), Hidden::default()));
                    (row, col) = (0, 0);
                }
                "table:table-row" => {
                    let (count, hidden) = span(e, "table:number-rows-repeated");
                    let last = row.saturating_add(count - 1);
                    if hidden && let Some((_, h)) = table.as_mut() {
                        h.rows.push((row, last));
                    }
                    row = last.saturating_add(1);
                }
                "table:table-column" => {
                    let (count, hidden) = span(e, "table:number-columns-repeated");
                    let last = col.saturating_add(count - 1);
                    if hidden && let Some((_, h)) = table.as_mut() {
                        h.cols.push((col, last));
                    }
                    col = last.saturating_add(1);
                }
                _ => {}
            },
            Event::End(e) if e.name().as_ref() == "table:table" => {
                if let Some((name, hidden)) = table.take()
                    && !hidden.is_empty()
                {
                    out.insert(name, hidden);
                }
            }
            _ => {}
        }
        buf.clear();
    }
}
