//! A form laid out onto pages: blocks flowed top to bottom, grids split into rows of wrapped
//! cells, rows kept whole across page breaks and table headers repeated on every page.

use super::font::{Metrics, wrap};
use super::form::{Block, Body, Form, FormValues, Grid};
use super::page::{Align, Page, Placed, mm};
use super::placeholder::Template;
use std::collections::BTreeMap;

/// Prints the footer (「1 / 2」) centred in the bottom margin of every page, once the page
/// count is known, so that every page says which it is and how many there are.
pub(super) fn number_pages(
    form: &Form,
    footer: &Template,
    fields: &BTreeMap<String, String>,
    pages: &mut [Page],
    metrics: &Metrics,
) -> Result<(), String> {
    let count = pages.len();
    let mut fields = fields.clone();
    fields.insert("pages".to_owned(), count.to_string());
    let size = form.font_size_pt;
    let center = mm(form.page_width_mm / 2.0);
    // The baseline halfway down the bottom margin.
    let y_pt = mm(form.margin_bottom_mm / 2.0) - metrics.ascent_em * size / 2.0;
    for (i, page) in pages.iter_mut().enumerate() {
        fields.insert("page".to_owned(), (i + 1).to_string());
        let text = footer.fill(&fields)?;
        let x_pt = center - metrics.width(&text) * size / 2.0;
        page.texts.push(Placed { text, size, x_pt, y_pt });
    }
    Ok(())
}

/// The form's blocks flowed onto pages.
pub(super) fn lay_out(form: &Form, values: &FormValues, metrics: &Metrics) -> Result<Vec<Page>, String> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::font::METRICS;
    use crate::pdf::read_back::{page_count, pdftotext};
    use crate::pdf::render_form;

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
}
