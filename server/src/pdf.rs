//! PDF documents in Japanese: text flowed onto A4 pages by a layout from `templates/`.
//!
//! The font (IPAex Gothic, `fonts/`, IPA Font License v1.0) is built into the binary so a PDF
//! renders the same on every machine; printpdf embeds only the glyphs a document uses.

use printpdf::{Mm, Op, ParsedFont, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, TextItem};
use serde::Deserialize;
use std::collections::BTreeMap;

/// IPAex Gothic (`fonts/ipaexg.ttf`, licence in `fonts/IPA_Font_License_Agreement_v1.0.txt`).
const FONT: &[u8] = include_bytes!("../../fonts/ipaexg.ttf");

/// The font parsed once: parsing 6 MB of tables per document took most of a render.
static PARSED_FONT: std::sync::LazyLock<Option<ParsedFont>> =
    std::sync::LazyLock::new(|| ParsedFont::from_bytes(FONT, 0, &mut Vec::new()));

/// Layout of the counter-offer letter (`templates/counter_offer_letter.layout.json`).
pub const LETTER_LAYOUT: &str = include_str!("../../templates/counter_offer_letter.layout.json");

/// How a paragraph sits between the margins.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Align {
    #[default]
    Left,
    Center,
    Right,
}

/// Where and how text flows on the page; read from a template so a changed form is a template edit.
#[derive(Debug, Clone, Deserialize)]
pub struct Layout {
    page_width_mm: f32,
    page_height_mm: f32,
    margin_top_mm: f32,
    margin_bottom_mm: f32,
    margin_left_mm: f32,
    margin_right_mm: f32,
    font_size_pt: f32,
    line_height: f32,
    paragraph_gap_lines: f32,
    /// A paragraph containing this text is set as the title, in `title_size_pt`.
    title_contains: String,
    title_size_pt: f32,
    /// Alignment of paragraphs by their position in the text template (0 = first).
    #[serde(default)]
    align_by_index: BTreeMap<usize, Align>,
    /// Alignment of paragraphs that are exactly this text (記, 敬具, 以上).
    #[serde(default)]
    align_by_text: BTreeMap<String, Align>,
}

impl Layout {
    /// Parses a layout template.
    pub fn parse(json: &str) -> Result<Self, String> {
        serde_json::from_str(json).map_err(|e| format!("layout template: {e}"))
    }

    fn align(&self, index: usize, paragraph: &str) -> Align {
        self.align_by_text
            .get(paragraph.trim())
            .or_else(|| self.align_by_index.get(&index))
            .copied()
            .unwrap_or_default()
    }
}

/// Advance widths of the built-in font, in ems.
struct Metrics<'f> {
    font: &'f ParsedFont,
    units_per_em: f32,
}

impl Metrics<'_> {
    /// A character missing from the font is taken as one em (it renders as a full-width box).
    fn em_width(&self, c: char) -> f32 {
        self.font
            .lookup_glyph_index(u32::from(c))
            .map_or(1.0, |g| f32::from(self.font.get_horizontal_advance(g)) / self.units_per_em)
    }

    fn width(&self, s: &str) -> f32 {
        s.chars().map(|c| self.em_width(c)).sum()
    }
}

/// Breaks one line of text into lines at most `max_ems` wide; closing 句読点 and brackets
/// stay on the line they end (禁則), so at most one of them hangs into the margin.
fn wrap(line: &str, max_ems: f32, em_width: impl Fn(char) -> f32) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut width = 0.0;
    for c in line.chars() {
        let w = em_width(c);
        let closing = matches!(c, '、' | '。' | '，' | '．' | '）' | '」' | '』' | ')' | ',' | '.');
        if width + w > max_ems && !current.is_empty() && !closing {
            out.push(std::mem::take(&mut current));
            width = 0.0;
        }
        current.push(c);
        width += w;
    }
    out.push(current);
    out
}

/// One line placed on a page.
struct Placed {
    text: String,
    size: f32,
    x_pt: f32,
    y_pt: f32,
}

