//! The built-in font (IPAex Gothic): parsed once, its glyph ids and widths looked up once per
//! character; lines are broken to a width by those widths in `line_break`.

use printpdf::ParsedFont;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU32, Ordering};

/// IPAex Gothic (`fonts/ipaexg.ttf`, licence in `fonts/IPA_Font_License_Agreement_v1.0.txt`).
const FONT: &[u8] = include_bytes!("../../../fonts/ipaexg.ttf");

/// The font parsed once: parsing 6 MB of tables per document took most of a render.
pub(super) static PARSED_FONT: LazyLock<Option<ParsedFont>> =
    LazyLock::new(|| ParsedFont::from_bytes(FONT, 0, &mut Vec::new()));

/// Glyph ids and widths of the font, looked up once per process (see [`Metrics`]).
pub(super) static METRICS: LazyLock<Option<Metrics>> = LazyLock::new(|| PARSED_FONT.as_ref().map(Metrics::new));

/// Glyph ids and advance widths of the built-in font.
///
/// The font's own lookup (allsorts, a linear search of the cmap's groups) costs microseconds a
/// character and took 40 % of a letter's render; each BMP character is looked up once per
/// process and remembered here.
pub(super) struct Metrics {
    pub(super) font: &'static ParsedFont,
    /// By code point: glyph id << 16 | advance in font units, or [`NOT_LOOKED_UP`]; glyph 0
    /// means the font lacks the character.
    bmp: Vec<AtomicU32>,
    units_per_em: f32,
    /// The top of the em box above the baseline, in ems: the font's ascender over its
    /// ascender-to-descender span, so text sits centred in a line.
    pub(super) ascent_em: f32,
}

/// No glyph id is 0xFFFF, so this is never a looked-up entry.
const NOT_LOOKED_UP: u32 = u32::MAX;

impl Metrics {
    fn new(font: &'static ParsedFont) -> Self {
        let (ascender, descender) =
            (f32::from(font.pdf_font_metrics.ascender), f32::from(font.pdf_font_metrics.descender));
        let span = ascender - descender;
        Metrics {
            font,
            bmp: (0..=0xFFFF).map(|_| AtomicU32::new(NOT_LOOKED_UP)).collect(),
            units_per_em: f32::from(font.pdf_font_metrics.units_per_em.max(1)),
            ascent_em: if span > 0.0 { ascender / span } else { 0.88 },
        }
    }

    /// Glyph id and advance (font units); a character missing from the font is glyph 0, one
    /// em wide (it renders as a box).
    pub(super) fn glyph(&self, c: char) -> (u16, u16) {
        let slot = self.bmp.get(c as usize);
        if let Some(packed) = slot.map(|s| s.load(Ordering::Relaxed)).filter(|p| *p != NOT_LOOKED_UP) {
            return ((packed >> 16) as u16, packed as u16);
        }
        let found = match self.font.lookup_glyph_index(u32::from(c)).filter(|g| *g != 0) {
            Some(g) => (g, self.font.get_horizontal_advance(g)),
            None => (0, self.units_per_em as u16),
        };
        if let Some(s) = slot {
            s.store(u32::from(found.0) << 16 | u32::from(found.1), Ordering::Relaxed);
        }
        found
    }

    /// The advance of `c` in ems.
    pub(super) fn em_width(&self, c: char) -> f32 {
        f32::from(self.glyph(c).1) / self.units_per_em
    }

    /// The width of `s` in ems.
    pub(super) fn width(&self, s: &str) -> f32 {
        s.chars().map(|c| self.em_width(c)).sum()
    }
}

/// Lines are broken with 禁則 by their widths (`line_break`); the layouts reach it here, beside
/// the widths.
pub(super) use super::line_break::wrap;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_font_measures_full_width_characters_as_one_em_and_latin_narrower() {
        let m = METRICS.as_ref().expect("font");
        assert!((m.em_width('あ') - 1.0).abs() < 0.01, "{}", m.em_width('あ'));
        assert!((m.em_width('円') - 1.0).abs() < 0.01);
        assert!(m.em_width('i') < m.em_width('M') && m.em_width('M') < 1.0, "IPAex sets Latin proportionally");
    }

    #[test]
    fn the_glyph_table_agrees_with_the_font_lookup() {
        let m = METRICS.as_ref().expect("font");
        for c in ['あ', '円', '髙', 'A', ' ', '（', '１', '\u{3000}', '😀', '\u{E000}'] {
            let expected = m.font.lookup_glyph_index(u32::from(c)).filter(|g| *g != 0).unwrap_or(0);
            assert_eq!(m.glyph(c).0, expected, "{c}");
        }
    }

    /// Every character CP932 encodes, decoded from every single- and double-byte code: the user
    /// area (lead bytes 0xF0–0xF9, decoded to private use) and undefined codes excluded.
    fn cp932_characters() -> Vec<char> {
        let singles = (0x20..=0x7Eu8).chain(0xA1..=0xDF).map(|b| vec![b]);
        let leads = (0x81..=0x9Fu8).chain(0xE0..=0xEF).chain(0xFA..=0xFC);
        let doubles = leads.flat_map(|l| (0x40..=0x7Eu8).chain(0x80..=0xFC).map(move |t| vec![l, t]));
        let mut chars: Vec<char> = singles
            .chain(doubles)
            .filter_map(|bytes| {
                let (text, malformed) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(&bytes);
                let mut it = text.chars();
                match (malformed, it.next(), it.next()) {
                    (false, Some(c), None) => Some(c),
                    _ => None,
                }
            })
            .collect();
        chars.sort_unstable();
        chars.dedup();
        chars
    }

    #[test]
    fn every_character_cp932_encodes_is_in_the_font_or_refused_by_the_name_rule() {
        use rules::printable_name::{NOT_IN_FONT, is_printable};
        let m = METRICS.as_ref().expect("font");
        let chars = cp932_characters();
        // ASCII, half-width kana, JIS X 0208 (6,879), NEC special characters, IBM extension kanji.
        assert!(chars.len() > 7_400, "{}", chars.len());
        let missing: Vec<char> = chars.iter().copied().filter(|c| m.glyph(*c).0 == 0).collect();
        assert_eq!(missing, NOT_IN_FONT, "the name rule's list of CP932 characters the font lacks");
        assert!(chars.iter().filter(|c| is_printable(**c)).all(|c| m.glyph(*c).0 != 0));
        for c in ['髙', '﨑', '①', '㈱', '～', 'ー', '－', '〓'] {
            assert!(is_printable(c) && m.glyph(c).0 != 0, "{c}");
        }
    }
}
