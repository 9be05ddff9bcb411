//! The positioned text of a PDF page: each string the page shows, where it starts and ends
//! and how large it is, decoded to Unicode through its font's ToUnicode map.
//!
//! Follows the text state of PDF 32000-1 §9.3–9.4 (text and line matrices, Td/TD/Tm/T*,
//! Tc/Tw/Tz/TL/Ts, q/Q/cm) and the glyph widths of §9.6–9.7 (/Widths of simple fonts, /W and
//! /DW of CID fonts), which is what places each cell of a printed table. Text inside form
//! XObjects is not followed: spreadsheet and office printers write table text on the page.

use crate::budget::Budget;
use crate::error::{ReadError, ReadErrorKind};
use lopdf::content::Content;
use lopdf::{Dictionary, Document, Encoding, Object, ObjectId};
use std::collections::{BTreeMap, HashMap};

/// One string as shown on the page, in points from the page's lower left corner.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Run {
    /// Where the string starts.
    pub(crate) x0: f64,
    /// Where it ends (start plus the glyphs' advance).
    pub(crate) x1: f64,
    /// Its baseline.
    pub(crate) y: f64,
    /// The font size as drawn.
    pub(crate) size: f64,
    /// The text.
    pub(crate) text: String,
    /// How sure OCR is of the text (0–100); 100 for a PDF's own text.
    pub(crate) confidence: f32,
    /// Why a person should check the text (OCR unsure of it, or a rule changed it).
    pub(crate) doubt: Option<crate::ocr::Doubt>,
}

/// A PDF matrix [a b c d e f]: x' = a·x + c·y + e, y' = b·x + d·y + f.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Matrix([f64; 6]);

impl Matrix {
    const IDENTITY: Matrix = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    fn translate(tx: f64, ty: f64) -> Matrix {
        Matrix([1.0, 0.0, 0.0, 1.0, tx, ty])
    }

    /// `self × other`: apply `self`, then `other`.
    fn then(self, other: Matrix) -> Matrix {
        let [a, b, c, d, e, f] = self.0;
        let [a2, b2, c2, d2, e2, f2] = other.0;
        Matrix([
            a * a2 + b * c2,
            a * b2 + b * d2,
            c * a2 + d * c2,
            c * b2 + d * d2,
            e * a2 + f * c2 + e2,
            e * b2 + f * d2 + f2,
        ])
    }

    fn origin(self) -> (f64, f64) {
        (self.0[4], self.0[5])
    }

    /// How much the matrix scales a vertical length.
    fn vertical_scale(self) -> f64 {
        self.0[2].hypot(self.0[3])
    }
}

/// Glyph widths of a font, in thousandths of the font size.
#[derive(Debug, Clone, Default)]
struct Widths {
    first_char: u32,
    simple: Vec<f64>,
    cid: HashMap<u32, f64>,
    default: f64,
}

impl Widths {
    fn of(&self, code: u32) -> f64 {
        if let Some(w) = self.cid.get(&code) {
            return *w;
        }
        code.checked_sub(self.first_char)
            .and_then(|i| self.simple.get(usize::try_from(i).ok()?))
            .copied()
            .unwrap_or(self.default)
    }
}

/// A font as the text of a page needs it.
struct Font<'a> {
    encoding: Option<Encoding<'a>>,
    /// CID fonts (Type0) take two bytes per glyph code.
    two_bytes: bool,
    /// A CID font under a Unicode CMap (UniJIS-UCS2-H, UniJIS-UTF16-H): its codes are UTF-16BE.
    utf16: bool,
    widths: Widths,
}

fn number(o: &Object) -> Option<f64> {
    match o {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(f64::from(*r)),
        _ => None,
    }
}

fn deref<'a>(doc: &'a Document, o: &'a Object) -> Option<&'a Object> {
    match o {
        Object::Reference(id) => doc.get_object(*id).ok(),
        other => Some(other),
    }
}

/// Widths from /W: `c [w1 w2 …]` and `c_first c_last w` entries.
fn cid_widths(doc: &Document, w: &[Object]) -> HashMap<u32, f64> {
    let mut out = HashMap::new();
    let mut i = 0;
    // A crafted /W could claim billions of codes in one range: at most 65,536 widths are kept.
    while i < w.len() && out.len() <= 65_536 {
        let Some(first) = w.get(i).and_then(|o| deref(doc, o)).and_then(number) else { break };
        let first = first.max(0.0) as u32;
        match w.get(i + 1).and_then(|o| deref(doc, o)) {
            Some(Object::Array(list)) => {
                for (k, o) in list.iter().enumerate() {
                    if let (Some(width), Ok(k)) = (number(o), u32::try_from(k)) {
                        out.insert(first.saturating_add(k), width);
                    }
                }
                i += 2;
            }
            Some(last) => {
                let (Some(last), Some(width)) =
                    (number(last), w.get(i + 2).and_then(|o| deref(doc, o)).and_then(number))
                else {
                    break;
                };
                let last = (last.max(0.0) as u32).min(first.saturating_add(65_536));
                for code in first..=last {
                    out.insert(code, width);
                }
                i += 3;
            }
            None => break,
        }
    }
    out
}

