//! A form template as written in JSON (see templates/README.md), checked and compiled into a
//! [`Form`]: sizes positive, columns within the text width, placeholders well formed.

use super::form::{Block, Body, Column, Footer, Form, Grid};
use super::page::{Align, Ink};
use super::placeholder::Template;
use serde::Deserialize;
use serde::de::IgnoredAny;

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
    /// Printed centred in the bottom margin of every page; `{page}` and `{pages}` are its
    /// number and the document's page count.
    #[serde(default)]
    page_footer: Option<String>,
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

/// Parses and checks a form template (the job of [`Form::parse`]).
pub(super) fn parse(json: &str) -> Result<Form, String> {
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
        .map(|(i, b)| compile_block(b, &sizes, text_width).map_err(|e| format!("form template, block {}: {e}", i + 1)))
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
        page_footer: raw.page_footer.as_deref().map(Template::parse).transpose()?,
        blocks,
    })
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
