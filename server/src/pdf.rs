//! PDF documents in Japanese: the counter-offer letter flowed onto A4 pages by a layout from
//! `templates/`, and form documents (the subsidy application package) laid out entirely by a
//! JSON template there — fields, tables, flow, fonts and sizes — so a changed form is a template
//! edit.
//!
//! The font (IPAex Gothic, `fonts/`, IPA Font License v1.0) is built into the binary so a PDF
//! renders the same on every machine; only the glyphs a document uses are embedded.
//!
//! Speed (`server/benches/application_pdf.rs`): printpdf spent a render looking characters up
//! in the font's cmap, subsetting, and compressing at miniz's best level. Here characters are
//! looked up once per process, text goes to printpdf as glyph ids of a subset (allsorts, through
//! printpdf) stripped of its hinting, streams are compressed by a fast zlib encoder of our own,
//! and a subset with its compressed streams is kept for the next document with the same glyphs.

use printpdf::{
    Codepoint, Color, FontEmbeddingMode, FontId, Greyscale, LineCapStyle, LinePoint, Mm, Op, PaintMode, ParsedFont,
    PdfDocument, PdfFont, PdfFontHandle, PdfPage, PdfParseErrorSeverity, PdfSaveOptions, Point, Polygon, PolygonRing,
    PrintpdfFontMeta, Pt, Rect, TextItem, WindingOrder,
};
use serde::Deserialize;
use serde::de::IgnoredAny;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

/// IPAex Gothic (`fonts/ipaexg.ttf`, licence in `fonts/IPA_Font_License_Agreement_v1.0.txt`).
const FONT: &[u8] = include_bytes!("../../fonts/ipaexg.ttf");

/// The font parsed once: parsing 6 MB of tables per document took most of a render.
static PARSED_FONT: LazyLock<Option<ParsedFont>> = LazyLock::new(|| ParsedFont::from_bytes(FONT, 0, &mut Vec::new()));

/// Glyph ids and widths of the font, looked up once per process (see [`Metrics`]).
static METRICS: LazyLock<Option<Metrics>> = LazyLock::new(|| PARSED_FONT.as_ref().map(Metrics::new));

/// Layout of the counter-offer letter (`templates/counter_offer_letter.layout.json`).
pub const LETTER_LAYOUT: &str = include_str!("../../templates/counter_offer_letter.layout.json");

/// The subsidy application package: 交付申請書, 領収書内訳書 and 完了報告書
/// (`templates/subsidy_application.layout.json`).
pub const APPLICATION_FORM: &str = include_str!("../../templates/subsidy_application.layout.json");

/// Resource name of the embedded font; fixed so the font's objects (and their compressed
/// forms, cached by content) are the same for every document with the same glyphs.
const FONT_RESOURCE: &str = "IPAexG";

/// How a paragraph or a cell's text sits between its margins.
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

/// Glyph ids and advance widths of the built-in font.
///
/// The font's own lookup (allsorts, a linear search of the cmap's groups) costs microseconds a
/// character and took 40 % of a letter's render; each BMP character is looked up once per
/// process and remembered here.
struct Metrics {
    font: &'static ParsedFont,
    /// By code point: glyph id << 16 | advance in font units, or [`NOT_LOOKED_UP`]; glyph 0
    /// means the font lacks the character.
    bmp: Vec<AtomicU32>,
    units_per_em: f32,
    /// The top of the em box above the baseline, in ems: the font's ascender over its
    /// ascender-to-descender span, so text sits centred in a line.
    ascent_em: f32,
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
    fn glyph(&self, c: char) -> (u16, u16) {
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

    fn em_width(&self, c: char) -> f32 {
        f32::from(self.glyph(c).1) / self.units_per_em
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

/// One line placed on a page: its baseline's start, in pt from the bottom-left corner.
struct Placed {
    text: String,
    size: f32,
    x_pt: f32,
    y_pt: f32,
}

/// Everything drawn on one page, in pt from the bottom-left corner.
#[derive(Default)]
struct Page {
    texts: Vec<Placed>,
    /// Ruled lines: x1, y1, x2, y2.
    rules: Vec<[f32; 4]>,
    /// Shaded rectangles: x, y (bottom), width, height.
    fills: Vec<[f32; 4]>,
}

impl Page {
    fn is_empty(&self) -> bool {
        self.texts.is_empty() && self.rules.is_empty() && self.fills.is_empty()
    }
}

/// How rules and shading are drawn.
#[derive(Debug, Clone, Copy)]
struct Ink {
    rule_width_pt: f32,
    /// 0 black … 1 white.
    shade_gray: f32,
}

/// Flows `paragraphs` (lines inside a paragraph kept) onto pages and returns the PDF bytes.
pub fn render(title: &str, layout: &Layout, paragraphs: &[String]) -> Result<Vec<u8>, String> {
    let metrics = METRICS.as_ref().ok_or("the built-in font cannot be read")?;
    let (top, bottom) = (mm(layout.page_height_mm - layout.margin_top_mm), mm(layout.margin_bottom_mm));
    let (left, text_width) =
        (mm(layout.margin_left_mm), mm(layout.page_width_mm - layout.margin_left_mm - layout.margin_right_mm));

    let mut pages: Vec<Page> = vec![Page::default()];
    let mut y = top;
    for (index, paragraph) in paragraphs.iter().enumerate() {
        let size = if paragraph.contains(&layout.title_contains) { layout.title_size_pt } else { layout.font_size_pt };
        let advance = size * layout.line_height;
        let align = layout.align(index, paragraph);
        for line in paragraph.split('\n').flat_map(|l| wrap(l, text_width / size, |c| metrics.em_width(c))) {
            if y - advance < bottom {
                pages.push(Page::default());
                y = top;
            }
            y -= advance;
            let slack = (text_width - metrics.width(&line) * size).max(0.0);
            let x_pt = match align {
                Align::Left => left,
                Align::Center => left + slack / 2.0,
                Align::Right => left + slack,
            };
            pages.last_mut().expect("a page").texts.push(Placed { text: line, size, x_pt, y_pt: y });
        }
        y -= layout.font_size_pt * layout.line_height * layout.paragraph_gap_lines;
    }
    let ink = Ink { rule_width_pt: 0.5, shade_gray: 0.9 };
    write_pdf(title, (layout.page_width_mm, layout.page_height_mm), &pages, metrics, ink)
}

fn mm(v: f32) -> f32 {
    Pt::from(Mm(v)).0
}

// ---------------------------------------------------------------------------------------------
// Form templates

/// Values to fill a form template with: scalar placeholders and row lists for tables.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormValues {
    /// `{name}` → its text, already formatted (yen, 和暦 dates): the renderer formats nothing.
    pub fields: BTreeMap<String, String>,
    /// A table block's `rows` name → its rows, each mapping a column's `field` to its text.
    pub tables: BTreeMap<String, Vec<BTreeMap<String, String>>>,
}

/// A text with `{placeholder}`s, split once when the template is parsed.
#[derive(Debug, Clone, PartialEq)]
struct Template(Vec<Piece>);

#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Text(String),
    Field(String),
}

impl Template {
    /// `{name}` is a placeholder (ASCII letters, digits, `_`); `{{` and `}}` are literal braces.
    fn parse(s: &str) -> Result<Self, String> {
        let mut pieces = Vec::new();
        let mut text = String::new();
        let mut chars = s.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    text.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    text.push('}');
                }
                '{' => {
                    let mut name = String::new();
                    loop {
                        match chars.next() {
                            Some('}') => break,
                            Some(c) if c.is_ascii_alphanumeric() || c == '_' => name.push(c),
                            Some(c) => {
                                return Err(format!("「{s}」: `{c}` in a placeholder name (letters, digits, _)"));
                            }
                            None => return Err(format!("「{s}」: a `{{` is not closed")),
                        }
                    }
                    if name.is_empty() {
                        return Err(format!("「{s}」: an empty placeholder `{{}}`"));
                    }
                    if !text.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut text)));
                    }
                    pieces.push(Piece::Field(name));
                }
                '}' => return Err(format!("「{s}」: a `}}` without its `{{` (write `}}}}` for a brace)")),
                c => text.push(c),
            }
        }
        if !text.is_empty() {
            pieces.push(Piece::Text(text));
        }
        Ok(Template(pieces))
    }

    fn fields(&self) -> impl Iterator<Item = &str> {
        self.0.iter().filter_map(|p| match p {
            Piece::Field(name) => Some(name.as_str()),
            Piece::Text(_) => None,
        })
    }

    fn fill(&self, values: &BTreeMap<String, String>) -> Result<String, String> {
        let mut out = String::new();
        for piece in &self.0 {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Field(name) => {
                    out.push_str(values.get(name).ok_or_else(|| format!("the form values lack {{{name}}}"))?)
                }
            }
        }
        Ok(out)
    }
}

/// A form template as written in JSON (see templates/README.md).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawForm {
    #[serde(default)]
    _comment: IgnoredAny,
    page_width_mm: f32,
    page_height_mm: f32,
    margin_top_mm: f32,
    margin_bottom_mm: f32,
    margin_left_mm: f32,
    margin_right_mm: f32,
    font_size_pt: f32,
    line_height: f32,
    title_size_pt: f32,
    heading_size_pt: f32,
    block_gap_mm: f32,
    cell_padding_x_mm: f32,
    cell_padding_y_mm: f32,
    rule_width_pt: f32,
    shade_gray: f32,
    blocks: Vec<RawBlock>,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