/// A dictionary's entry, followed if it is a reference.
fn entry<'a>(doc: &'a Document, d: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    d.get(key).ok().and_then(|o| deref(doc, o))
}

fn widths(doc: &Document, font: &Dictionary) -> Widths {
    let get = |d, key| entry(doc, d, key);
    if let Some(Object::Array(descendants)) = get(font, b"DescendantFonts")
        && let Some(Object::Dictionary(cid)) = descendants.first().and_then(|o| deref(doc, o))
    {
        let cid_map = match get(cid, b"W") {
            Some(Object::Array(w)) => cid_widths(doc, w),
            _ => HashMap::new(),
        };
        let default = get(cid, b"DW").and_then(number).unwrap_or(1000.0);
        return Widths { first_char: 0, simple: Vec::new(), cid: cid_map, default };
    }
    let first_char = get(font, b"FirstChar").and_then(number).map_or(0, |f| f.max(0.0) as u32);
    let simple = match get(font, b"Widths") {
        Some(Object::Array(list)) => list.iter().map(|o| deref(doc, o).and_then(number).unwrap_or(0.0)).collect(),
        _ => Vec::new(),
    };
    let default = get(font, b"FontDescriptor")
        .and_then(|d| if let Object::Dictionary(d) = d { get(d, b"MissingWidth").and_then(number) } else { None })
        .unwrap_or(500.0);
    Widths { first_char, simple, cid: HashMap::new(), default }
}

/// The fonts of a page by resource name. A font with a ToUnicode map is decoded through it
/// even when it also names an encoding (LibreOffice writes WinAnsiEncoding and a ToUnicode map
/// for glyphs WinAnsi cannot name, such as kanji in a fallback font).
fn fonts<'a>(doc: &'a Document, prepared: &'a [(Vec<u8>, Dictionary)], limit: usize) -> BTreeMap<Vec<u8>, Font<'a>> {
    prepared
        .iter()
        .map(|(name, dict)| {
            let two_bytes = dict.get(b"Subtype").and_then(Object::as_name).is_ok_and(|s| s == b"Type0");
            let cmap = dict.get(b"Encoding").and_then(Object::as_name).unwrap_or_default();
            let utf16 = two_bytes
                && !dict.has(b"ToUnicode")
                && cmap.starts_with(b"Uni")
                && (cmap.windows(4).any(|w| w == b"UCS2") || cmap.windows(5).any(|w| w == b"UTF16"));
            // A CID font says its characters only through a ToUnicode map (or a Unicode CMap):
            // without one lopdf falls back to a one-byte encoding that reads glyph numbers as letters.
            let encoding = if two_bytes && !dict.has(b"ToUnicode") {
                None
            } else {
                dict.get_font_encoding_with_limit(doc, limit).ok()
            };
            (name.clone(), Font { encoding, two_bytes, utf16, widths: widths(doc, dict) })
        })
        .collect()
}

/// Copies of the page's font dictionaries, those with a ToUnicode map without their /Encoding
/// (see [`fonts`]).
fn prepared_fonts(doc: &Document, page: ObjectId) -> Vec<(Vec<u8>, Dictionary)> {
    let Ok(fonts) = doc.get_page_fonts(page) else {
        return Vec::new();
    };
    fonts
        .into_iter()
        .map(|(name, dict)| {
            let mut dict = dict.clone();
            let simple = dict.get(b"Subtype").and_then(Object::as_name).is_ok_and(|s| s != b"Type0");
            if simple && dict.has(b"ToUnicode") {
                dict.remove(b"Encoding");
            }
            (name, dict)
        })
        .collect()
}

/// The text state while a page's content is walked.
struct State {
    ctm: Matrix,
    stack: Vec<Matrix>,
    tm: Matrix,
    tlm: Matrix,
    font: Vec<u8>,
    size: f64,
    char_spacing: f64,
    word_spacing: f64,
    scale: f64,
    leading: f64,
    rise: f64,
    /// Marked content open on the page, innermost last: the text a span says it shows
    /// (/ActualText, PDF 32000-1 §14.9.4), taken by the first string shown inside it.
    marked: Vec<Option<String>>,
    /// Glyphs shown whose characters the file does not say (no ToUnicode map for a CID font).
    undecodable: usize,
}

