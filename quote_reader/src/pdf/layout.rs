//! A printed quote's table rebuilt from the positioned text of its pages: strings on one
//! baseline make a row, strings close together make a cell, and the header's headings decide
//! the columns of every row under it — so that the reader of spreadsheets (header bands,
//! sections, the foot, continuation rows, 以下余白) reads a PDF as it reads a sheet.

use super::text::Run;
use crate::grid::RowPlace;
use crate::grid::{Sheet, Value};
use crate::header::item_tables;
use crate::ocr::Doubt;

/// A page's runs with the page's height, for telling page numbers in the margins.
pub(crate) struct Page {
    pub(crate) runs: Vec<Run>,
    pub(crate) bottom: f64,
    pub(crate) top: f64,
}

/// Text close together on one row: one cell.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cell {
    pub(crate) x0: f64,
    pub(crate) x1: f64,
    /// The row's baseline.
    pub(crate) y: f64,
    /// The size of the text (points), for the height of the row's band.
    pub(crate) size: f64,
    pub(crate) text: String,
    /// Why a person should check it (a scan's cell OCR was unsure of or a rule changed).
    pub(crate) doubt: Option<Doubt>,
}

/// Runs whose baselines are this close, relative to their size, are on one row.
const SAME_ROW: f64 = 0.35;
/// Glyphs closer than this, relative to their size, are one word (glyphs of a word abut; a
/// digit right-aligned in one cell stands 2 pt from the text of the next); a wider gap is the space
/// between two cells or two words of a cell.
const SAME_WORD: f64 = 0.12;
/// Single characters of a heading spread over its cell (均等割り付け: 「数　　量」 drawn as 数 and
/// 量 far apart) are one word when no wider apart than this.
const SPREAD_HEADING: f64 = 3.0;

fn is_blank(text: &str) -> bool {
    text.chars().all(char::is_whitespace)
}

/// One character that is not ASCII: a kanji or kana of a heading spread over its cell.
fn lone_wide_char(text: &str) -> bool {
    let mut chars = text.trim().chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if !c.is_ascii())
}

/// The words of one row, left to right: glyphs drawn next to each other, spaces joining the
/// glyphs around them.
fn words(mut members: Vec<&Run>, y: f64) -> Vec<Cell> {
    members.sort_by(|a, b| a.x0.total_cmp(&b.x0));
    let mut words: Vec<Cell> = Vec::new();
    let mut open = false; // the last word ended in a space: the next glyph belongs to it if close
    for run in members {
        let blank = is_blank(&run.text);
        match words.last_mut() {
            Some(word) if run.x0 - word.x1 <= SAME_WORD * run.size || (open && run.x0 - word.x1 <= run.size) => {
                word.text.push_str(&run.text);
                word.x1 = word.x1.max(run.x1);
                word.size = word.size.max(run.size);
                if word.doubt.is_none() {
                    word.doubt.clone_from(&run.doubt);
                }
                open = blank;
            }
            _ if blank => open = false,
            _ => {
                words.push(Cell {
                    x0: run.x0,
                    x1: run.x1,
                    y,
                    size: run.size,
                    text: run.text.clone(),
                    doubt: run.doubt.clone(),
                });
                open = false;
            }
        }
    }
    for word in &mut words {
        word.text = word.text.trim().to_owned();
    }
    words.retain(|w| !w.text.is_empty());
    // 「数　　量」 spread over its cell: single wide characters close enough are one heading.
    let mut merged: Vec<Cell> = Vec::with_capacity(words.len());
    for word in words {
        match merged.last_mut() {
            Some(last)
                if lone_wide_char(&last.text)
                    && lone_wide_char(&word.text)
                    && word.x0 - last.x1 <= SPREAD_HEADING * (word.x1 - word.x0).max(1.0) =>
            {
                last.text.push_str(&word.text);
                last.x1 = word.x1;
            }
            _ => merged.push(word),
        }
    }
    merged
}

