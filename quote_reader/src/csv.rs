//! CSV (and tab-separated) quotes: encoding detection and RFC 4180 fields, each cell keeping its 1-based line number.

use crate::grid::{Sheet, Value};
use encoding_rs::{SHIFT_JIS, UTF_16BE, UTF_16LE};

/// Decodes text: UTF-8 (with or without BOM), UTF-16 with BOM, else
/// Shift_JIS as Windows writes it (CP932: encoding_rs's Shift_JIS is the
/// WHATWG one, which is CP932). `None` for anything that is not text.
pub(crate) fn decode(bytes: &[u8]) -> Option<String> {
    let text = if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        String::from_utf8(rest.to_vec()).ok()?
    } else if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        UTF_16LE.decode_without_bom_handling_and_without_replacement(rest)?.into_owned()
    } else if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        UTF_16BE.decode_without_bom_handling_and_without_replacement(rest)?.into_owned()
    } else if bytes.contains(&0) {
        return None;
    } else if let Ok(s) = std::str::from_utf8(bytes) {
        s.to_owned()
    } else {
        SHIFT_JIS.decode_without_bom_handling_and_without_replacement(bytes)?.into_owned()
    };
    // DOS editors end files with Ctrl-Z; any other control character means binary data.
    let text = text.trim_end_matches('\u{1A}');
    if text.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')) {
        return None;
    }
    Some(text.to_owned())
}

/// Tab when the first lines have more tabs than commas, else comma.
fn delimiter(text: &str) -> char {
    let head = text.lines().take(20);
    let (mut tabs, mut commas) = (0usize, 0usize);
    for line in head {
        tabs = tabs.saturating_add(line.matches('\t').count());
        commas = commas.saturating_add(line.matches(',').count());
    }
    if tabs > commas { '\t' } else { ',' }
}

/// Splits CSV text into one sheet (named ""), row index = line number − 1 of the
/// line where the record starts. Fails with the cell count once it passes `max_cells`.
pub(crate) fn parse(text: &str, max_cells: u64) -> Result<Sheet, u64> {
    let delim = delimiter(text);
    let mut sheet = Sheet::new("");
    let mut line: u32 = 0; // 0-based line of the current character
    let mut record_line: u32 = 0;
    let mut col: u32 = 0;
    let mut field = String::new();
    let mut in_quotes = false;
    let mut field_started = false; // a quote is special only at the start of a field
    let mut chars = text.chars().peekable();

    let push = |sheet: &mut Sheet, row: u32, col: u32, field: &mut String| -> Result<(), u64> {
        if !field.trim().is_empty() {
            sheet.push(row, col, Value::from_text(&std::mem::take(field)));
            if sheet.cell_count() > max_cells {
                return Err(sheet.cell_count());
            }
        }
        field.clear();
        Ok(())
    };

    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                '\r' | '\n' => {
                    if c == '\r' && chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    line = line.saturating_add(1);
                    field.push('\n');
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if !field_started => {
                in_quotes = true;
                field_started = true;
            }
            c if c == delim => {
                push(&mut sheet, record_line, col, &mut field)?;
                col = col.saturating_add(1);
                field_started = false;
            }
            '\r' | '\n' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                push(&mut sheet, record_line, col, &mut field)?;
                line = line.saturating_add(1);
                record_line = line;
                col = 0;
                field_started = false;
            }
            _ => {
                field.push(c);
                if !c.is_whitespace() {
                    field_started = true;
                }
            }
        }
    }
    push(&mut sheet, record_line, col, &mut field)?;
    sheet.finish();
    Ok(sheet)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(sheet: &Sheet, row: u32, col: u32) -> Option<&str> {
        sheet.get(row, col).and_then(Value::text)
    }

    #[test]
    fn utf8_with_and_without_bom_and_cp932_are_decoded() {
        assert_eq!(decode("品名,金額".as_bytes()).as_deref(), Some("品名,金額"));
        assert_eq!(decode(b"\xEF\xBB\xBF\xE5\x93\x81").as_deref(), Some("品"));
        let (sjis, _, _) = SHIFT_JIS.encode("品名,￥１２０，０００,▲");
        assert_eq!(decode(&sjis).as_deref(), Some("品名,￥１２０，０００,▲"));
        let utf16: Vec<u8> =
            [0xFF, 0xFE].into_iter().chain("品\t1".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        assert_eq!(decode(&utf16).as_deref(), Some("品\t1"));
    }

    #[test]
    fn binary_data_is_not_text() {
        assert_eq!(decode(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0]), None);
        assert_eq!(decode(&[0x01, 0x02, 0x03]), None);
        assert_eq!(decode(&[0xFF, 0xFF, 0xFF]), None);
        assert_eq!(decode(b"ok\x1a").as_deref(), Some("ok"));
    }

    #[test]
    fn quoted_fields_keep_commas_quotes_and_line_breaks() {
        let sheet = parse("品名,金額\r\n\"LAN工事, 2F\",\"1,000\"\r\n\"改修\n一式\",\"say \"\"hi\"\"\"\r\n最後,1", 100)
            .unwrap();
        assert_eq!(cell(&sheet, 0, 1), Some("金額"));
        assert_eq!(cell(&sheet, 1, 0), Some("LAN工事, 2F"));
        assert_eq!(cell(&sheet, 1, 1), Some("1,000"));
        assert_eq!(cell(&sheet, 2, 0), Some("改修\n一式"));
        assert_eq!(cell(&sheet, 2, 1), Some("say \"hi\""));
        // The record after a quoted line break starts on line 5 (index 4).
        assert_eq!(cell(&sheet, 4, 0), Some("最後"));
    }

    #[test]
    fn tab_separated_text_is_split_on_tabs() {
        let sheet = parse("品名\t金額\n端末\t1,000\n", 100).unwrap();
        assert_eq!(cell(&sheet, 1, 1), Some("1,000"));
    }

    #[test]
    fn parsing_stops_once_the_cell_limit_is_passed() {
        assert_eq!(parse("a,b,c\nd,e", 3).unwrap_err(), 4);
    }

    #[test]
    fn an_unterminated_quote_takes_the_rest_of_the_text() {
        let sheet = parse("a,\"b\nc", 10).unwrap();
        assert_eq!(cell(&sheet, 0, 1), Some("b\nc"));
    }
}