impl State {
    fn new() -> State {
        State {
            ctm: Matrix::IDENTITY,
            stack: Vec::new(),
            tm: Matrix::IDENTITY,
            tlm: Matrix::IDENTITY,
            font: Vec::new(),
            size: 0.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            scale: 1.0,
            leading: 0.0,
            rise: 0.0,
            marked: Vec::new(),
            undecodable: 0,
        }
    }

    fn next_line(&mut self, tx: f64, ty: f64) {
        self.tlm = Matrix::translate(tx, ty).then(self.tlm);
        self.tm = self.tlm;
    }

    /// Shows a string: records its run and advances the text matrix by its glyphs.
    fn show(&mut self, bytes: &[u8], fonts: &BTreeMap<Vec<u8>, Font<'_>>, runs: &mut Vec<Run>) {
        let Some(font) = fonts.get(&self.font) else { return };
        // Inside a span with /ActualText the glyphs stand for that text (LibreOffice draws a
        // character its font lacks as a placeholder glyph and says the character there).
        let actual = self.marked.iter_mut().rev().find(|m| m.is_some()).map(Option::take);
        let text = match actual {
            Some(Some(said)) => said,
            Some(None) => String::new(),
            None => match &font.encoding {
                Some(e) => Document::decode_text(e, bytes).unwrap_or_default(),
                None if font.utf16 => {
                    let units: Vec<u16> =
                        bytes.chunks(2).map(|c| c.iter().fold(0u16, |v, b| v << 8 | u16::from(*b))).collect();
                    String::from_utf16_lossy(&units)
                }
                // Glyph numbers of a CID font without a ToUnicode map say nothing of their characters.
                None if font.two_bytes => "\u{FFFD}".repeat(bytes.len() / 2),
                None => bytes.iter().filter(|b| b.is_ascii_graphic() || **b == b' ').map(|b| char::from(*b)).collect(),
            },
        };
        let unknown = text.chars().filter(|c| *c == '\u{FFFD}').count();
        self.undecodable += unknown;
        let text: String = text.chars().filter(|c| *c != '\u{FFFD}' && *c != '\u{0}').collect();
        let mut advance = 0.0;
        let step = if font.two_bytes { 2 } else { 1 };
        for code in bytes.chunks(step) {
            let code_value = code.iter().fold(0u32, |v, b| v * 256 + u32::from(*b));
            let space = !font.two_bytes && code_value == 32;
            advance += (font.widths.of(code_value) / 1000.0 * self.size
                + self.char_spacing
                + if space { self.word_spacing } else { 0.0 })
                * self.scale;
        }
        let render = Matrix([self.size * self.scale, 0.0, 0.0, self.size, 0.0, self.rise]).then(self.tm).then(self.ctm);
        let end = Matrix::translate(advance, self.rise).then(self.tm).then(self.ctm);
        // Text drawn turned (a landscape quote placed on a portrait page by a rotation) is turned
        // back, so that its lines run left to right as the reader sees them.
        let [a, b, ..] = render.0;
        let length = a.hypot(b);
        let (cos, sin) = if length > 0.0 { (a / length, b / length) } else { (1.0, 0.0) };
        let turn = |(x, y): (f64, f64)| (x * cos + y * sin, -x * sin + y * cos);
        let (x0, y) = turn(render.origin());
        let (x1, _) = turn(end.origin());
        let size = render.vertical_scale();
        self.tm = Matrix::translate(advance, 0.0).then(self.tm);
        // Spaces are kept: they join the glyphs around them into one word (「品　名」).
        if !text.is_empty() && x0.is_finite() && x1.is_finite() && y.is_finite() && size.is_finite() {
            runs.push(Run { x0: x0.min(x1), x1: x0.max(x1), y, size, text, confidence: 100.0, doubt: None });
        }
    }
}

fn matrix_of(operands: &[Object]) -> Option<Matrix> {
    let n: Vec<f64> = operands.iter().filter_map(number).collect();
    let m: [f64; 6] = n.get(..6)?.try_into().ok()?;
    m.iter().all(|v| v.is_finite()).then_some(Matrix(m))
}

/// Most operations of one page walked; a real page has a few thousand.
const MOST_OPERATIONS: usize = 2_000_000;

/// The text of one page.
pub(crate) struct PageText {
    /// The strings shown, in the order the page draws them.
    pub(crate) runs: Vec<Run>,
    /// Glyphs whose characters the file does not say.
    pub(crate) undecodable: usize,
}

