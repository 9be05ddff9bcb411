//! PDF documents in Japanese: text flowed onto A4 pages by a layout from `templates/`.
//!
//! The font (IPAex Gothic, `fonts/`, IPA Font License v1.0) is built into the binary so a PDF
//! renders the same on every machine; printpdf embeds only the glyphs a document uses.

use printpdf::{Mm, Op, ParsedFont, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, TextItem};
use serde::Deserialize;

/// IPAex Gothic (`fonts/ipaexg.ttf`, licence in `fonts/IPA_Font_License_Agreement_v1.0.txt`).
const FONT: &[u8] = include_bytes!("../../fonts/ipaexg.ttf");

/// Layout of the counter-offer letter (`templates/counter_offer_letter.layout.json`).
pub const LETTER_LAYOUT: &str = include_str!("../../templates/counter_offer_letter.layout.json");

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
}

impl Layout {
    /// Parses a layout template.
    pub fn parse(json: &str) -> Result<Self, String> {
        serde_json::from_str(json).map_err(|e| format!("layout template: {e}"))
    }
}

/// Width of a character in ems. IPAex Gothic sets kana, kanji and full-width forms in one em and
/// Latin letters and digits proportionally, never wider than 0.6 em, so wrapping at this width
/// never overruns the margin.
fn em_width(c: char) -> f32 {
    if c.is_ascii() || ('\u{FF61}'..='\u{FF9F}').contains(&c) { 0.6 } else { 1.0 }
}

/// Breaks one line of text into lines at most `max_ems` wide; 句読点 stay on the line they end.
fn wrap(line: &str, max_ems: f32) -> Vec<String> {
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
    y_pt: f32,
}

/// Flows `paragraphs` (lines inside a paragraph kept) onto pages and returns the PDF bytes.
pub fn render(title: &str, layout: &Layout, paragraphs: &[String]) -> Result<Vec<u8>, String> {
    let font = ParsedFont::from_bytes(FONT, 0, &mut Vec::new()).ok_or("the built-in font cannot be read")?;
    let mm = |v: f32| Pt::from(Mm(v)).0;
    let (top, bottom) = (mm(layout.page_height_mm - layout.margin_top_mm), mm(layout.margin_bottom_mm));
    let text_width = mm(layout.page_width_mm - layout.margin_left_mm - layout.margin_right_mm);

    let mut pages: Vec<Vec<Placed>> = vec![Vec::new()];
    let mut y = top;
    for paragraph in paragraphs {
        let size = if paragraph.contains(&layout.title_contains) { layout.title_size_pt } else { layout.font_size_pt };
        let advance = size * layout.line_height;
        for line in paragraph.split('\n').flat_map(|l| wrap(l, text_width / size)) {
            if y - size < bottom {
                pages.push(Vec::new());
                y = top;
            }
            y -= advance;
            pages.last_mut().expect("a page").push(Placed { text: line, size, y_pt: y });
        }
        y -= layout.font_size_pt * layout.line_height * layout.paragraph_gap_lines;
    }

    let mut doc = PdfDocument::new(title);
    let font_id = doc.add_font(&font);
    let x = Pt::from(Mm(layout.margin_left_mm));
    let pdf_pages = pages
        .into_iter()
        .map(|lines| {
            let ops = lines
                .into_iter()
                .flat_map(|l| {
                    [
                        Op::StartTextSection,
                        Op::SetFont { font: PdfFontHandle::External(font_id.clone()), size: Pt(l.size) },
                        Op::SetTextCursor { pos: Point { x, y: Pt(l.y_pt) } },
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

    #[test]
    fn the_shipped_letter_layout_parses() {
        let l = Layout::parse(LETTER_LAYOUT).expect("layout");
        assert!(l.page_width_mm > l.margin_left_mm + l.margin_right_mm);
    }

    #[test]
    fn wrapping_keeps_every_character_and_respects_the_width() {
        let line = "あ".repeat(10) + "。" + &"x".repeat(30);
        let lines = wrap(&line, 10.0);
        assert_eq!(lines.concat(), line);
        assert!(lines.iter().all(|l| l.chars().map(em_width).sum::<f32>() <= 11.0), "{lines:?}");
        assert_eq!(lines[0], "あ".repeat(10) + "。", "the full stop stays with its sentence");
        assert_eq!(lines[1], "x".repeat(16));
    }

    #[test]
    fn an_empty_line_stays_an_empty_line() {
        assert_eq!(wrap("", 10.0), vec![String::new()]);
    }
}