/// The rows of a page, top to bottom, each a list of words left to right.
fn rows(runs: &[Run]) -> Vec<Vec<Cell>> {
    let mut runs: Vec<&Run> = runs.iter().collect();
    runs.sort_by(|a, b| b.y.total_cmp(&a.y).then(a.x0.total_cmp(&b.x0)));
    let mut rows: Vec<(f64, f64, Vec<&Run>)> = Vec::new();
    for run in runs {
        match rows.last_mut() {
            Some((y, size, members)) if (*y - run.y).abs() <= SAME_ROW * size.max(run.size) => {
                members.push(run);
                *size = size.max(run.size);
            }
            _ => rows.push((run.y, run.size, vec![run])),
        }
    }
    rows.into_iter().map(|(y, _, members)| words(members, y)).filter(|w| !w.is_empty()).collect()
}

/// 「1」「- 1 -」「1/2」「1 / 2 ページ」「Page 1 of 2」: a page number.
fn is_page_number(text: &str) -> bool {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase();
    let t = t.trim_start_matches("page").trim_end_matches("ページ").trim_end_matches("頁");
    let t = t.trim_matches(|c| matches!(c, '-' | '－' | '–' | '—' | '(' | ')' | '（' | '）'));
    !t.is_empty()
        && t.chars().any(|c| c.is_ascii_digit())
        && t.chars().all(|c| c.is_ascii_digit() || matches!(c, '/' | '／') || c == 'o' || c == 'f')
}

/// The rows of every page in order, leaving out lone page numbers in the top and bottom margins,
/// the first row of each page, and where each row stands on its page.
fn all_rows(pages: &[Page]) -> (Vec<Vec<Cell>>, Vec<u32>, Vec<RowPlace>) {
    let mut out = Vec::new();
    let mut starts = Vec::with_capacity(pages.len());
    let mut places = Vec::new();
    for (index, page) in pages.iter().enumerate() {
        starts.push(u32::try_from(out.len()).unwrap_or(u32::MAX));
        let height = (page.top - page.bottom).abs().max(1.0);
        for row in rows(&page.runs) {
            let in_margin = |cell: &Cell| cell.y < page.bottom + 0.08 * height || cell.y > page.top - 0.06 * height;
            if let [only] = row.as_slice()
                && is_page_number(&only.text)
                && in_margin(only)
            {
                continue;
            }
            let size = row.iter().map(|c| c.size).fold(0.0f64, f64::max);
            let baseline = row.first().map_or(0.0, |c| c.y);
            // The band from a little under the baseline to a little over the text's height.
            places.push(RowPlace {
                page: u32::try_from(index).unwrap_or(u32::MAX),
                top: page.top - (baseline + size * 1.3),
                bottom: page.top - (baseline - size * 0.45),
            });
            out.push(row);
        }
    }
    (out, starts, places)
}

/// A sheet whose columns are each row's cells in order: enough to find the header.
fn provisional(rows: &[Vec<Cell>]) -> Sheet {
    let mut sheet = Sheet::new("");
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if let (Ok(r), Ok(c)) = (u32::try_from(r), u32::try_from(c)) {
                sheet.push(r, c, Value::from_text(&cell.text));
            }
        }
    }
    sheet.finish();
    sheet
}

/// The columns the header's headings stand over: the narrowest headings (a heading over
/// others, 単価 over 標準 / 提供, gives way to them), as (left, right) edges, left to right.
fn header_columns(band: &[&Vec<Cell>]) -> Vec<(f64, f64)> {
    // A header has a dozen headings; a crafted row of thousands is not compared pair by pair.
    let all: Vec<&Cell> = band.iter().flat_map(|row| row.iter().take(64)).collect();
    let mut leaves: Vec<(f64, f64)> = all
        .iter()
        .filter(|cell| {
            !all.iter().any(|other| {
                let centre = (other.x0 + other.x1) / 2.0;
                !std::ptr::eq(*other, **cell)
                    && (other.x1 - other.x0) < (cell.x1 - cell.x0)
                    && centre > cell.x0
                    && centre < cell.x1
            })
        })
        .map(|c| (c.x0, c.x1))
        .collect();
    leaves.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Headings of two band rows over the same column are one column.
    leaves.dedup_by(|b, a| b.0 < a.1 && a.0 < b.1);
    leaves
}

