//! The counter-offer letter: paragraphs flowed onto pages by a layout template
//! (`templates/counter_offer_letter.layout.json`).

use super::font::{METRICS, wrap};
use super::page::{Align, Ink, Page, Placed, mm};
use super::write::write_pdf;
use serde::Deserialize;
use std::collections::BTreeMap;

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
    /// The page number (「1 / 2」) sits this far above the bottom edge, centred.
    footer_mm: f32,
    footer_size_pt: f32,
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

/// Flows `paragraphs` (lines inside a paragraph kept) onto pages numbered 「1 / N」 at their foot
/// and returns the PDF bytes.
pub fn render(title: &str, layout: &Layout, paragraphs: &[String]) -> Result<Vec<u8>, String> {
    let metrics = METRICS.as_ref().ok_or("the built-in font cannot be read")?;
    let pages = lay_out(layout, metrics, paragraphs);
    let ink = Ink { rule_width_pt: 0.5, shade_gray: 0.9 };
    write_pdf(title, (layout.page_width_mm, layout.page_height_mm), &pages, metrics, ink)
}

/// The letter's lines placed on numbered pages.
fn lay_out(layout: &Layout, metrics: &super::font::Metrics, paragraphs: &[String]) -> Vec<Page> {
    let (top, bottom) = (mm(layout.page_height_mm - layout.margin_top_mm), mm(layout.margin_bottom_mm));
    let (left, text_width) =
        (mm(layout.margin_left_mm), mm(layout.page_width_mm - layout.margin_left_mm - layout.margin_right_mm));

    let mut pages: Vec<Page> = vec![Page::default()];
    let mut y = top;
    for (index, paragraph) in paragraphs.iter().enumerate() {
        let size = if paragraph.contains(&layout.title_contains) { layout.title_size_pt } else { layout.font_size_pt };
        let advance = size * layout.line_height;
        let align = layout.align(index, paragraph);
        // A line's leading spaces indent every line it wraps into, as a point's text is set
        // under its heading.
        let lines: Vec<(f32, String)> = paragraph
            .split('\n')
            .flat_map(|l| {
                let body = l.trim_start_matches([' ', '\u{3000}']);
                let indent = metrics.width(&l[..l.len() - body.len()]) * size;
                wrap(body, (text_width - indent) / size, |c| metrics.em_width(c)).into_iter().map(move |w| (indent, w))
            })
            .collect();
        // No paragraph leaves its first line alone at a page's foot (a point's heading
        // without its text): if only one of several lines fits, the paragraph starts a page.
        if lines.len() > 1 && y - 2.0 * advance < bottom && y - advance >= bottom {
            pages.push(Page::default());
            y = top;
        }
        for (indent, line) in lines {
            if y - advance < bottom {
                pages.push(Page::default());
                y = top;
            }
            y -= advance;
            let slack = (text_width - indent - metrics.width(&line) * size).max(0.0);
            let x_pt = match align {
                Align::Left => left + indent,
                Align::Center => left + indent + slack / 2.0,
                Align::Right => left + indent + slack,
            };
            pages.last_mut().expect("a page").texts.push(Placed { text: line, size, x_pt, y_pt: y });
        }
        y -= layout.font_size_pt * layout.line_height * layout.paragraph_gap_lines;
    }
    let total = pages.len();
    for (i, page) in pages.iter_mut().enumerate() {
        let number = format!("{} / {total}", i + 1);
        let size = layout.footer_size_pt;
        let x_pt = left + (text_width - metrics.width(&number) * size).max(0.0) / 2.0;
        page.texts.push(Placed { text: number, size, x_pt, y_pt: mm(layout.footer_mm) });
    }
    pages
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::LETTER_LAYOUT;
    use crate::pdf::read_back::pdftotext;
    use crate::pdf::subset::subset_for;
    use std::collections::BTreeSet;
    use std::sync::Arc;

    #[test]
    fn the_shipped_letter_layout_parses_and_aligns_the_letter_the_japanese_way() {
        let l = Layout::parse(LETTER_LAYOUT).expect("layout");
        assert!(l.page_width_mm > l.margin_left_mm + l.margin_right_mm);
        assert_eq!(l.align(0, "令和8年11月22日"), Align::Right, "the date");
        assert_eq!(l.align(1, "株式会社ヘルスケアシステムズ 御中"), Align::Left, "the addressee");
        assert_eq!(l.align(9, "記"), Align::Center);
        assert_eq!(l.align(12, "以上"), Align::Right);
    }

    fn point_text() -> String {
        format!("1. 13行目「資格確認端末」（840,000円）\n {}", "お見積りでは単価が目安を超えています。".repeat(6))
    }

    #[test]
    fn a_points_heading_never_stays_alone_at_a_pages_foot_and_its_text_keeps_its_indent() {
        let layout = Layout::parse(LETTER_LAYOUT).expect("layout");
        let advance = layout.font_size_pt * layout.line_height;
        let (top, bottom) = (mm(layout.page_height_mm - layout.margin_top_mm), mm(layout.margin_bottom_mm));
        let gap = layout.font_size_pt * layout.line_height * layout.paragraph_gap_lines;
        // The most filler lines after which the page still has room for exactly one line.
        let k = (1..200).rev().find(|k| top - *k as f32 * advance - gap - advance >= bottom).expect("room");
        let room = top - k as f32 * advance - gap;
        assert!(room - 2.0 * advance < bottom, "one line's room is left, not two");
        let filler = vec!["あ"; k].join("\n");
        let pdf = render("t", &layout, &[filler, point_text()]).expect("pdf");
        let pages: Vec<String> = pdftotext(&pdf, false).split('\u{c}').map(str::to_owned).collect();
        assert!(!pages[0].contains("13行目"), "the heading left page 1: {}", pages[0]);
        assert!(pages[1].contains("13行目") && pages[1].contains("お見積りでは"), "{}", pages[1]);
        let m = METRICS.as_ref().expect("font");
        let placed = &lay_out(&layout, m, &["x".to_owned(), point_text()])[0].texts;
        let left = mm(layout.margin_left_mm);
        let indent = m.width(" ") * layout.font_size_pt;
        let heading = placed.iter().find(|p| p.text.starts_with("1. ")).expect("heading");
        assert_eq!(heading.x_pt, left);
        let body: Vec<&Placed> = placed.iter().filter(|p| p.text.contains("目安")).collect();
        assert!(body.len() > 1, "the text wraps");
        assert!(body.iter().all(|p| (p.x_pt - left - indent).abs() < 0.01), "every line under the heading's text");
    }

    #[test]
    fn the_letter_still_reads_back_and_a_repeated_render_reuses_the_subset() {
        let layout = Layout::parse(LETTER_LAYOUT).expect("layout");
        let paragraphs =
            vec!["令和8年11月22日".to_owned(), "再見積のお願い".to_owned(), "拝啓　時下ますます".to_owned()];
        let first = render("再見積のお願い", &layout, &paragraphs).expect("pdf");
        let second = render("再見積のお願い", &layout, &paragraphs).expect("pdf");
        assert_eq!(first.len(), second.len());
        let text = pdftotext(&second, false);
        // pdftotext reads the 全角 space as a paragraph break, as it did before.
        assert!(text.contains("再見積のお願い") && text.contains("拝啓") && text.contains("時下ますます"), "{text}");
        let m = METRICS.as_ref().expect("font");
        let gids: BTreeSet<u16> = paragraphs.concat().chars().map(|c| m.glyph(c).0).filter(|g| *g != 0).collect();
        let gids: Vec<u16> = gids.into_iter().collect();
        let (a, b) = (subset_for(m.font, gids.clone()).expect("subset"), subset_for(m.font, gids).expect("subset"));
        assert!(Arc::ptr_eq(&a, &b), "the second render took the cached subset");
    }
}