/// The runs of one page, in the order the page draws them.
pub(crate) fn page_runs(
    file: &str,
    doc: &Document,
    page: ObjectId,
    limit: usize,
    budget: &Budget<'_>,
) -> Result<PageText, ReadError> {
    let broken = |detail: String| ReadError::file(file, ReadErrorKind::Corrupted { detail });
    let prepared = prepared_fonts(doc, page);
    let fonts = fonts(doc, &prepared, limit);
    let content = doc.get_page_content_with_limit(page, limit).map_err(|e| super::refusal(file, e))?;
    let content = Content::decode(&content).map_err(|e| broken(e.to_string()))?;
    let mut state = State::new();
    let mut runs = Vec::new();
    for (i, op) in content.operations.iter().enumerate() {
        if i >= MOST_OPERATIONS {
            return Err(broken("too many operations on one page".into()));
        }
        if i % 4096 == 0 {
            budget.check().map_err(|e| e.into_error(file))?;
        }
        let operands = &op.operands;
        let num = |k: usize| operands.get(k).and_then(number).filter(|v| v.is_finite());
        match op.operator.as_str() {
            "q" if state.stack.len() < 1024 => state.stack.push(state.ctm),
            "Q" => state.ctm = state.stack.pop().unwrap_or(Matrix::IDENTITY),
            "cm" => {
                if let Some(m) = matrix_of(operands) {
                    state.ctm = m.then(state.ctm);
                }
            }
            "BT" => {
                state.tm = Matrix::IDENTITY;
                state.tlm = Matrix::IDENTITY;
            }
            "Tf" => {
                if let Some(name) = operands.first().and_then(|o| o.as_name().ok()) {
                    state.font = name.to_vec();
                }
                state.size = num(1).unwrap_or(state.size);
            }
            "Td" => state.next_line(num(0).unwrap_or(0.0), num(1).unwrap_or(0.0)),
            "TD" => {
                let ty = num(1).unwrap_or(0.0);
                state.leading = -ty;
                state.next_line(num(0).unwrap_or(0.0), ty);
            }
            "Tm" => {
                if let Some(m) = matrix_of(operands) {
                    state.tm = m;
                    state.tlm = m;
                }
            }
            "T*" => state.next_line(0.0, -state.leading),
            "BMC" if state.marked.len() < 256 => state.marked.push(None),
            "BDC" if state.marked.len() < 256 => {
                let said = match operands.get(1) {
                    Some(Object::Dictionary(d)) => {
                        d.get(b"ActualText").ok().and_then(|t| lopdf::decode_text_string(t).ok())
                    }
                    _ => None,
                };
                state.marked.push(said);
            }
            "EMC" => {
                state.marked.pop();
            }
            "TL" => state.leading = num(0).unwrap_or(state.leading),
            "Tc" => state.char_spacing = num(0).unwrap_or(0.0),
            "Tw" => state.word_spacing = num(0).unwrap_or(0.0),
            "Tz" => state.scale = num(0).unwrap_or(100.0) / 100.0,
            "Ts" => state.rise = num(0).unwrap_or(0.0),
            "Tj" => {
                if let Some(Object::String(bytes, _)) = operands.first() {
                    state.show(bytes, &fonts, &mut runs);
                }
            }
            "'" => {
                state.next_line(0.0, -state.leading);
                if let Some(Object::String(bytes, _)) = operands.first() {
                    state.show(bytes, &fonts, &mut runs);
                }
            }
            "\"" => {
                state.word_spacing = num(0).unwrap_or(state.word_spacing);
                state.char_spacing = num(1).unwrap_or(state.char_spacing);
                state.next_line(0.0, -state.leading);
                if let Some(Object::String(bytes, _)) = operands.get(2) {
                    state.show(bytes, &fonts, &mut runs);
                }
            }
            "TJ" => {
                let Some(Object::Array(items)) = operands.first() else { continue };
                for item in items {
                    match item {
                        Object::String(bytes, _) => state.show(bytes, &fonts, &mut runs),
                        other => {
                            if let Some(n) = number(other).filter(|v| v.is_finite()) {
                                let tx = -n / 1000.0 * state.size * state.scale;
                                state.tm = Matrix::translate(tx, 0.0).then(state.tm);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Ok(PageText { runs, undecodable: state.undecodable })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrices_compose_in_pdf_order() {
        // Scale by 2, then move by (10, 20): the origin lands at (10, 20), (1, 1) at (12, 22).
        let m = Matrix([2.0, 0.0, 0.0, 2.0, 0.0, 0.0]).then(Matrix::translate(10.0, 20.0));
        assert_eq!(m.origin(), (10.0, 20.0));
        let p = Matrix::translate(1.0, 1.0).then(m);
        assert_eq!(p.origin(), (12.0, 22.0));
        assert_eq!(m.vertical_scale(), 2.0);
    }
}