/// Width of the steps in which the rows' coverage is counted, in points.
const STEP: f64 = 0.5;

/// The boundaries between columns, one between each two neighbouring headings: where, between
/// the middle of the left heading and the start of the right one, the fewest words of the rows
/// under the header cross — the rightmost such place, because figures are right-aligned under a
/// centred heading and reach past it, while text starts at the left of its cell.
fn boundaries(columns: &[(f64, f64)], rows: &[Vec<Cell>]) -> Vec<f64> {
    let words: Vec<&Cell> = rows.iter().flatten().collect();
    let (Some(lo), Some(hi)) = (
        columns.iter().map(|c| c.0).chain(words.iter().map(|w| w.x0)).reduce(f64::min),
        columns.iter().map(|c| c.1).chain(words.iter().map(|w| w.x1)).reduce(f64::max),
    ) else {
        return Vec::new();
    };
    // A page is at most a few thousand points wide; a crafted one is not given more steps.
    let steps = (((hi - lo) / STEP).ceil().max(1.0) as usize).min(20_000);
    let index = |x: f64| (((x - lo) / STEP).floor().max(0.0) as usize).min(steps);
    // Counted through differences: one step per word, whatever its width.
    let mut change = vec![0i64; steps + 2];
    for w in &words {
        change[index(w.x0)] += 1;
        change[index(w.x1) + 1] -= 1;
    }
    let coverage: Vec<i64> = change
        .iter()
        .scan(0i64, |running, d| {
            *running += d;
            Some(*running)
        })
        .take(steps + 1)
        .collect();
    let edges = figure_edges(&words);
    columns
        .windows(2)
        .map(|pair| {
            let (a, b) = (pair[0], pair[1]);
            let (middle_a, middle_b) = ((a.0 + a.1) / 2.0, (b.0 + b.1) / 2.0);
            // A column of right-aligned figures ending between the two headings' middles stands
            // under the left one: the boundary lies right of it, under the right heading's first
            // half if the figures reach there (a left-aligned heading starts where its cell does,
            // and a scan's boxes are a point or two off).
            let after = edges.iter().copied().filter(|r| *r > middle_a && *r < middle_b).reduce(f64::max);
            let from = index(after.map_or(middle_a, |r| r + STEP));
            let to = index(b.0).max(from);
            let least = coverage[from..=to].iter().copied().min().unwrap_or(0);
            let at = (from..=to).rev().find(|i| coverage[*i] == least).unwrap_or(to);
            lo + at as f64 * STEP
        })
        .collect()
}

/// Words that are figures (digits, separators, a yen sign).
pub(crate) fn is_figure(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_digit())
        && text.chars().all(|c| c.is_ascii_digit() || matches!(c, ',' | '.' | '-' | '¥' | '￥' | '円' | '\\'))
}

/// The right edges of columns of right-aligned figures: at least three figures of the rows
/// ending within a point and a half of each other.
fn figure_edges(words: &[&Cell]) -> Vec<f64> {
    let mut ends: Vec<f64> = words.iter().filter(|w| is_figure(&w.text)).map(|w| w.x1).collect();
    ends.sort_by(f64::total_cmp);
    let mut edges = Vec::new();
    let mut start = 0;
    for i in 1..=ends.len() {
        if i == ends.len() || ends[i] - ends[i - 1] > 1.5 {
            if i - start >= 3 {
                edges.push(ends[i - 1]);
            }
            start = i;
        }
    }
    edges
}

/// The column of a cell: the one its span overlaps most; a heading that spans several
/// columns goes to the leftmost (a merged heading holds its text in its first cell).
fn column_of(cell: &Cell, bounds: &[f64], heading: bool) -> usize {
    let edge = |i: usize| -> (f64, f64) {
        let left = if i == 0 { f64::NEG_INFINITY } else { bounds[i - 1] };
        let right = bounds.get(i).copied().unwrap_or(f64::INFINITY);
        (left, right)
    };
    if heading {
        return bounds.iter().take_while(|b| **b <= cell.x0).count();
    }
    let mut best = (0usize, f64::NEG_INFINITY);
    for i in 0..=bounds.len() {
        let (l, r) = edge(i);
        let overlap = cell.x1.min(r) - cell.x0.max(l);
        if overlap > best.1 {
            best = (i, overlap);
        }
    }
    best.0
}