/// Flows `paragraphs` (lines inside a paragraph kept) onto pages and returns the PDF bytes.
pub fn render(title: &str, layout: &Layout, paragraphs: &[String]) -> Result<Vec<u8>, String> {
    let font = PARSED_FONT.as_ref().ok_or("the built-in font cannot be read")?;
    let metrics = Metrics { font, units_per_em: f32::from(font.pdf_font_metrics.units_per_em.max(1)) };
    let mm = |v: f32| Pt::from(Mm(v)).0;
    let (top, bottom) = (mm(layout.page_height_mm - layout.margin_top_mm), mm(layout.margin_bottom_mm));
    let (left, text_width) =
        (mm(layout.margin_left_mm), mm(layout.page_width_mm - layout.margin_left_mm - layout.margin_right_mm));

    let mut pages: Vec<Vec<Placed>> = vec![Vec::new()];
    let mut y = top;
    for (index, paragraph) in paragraphs.iter().enumerate() {
        let size = if paragraph.contains(&layout.title_contains) { layout.title_size_pt } else { layout.font_size_pt };
        let advance = size * layout.line_height;
        let align = layout.align(index, paragraph);
        for line in paragraph.split('\n').flat_map(|l| wrap(l, text_width / size, |c| metrics.em_width(c))) {
            if y - advance < bottom {
                pages.push(Vec::new());
                y = top;
            }
            y -= advance;
            let slack = (text_width - metrics.width(&line) * size).max(0.0);
            let x_pt = match align {
                Align::Left => left,
                Align::Center => left + slack / 2.0,
                Align::Right => left + slack,
            };
            pages.last_mut().expect("a page").push(Placed { text: line, size, x_pt, y_pt: y });
        }
        y -= layout.font_size_pt * layout.line_height * layout.paragraph_gap_lines;
    }

    let mut doc = PdfDocument::new(title);
    let font_id = doc.add_font(font);
    let pdf_pages = pages
        .into_iter()
        .map(|lines| {
            let ops = lines
                .into_iter()
                .flat_map(|l| {
                    [
                        Op::StartTextSection,
                        Op::SetFont { font: PdfFontHandle::External(font_id.clone()), size: Pt(l.size) },
                        Op::SetTextCursor { pos: Point { x: Pt(l.x_pt), y: Pt(l.y_pt) } },
                        Op::ShowText { items: vec![TextItem::Text(l.text)] },
                        Op::EndTextSection,
                    ]
                })
                .collect();
            PdfPage::new(Mm(layout.page_width_mm), Mm(layout.page_height_mm), ops)
        })
        .collect();
    Ok(doc.with_pages(pdf_pages).save(&PdfSaveOptions::default(), &mut Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Full-width characters one em, the rest 0.6 em: enough to test the line breaking.
    fn test_width(c: char) -> f32 {
        if c.is_ascii() { 0.6 } else { 1.0 }
    }

    #[test]
    fn the_shipped_letter_layout_parses_and_aligns_the_letter_the_japanese_way() {
        let l = Layout::parse(LETTER_LAYOUT).expect("layout");
        assert!(l.page_width_mm > l.margin_left_mm + l.margin_right_mm);
        assert_eq!(l.align(0, "令和8年11月22日"), Align::Right, "the date");
        assert_eq!(l.align(1, "株式会社ヘルスケアシステムズ 御中"), Align::Left, "the addressee");
        assert_eq!(l.align(9, "記"), Align::Center);
        assert_eq!(l.align(12, "以上"), Align::Right);
    }

    #[test]
    fn the_font_measures_full_width_characters_as_one_em_and_latin_narrower() {
        let font = PARSED_FONT.as_ref().expect("font");
        let m = Metrics { font, units_per_em: f32::from(font.pdf_font_metrics.units_per_em) };
        assert!((m.em_width('あ') - 1.0).abs() < 0.01, "{}", m.em_width('あ'));
        assert!((m.em_width('円') - 1.0).abs() < 0.01);
        assert!(m.em_width('i') < m.em_width('M') && m.em_width('M') < 1.0, "IPAex sets Latin proportionally");
    }

    #[test]
    fn wrapping_keeps_every_character_and_respects_the_width() {
        let line = "あ".repeat(10) + "。" + &"x".repeat(30);
        let lines = wrap(&line, 10.0, test_width);
        assert_eq!(lines.concat(), line);
        assert!(lines.iter().all(|l| l.chars().map(test_width).sum::<f32>() <= 11.0), "{lines:?}");
        assert_eq!(lines[0], "あ".repeat(10) + "。", "the full stop stays with its sentence");
        assert_eq!(lines[1], "x".repeat(16));
    }

    #[test]
    fn an_empty_line_stays_an_empty_line() {
        assert_eq!(wrap("", 10.0, test_width), vec![String::new()]);
    }
}
