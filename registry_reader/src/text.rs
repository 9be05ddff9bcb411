//! Cell text as the lists write it: full-width digits and signs, spaces of both widths.

use encoding_rs::SHIFT_JIS;

/// Full-width ASCII (digits, letters, 「，」「－」「（」) as ASCII, the ideographic space as a space,
/// the dashes people type for a hyphen as `-`; kanji and kana unchanged (「ー」 too: it is
/// the long vowel of 「コード」 before it is anyone's hyphen).
pub(crate) fn narrow(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            '‐' | '−' | '―' | '–' | '—' => '-',
            _ => c,
        })
        .collect()
}

/// `text` without any whitespace.
pub(crate) fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Words separated by whitespace of either width or line breaks inside a cell.
pub(crate) fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c.is_whitespace() || c == '/' || c == '／').filter(|w| !w.is_empty())
}

/// A telephone number as written (「03-3541-5151」, 「(03)3541-5151」, 「TEL 03‐3541‐5151」),
/// with ASCII digits and hyphens; `None` for anything else.
pub(crate) fn phone(text: &str) -> Option<String> {
    phone_with_digits(text, 9)
}

/// [`phone`] with at least `min_digits` digits (a number without its area code has six).
pub(crate) fn phone_with_digits(text: &str, min_digits: usize) -> Option<String> {
    let t = narrow(text).replace('ー', "-");
    let t = t.trim();
    let t = t.strip_prefix("TEL").or_else(|| t.strip_prefix("Tel")).or_else(|| t.strip_prefix("電話")).unwrap_or(t);
    let t = t.trim_start_matches([':', '：', ' ']).trim();
    let digits = t.bytes().filter(u8::is_ascii_digit).count();
    let only_phone_signs = t.chars().all(|c| c.is_ascii_digit() || matches!(c, '-' | '(' | ')' | ' '));
    if only_phone_signs
        && (min_digits..=11).contains(&digits)
        && (min_digits < 9 || t.trim_start_matches('(').starts_with('0'))
    {
        // 「058(264)2525」「(03)3541-5151」「03-5284--8455」 → 「058-264-2525」…: one way of writing.
        let hyphens: String =
            t.chars().filter(|c| *c != ' ').map(|c| if matches!(c, '(' | ')') { '-' } else { c }).collect();
        Some(hyphens.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-"))
    } else {
        None
    }
}

/// A name from a zip entry: UTF-8 when it is valid UTF-8, else CP932 (Windows' Japanese
/// Explorer writes CP932 without setting the UTF-8 flag).
pub(crate) fn entry_name(raw: &[u8]) -> String {
    match std::str::from_utf8(raw) {
        Ok(s) => s.to_owned(),
        Err(_) => SHIFT_JIS.decode_without_bom_handling(raw).0.into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_told_from_addresses_and_counts() {
        assert_eq!(phone("03-3541-5151").as_deref(), Some("03-3541-5151"));
        assert_eq!(phone("０３－３５４１－５１５１").as_deref(), Some("03-3541-5151"));
        assert_eq!(phone("(011)231-8555").as_deref(), Some("011-231-8555"));
        assert_eq!(phone("058(264)2525").as_deref(), Some("058-264-2525"));
        assert_eq!(phone("03-5284--8455").as_deref(), Some("03-5284-8455"));
        assert_eq!(phone("TEL 092-852-0700").as_deref(), Some("092-852-0700"));
        assert_eq!(phone("東京都中央区明石町9-1"), None);
        assert_eq!(phone("常　勤:    1"), None);
        assert_eq!(phone("104-8560"), None);
    }

    #[test]
    fn cp932_and_utf8_zip_names_are_decoded() {
        let (bytes, _, _) = SHIFT_JIS.encode("東京都_医科.xlsx");
        assert_eq!(entry_name(&bytes), "東京都_医科.xlsx");
        assert_eq!(entry_name("北海道.xlsx".as_bytes()), "北海道.xlsx");
    }

    #[test]
    fn full_width_signs_become_ascii() {
        assert_eq!(narrow("〒１０４－８５６０　東京都"), "〒104-8560 東京都");
        assert_eq!(narrow("０２，７０７５，１"), "02,7075,1");
    }
}