/// The pages' text as one sheet: rows in reading order across pages, the rows from the
/// header down in the header's columns, the rows above it (title, addressee, vendor, the
/// 御見積金額) with their cells in order.
pub(crate) fn sheet(pages: &[Page]) -> Sheet {
    let (rows, starts, places) = all_rows(pages);
    let mut first = provisional(&rows);
    first.places.clone_from(&places);
    first.doubts = doubts_in_order(&rows);
    first.page_starts.clone_from(&starts);
    let Some((_, headers)) = item_tables(std::slice::from_ref(&first)) else {
        return first;
    };
    let Some(header) = headers.first() else {
        return first;
    };
    let (band_first, band_last) = (header.first_row as usize, header.last_row as usize);
    let band: Vec<&Vec<Cell>> = rows.iter().skip(band_first).take(band_last + 1 - band_first).collect();
    let under: Vec<Vec<Cell>> = rows.iter().skip(band_last + 1).cloned().collect();
    let columns = header_columns(&band);
    let bounds = boundaries(&columns, &under);
    let mut out = Sheet::new("");
    for (r, row) in rows.iter().enumerate() {
        let Ok(r32) = u32::try_from(r) else { break };
        if r < band_first {
            for (c, cell) in row.iter().enumerate() {
                if let Ok(c) = u32::try_from(c) {
                    out.push(r32, c, Value::from_text(&cell.text));
                    if let Some(doubt) = &cell.doubt {
                        out.doubts.push((r32, c, doubt.clone()));
                    }
                }
            }
            continue;
        }
        let heading = r <= band_last;
        let mut placed: Vec<(usize, String)> = Vec::new();
        for cell in row {
            // A heading that is a column's own stands in that column, wherever the boundary
            // before it fell (under its first half, when figures reach under it).
            let own = heading.then(|| columns.iter().position(|c| c.0 == cell.x0 && c.1 == cell.x1)).flatten();
            let col = own.unwrap_or_else(|| column_of(cell, &bounds, heading));
            match placed.iter_mut().find(|(c, _)| *c == col) {
                Some((_, text)) => {
                    // Words of a scan's Japanese text split by OCR join without a space.
                    let wide = |c: Option<char>| c.is_some_and(|c| !c.is_ascii());
                    if cell.doubt.is_some() || !(wide(text.chars().last()) && wide(cell.text.chars().next())) {
                        text.push(' ');
                    }
                    text.push_str(&cell.text);
                }
                None => placed.push((col, cell.text.clone())),
            }
            if let (Some(doubt), Ok(c)) = (&cell.doubt, u32::try_from(col)) {
                out.doubts.push((r32, c, doubt.clone()));
            }
        }
        for (col, text) in placed {
            if let Ok(c) = u32::try_from(col) {
                out.push(r32, c, Value::from_text(&text));
            }
        }
    }
    out.finish();
    out.page_starts = starts;
    out.places = places;
    let ys: Vec<f64> = rows.iter().map(|row| row.first().map_or(0.0, |c| c.y)).collect();
    regroup_merged_headings(out, &ys)
}

/// The doubted cells of rows laid out in order (the rows above a table, and all rows when no
/// table is found).
fn doubts_in_order(rows: &[Vec<Cell>]) -> Vec<(u32, u32, Doubt)> {
    let mut out = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if let (Some(doubt), Ok(r), Ok(c)) = (&cell.doubt, u32::try_from(r), u32::try_from(c)) {
                out.push((r, c, doubt.clone()));
            }
        }
    }
    out
}