enum RawBlock {
    Title {
        text: String,
    },
    Heading {
        text: String,
    },
    Text {
        text: String,
        #[serde(default)]
        align: Align,
        size_pt: Option<f32>,
    },
    Fields {
        label_width_mm: f32,
        rows: Vec<RawField>,
    },
    Table {
        rows: String,
        columns: Vec<RawColumn>,
        #[serde(default)]
        footer: Vec<RawFooter>,
    },
    Gap {
        mm: f32,
    },
    PageBreak {
        #[serde(default)]
        _comment: IgnoredAny,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawField {
    label: String,
    value: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawColumn {
    header: String,
    field: String,
    width_mm: f32,
    #[serde(default)]
    align: Align,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFooter {
    label: String,
    value: String,
    /// The column (by `field`) holding the value; the label spans the columns before it.
    /// Default: the last column.
    column: Option<String>,
}

/// A parsed form template: page, type sizes and blocks in flow order.
#[derive(Debug, Clone)]
pub struct Form {
    page_width_mm: f32,
    page_height_mm: f32,
    margin_top_mm: f32,
    margin_bottom_mm: f32,
    margin_left_mm: f32,
    margin_right_mm: f32,
    font_size_pt: f32,
    line_height: f32,
    block_gap_mm: f32,
    cell_padding_x_mm: f32,
    cell_padding_y_mm: f32,
    ink: Ink,
    blocks: Vec<Block>,
}

#[derive(Debug, Clone)]
enum Block {
    Text { text: Template, size_pt: f32, align: Align, keep_with_next: bool },
    Grid(Grid),
    Gap { mm: f32 },
    PageBreak,
}

/// A ruled grid: the fields block (label | value) and tables.
#[derive(Debug, Clone)]
struct Grid {
    columns: Vec<Column>,
    header: Option<Vec<Template>>,
    body: Body,
    footer: Vec<Footer>,
}

#[derive(Debug, Clone)]
struct Column {
    width_mm: f32,
    align: Align,
    shaded: bool,
}

#[derive(Debug, Clone)]
enum Body {
    /// Rows written in the template (a fields block).
    Fixed(Vec<Vec<Template>>),
    /// One row per entry of the named row list; the column fields in order.
    Rows { table: String, fields: Vec<String> },
}

#[derive(Debug, Clone)]
struct Footer {
    label: Template,
    value: Template,
    column: usize,
}

impl Form {
    /// Parses and checks a form template: sizes positive, columns within the text width,
    /// placeholders well formed.
    pub fn parse(json: &str) -> Result<Form, String> {
        let raw: RawForm = serde_json::from_str(json).map_err(|e| format!("form template: {e}"))?;
        let text_width = raw.page_width_mm - raw.margin_left_mm - raw.margin_right_mm;
        let text_height = raw.page_height_mm - raw.margin_top_mm - raw.margin_bottom_mm;
        let positive = [
            ("text width", text_width),
            ("text height", text_height),
            ("font_size_pt", raw.font_size_pt),
            ("title_size_pt", raw.title_size_pt),
            ("heading_size_pt", raw.heading_size_pt),
            ("line_height", raw.line_height),
            ("rule_width_pt", raw.rule_width_pt),
        ];
        if let Some((name, _)) = positive.iter().find(|(_, v)| *v <= 0.0) {
            return Err(format!("form template: {name} must be positive"));
        }
        let non_negative = [
            ("margins", raw.margin_top_mm.min(raw.margin_bottom_mm).min(raw.margin_left_mm).min(raw.margin_right_mm)),
            ("block_gap_mm", raw.block_gap_mm),
            ("cell_padding_x_mm", raw.cell_padding_x_mm),
            ("cell_padding_y_mm", raw.cell_padding_y_mm),
        ];
        if let Some((name, _)) = non_negative.iter().find(|(_, v)| *v < 0.0) {
            return Err(format!("form template: {name} must not be negative"));
        }
        if !(0.0..=1.0).contains(&raw.shade_gray) {
            return Err("form template: shade_gray is between 0 (black) and 1 (white)".to_owned());
        }
        let sizes = Sizes { body: raw.font_size_pt, title: raw.title_size_pt, heading: raw.heading_size_pt };
        let blocks = raw
            .blocks
            .into_iter()
            .enumerate()
            .map(|(i, b)| {
                compile_block(b, &sizes, text_width).map_err(|e| format!("form template, block {}: {e}", i + 1))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Form {
            page_width_mm: raw.page_width_mm,
            page_height_mm: raw.page_height_mm,
            margin_top_mm: raw.margin_top_mm,
            margin_bottom_mm: raw.margin_bottom_mm,
            margin_left_mm: raw.margin_left_mm,
            margin_right_mm: raw.margin_right_mm,
            font_size_pt: raw.font_size_pt,
            line_height: raw.line_height,
            block_gap_mm: raw.block_gap_mm,
            cell_padding_x_mm: raw.cell_padding_x_mm,
            cell_padding_y_mm: raw.cell_padding_y_mm,
            ink: Ink { rule_width_pt: raw.rule_width_pt, shade_gray: raw.shade_gray },
            blocks,
        })
    }

    /// Every scalar placeholder and table (with its columns' fields) the template uses, so tests
    /// can check a producer supplies them all: `facility_name` for `{facility_name}`, `lines[]`
    /// for the row list `lines` and `lines[].amount` for its column field `amount`.
    pub fn placeholders(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut add = |t: &Template| out.extend(t.fields().map(str::to_owned));
        for block in &self.blocks {
            match block {
                Block::Text { text, .. } => add(text),
                Block::Grid(grid) => {
                    grid.header.iter().flatten().for_each(&mut add);
                    if let Body::Fixed(rows) = &grid.body {
                        rows.iter().flatten().for_each(&mut add);
                    }
                    for f in &grid.footer {
                        add(&f.label);
                        add(&f.value);
                    }
                }
                Block::Gap { .. } | Block::PageBreak => {}
            }
        }
        for block in &self.blocks {
            if let Block::Grid(Grid { body: Body::Rows { table, fields }, .. }) = block {
                out.insert(format!("{table}[]"));
                out.extend(fields.iter().map(|f| format!("{table}[].{f}")));
            }
        }
        out
    }

    /// Everything the template needs that `values` lack, named; empty when complete.
    fn missing(&self, values: &FormValues) -> Vec<String> {
        let mut missing: Vec<String> = self
            .placeholders()
            .into_iter()
            .filter(|p| !p.contains("[]") && !values.fields.contains_key(p))
            .map(|p| format!("{{{p}}}"))
            .collect();
        for block in &self.blocks {
            if let Block::Grid(Grid { body: Body::Rows { table, fields }, .. }) = block {
                let Some(rows) = values.tables.get(table) else {
                    missing.push(format!("the table {table}[]"));
                    continue;
                };
                for (i, row) in rows.iter().enumerate() {
                    missing
                        .extend(fields.iter().filter(|f| !row.contains_key(*f)).map(|f| format!("{table}[{i}].{f}")));
                }
            }
        }
        missing
    }
}

/// Type sizes a block may default to.
struct Sizes {
    body: f32,
    title: f32,
    heading: f32,
}

fn compile_block(raw: RawBlock, sizes: &Sizes, text_width_mm: f32) -> Result<Block, String> {
    const EPS_MM: f32 = 0.01;
    Ok(match raw {
        RawBlock::Title { text } => Block::Text {
            text: Template::parse(&text)?,
            size_pt: sizes.title,
            align: Align::Center,
            keep_with_next: false,
        },
        RawBlock::Heading { text } => Block::Text {
            text: Template::parse(&text)?,
            size_pt: sizes.heading,
            align: Align::Left,
            keep_with_next: true,
        },
        RawBlock::Text { text, align, size_pt } => {
            let size_pt = size_pt.unwrap_or(sizes.body);
            if size_pt <= 0.0 {
                return Err("size_pt must be positive".to_owned());
            }
            Block::Text { text: Template::parse(&text)?, size_pt, align, keep_with_next: false }
        }
        RawBlock::Fields { label_width_mm, rows } => {
            if !(label_width_mm > 0.0 && label_width_mm < text_width_mm) {
                return Err(format!("label_width_mm must be between 0 and the text width ({text_width_mm} mm)"));
            }
            let rows = rows
                .into_iter()
                .map(|r| Ok(vec![Template::parse(&r.label)?, Template::parse(&r.value)?]))
                .collect::<Result<Vec<_>, String>>()?;
            Block::Grid(Grid {
                columns: vec![
                    Column { width_mm: label_width_mm, align: Align::Left, shaded: true },
                    Column { width_mm: text_width_mm - label_width_mm, align: Align::Left, shaded: false },
                ],
                header: None,
                body: Body::Fixed(rows),
                footer: Vec::new(),
            })
        }
        RawBlock::Table { rows, columns, footer } => {
            if rows.is_empty() || !rows.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(format!("table rows `{rows}`: name a row list (letters, digits, _)"));
            }
            if columns.is_empty() {
                return Err(format!("table {rows}: no columns"));
            }
            if let Some(c) = columns.iter().find(|c| c.width_mm <= 0.0) {
                return Err(format!("table {rows}, column {}: width_mm must be positive", c.field));
            }
            if let Some(c) = columns
                .iter()
                .find(|c| c.field.is_empty() || !c.field.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            {
                return Err(format!(
                    "table {rows}, column 「{}」: field `{}` is not a name (letters, digits, _)",
                    c.header, c.field
                ));
            }
            let total: f32 = columns.iter().map(|c| c.width_mm).sum();
            if total > text_width_mm + EPS_MM {
                return Err(format!("table {rows}: columns are {total} mm wide, the text width is {text_width_mm} mm"));
            }
            let footer = footer
                .into_iter()
                .map(|f| {
                    let column = match &f.column {
                        None => columns.len() - 1,
                        Some(name) => columns
                            .iter()
                            .position(|c| &c.field == name)
                            .ok_or_else(|| format!("table {rows}, footer 「{}」: no column `{name}`", f.label))?,
                    };
                    if column == 0 {
                        return Err(format!(
                            "table {rows}, footer 「{}」: the value needs a column after the label",
                            f.label
                        ));
                    }
                    Ok(Footer { label: Template::parse(&f.label)?, value: Template::parse(&f.value)?, column })
                })
                .collect::<Result<Vec<_>, String>>()?;
            let header = columns.iter().map(|c| Template::parse(&c.header)).collect::<Result<Vec<_>, _>>()?;
            Block::Grid(Grid {
                body: Body::Rows { table: rows, fields: columns.iter().map(|c| c.field.clone()).collect() },
                columns: columns
                    .iter()
                    .map(|c| Column { width_mm: c.width_mm, align: c.align, shaded: false })
                    .collect(),
                header: Some(header),
                footer,
            })
        }
        RawBlock::Gap { mm } => {
            if mm < 0.0 {
                return Err("a gap's mm must not be negative".to_owned());
            }
            Block::Gap { mm }
        }
        RawBlock::PageBreak { .. } => Block::PageBreak,
    })
}

/// Renders; a placeholder or table the values lack is an error naming it (never a silently blank field).
pub fn render_form(title: &str, form: &Form, values: &FormValues) -> Result<Vec<u8>, String> {
    let metrics = METRICS.as_ref().ok_or("the built-in font cannot be read")?;
    let pages = lay_out(form, values, metrics)?;
    write_pdf(title, (form.page_width_mm, form.page_height_mm), &pages, metrics, form.ink)
}

/// The form's blocks flowed onto pages.
fn lay_out(form: &Form, values: &FormValues, metrics: &Metrics) -> Result<Vec<Page>, String> {
    let missing = form.missing(values);
    if !missing.is_empty() {
        return Err(format!("the form values lack {}", missing.join(", ")));
    }
    let mut flow = Flow::new(form, metrics);
    for block in &form.blocks {
        match block {
            Block::Text { text, size_pt, align, keep_with_next } => {
                flow.text(&text.fill(&values.fields)?, *size_pt, *align, *keep_with_next);
                flow.gap(mm(form.block_gap_mm));
            }
            Block::Grid(grid) => {
                flow.grid(grid, values)?;
                flow.gap(mm(form.block_gap_mm));
            }
            Block::Gap { mm: gap } => flow.gap(mm(*gap)),
            Block::PageBreak => {
                if !flow.page().is_empty() {
                    flow.new_page();
                }
            }
        }
    }
    if flow.pages.len() > 1 && flow.page().is_empty() {
        flow.pages.pop();
    }
    Ok(flow.pages)
}

/// Floating-point slack when comparing positions in pt.
const EPS_PT: f32 = 0.01;

/// The flow of a form: the pages so far and where the next block starts.
struct Flow<'m> {
    metrics: &'m Metrics,
    pages: Vec<Page>,
    top: f32,
    bottom: f32,
    left: f32,
    width: f32,
    /// The top of the next block, in pt from the bottom of the page.
    y: f32,
    line_height: f32,
    body_size: f32,
    pad_x: f32,
    pad_y: f32,
}

/// One row of a grid as laid out: its cells' wrapped lines.
#[derive(Clone)]
struct Row {
    cells: Vec<Cell>,
}

#[derive(Clone)]
struct Cell {
    column: usize,
    span: usize,
    align: Align,
    shaded: bool,
    lines: Vec<String>,
}

impl Row {
    fn lines(&self) -> usize {
        self.cells.iter().map(|c| c.lines.len()).max().unwrap_or(1).max(1)
    }

    /// The first `n` lines of every cell, and the rest.
    fn split(mut self, n: usize) -> (Row, Row) {
        let rest = Row {
            cells: self
                .cells
                .iter_mut()
                .map(|c| Cell { lines: c.lines.split_off(n.min(c.lines.len())), ..c.clone() })
                .collect(),
        };
        (self, rest)
    }
}

impl<'m> Flow<'m> {
    fn new(form: &Form, metrics: &'m Metrics) -> Self {
        let top = mm(form.page_height_mm - form.margin_top_mm);
        Flow {
            metrics,
            pages: vec![Page::default()],
            top,
            bottom: mm(form.margin_bottom_mm),
            left: mm(form.margin_left_mm),
            width: mm(form.page_width_mm - form.margin_left_mm - form.margin_right_mm),
            y: top,
            line_height: form.line_height,
            body_size: form.font_size_pt,
            pad_x: mm(form.cell_padding_x_mm),
            pad_y: mm(form.cell_padding_y_mm),
        }
    }

    fn page(&mut self) -> &mut Page {
        if self.pages.is_empty() {
            self.pages.push(Page::default());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = self.top;
    }

    fn room(&self) -> f32 {
        self.y - self.bottom
    }

    fn at_top(&self) -> bool {
        self.y >= self.top - EPS_PT
    }

    /// Vertical space; none at the top of a page.
    fn gap(&mut self, pt: f32) {
        if !self.at_top() {
            self.y -= pt;
        }
    }

    fn line_pitch(&self, size: f32) -> f32 {
        size * self.line_height
    }

    /// Places a line of text whose line box starts at `line_top`, aligned within `x..x + width`.
    fn line(&mut self, text: String, size: f32, align: Align, x: f32, width: f32, line_top: f32) {
        let pitch = self.line_pitch(size);
        let slack = (width - self.metrics.width(&text) * size).max(0.0);
        let x_pt = match align {
            Align::Left => x,
            Align::Center => x + slack / 2.0,
            Align::Right => x + slack,
        };
        let y_pt = line_top - (pitch - size) / 2.0 - self.metrics.ascent_em * size;
        if !text.is_empty() {
            self.page().texts.push(Placed { text, size, x_pt, y_pt });
        }
    }

    fn wrap(&self, text: &str, size: f32, width: f32) -> Vec<String> {
        text.split('\n').flat_map(|l| wrap(l, width / size, |c| self.metrics.em_width(c))).collect()
    }

    /// A paragraph; a heading (`keep_with_next`) moves to the next page unless three body
    /// lines fit under it.
    fn text(&mut self, text: &str, size: f32, align: Align, keep_with_next: bool) {
        let pitch = self.line_pitch(size);
        let lines = self.wrap(text, size, self.width);
        if keep_with_next && !self.at_top() {
            let need = pitch * lines.len() as f32 + 3.0 * self.line_pitch(self.body_size) + 2.0 * self.pad_y;
            if self.room() + EPS_PT < need {
                self.new_page();
            }
        }
        for line in lines {
            if self.room() + EPS_PT < pitch && !self.at_top() {
                self.new_page();
            }
            let (x, width, top) = (self.left, self.width, self.y);
            self.line(line, size, align, x, width, top);
            self.y -= pitch;
        }
    }

    fn row_height(&self, row: &Row) -> f32 {
        2.0 * self.pad_y + row.lines() as f32 * self.line_pitch(self.body_size)
    }

    fn cell(&self, xs: &[f32], column: usize, span: usize, align: Align, shaded: bool, text: &str) -> Cell {
        let width = xs[column + span] - xs[column] - 2.0 * self.pad_x;
        Cell { column, span, align, shaded, lines: self.wrap(text, self.body_size, width.max(self.body_size)) }
    }

    /// A ruled grid: header row repeated on every page the grid reaches, rows kept whole
    /// unless a row is taller than a page, footer rows last.
    fn grid(&mut self, grid: &Grid, values: &FormValues) -> Result<(), String> {
        let mut xs = vec![self.left];
        for c in &grid.columns {
            xs.push(xs[xs.len() - 1] + mm(c.width_mm));
        }
        let header = match &grid.header {
            Some(cells) => Some(Row {
                cells: cells
                    .iter()
                    .enumerate()
                    .map(|(i, t)| Ok(self.cell(&xs, i, 1, Align::Center, true, &t.fill(&values.fields)?)))
                    .collect::<Result<_, String>>()?,
            }),
            None => None,
        };
        let mut rows = Vec::new();
        match &grid.body {
            Body::Fixed(fixed) => {
                for cells in fixed {
                    let mut row = Row { cells: Vec::with_capacity(cells.len()) };
                    for (i, t) in cells.iter().enumerate() {
                        let c = &grid.columns[i];
                        row.cells.push(self.cell(&xs, i, 1, c.align, c.shaded, &t.fill(&values.fields)?));
                    }
                    rows.push(row);
                }
            }
            Body::Rows { table, fields } => {
                let list =
                    values.tables.get(table).ok_or_else(|| format!("the form values lack the table {table}[]"))?;
                for (n, entry) in list.iter().enumerate() {
                    let mut row = Row { cells: Vec::with_capacity(fields.len()) };
                    for (i, f) in fields.iter().enumerate() {
                        let text = entry.get(f).ok_or_else(|| format!("the form values lack {table}[{n}].{f}"))?;
                        let c = &grid.columns[i];
                        row.cells.push(self.cell(&xs, i, 1, c.align, c.shaded, text));
                    }
                    rows.push(row);
                }
            }
        }
        for f in &grid.footer {
            let mut cells = vec![
                self.cell(&xs, 0, f.column, Align::Right, true, &f.label.fill(&values.fields)?),
                self.cell(&xs, f.column, 1, grid.columns[f.column].align, false, &f.value.fill(&values.fields)?),
            ];
            cells.extend((f.column + 1..grid.columns.len()).map(|i| self.cell(&xs, i, 1, Align::Left, false, "")));
            rows.push(Row { cells });
        }

        let header_height = header.as_ref().map_or(0.0, |h| self.row_height(h));
        let capacity = self.top - self.bottom - header_height;
        let one_line = 2.0 * self.pad_y + self.line_pitch(self.body_size);
        if capacity + EPS_PT < one_line {
            return Err("a table row does not fit on a page: make the margins or the type smaller".to_owned());
        }
        // Keep the header with the first row (or its first line, for a row taller than a page).
        let first = rows.first().map_or(0.0, |r| {
            let h = self.row_height(r);
            if h > capacity { one_line } else { h }
        });
        if self.room() + EPS_PT < header_height + first && !self.at_top() {
            self.new_page();
        }
        let mut first_in_segment = true;
        if let Some(h) = &header {
            self.place_row(h, &xs, true);
            first_in_segment = false;
        }
        for mut row in rows {
            loop {
                let height = self.row_height(&row);
                if height <= self.room() + EPS_PT {
                    self.place_row(&row, &xs, first_in_segment);
                    first_in_segment = false;
                    break;
                }
                let fit = ((self.room() + EPS_PT - 2.0 * self.pad_y) / self.line_pitch(self.body_size)).floor();
                if height > capacity + EPS_PT && fit >= 1.0 {
                    let (part, rest) = row.split(fit as usize);
                    self.place_row(&part, &xs, first_in_segment);
                    row = rest;
                }
                self.new_page();
                first_in_segment = true;
                if let Some(h) = &header {
                    self.place_row(h, &xs, true);
                    first_in_segment = false;
                }
            }
        }
        Ok(())
    }

    /// Draws a row at the flow's position: shading, its cells' text, the rules around it.
    fn place_row(&mut self, row: &Row, xs: &[f32], first_in_segment: bool) {
        let height = self.row_height(row);
        let (top, bottom) = (self.y, self.y - height);
        let pitch = self.line_pitch(self.body_size);
        let (pad_x, pad_y, size) = (self.pad_x, self.pad_y, self.body_size);
        let mut verticals = Vec::with_capacity(row.cells.len() + 1);
        for cell in &row.cells {
            let (x, width) = (xs[cell.column], xs[cell.column + cell.span] - xs[cell.column]);
            if cell.shaded {
                self.page().fills.push([x, bottom, width, height]);
            }
            for (i, line) in cell.lines.iter().enumerate() {
                self.line(
                    line.clone(),
                    size,
                    cell.align,
                    x + pad_x,
                    width - 2.0 * pad_x,
                    top - pad_y - i as f32 * pitch,
                );
            }
            verticals.push(x);
        }
        let right = xs[xs.len() - 1];
        verticals.push(right);
        let left = xs[0];
        let page = self.page();
        if first_in_segment {
            page.rules.push([left, top, right, top]);
        }
        page.rules.push([left, bottom, right, bottom]);
        page.rules.extend(verticals.into_iter().map(|x| [x, top, x, bottom]));
        self.y = bottom;
    }
}

// ---------------------------------------------------------------------------------------------
// Writing the PDF

/// A subset of the built-in font for one set of glyphs, kept for the next document that uses
/// the same glyphs (the same application printed again, a letter re-issued): subsetting and
/// compressing the font program are most of a render once lookups are fast.
struct Subset {
    font: ParsedFont,
    /// Glyph id in the full font → glyph id in the subset.
    new_gid: HashMap<u16, u16>,
    /// Compressed forms of the font's streams (program, ToUnicode).
    deflated: Mutex<Vec<Deflated>>,
}

/// A stream's plain content and its zlib form; `None` when compression would not make it smaller.
struct Deflated {
    plain: Vec<u8>,
    packed: Option<Vec<u8>>,
}

/// Subsets by glyph set, oldest evicted first; an entry is about 200 KB for an application.
struct SubsetCache {
    map: HashMap<Vec<u16>, Arc<Subset>>,
    order: VecDeque<Vec<u16>>,
}

const SUBSET_CACHE_ENTRIES: usize = 32;

static SUBSETS: LazyLock<Mutex<SubsetCache>> =
    LazyLock::new(|| Mutex::new(SubsetCache { map: HashMap::new(), order: VecDeque::new() }));

/// The subset for `gids` (sorted, without glyph 0), from the cache or made now.
fn subset_for(font: &ParsedFont, gids: Vec<u16>) -> Result<Arc<Subset>, String> {
    if let Some(s) = SUBSETS.lock().unwrap_or_else(PoisonError::into_inner).map.get(&gids) {
        return Ok(Arc::clone(s));
    }
    let usage: BTreeMap<u16, String> = gids.iter().map(|g| (*g, String::new())).collect();
    let sub = printpdf::subset_font(font, &usage).map_err(|e| format!("subsetting the font: {e}"))?;
    let program = without_hinting(&sub.bytes).unwrap_or(sub.bytes);
    let real = ParsedFont::from_bytes(&program, 0, &mut Vec::new()).ok_or("the font subset cannot be read back")?;
    let mut parsed = outline_free_stand_in(&program, &real).unwrap_or(real);
    // The subset tag (ISO 32000-1 9.6.4): six capitals, derived from the glyph set.
    let mut hash =
        gids.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, g| (h ^ u64::from(*g)).wrapping_mul(0x100_0000_01b3));
    let tag: String = (0..6)
        .map(|_| {
            let c = char::from(b'A' + (hash % 26) as u8);
            hash /= 26;
            c
        })
        .collect();
    parsed.font_name = Some(format!("{tag}+{}", font.font_name.as_deref().unwrap_or("IPAexGothic")));
    let subset = Arc::new(Subset {
        font: parsed,
        new_gid: sub.glyph_mapping.iter().map(|(old, (new, _))| (*old, *new)).collect(),
        deflated: Mutex::new(Vec::new()),
    });
    let mut cache = SUBSETS.lock().unwrap_or_else(PoisonError::into_inner);
    if !cache.map.contains_key(&gids) {
        if cache.order.len() >= SUBSET_CACHE_ENTRIES
            && let Some(old) = cache.order.pop_front()
        {
            cache.map.remove(&old);
        }
        cache.order.push_back(gids.clone());
        cache.map.insert(gids, Arc::clone(&subset));
    }
    Ok(subset)
}

/// The tables of a TrueType font (`sfnt` version 1.0), by tag, in directory order.
fn sfnt_tables(sfnt: &[u8]) -> Option<Vec<([u8; 4], &[u8])>> {
    if be_u32(sfnt, 0)? != 0x0001_0000 {
        return None;
    }
    (0..usize::from(be_u16(sfnt, 4)?))
        .map(|i| {
            let record = 12 + 16 * i;
            let tag: [u8; 4] = sfnt.get(record..record + 4)?.try_into().ok()?;
            let (offset, length) = (be_u32(sfnt, record + 8)? as usize, be_u32(sfnt, record + 12)? as usize);
            Some((tag, sfnt.get(offset..offset.checked_add(length)?)?))
        })
        .collect()
}

fn be_u16(b: &[u8], at: usize) -> Option<u16> {
    b.get(at..at + 2).map(|s| u16::from_be_bytes([s[0], s[1]]))
}

fn be_u32(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4).map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

/// A TrueType font of `tables` (sorted by tag, as in the font they came from), with the
/// directory, table checksums and the head table's checkSumAdjustment written afresh. The
/// outlines (`glyf`) go last, so fonts that differ only in them lay out every other table alike.
fn sfnt_font(tables: &[([u8; 4], &[u8])]) -> Option<Vec<u8>> {
    let checksum = |data: &[u8]| {
        data.chunks(4).fold(0u32, |sum, w| {
            let mut word = [0u8; 4];
            word[..w.len()].copy_from_slice(w);
            sum.wrapping_add(u32::from_be_bytes(word))
        })
    };
    let count = u16::try_from(tables.len()).ok()?;
    // searchRange, entrySelector and rangeShift: the binary-search hints of the directory.
    let entry_selector = 15 - count.max(1).leading_zeros() as u16;
    let search_range = 16u16.checked_shl(u32::from(entry_selector))?;
    let mut out = Vec::with_capacity(tables.iter().map(|(_, d)| d.len() + 20).sum::<usize>() + 12);
    out.extend_from_slice(&0x0001_0000_u32.to_be_bytes());
    for v in [count, search_range, entry_selector, (count * 16).checked_sub(search_range)?] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    out.resize(12 + 16 * tables.len(), 0);
    let mut head_at = None;
    let mut order: Vec<usize> = (0..tables.len()).collect();
    order.sort_by_key(|i| &tables[*i].0 == b"glyf");
    for i in order {
        let (tag, data) = &tables[i];
        let at = out.len();
        out.extend_from_slice(data);
        if tag == b"head" {
            // checkSumAdjustment is zero while checksums are taken, then set for the whole font.
            out.get_mut(at + 8..at + 12)?.copy_from_slice(&[0; 4]);
            head_at = Some(at);
        }
        let sum = checksum(&out[at..]);
        while out.len() % 4 != 0 {
            out.push(0);
        }
        let record = 12 + 16 * i;
        out[record..record + 4].copy_from_slice(tag);
        out[record + 4..record + 8].copy_from_slice(&sum.to_be_bytes());
        out[record + 8..record + 12].copy_from_slice(&u32::try_from(at).ok()?.to_be_bytes());
        out[record + 12..record + 16].copy_from_slice(&u32::try_from(data.len()).ok()?.to_be_bytes());
    }
    let at = head_at?;
    let adjustment = 0xB1B0_AFBA_u32.wrapping_sub(checksum(&out));
    out[at + 8..at + 12].copy_from_slice(&adjustment.to_be_bytes());
    Some(out)
}

/// The TrueType font `sfnt` without the hinting instructions of its glyphs.
///
/// IPAex Gothic carries grid-fitting instructions in every glyph: 43 of the 94 KB of `glyf` in
/// an application's subset. Viewers draw a PDF's outlines scaled to the page, and most ignore
/// TrueType hinting there; without it a PDF is a third smaller and its font compresses in half
/// the time. The outlines, advances and every other table stay as they are. `None` for anything
/// but well-formed TrueType outlines (the font is then embedded as it is).
fn without_hinting(sfnt: &[u8]) -> Option<Vec<u8>> {
    let tables = sfnt_tables(sfnt)?;
    let table = |tag: &[u8; 4]| tables.iter().find(|(t, _)| t == tag).map(|(_, data)| *data);
    let (head, maxp, loca, glyf) = (table(b"head")?, table(b"maxp")?, table(b"loca")?, table(b"glyf")?);
    let long_offsets = be_u16(head, 50)? == 1;
    let offset = |i: usize| {
        if long_offsets {
            be_u32(loca, 4 * i).map(|o| o as usize)
        } else {
            be_u16(loca, 2 * i).map(|o| 2 * usize::from(o))
        }
    };

    let mut new_glyf = Vec::with_capacity(glyf.len());
    let mut new_offsets = Vec::new();
    for i in 0..usize::from(be_u16(maxp, 4)?) {
        new_offsets.push(new_glyf.len());
        let glyph = glyf.get(offset(i)?..offset(i + 1)?)?;
        match be_u16(glyph, 0).map(|n| n as i16) {
            // A simple glyph: contour ends, then the instructions' length and the instructions.
            Some(contours) if contours >= 0 => {
                let at = 10 + 2 * contours as usize;
                let instructions = usize::from(be_u16(glyph, at)?);
                new_glyf.extend_from_slice(&glyph[..at]);
                new_glyf.extend_from_slice(&[0, 0]);
                new_glyf.extend_from_slice(glyph.get(at + 2 + instructions..)?);
            }
            // Empty, or a composite (its instructions are rare and stay).
            _ => new_glyf.extend_from_slice(glyph),
        }
        if new_glyf.len() % 2 == 1 {
            new_glyf.push(0);
        }
    }
    new_offsets.push(new_glyf.len());
    let mut new_loca = Vec::with_capacity(loca.len());
    for o in new_offsets {
        if long_offsets {
            new_loca.extend_from_slice(&u32::try_from(o).ok()?.to_be_bytes());
        } else {
            new_loca.extend_from_slice(&u16::try_from(o / 2).ok()?.to_be_bytes());
        }
    }
    let mut new_maxp = maxp.to_vec();
    if let Some(max_instructions) = new_maxp.get_mut(26..28) {
        max_instructions.copy_from_slice(&[0, 0]);
    }
    let replaced: Vec<([u8; 4], &[u8])> = tables
        .iter()
        .map(|(tag, data)| {
            let data: &[u8] = match tag {
                b"glyf" => &new_glyf,
                b"loca" => &new_loca,
                b"maxp" => &new_maxp,
                _ => data,
            };
            (*tag, data)
        })
        .collect();
    sfnt_font(&replaced)
}

/// A stand-in for the parsed `program` that printpdf can take the `/W` widths from without
/// decoding outlines.
///
/// printpdf reads each glyph's advance through the font's outline decoder, which was a tenth
/// of a render for a new subset and kept every decoded outline in the cache. The stand-in is
/// parsed from the same font with empty outlines — every other table at the same offset, since
/// [`sfnt_font`] writes `glyf` last — and carries the real program as the bytes to embed. It is
/// used only if it reports every advance width as the real font does.
fn outline_free_stand_in(program: &[u8], real: &ParsedFont) -> Option<ParsedFont> {
    let tables = sfnt_tables(program)?;
    let loca_len = tables.iter().find(|(t, _)| t == b"loca")?.1.len();
    let zeros = vec![0u8; loca_len];
    let hollow: Vec<([u8; 4], &[u8])> = tables
        .iter()
        .map(|(tag, data)| match tag {
            b"glyf" => (*tag, &[][..]),
            b"loca" => (*tag, &zeros[..]),
            _ => (*tag, *data),
        })
        .collect();
    let hollow = sfnt_font(&hollow)?;
    let stand_in = ParsedFont::from_azul(
        printpdf::AzulParsedFont::from_bytes(&hollow, 0, &mut Vec::new())?.with_source_bytes(real.source_bytes()?),
    );
    let same = stand_in.num_glyphs == real.num_glyphs
        && (0..real.num_glyphs).all(|g| stand_in.get_horizontal_advance(g) == real.get_horizontal_advance(g));
    same.then_some(stand_in)
}

/// Serialises pages of placed text, rules and shading with the font subset to their glyphs.
fn write_pdf(
    title: &str,
    (width_mm, height_mm): (f32, f32),
    pages: &[Page],
    metrics: &Metrics,
    ink: Ink,
) -> Result<Vec<u8>, String> {
    let gids: BTreeSet<u16> = pages
        .iter()
        .flat_map(|p| &p.texts)
        .flat_map(|t| t.text.chars())
        .map(|c| metrics.glyph(c).0)
        .filter(|g| *g != 0)
        .collect();
    let subset = subset_for(metrics.font, gids.into_iter().collect())?;

    let mut doc = PdfDocument::new(title);
    let font_id = FontId(FONT_RESOURCE.to_owned());
    // Embedded whole: it is already our subset, with its glyph ids in the content streams.
    let meta = PrintpdfFontMeta {
        embedding_mode: FontEmbeddingMode::Full,
        requires_subsetting: false,
        ..PrintpdfFontMeta::default()
    };
    doc.resources.fonts.map.insert(font_id.clone(), PdfFont::with_meta(subset.font.clone(), meta));
    let handle = PdfFontHandle::External(font_id);
    doc.pages = pages
        .iter()
        .map(|p| PdfPage::new(Mm(width_mm), Mm(height_mm), page_ops(p, &handle, &subset, metrics, ink)))
        .collect();

    let mut warnings = Vec::new();
    let options = PdfSaveOptions { optimize: false, subset_fonts: false, ..PdfSaveOptions::default() };
    let mut pdf = printpdf::to_lopdf_doc(&doc, &options, &mut warnings);
    if let Some(w) = warnings.iter().find(|w| w.severity == PdfParseErrorSeverity::Error) {
        return Err(format!("writing the PDF: {}", w.msg));
    }

    // Page contents differ per document; the font's streams repeat with the glyph set.
    let contents: HashSet<(u32, u16)> = pdf
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter(|d| d.get(b"Type").and_then(|t| t.as_name()).is_ok_and(|t| t == b"Page"))
        .filter_map(|d| d.get(b"Contents").and_then(|c| c.as_reference()).ok())
        .collect();
    for (id, object) in &mut pdf.objects {
        let Ok(stream) = object.as_stream_mut() else { continue };
        if !stream.allows_compression || stream.dict.has(b"Filter") {
            continue;
        }
        let packed = if contents.contains(id) {
            Some(zlib(&stream.content)).filter(|p| p.len() < stream.content.len())
        } else {
            let mut known = subset.deflated.lock().unwrap_or_else(PoisonError::into_inner);
            match known.iter().find(|d| d.plain == stream.content) {
                Some(d) => d.packed.clone(),
                None => {
                    let packed = Some(zlib(&stream.content)).filter(|p| p.len() < stream.content.len());
                    if known.len() < 4 {
                        known.push(Deflated { plain: stream.content.clone(), packed: packed.clone() });
                    }
                    packed
                }
            }
        };
        if let Some(packed) = packed {
            stream.dict.set("Filter", "FlateDecode");
            stream.set_content(packed);
        }
    }
    let mut out = Vec::new();
    pdf.save_to(&mut out).map_err(|e| format!("writing the PDF: {e}"))?;
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Compression

/// Deflate length codes 257–285: the shortest length of each and its extra bits (RFC 1951 3.2.5).
const LENGTH_BASE: [u16; 29] =
    [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA: [u8; 29] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
/// Deflate distance codes 0–29.
const DISTANCE_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
    8193, 12289, 16385, 24577,
];
const DISTANCE_EXTRA: [u8; 30] =
    [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
/// The order code-length code lengths are sent in.
const CODE_LENGTH_ORDER: [usize; 19] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/// A literal byte or a back reference, before entropy coding.
#[derive(Clone, Copy)]
enum Token {
    Literal(u8),
    Match { length: u16, distance: u16 },
}

/// `data` as a zlib stream (RFC 1950): greedy LZ77 over a 32 KB window, then dynamic Huffman
/// blocks (RFC 1951).
///
/// lopdf compresses a stream only with miniz at its best level, which was half of a render
/// (2 ms for an application's font program); this takes half that for the font and a quarter
/// for page contents, for 3 % more bytes. With flate2 as a direct dependency (it is already in
/// the tree, under lopdf), its fast level would do the same job.
fn zlib(data: &[u8]) -> Vec<u8> {
    const WINDOW: usize = 32 * 1024;
    const HASH_BITS: u32 = 15;
    const CHAIN: usize = 8;
    const NONE: u32 = u32::MAX;
    let hash = |at: usize| {
        let key = u32::from(data[at]) << 16 | u32::from(data[at + 1]) << 8 | u32::from(data[at + 2]);
        (key.wrapping_mul(0x9E37_79B1) >> (32 - HASH_BITS)) as usize
    };
    // The latest position of each 3-byte hash, and from each position the one before it.
    let mut head = vec![NONE; 1 << HASH_BITS];
    let mut previous = vec![NONE; data.len()];
    let insert = |at: usize, head: &mut [u32], previous: &mut [u32]| {
        if at + 3 <= data.len() {
            let h = hash(at);
            previous[at] = head[h];
            head[h] = at as u32;
        }
    };
    let mut tokens = Vec::with_capacity(data.len() / 2);
    let mut at = 0;
    while at < data.len() {
        // Only matches of 3 bytes or more count; 2 stands for none.
        let (mut best_length, mut best_distance) = (2, 0);
        if at + 3 <= data.len() {
            let longest = (data.len() - at).min(258);
            let mut candidate = head[hash(at)];
            for _ in 0..CHAIN {
                if candidate == NONE || at - candidate as usize > WINDOW {
                    break;
                }
                let from = candidate as usize;
                // A longer match must agree at the byte that would make it longer.
                if data[from + best_length] == data[at + best_length] {
                    let length = common_prefix(&data[from..from + longest], &data[at..at + longest]);
                    if length > best_length {
                        (best_length, best_distance) = (length, at - from);
                        if length == longest {
                            break;
                        }
                    }
                }
                candidate = previous[from];
            }
        }
        if best_length >= 3 {
            tokens.push(Token::Match { length: best_length as u16, distance: best_distance as u16 });
            for p in at..at + best_length {
                insert(p, &mut head, &mut previous);
            }
            at += best_length;
        } else {
            tokens.push(Token::Literal(data[at]));
            insert(at, &mut head, &mut previous);
            at += 1;
        }
    }

    let mut bits = Bits { out: Vec::with_capacity(data.len() / 2 + 64), acc: 0, count: 0 };
    // CMF: deflate, 32 KB window; FLG: fastest level, and CMF·256 + FLG divisible by 31.
    bits.out.extend_from_slice(&[0x78, 0x01]);
    let blocks: Vec<&[Token]> = if tokens.is_empty() { vec![&[]] } else { tokens.chunks(1 << 15).collect() };
    let last = blocks.len() - 1;
    for (i, block) in blocks.into_iter().enumerate() {
        write_block(&mut bits, block, i == last);
    }
    bits.flush();
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for byte in chunk {
            a += u32::from(*byte);
            b += a;
        }
        (a, b) = (a % 65521, b % 65521);
    }
    bits.out.extend_from_slice(&(b << 16 | a).to_be_bytes());
    bits.out
}

/// How many leading bytes `a` and `b` share, compared eight at a time.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let word = |c: &[u8]| {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        u64::from_le_bytes(w)
    };
    let mut same = 0;
    for (x, y) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        let differ = word(x) ^ word(y);
        if differ != 0 {
            return same + (differ.trailing_zeros() / 8) as usize;
        }
        same += 8;
    }
    same + a[same..].iter().zip(&b[same..]).take_while(|(x, y)| x == y).count()
}

/// Bits packed least significant first, as deflate wants them.
struct Bits {
    out: Vec<u8>,
    acc: u64,
    count: u32,
}

impl Bits {
    /// Appends the low `bits` (at most 16) bits of `value`; whole words go out 32 bits at a time.
    fn put(&mut self, value: u32, bits: u32) {
        self.acc |= u64::from(value) << self.count;
        self.count += bits;
        if self.count >= 32 {
            self.out.extend_from_slice(&(self.acc as u32).to_le_bytes());
            self.acc >>= 32;
            self.count -= 32;
        }
    }

    fn flush(&mut self) {
        while self.count > 0 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.count = self.count.saturating_sub(8);
        }
    }
}

fn length_code(length: u16) -> usize {
    LENGTH_BASE.partition_point(|b| *b <= length) - 1
}

fn distance_code(distance: u16) -> usize {
    DISTANCE_BASE.partition_point(|b| *b <= distance) - 1
}

/// One dynamic-Huffman block: the two code trees, sent as run-length-coded code lengths, then
/// the tokens and end-of-block.
fn write_block(bits: &mut Bits, tokens: &[Token], last: bool) {
    let mut literal_counts = [0u32; 286];
    let mut distance_counts = [0u32; 30];
    literal_counts[256] = 1;
    for t in tokens {
        match *t {
            Token::Literal(byte) => literal_counts[usize::from(byte)] += 1,
            Token::Match { length, distance } => {
                literal_counts[257 + length_code(length)] += 1;
                distance_counts[distance_code(distance)] += 1;
            }
        }
    }
    let literal_lengths = code_lengths(&literal_counts, 15);
    let distance_lengths = code_lengths(&distance_counts, 15);
    let literal_codes = canonical_codes(&literal_lengths);
    let distance_codes = canonical_codes(&distance_lengths);
    let used = |lengths: &[u8], min: usize| lengths.iter().rposition(|l| *l != 0).map_or(min, |i| (i + 1).max(min));
    let (hlit, hdist) = (used(&literal_lengths, 257), used(&distance_lengths, 1));

    // Code lengths as symbols 0–15, 16 (repeat the previous 3–6 times), 17 (3–10 zeros) and
    // 18 (11–138 zeros), each with its extra bits.
    let all: Vec<u8> = literal_lengths[..hlit].iter().chain(&distance_lengths[..hdist]).copied().collect();
    let mut runs: Vec<(u8, u32, u32)> = Vec::new();
    let mut i = 0;
    while i < all.len() {
        let length = all[i];
        let mut run = all[i..].iter().take_while(|l| **l == length).count();
        i += run;
        if length == 0 {
            while run >= 11 {
                let n = run.min(138);
                runs.push((18, (n - 11) as u32, 7));
                run -= n;
            }
            if run >= 3 {
                runs.push((17, (run - 3) as u32, 3));
                run = 0;
            }
        } else {
            runs.push((length, 0, 0));
            run -= 1;
            while run >= 3 {
                let n = run.min(6);
                runs.push((16, (n - 3) as u32, 2));
                run -= n;
            }
        }
        runs.extend(std::iter::repeat_n((length, 0, 0), run));
    }
    let mut code_length_counts = [0u32; 19];
    for (symbol, _, _) in &runs {
        code_length_counts[usize::from(*symbol)] += 1;
    }
    let code_length_lengths = code_lengths(&code_length_counts, 7);
    let code_length_codes = canonical_codes(&code_length_lengths);
    let hclen = CODE_LENGTH_ORDER.iter().rposition(|s| code_length_lengths[*s] != 0).map_or(4, |i| (i + 1).max(4));

    bits.put(u32::from(last), 1);
    bits.put(2, 2);
    bits.put((hlit - 257) as u32, 5);
    bits.put((hdist - 1) as u32, 5);
    bits.put((hclen - 4) as u32, 4);
    for s in &CODE_LENGTH_ORDER[..hclen] {
        bits.put(u32::from(code_length_lengths[*s]), 3);
    }
    for (symbol, extra, extra_bits) in runs {
        let s = usize::from(symbol);
        bits.put(code_length_codes[s], u32::from(code_length_lengths[s]));
        bits.put(extra, extra_bits);
    }
    for t in tokens {
        match *t {
            Token::Literal(byte) => {
                let s = usize::from(byte);
                bits.put(literal_codes[s], u32::from(literal_lengths[s]));
            }
            Token::Match { length, distance } => {
                let (l, d) = (length_code(length), distance_code(distance));
                bits.put(literal_codes[257 + l], u32::from(literal_lengths[257 + l]));
                bits.put(u32::from(length - LENGTH_BASE[l]), u32::from(LENGTH_EXTRA[l]));
                bits.put(distance_codes[d], u32::from(distance_lengths[d]));
                bits.put(u32::from(distance - DISTANCE_BASE[d]), u32::from(DISTANCE_EXTRA[d]));
            }
        }
    }
    bits.put(literal_codes[256], u32::from(literal_lengths[256]));
}

/// Huffman code lengths for symbol counts, none longer than `limit`: counts are halved until
/// the tree is shallow enough. A lone symbol gets a partner so the code stays complete.
fn code_lengths(counts: &[u32], limit: u8) -> Vec<u8> {
    let mut lengths = vec![0u8; counts.len()];
    let mut weights: Vec<(u32, usize)> =
        counts.iter().enumerate().filter(|(_, c)| **c > 0).map(|(s, c)| (*c, s)).collect();
    match weights.len() {
        0 => {
            lengths[0] = 1;
            lengths[1] = 1;
            return lengths;
        }
        1 => {
            lengths[weights[0].1] = 1;
            lengths[usize::from(weights[0].1 == 0)] = 1;
            return lengths;
        }
        _ => {}
    }
    loop {
        weights.sort_unstable();
        // Two queues: leaves by weight, and internal nodes, which are made in weight order.
        let leaves = weights.len();
        let mut parent = vec![0usize; 2 * leaves - 1];
        let mut internal: Vec<u64> = Vec::with_capacity(leaves - 1);
        let (mut next_leaf, mut next_internal) = (0, 0);
        for node in leaves..2 * leaves - 1 {
            let mut take = || {
                let leaf = weights.get(next_leaf).map(|w| u64::from(w.0));
                let inner = internal.get(next_internal).copied();
                match (leaf, inner) {
                    (Some(l), Some(n)) if n < l => {
                        next_internal += 1;
                        (leaves + next_internal - 1, n)
                    }
                    (Some(l), _) => {
                        next_leaf += 1;
                        (next_leaf - 1, l)
                    }
                    (None, n) => {
                        next_internal += 1;
                        (leaves + next_internal - 1, n.unwrap_or(0))
                    }
                }
            };
            let (a, wa) = take();
            let (b, wb) = take();
            parent[a] = node;
            parent[b] = node;
            internal.push(wa + wb);
        }
        let mut depth = vec![0u8; 2 * leaves - 1];
        for node in (0..2 * leaves - 2).rev() {
            depth[node] = depth[parent[node]].saturating_add(1);
        }
        if depth[..leaves].iter().all(|d| *d <= limit) {
            for (leaf, (_, symbol)) in weights.iter().enumerate() {
                lengths[*symbol] = depth[leaf];
            }
            return lengths;
        }
        for w in &mut weights {
            w.0 = (w.0 >> 1).max(1);
        }
    }
}

/// Canonical Huffman codes for code lengths (RFC 1951 3.2.2), bit-reversed for writing
/// least significant bit first.
fn canonical_codes(lengths: &[u8]) -> Vec<u32> {
    let mut count = [0u32; 16];
    for l in lengths.iter().filter(|l| **l > 0) {
        count[usize::from(*l)] += 1;
    }
    let mut next = [0u32; 16];
    let mut code = 0;
    for bits in 1..16 {
        code = (code + count[bits - 1]) << 1;
        next[bits] = code;
    }
    lengths
        .iter()
        .map(|l| {
            if *l == 0 {
                return 0;
            }
            let c = next[usize::from(*l)];
            next[usize::from(*l)] += 1;
            c.reverse_bits() >> (32 - u32::from(*l))
        })
        .collect()
}

fn point(x: f32, y: f32) -> LinePoint {
    LinePoint { p: Point { x: Pt(x), y: Pt(y) }, bezier: false }
}

/// Shading first, then the rules as one path, then the text as glyph ids of the subset (with
/// their characters, for ToUnicode), one text object per line.
fn page_ops(page: &Page, font: &PdfFontHandle, subset: &Subset, metrics: &Metrics, ink: Ink) -> Vec<Op> {
    let mut ops = Vec::with_capacity(page.fills.len() + page.texts.len() * 4 + 8);
    if !page.fills.is_empty() {
        ops.push(Op::SetFillColor { col: Color::Greyscale(Greyscale::new(ink.shade_gray, None)) });
        ops.extend(page.fills.iter().map(|[x, y, w, h]| Op::DrawRectangle {
            rectangle: Rect {
                x: Pt(*x),
                y: Pt(*y),
                width: Pt(*w),
                height: Pt(*h),
                mode: Some(PaintMode::Fill),
                winding_order: None,
            },
        }));
        ops.push(Op::SetFillColor { col: Color::Greyscale(Greyscale::new(0.0, None)) });
    }
    if !page.rules.is_empty() {
        ops.push(Op::SetOutlineColor { col: Color::Greyscale(Greyscale::new(0.0, None)) });
        ops.push(Op::SetOutlineThickness { pt: Pt(ink.rule_width_pt) });
        // Square caps close the corners where a row's rules meet.
        ops.push(Op::SetLineCapStyle { cap: LineCapStyle::ProjectingSquare });
        ops.push(Op::DrawPolygon {
            polygon: Polygon {
                rings: page
                    .rules
                    .iter()
                    .map(|[x1, y1, x2, y2]| PolygonRing { points: vec![point(*x1, *y1), point(*x2, *y2)] })
                    .collect(),
                mode: PaintMode::Stroke,
                winding_order: WindingOrder::NonZero,
            },
        });
    }
    let mut size = None;
    for t in &page.texts {
        ops.push(Op::StartTextSection);
        // The font and size are text state, kept from one text object to the next.
        if size != Some(t.size) {
            ops.push(Op::SetFont { font: font.clone(), size: Pt(t.size) });
            size = Some(t.size);
        }
        ops.push(Op::SetTextCursor { pos: Point { x: Pt(t.x_pt), y: Pt(t.y_pt) } });
        let glyphs = t
            .text
            .chars()
            .map(|c| {
                let gid = subset.new_gid.get(&metrics.glyph(c).0).copied().unwrap_or(0);
                Codepoint::with_cid(gid, 0.0, c.to_string())
            })
            .collect();
        ops.push(Op::ShowText { items: vec![TextItem::GlyphIds(glyphs)] });
        ops.push(Op::EndTextSection);
    }
    ops
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

    #[test]
    fn a_subset_without_hinting_keeps_every_outline_and_width() {
        let font = PARSED_FONT.as_ref().expect("font");
        let m = METRICS.as_ref().expect("font");
        let gids: BTreeMap<u16, String> =
            "交付申請書　オンライン資格確認 1,234円（令和）".chars().map(|c| (m.glyph(c).0, c.to_string())).collect();
        let sub = printpdf::subset_font(font, &gids).expect("subset");
        let stripped = without_hinting(&sub.bytes).expect("a TrueType subset");
        assert!(stripped.len() * 10 < sub.bytes.len() * 8, "{} of {} bytes", stripped.len(), sub.bytes.len());
        let (before, after) = (
            ParsedFont::from_bytes(&sub.bytes, 0, &mut Vec::new()).expect("subset parses"),
            ParsedFont::from_bytes(&stripped, 0, &mut Vec::new()).expect("stripped subset parses"),
        );
        assert_eq!(before.num_glyphs, after.num_glyphs);
        for gid in 0..before.num_glyphs {
            let (b, a) =
                (before.get_or_decode_glyph(gid).expect("glyph"), after.get_or_decode_glyph(gid).expect("glyph"));
            assert_eq!(a.horz_advance, b.horz_advance, "glyph {gid}");
            assert_eq!(a.raw_points, b.raw_points, "glyph {gid}");
            assert_eq!(a.raw_on_curve, b.raw_on_curve, "glyph {gid}");
            assert_eq!(a.raw_contour_ends, b.raw_contour_ends, "glyph {gid}");
            assert!(a.instructions.as_ref().is_none_or(Vec::is_empty), "glyph {gid} keeps instructions");
        }
        let sum = stripped.chunks(4).fold(0u32, |s, w| {
            let mut word = [0u8; 4];
            word[..w.len()].copy_from_slice(w);
            s.wrapping_add(u32::from_be_bytes(word))
        });
        assert_eq!(sum, 0xB1B0_AFBA, "the whole-font checksum holds");
        assert_eq!(without_hinting(b"OTTO not TrueType"), None);
    }

    /// `packed` inflated by lopdf (flate2), through a stream of a PDF printpdf made.
    fn inflate(packed: Vec<u8>) -> Vec<u8> {
        let mut doc = PdfDocument::new("inflate");
        doc.pages = vec![PdfPage::new(Mm(10.0), Mm(10.0), vec![Op::SaveGraphicsState])];
        let pdf = printpdf::to_lopdf_doc(&doc, &PdfSaveOptions::default(), &mut Vec::new());
        let mut stream = pdf.objects.values().find_map(|o| o.as_stream().ok()).expect("a content stream").clone();
        stream.dict.set("Filter", "FlateDecode");
        stream.set_content(packed);
        stream.decompressed_content().expect("inflates")
    }

    #[test]
    fn zlib_streams_inflate_to_their_data() {
        let mut state = 0x2545_F491_u32;
        let mut random = || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state
        };
        let noise: Vec<u8> = (0..70_000).map(|_| random() as u8).collect();
        let text = "BT\n/IPAexG 9.5 Tf\n61.79 735.25 Td\n[<0074><0137><008D>] TJ\nET\n".repeat(400);
        // Counts in a Fibonacci progression make a Huffman tree deeper than 15 bits.
        let skewed: Vec<u8> = {
            let (mut a, mut b) = (1usize, 1usize);
            (0u8..26)
                .flat_map(|s| {
                    let n = a;
                    (a, b) = (b, a + b);
                    std::iter::repeat_n(s.wrapping_mul(37), n.min(200_000))
                })
                .collect()
        };
        let font = PARSED_FONT.as_ref().and_then(|f| f.source_bytes()).expect("font bytes");
        let program = font.as_slice()[..300_000].to_vec();
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("empty", Vec::new()),
            ("one byte", vec![42]),
            ("two bytes", vec![1, 2]),
            ("zeros", vec![0; 100_000]),
            ("noise", noise),
            ("content stream", text.into_bytes()),
            ("skewed", skewed),
            ("font program", program),
        ];
        for (name, data) in cases {
            let packed = zlib(&data);
            assert_eq!(inflate(packed.clone()), data, "{name}");
            if name == "content stream" || name == "zeros" {
                assert!(packed.len() * 10 < data.len(), "{name}: {} of {} bytes", packed.len(), data.len());
            }
        }
    }

    #[test]
    fn huffman_codes_stay_within_their_limit_and_are_complete() {
        let counts: Vec<u32> = (0..30)
            .scan((1u32, 1u32), |(a, b), _| {
                let n = *a;
                (*a, *b) = (*b, a.saturating_add(*b));
                Some(n)
            })
            .collect();
        for limit in [7, 15] {
            let lengths = code_lengths(&counts, limit);
            assert!(lengths.iter().all(|l| (1..=limit).contains(l)), "{lengths:?}");
            let kraft: f64 = lengths.iter().map(|l| 0.5f64.powi(i32::from(*l))).sum();
            assert!((kraft - 1.0).abs() < 1e-9, "complete code: {kraft}");
        }
        assert_eq!(code_lengths(&[0, 0, 5], 15), vec![1, 0, 1]);
        assert_eq!(canonical_codes(&[2, 1, 3, 3]), vec![0b01, 0b0, 0b011, 0b111]);
    }

    #[test]
    fn the_outline_free_stand_in_reports_the_real_widths_and_embeds_the_real_program() {
        let font = PARSED_FONT.as_ref().expect("font");
        let m = METRICS.as_ref().expect("font");
        let gids: BTreeMap<u16, String> =
            "領収書内訳書 No.費目 品名・内容 12,345円".chars().map(|c| (m.glyph(c).0, c.to_string())).collect();
        let program = without_hinting(&printpdf::subset_font(font, &gids).expect("subset").bytes).expect("TrueType");
        let real = ParsedFont::from_bytes(&program, 0, &mut Vec::new()).expect("parses");
        let stand_in = outline_free_stand_in(&program, &real).expect("the stand-in is usable");
        assert_eq!(stand_in.source_bytes().map(|b| b.as_slice().to_vec()), Some(program));
        for gid in 0..real.num_glyphs {
            let width = |f: &ParsedFont| f.get_or_decode_glyph(gid).map(|g| g.horz_advance);
            assert_eq!(width(&stand_in), width(&real), "glyph {gid}");
            assert!(
                stand_in.get_or_decode_glyph(gid).is_some_and(|g| g.outline.is_empty()),
                "glyph {gid} decoded nothing"
            );
        }
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

    /// The text of a PDF as pdftotext reads it (poppler-utils), pages separated by form feeds.
    fn pdftotext(pdf: &[u8], layout: bool) -> String {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("out.pdf");
        std::fs::write(&path, pdf).expect("write pdf");
        let mut cmd = std::process::Command::new("pdftotext");
        if layout {
            cmd.arg("-layout");
        }
        let out = cmd.args(["-enc", "UTF-8"]).arg(&path).arg("-").output().expect("pdftotext (poppler-utils) runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("utf-8")
    }

    /// Page objects in a PDF: `/Type /Page` (lopdf writes `/Type/Page`), not `/Pages`.
    fn page_count(pdf: &[u8]) -> usize {
        let text = String::from_utf8_lossy(pdf).replace("/Type /", "/Type/");
        text.matches("/Type/Page").count() - text.matches("/Type/Pages").count()
    }

    fn application_values() -> FormValues {
        let fields: BTreeMap<String, String> = [
            ("applied_on", "令和6年4月10日（2024-04-10）"),
            ("facility_name", "医療法人社団 健康会 さくら台ファミリークリニック"),
            ("facility_code", "1312345678"),
            ("facility_type", "診療所"),
            ("prefecture", "東京都"),
            ("address", "東京都世田谷区桜丘三丁目二十五番十二号 さくら台メディカルビル二階"),
            ("founder", "医療法人社団 健康会 理事長 山田 太郎"),
            ("scheme_name", "医療提供体制設備整備交付金（オンライン資格確認）"),
            ("scheme_source", "seeds/001_03434e09f67b16ae.txt"),
            ("route", "診療所（顔認証付きカードリーダー1台）"),
            ("rate", "3/4"),
            ("cap", "429,000円"),
            ("readers", "1台"),
            ("total_cost", "1,100,000円"),
            ("eligible_cost", "1,000,000円"),
            ("subsidy", "321,750円"),
            ("self_burden", "778,250円"),
            ("reader_applied_on", "令和5年1月20日（2023-01-20）"),
            ("vendor_contract_on", "令和5年2月1日（2023-02-01）"),
            ("completed_on", "令和5年3月1日（2023-03-01）"),
            ("operation_started_on", "令和5年3月6日（2023-03-06）"),
            ("paid_on", "令和5年3月31日（2023-03-31）"),
            ("grace", "なし"),
            ("complete_by", "令和5年3月31日（2023-03-31）"),
            ("complete_met", "期限内"),
            ("apply_by", "令和6年9月30日（2024-09-30）"),
            ("apply_met", "期限内"),
            ("vendor", "株式会社ヘルスケアシステムズ"),
            ("subtotal", "1,000,000円"),
            ("tax", "100,000円"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let row = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
        };
        let mut tables = BTreeMap::new();
        tables.insert(
            "breakdown".to_owned(),
            vec![
                row(&[("category", "ハードウェア"), ("eligibility", "補助対象"), ("amount", "600,000円")]),
                row(&[("category", "保守"), ("eligibility", "補助対象外"), ("amount", "100,000円")]),
            ],
        );
        tables.insert(
            "lines".to_owned(),
            (1..=3)
                .map(|i| {
                    let no = i.to_string();
                    row(&[
                        ("no", no.as_str()),
                        ("category", "ソフトウェア"),
                        ("description", "オンライン資格確認端末用アプリケーション導入作業一式"),
                        ("eligible", "対象"),
                        ("amount", "120,000円"),
                    ])
                })
                .collect(),
        );
        tables.insert("notes".to_owned(), vec![row(&[("text", "顔認証付きカードリーダーは支払基金より無償提供。")])]);
        FormValues { fields, tables }
    }

    #[test]
    fn the_shipped_application_template_parses_and_lists_exactly_its_placeholders() {
        let form = Form::parse(APPLICATION_FORM).expect("the application template parses");
        let expected: BTreeSet<String> = [
            "applied_on",
            "facility_name",
            "facility_code",
            "facility_type",
            "prefecture",
            "address",
            "founder",
            "scheme_name",
            "scheme_source",
            "route",
            "rate",
            "cap",
            "readers",
            "total_cost",
            "eligible_cost",
            "subsidy",
            "self_burden",
            "reader_applied_on",
            "vendor_contract_on",
            "completed_on",
            "operation_started_on",
            "paid_on",
            "grace",
            "complete_by",
            "complete_met",
            "apply_by",
            "apply_met",
            "vendor",
            "subtotal",
            "tax",
            "breakdown[]",
            "breakdown[].category",
            "breakdown[].eligibility",
            "breakdown[].amount",
            "lines[]",
            "lines[].no",
            "lines[].category",
            "lines[].description",
            "lines[].eligible",
            "lines[].amount",
            "notes[]",
            "notes[].text",
        ]
        .into_iter()
        .map(str::to_owned)
        .collect();
        assert_eq!(form.placeholders(), expected);
    }

    #[test]
    fn the_application_renders_on_two_a4_pages_and_reads_back_in_japanese() {
        let form = Form::parse(APPLICATION_FORM).expect("template");
        let pdf = render_form("交付申請書", &form, &application_values()).expect("pdf");
        assert_eq!(page_count(&pdf), 2);
        assert!(pdf.len() < 100_000, "the font is subset: {} bytes", pdf.len());
        let text = pdftotext(&pdf, false);
        let pages: Vec<&str> = text.split('\u{c}').collect();
        for expected in [
            "オンライン資格確認等補助金 交付申請書",
            "医療法人社団 健康会 さくら台ファミリークリニック",
            "補助金申請額",
            "321,750円",
            "日程と期限",
            "令和5年3月31日（2023-03-31）（期限内）",
            "費目別の内訳",
            "補助対象外",
        ] {
            assert!(pages[0].contains(expected), "page 1 lacks {expected}:\n{}", pages[0]);
        }
        for expected in [
            "領収書内訳書",
            "支払先: 株式会社ヘルスケアシステムズ",
            "小計",
            "合計（総事業費）",
            "1,100,000円",
            "オンライン資格確認等事業完了報告書",
            "顔認証付きカードリーダーは支払基金より無償提供。",
        ] {
            assert!(pages[1].contains(expected), "page 2 lacks {expected}:\n{}", pages[1]);
        }
    }

    #[test]
    fn a_missing_field_or_table_is_an_error_naming_it() {
        let form = Form::parse(APPLICATION_FORM).expect("template");
        let mut values = application_values();
        values.fields.remove("facility_code");
        values.tables.remove("notes");
        if let Some(rows) = values.tables.get_mut("lines") {
            rows[1].remove("amount");
        }
        let err = render_form("x", &form, &values).expect_err("incomplete values");
        assert!(err.contains("{facility_code}"), "{err}");
        assert!(err.contains("notes[]"), "{err}");
        assert!(err.contains("lines[1].amount"), "{err}");
    }

    #[test]
    fn a_malformed_template_is_an_error_saying_where() {
        let base: serde_json::Value = serde_json::from_str(APPLICATION_FORM).expect("json");
        let with_block = |block: serde_json::Value| {
            let mut v = base.clone();
            v["blocks"] = serde_json::json!([block]);
            Form::parse(&v.to_string())
        };
        let err = with_block(serde_json::json!({"type": "text", "text": "{unclosed"})).expect_err("unclosed");
        assert!(err.contains("block 1") && err.contains("not closed"), "{err}");
        let wide = serde_json::json!({"type": "table", "rows": "t", "columns": [{"header": "a", "field": "a", "width_mm": 500.0}]});
        assert!(with_block(wide).expect_err("too wide").contains("text width"));
        assert!(with_block(serde_json::json!({"type": "txet", "text": "x"})).is_err(), "an unknown block type");
        assert!(
            with_block(serde_json::json!({"type": "text", "text": "x", "algin": "left"})).is_err(),
            "a misspelt key"
        );
    }

    /// A one-page form with a narrow table whose rows are given by `rows`.
    fn narrow_table_form(page_height_mm: f32) -> Form {
        Form::parse(&format!(
            r#"{{"page_width_mm": 210, "page_height_mm": {page_height_mm},
                "margin_top_mm": 15, "margin_bottom_mm": 15, "margin_left_mm": 20, "margin_right_mm": 20,
                "font_size_pt": 10, "line_height": 1.4, "title_size_pt": 14, "heading_size_pt": 12,
                "block_gap_mm": 2, "cell_padding_x_mm": 1.5, "cell_padding_y_mm": 1,
                "rule_width_pt": 0.5, "shade_gray": 0.9,
                "blocks": [
                  {{"type": "title", "text": "{{title}}"}},
                  {{"type": "table", "rows": "items", "columns": [
                    {{"header": "番号", "field": "no", "width_mm": 15, "align": "right"}},
                    {{"header": "品名", "field": "text", "width_mm": 20}},
                    {{"header": "金額", "field": "amount", "width_mm": 30, "align": "right"}}
                  ], "footer": [{{"label": "合計", "value": "{{total}}"}}]}}
                ]}}"#
        ))
        .expect("form")
    }

    fn items(n: usize, text: &str) -> FormValues {
        let mut v = FormValues::default();
        v.fields.insert("title".to_owned(), "明細".to_owned());
        v.fields.insert("total".to_owned(), "9,999円".to_owned());
        v.tables.insert(
            "items".to_owned(),
            (1..=n)
                .map(|i| {
                    [("no", i.to_string()), ("text", text.to_owned()), ("amount", format!("{i},000円"))]
                        .into_iter()
                        .map(|(k, v)| (k.to_owned(), v))
                        .collect()
                })
                .collect(),
        );
        v
    }

    #[test]
    fn text_wrapped_in_a_narrow_cell_keeps_every_character() {
        let long = "顔認証付きカードリーダー設置調整作業（院内LAN接続・動作確認を含む）一式、";
        let (form, values) = (narrow_table_form(297.0), items(1, long));
        let metrics = METRICS.as_ref().expect("font");
        let pages = lay_out(&form, &values, metrics).expect("layout");
        // The description column starts 15 mm in and is 20 mm wide; its header and the footer's
        // label (right-aligned across the first two columns) sit there as well.
        let (from, to) = (mm(20.0 + 15.0), mm(20.0 + 35.0));
        let cell: Vec<&Placed> =
            pages[0].texts.iter().filter(|t| t.x_pt >= from && t.x_pt < to && long.contains(&t.text)).collect();
        assert!(cell.len() > 3, "wrapped into several lines");
        assert_eq!(cell.iter().map(|t| t.text.as_str()).collect::<String>(), long);
        for t in &cell {
            assert!(
                t.x_pt + metrics.width(&t.text) * t.size <= to + metrics.em_width('、') * t.size,
                "{} overflows",
                t.text
            );
        }
        let text = pdftotext(&render_form("x", &form, &values).expect("pdf"), true);
        for t in &cell {
            assert!(text.contains(&t.text), "{} is not in:\n{text}", t.text);
        }
    }

    #[test]
    fn a_table_longer_than_a_page_repeats_its_header_on_the_next_page() {
        let pdf = render_form("x", &narrow_table_form(148.0), &items(40, "保守")).expect("pdf");
        let pages = page_count(&pdf);
        assert!(pages >= 3, "{pages} pages");
        let text = pdftotext(&pdf, false);
        let page_texts: Vec<&str> = text.split('\u{c}').filter(|p| !p.trim().is_empty()).collect();
        assert_eq!(page_texts.len(), pages);
        for (i, p) in page_texts.iter().enumerate() {
            assert!(
                p.contains("番号") && p.contains("品名") && p.contains("金額"),
                "page {} lacks the header:\n{p}",
                i + 1
            );
        }
        for i in 1..=40 {
            assert!(text.contains(&format!("{i},000円")), "row {i} is missing");
        }
        assert!(page_texts[pages - 1].contains("合計") && page_texts[pages - 1].contains("9,999円"));
    }

    #[test]
    fn a_row_taller_than_a_page_continues_on_the_next_under_the_header() {
        let long = "長い備考です。".repeat(120);
        let metrics = METRICS.as_ref().expect("font");
        let pages = lay_out(&narrow_table_form(148.0), &items(1, &long), metrics).expect("layout");
        assert!(pages.len() >= 3, "{} pages", pages.len());
        let (from, to) = (mm(20.0 + 15.0), mm(20.0 + 35.0));
        let column: String = pages
            .iter()
            .flat_map(|p| &p.texts)
            .filter(|t| t.x_pt >= from && t.x_pt < to && t.text != "品名" && t.text != "合計")
            .map(|t| t.text.as_str())
            .collect();
        assert_eq!(column, long);
        for (i, p) in pages.iter().enumerate() {
            assert!(p.texts.iter().any(|t| t.text == "品名"), "page {} lacks the header", i + 1);
            assert!(p.texts.iter().all(|t| t.y_pt > mm(15.0)), "page {} runs into the bottom margin", i + 1);
        }
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