/// Whether a row of the rebuilt sheet holds a figure.
fn has_figure(cells: &[(u32, Value)]) -> bool {
    cells.iter().any(|(_, v)| match v {
        Value::Number(_) => true,
        Value::Text(t) => t.chars().any(|c| c.is_ascii_digit()),
        _ => false,
    })
}

/// A 大項目 merged down over its 小項目 (品目 over 大項目 / 小項目) holds its text in its first row
/// in a workbook, and the reader carries it down from there. A print shows it once where the
/// merged cell centres it: at the foot of its rows (LibreOffice's default, bottom) or in their
/// middle, on a line of its own when they are even (Chromium, a rowspan). Each such heading is
/// moved to the first row it covers, so the print reads as the workbook does:
/// - on a line of its own: the rows it covers are centred on it — from the first row not yet
///   covered down as far below it as that row is above it;
/// - on item rows only, and on the last item row: it closes its rows (bottom);
/// - on item rows only, and on the first: it already stands where the workbook has it (top).
fn regroup_merged_headings(sheet: Sheet, ys: &[f64]) -> Sheet {
    let Some((_, headers)) = item_tables(std::slice::from_ref(&sheet)) else {
        return sheet;
    };
    let Some(header) = headers.first() else {
        return sheet;
    };
    let (big, small) = match header.columns.description.as_slice() {
        [big, small, ..] => (*big, *small),
        _ => return sheet,
    };
    let text_at = |cells: &[(u32, Value)], col: u32| {
        cells.iter().find(|(c, _)| *c == col).and_then(|(_, v)| v.text()).map(str::to_owned)
    };
    // Item rows (a 小項目 and a figure) and headings (a 大項目), down to the first row of the foot.
    let mut items: Vec<u32> = Vec::new();
    let mut headings: Vec<(u32, String, bool)> = Vec::new(); // (row, text, on a line of its own)
    for (row, cells) in sheet.rows().filter(|(r, _)| *r > header.last_row) {
        let small_text = text_at(cells, small);
        let big_text = text_at(cells, big);
        let item = small_text.is_some() && has_figure(cells);
        if !item && big_text.is_some() && has_figure(cells) {
            break; // 「小　計 … 315,000」: the foot
        }
        if item {
            items.push(row);
        }
        if let Some(text) = big_text {
            let alone = cells.len() == 1;
            if !item && !alone {
                continue;
            }
            headings.push((row, text, alone));
        }
    }
    let (Some(first_item), Some(last_item)) = (items.first().copied(), items.last().copied()) else {
        return sheet;
    };
    if headings.is_empty() || headings.iter().any(|(r, _, alone)| !alone && *r == first_item) {
        return sheet;
    }
    let centred = headings.iter().any(|(_, _, alone)| *alone);
    let bottom = !centred && headings.last().is_some_and(|(r, _, _)| *r == last_item);
    if !centred && !bottom {
        return sheet;
    }
    let y = |row: u32| ys.get(row as usize).copied().unwrap_or(0.0);
    let mut moved: Vec<(u32, u32, String)> = Vec::new(); // (from row, to row, text)
    let mut next = 0usize; // index into items of the first row not yet covered
    for (row, text, _) in &headings {
        let Some(&start) = items.get(next) else { break };
        let covered: Vec<u32> = if centred {
            let reach = y(start) - y(*row);
            let row_gap = (y(start) - items.get(next + 1).map_or(y(start) - 1.0, |r| y(*r))).abs().max(1.0);
            items[next..].iter().copied().take_while(|r| y(*r) >= y(*row) - reach - 0.3 * row_gap).collect()
        } else {
            items[next..].iter().copied().take_while(|r| r <= row).collect()
        };
        if covered.is_empty() {
            continue;
        }
        next += covered.len();
        moved.push((*row, start, text.clone()));
    }
    let mut out = Sheet::new(sheet.name.clone());
    out.page_starts.clone_from(&sheet.page_starts);
    out.places.clone_from(&sheet.places);
    out.doubts.clone_from(&sheet.doubts);
    for (row, cells) in sheet.rows() {
        for (col, value) in cells {
            let from_here = *col == big && moved.iter().any(|(from, _, _)| *from == row);
            if !from_here {
                out.push(row, *col, value.clone());
            }
        }
        for (_, _, text) in moved.iter().filter(|(_, to, _)| *to == row) {
            out.push(row, big, Value::from_text(text));
        }
    }
    out.finish();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(x0: f64, x1: f64, y: f64, text: &str) -> Run {
        Run { x0, x1, y, size: 10.0, text: text.into(), confidence: 100.0, doubt: None }
    }

    #[test]
    fn page_numbers_are_told_from_amounts_and_items() {
        for t in ["1", "- 2 -", "1/2", "1 / 2 ページ", "Page 1 of 2", "（3）"] {
            assert!(is_page_number(t), "{t}");
        }
        for t in ["資格確認端末", "1台", "150,000", "令和4年"] {
            assert!(!is_page_number(t), "{t}");
        }
    }

    #[test]
    fn a_table_is_rebuilt_in_the_columns_of_its_header() {
        let runs = vec![
            run(50.0, 90.0, 800.0, "御見積書"),
            run(50.0, 80.0, 700.0, "品名"),
            run(250.0, 270.0, 700.0, "数量"),
            run(330.0, 350.0, 700.0, "単価"),
            run(430.0, 450.0, 700.0, "金額"),
            // A long description, a quantity left-aligned, amounts right-aligned under their headings.
            run(50.0, 230.0, 685.0, "資格確認端末（ノートPC）"),
            run(255.0, 265.0, 685.0, "1"),
            run(312.0, 350.0, 685.0, "150,000"),
            run(412.0, 450.0, 685.0, "150,000"),
            run(50.0, 90.0, 670.0, "合計"),
            run(412.0, 450.0, 670.0, "150,000"),
        ];
        let s = sheet(&[Page { runs, bottom: 0.0, top: 842.0 }]);
        let texts = |r: u32| -> Vec<(u32, String)> {
            s.row(r)
                .iter()
                .map(|(c, v)| (*c, v.text().map(str::to_owned).unwrap_or_else(|| format!("{v:?}"))))
                .collect()
        };
        assert_eq!(texts(1), [(0, "品名".into()), (1, "数量".into()), (2, "単価".into()), (3, "金額".into())]);
        let line: Vec<u32> = s.row(2).iter().map(|(c, _)| *c).collect();
        assert_eq!(line, [0, 1, 2, 3]);
        let foot: Vec<u32> = s.row(3).iter().map(|(c, _)| *c).collect();
        assert_eq!(foot, [0, 3]);
    }

    #[test]
    fn right_aligned_figures_reaching_under_the_next_heading_stay_in_their_column() {
        // Headings set at the left of their cells, as a fax's OCR boxes them: the unit prices end
        // (406) a little right of where 「金額」 starts (404); the amounts stand far right under it.
        let mut runs = vec![
            run(50.0, 80.0, 700.0, "品名"),
            run(380.0, 395.0, 700.0, "単価"),
            run(404.0, 424.0, 700.0, "金額"),
            run(508.0, 524.0, 700.0, "備考"),
        ];
        for (i, (price, amount)) in
            [("150000", "150000"), ("0", "0"), ("100000", "100000"), ("5000", "15000")].into_iter().enumerate()
        {
            let y = 685.0 - 15.0 * i as f64;
            let width = |t: &str| 3.5 * t.len() as f64;
            runs.push(run(50.0, 120.0, y, "品目"));
            runs.push(run(406.3 - width(price), 406.3, y, price));
            runs.push(run(506.0 - width(amount), 506.0, y, amount));
        }
        let s = sheet(&[Page { runs, bottom: 0.0, top: 842.0 }]);
        for r in 1..=4 {
            let cols: Vec<u32> = s.row(r).iter().map(|(c, _)| *c).collect();
            assert_eq!(cols, [0, 1, 2], "row {r}: {:?}", s.row(r));
        }
        let heads: Vec<u32> = s.row(0).iter().map(|(c, _)| *c).collect();
        assert_eq!(heads, [0, 1, 2, 3]);
    }
}
