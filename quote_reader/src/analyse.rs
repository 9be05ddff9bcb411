//! Reading the item table into a `Quote`: item and discount lines, written totals, notes under the table, and whether prices include tax.

use crate::error::{ReadError, ReadErrorKind};
use crate::facts::facts;
use crate::grid::{Sheet, Value, cell_name, column_name, get_in_row, row_number};
use crate::header::{Columns, HEADER_SEARCH_ROWS, Header, is_header_like, item_tables};
use crate::load::Loaded;
use crate::summary::summary_amounts;
use crate::text::{
    NumberProblem, amount_word, clean, compact, compact_unbracketed, is_price_word, looks_numeric, money, quantity,
    unit,
};
use rules::Yen;
use rules::quote::{
    ColumnReading, LineKind, Quote, QuoteLine, QuoteSource, RowReading, TableReading, Unit, WrittenAmount,
    WrittenTotals,
};
use rust_decimal::Decimal;

/// Where problems are reported: the file and, for workbooks, the sheet.
/// What a row under the header was taken for, as the preview says it — those the review of a
/// scan looks for (`ocr::review`).
pub(crate) const CONTINUATION: &str = "上の行の品名の続き";
pub(crate) const TOTAL_WITHOUT_AMOUNT: &str = "金額の書かれていない合計の行";
pub(crate) const FIGURES_WITHOUT_DESCRIPTION: &str = "品名のない数字の行（読んでいません）";
pub(crate) const TEXT_NOT_READ: &str = "明細ではない文字の行（読んでいません）";

struct Place<'a> {
    file: &'a str,
    sheet: Option<&'a str>,
    /// A PDF's page starts ([`Sheet::page_starts`]); empty otherwise.
    pages: &'a [u32],
    /// Read by OCR: a figure OCR garbled is left empty for the person checking the scan to
    /// fill in (the preview marks it), not a reason to refuse the file.
    scan: bool,
}

impl Place<'_> {
    fn error(&self, row: u32, col: Option<u32>, kind: ReadErrorKind) -> ReadError {
        // In a PDF the rebuilt table's rows and columns are nowhere on the page: the page and
        // its line of text are.
        let page = self.pages.iter().rposition(|start| *start <= row);
        let (page, row, column) = match page.and_then(|p| Some((p, self.pages.get(p)?))) {
            Some((p, start)) => (u32::try_from(p + 1).ok(), row_number(row - start), None),
            None => (None, row_number(row), col.map(|c| column_name(c).into_boxed_str())),
        };
        ReadError {
            file: self.file.to_owned(),
            sheet: self.sheet.map(str::to_owned),
            page,
            row: Some(row),
            column,
            kind,
        }
    }

    /// A money cell: for a scan, a figure OCR garbled (or cells it ran together into one too
    /// large) is left empty (the preview marks it).
    fn money(&self, row: u32, col: u32, value: &Value) -> Result<Option<Yen>, ReadError> {
        match money(value) {
            Err(_) if self.scan => Ok(None),
            other => other.map_err(|p| self.number_problem(row, col, p)),
        }
    }

    fn number_problem(&self, row: u32, col: u32, problem: NumberProblem) -> ReadError {
        let kind = match problem {
            NumberProblem::Unreadable(text) => ReadErrorKind::UnreadableNumber { text },
            NumberProblem::OutOfRange(text) => ReadErrorKind::NumberOutOfRange { text },
        };
        self.error(row, Some(col), kind)
    }
}

/// A row of totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TotalKind {
    Subtotal,
    /// 消費税; `included` for 内消費税 (part of the total already).
    Tax {
        included: bool,
    },
    Total,
}

/// Labels of the final total (after spaces and brackets are removed).
const TOTAL_LABELS: [&str; 13] = [
    "合計",
    "総合計",
    "総計",
    "総額",
    "合計金額",
    "合計額",
    "御見積金額",
    "お見積金額",
    "見積金額",
    "御見積合計",
    "見積合計",
    "税込合計",
    "税込合計金額",
];

/// English total labels (lower case, no spaces or brackets).
fn english_total_kind(bare: &str) -> Option<TotalKind> {
    // 「Consumption Tax 10%」, 「Total:」: the rate and punctuation after the label.
    let label = bare.trim_end_matches(|c: char| c.is_ascii_digit() || "%.:-".contains(c));
    // 「Total incl. tax」: what the total includes, after it.
    let label = ["incl.tax", "inclusiveoftax", "includingtax", "excl.tax", "excludingtax", "(jpy)", "jpy"]
        .iter()
        .find_map(|s| label.strip_suffix(s).filter(|l| l.starts_with("total") || l.starts_with("subtotal")))
        .unwrap_or(label);
    Some(match label {
        "taxincluded" | "inctax" | "includingtax" | "includedtax" | "ofwhichtax" => TotalKind::Tax { included: true },
        "subtotal" | "sub-total" => TotalKind::Subtotal,
        "tax" | "consumptiontax" | "vat" | "salestax" | "gst" | "taxamount" => TotalKind::Tax { included: false },
        "total" | "grandtotal" | "totalamount" | "amountdue" | "totalprice" | "totaldue" | "nettotal" => {
            TotalKind::Total
        }
        _ => return None,
    })
}

/// What total a row's label names, if any: 「小　計」, 「消費税(10%)」, 「内消費税」, 「合計（税込）」, 「Subtotal」.
fn total_kind(label: &str) -> Option<TotalKind> {
    // Every total label has one of these characters; most rows are items and stop here.
    if !label.contains(['計', '税', '額']) {
        // English labels are ASCII (or its full-width forms) through and through; an item's
        // description rarely is.
        if !ascii_like(label) || label.len() > 60 {
            return None;
        }
        return english_total_kind(&compact_unbracketed(label).to_ascii_lowercase());
    }
    let folded = compact(label);
    let mut bare = compact_unbracketed(label);
    if bare.is_empty() {
        // 「（内消費税）」: the whole label is bracketed.
        bare = folded.chars().filter(|c| !"()[]【】〔〕<>＜＞".contains(*c)).collect();
    }
    let len = bare.chars().count();
    if len == 0 || len > 12 {
        return None;
    }
    if ["内消費税", "うち消費税", "内税", "内消費"].iter().any(|w| folded.contains(w)) {
        return Some(TotalKind::Tax { included: true });
    }
    if (bare.starts_with("消費税") && len <= 5) || ["税", "税額", "税金"].contains(&bare.as_str()) {
        return Some(TotalKind::Tax { included: false });
    }
    if bare.starts_with("小計") || (bare.ends_with("小計") && len <= 10) {
        return Some(TotalKind::Subtotal);
    }
    if TOTAL_LABELS.contains(&bare.as_str())
        || (bare.ends_with("合計") && len <= 10)
        || (bare.starts_with("合計") && len <= 6)
    {
        return Some(TotalKind::Total);
    }
    None
}

/// Discount lines: 値引, 出精値引, 割引…
fn is_discount(label: &str) -> bool {
    if !label.contains(['値', '割', '出', 'デ']) {
        return is_english_discount(label);
    }
    let folded = compact(label);
    ["値引", "割引", "出精", "ディスカウント", "値下"].iter().any(|w| folded.contains(w))
}

/// An English discount line: 「Discount」, 「Special discount」.
fn is_english_discount(label: &str) -> bool {
    ascii_like(label) && label.len() <= 60 && compact(label).to_ascii_lowercase().contains("discount")
}

/// ASCII, its full-width forms and the ideographic space only: what an English label is made of.
fn ascii_like(text: &str) -> bool {
    text.chars().all(|c| c.is_ascii() || ('\u{FF01}'..='\u{FF5E}').contains(&c) || c == '\u{3000}')
}

/// Where item lines end: 「以下余白」 (or a lone 「以上」).
fn is_end_marker(cells: &[(u32, Value)]) -> bool {
    cells.iter().filter_map(|(_, v)| v.text()).filter(|t| t.contains(['余', '上'])).any(|t| {
        let folded = compact(t);
        folded.contains("以下余白") || folded == "以上"
    })
}

/// Lone labels over a notes area, not notes themselves.
const NOTE_HEADINGS: [&str; 6] = ["備考", "備考欄", "注記", "特記事項", "注意事項", "摘要"];

/// A cell's content as text for description, spec and note columns.
fn cell_text(value: &Value) -> Option<String> {
    let text = match value {
        Value::Text(t) => clean(t),
        // A model number typed as a number (RTX830 → 830) is still text to the reader.
        Value::Number(f) if f.is_finite() => format!("{f}"),
        Value::Date(d) => d.to_string(),
        Value::Number(_) | Value::Bool(_) | Value::Error(_) => return None,
    };
    (!text.is_empty()).then_some(text)
}

fn joined_text(cells: &[(u32, Value)], cols: &[u32]) -> String {
    cols.iter().filter_map(|c| get_in_row(cells, *c).and_then(cell_text)).collect::<Vec<_>>().join(" ")
}

/// What the table yields.
#[derive(Default)]
struct Table {
    lines: Vec<QuoteLine>,
    written: WrittenTotals,
    notes: Vec<String>,
    /// Evidence of 内消費税: its cell.
    included_tax_at: Option<(u32, u32, String)>,
    /// Rows read as items or totals.
    table_rows: Vec<u32>,
    /// Text rows with no numbers: notes if under the table or marked ※.
    text_rows: Vec<(u32, u32, String)>,
    /// Every row of totals, in order; which close a section and which the quote is settled at the end.
    totals: Vec<TotalRow>,
    /// The last row (0-based) that belongs to the last line: its own, or a row its text wrapped onto.
    last_line_row: Option<u32>,
    /// Rows that are not lines, with what they were taken for (the preview shows them).
    rows_read: Vec<RowReading>,
}

impl Table {
    fn read_as(&mut self, row: u32, cells: &[(u32, Value)], taken_as: &str) {
        self.rows_read.push(RowReading { row: row_number(row), text: row_text(cells), taken_as: taken_as.to_owned() });
    }
}

/// Longest text of a row the preview repeats.
const ROW_TEXT_CHARS: usize = 40;

/// A row's cells as one short text: 「小計 315000」.
fn row_text(cells: &[(u32, Value)]) -> String {
    let text = cells
        .iter()
        .filter_map(|(_, v)| match v {
            Value::Text(t) => Some(clean(t)),
            Value::Number(n) if n.is_finite() => Some(format!("{n}")),
            _ => None,
        })
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    shortened(text)
}

/// A text cut to what the preview repeats of a row.
fn shortened(text: String) -> String {
    if text.chars().count() > ROW_TEXT_CHARS {
        format!("{}…", text.chars().take(ROW_TEXT_CHARS).collect::<String>())
    } else {
        text
    }
}

/// A row of totals as written, before it is known whether it closes a section or the quote.
struct TotalRow {
    /// 0-based row.
    row: u32,
    kind: TotalKind,
    amount: Yen,
    /// How many lines were read above it.
    lines_above: usize,
    /// For 内消費税: its cell and label, the evidence that the total includes tax.
    included_at: Option<(u32, u32, String)>,
    /// The row as written, for the preview.
    text: String,
}

/// Marks that open a section heading: 「■ハードウェア」, 「【作業費】」, 「1. ソフトウェア」.
fn is_section_heading(text: &str) -> bool {
    let t = text.trim_start();
    let marked = t
        .starts_with(['■', '□', '◆', '◇', '●', '○', '◎', '★', '☆', '▼', '▽', '【', '[', '［', '＜', '<', '《'])
        || t.starts_with(|c| matches!(c, '①'..='⑳'));
    let numbered = {
        let mut chars = t.chars();
        let first = chars.next();
        let second = chars.next();
        matches!(first, Some('0'..='9' | '０'..='９' | 'Ⅰ'..='Ⅻ'))
            && matches!(second, Some('.' | '．' | '、' | ')' | '）' | ' ' | '　') | None)
    };
    marked || numbered || t.starts_with(['(', '（']) && t.chars().nth(2).is_some_and(|c| c == ')' || c == '）')
}

/// Whether a text-only row right under a line carries on that line's description (a wrapped
/// cell): its text sits in the description or spec columns, and it is no heading or note.
fn continues_line(cells: &[(u32, Value)], cols: &Columns) -> bool {
    let in_text_columns = cells.iter().all(|(c, v)| {
        v.text().is_some_and(|t| compact(t).is_empty()) || cols.description.contains(c) || cols.spec == Some(*c)
    });
    let text = cells.iter().filter_map(|(_, v)| v.text()).collect::<Vec<_>>().join("");
    let folded = compact(&text);
    in_text_columns
        && !folded.is_empty()
        && !is_section_heading(&text)
        && !["※", "*", "＊", "注"].iter().any(|m| folded.starts_with(m))
        && !NOTE_HEADINGS.contains(&folded.trim_end_matches([':', '：']))
        && total_kind(&text).is_none()
}

/// Joins a wrapped piece of text onto what it continues: Japanese runs on without a space.
fn join_wrapped(head: &mut String, tail: &str) {
    let ascii_edge = head.chars().last().is_some_and(|c| c.is_ascii_alphanumeric())
        && tail.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if ascii_edge {
        head.push(' ');
    }
    head.push_str(tail);
}

/// The lines' sum, for telling a section's 小計 from the quote's.
fn sum_of(lines: &[QuoteLine]) -> Option<Yen> {
    lines_sum(lines).map(Yen::new)
}

/// Settles which written totals are the quote's: rows followed by more items close a section;
/// of the foot, the last 合計 is the total, the last 消費税 the tax, and the last 小計 (or a
/// 合計 before the tax, such as 「値引後合計」) the subtotal — unless a discount follows it, when
/// it is the amount before the discount. The last section's own 小計 at the head of the foot
/// is recognised by adding up to that section's lines only.
fn settle_totals(table: &mut Table) {
    let totals = std::mem::take(&mut table.totals);
    let lines = &table.lines;
    let items_after = |t: &TotalRow| lines[t.lines_above.min(lines.len())..].iter().any(|l| l.kind == LineKind::Item);
    let discount_after =
        |t: &TotalRow| lines[t.lines_above.min(lines.len())..].iter().any(|l| l.kind == LineKind::Discount);
    let (sections, mut foot): (Vec<TotalRow>, Vec<TotalRow>) = totals.into_iter().partition(items_after);
    let mut said: Vec<RowReading> = Vec::new();
    let mut say = |t: &TotalRow, taken_as: &str| {
        said.push(RowReading { row: row_number(t.row), text: t.text.clone(), taken_as: taken_as.to_owned() });
    };
    for t in &sections {
        say(t, "区分の小計（照合には使いません）");
    }
    if let (Some(last_section), Some(first)) = (sections.last(), foot.first())
        && first.kind == TotalKind::Subtotal
    {
        let since = &lines[last_section.lines_above.min(lines.len())..];
        let own: Vec<QuoteLine> = since.iter().filter(|l| l.kind == LineKind::Item).cloned().collect();
        if sum_of(&own) == Some(first.amount) && sum_of(lines) != Some(first.amount) {
            say(&foot.remove(0), "最後の区分の小計（照合には使いません）");
        }
    }
    let total = foot.iter().rposition(|t| t.kind == TotalKind::Total);
    let tax = foot.iter().rposition(|t| matches!(t.kind, TotalKind::Tax { .. }));
    let before_tax = |i: usize| tax.is_none_or(|x| i < x);
    let subtotal = foot.iter().enumerate().rev().find(|(i, t)| {
        let pre_tax = match t.kind {
            TotalKind::Subtotal => true,
            TotalKind::Total => Some(*i) != total && before_tax(*i),
            TotalKind::Tax { .. } => false,
        };
        pre_tax && !discount_after(t)
    });
    table.written.subtotal = subtotal.map(|(_, t)| WrittenAmount { amount: t.amount, row: row_number(t.row) });
    table.written.total = total
        .and_then(|i| foot.get(i))
        .filter(|t| !discount_after(t))
        .map(|t| WrittenAmount { amount: t.amount, row: row_number(t.row) });
    if let Some(t) = tax.and_then(|i| foot.get(i)) {
        table.written.tax = Some(WrittenAmount { amount: t.amount, row: row_number(t.row) });
        table.written.tax_included_in_total = matches!(t.kind, TotalKind::Tax { included: true });
        table.included_tax_at.clone_from(&t.included_at);
    }
    let used = |t: &TotalRow, w: Option<WrittenAmount>| w.is_some_and(|w| w.row == row_number(t.row));
    for t in &foot {
        let taken_as = if used(t, table.written.subtotal) {
            "小計（明細の合計と照合します）"
        } else if used(t, table.written.tax) && table.written.tax_included_in_total {
            "内消費税（合計に含まれる消費税）"
        } else if used(t, table.written.tax) {
            "消費税"
        } else if used(t, table.written.total) {
            "合計（見積の総額として照合します）"
        } else if discount_after(t) {
            "値引き前の金額（照合には使いません）"
        } else {
            "合計の行（照合には使いません）"
        };
        say(t, taken_as);
    }
    table.rows_read.extend(said);
}

/// In a scan, a short label holding a foot's word among specks OCR made letters of — 「5 人台計税拓」
/// for 「合計（税抜）」, 「件喝柄金額」 for 「御見積金額」 — with the characters OCR reads for 合 and
/// 小 (台, 少) taken for them.
fn garbled_total_kind(label: &str) -> Option<TotalKind> {
    let bare: String = compact_unbracketed(label).chars().filter(|c| !c.is_ascii()).collect();
    if bare.chars().count() > 8 {
        return None;
    }
    let read = bare.replace(['台', '会', '含'], "合").replace('少', "小");
    if read.contains("消費税") {
        Some(TotalKind::Tax { included: false })
    } else if read.contains("小計") {
        Some(TotalKind::Subtotal)
    } else if read.contains("合計") || (read.ends_with("金額") && read.chars().count() <= 6 && !is_discount(label))
    {
        // 「件喝柄金額（税込）」: the 御見積金額 (「値引金額」 is a discount; 「値引き後合計」 a total)
        Some(TotalKind::Total)
    } else {
        None
    }
}

/// In a scan, the label of a tax row OCR garbled but for its rate: 「泊代WW (109%)」 for
/// 「消費税（10%）」 — short, with a percentage in brackets, and no discount.
fn is_garbled_tax_label(label: &str) -> bool {
    let folded = compact(label);
    let bare = compact_unbracketed(label);
    let bracketed_rate = folded.split(['(', '（']).skip(1).any(|part| part.contains(['%', '％']));
    bracketed_rate && bare.chars().count() <= 6 && !is_discount(label)
}

/// In a scan, a row of an amount alone whose label OCR lost or garbled, right under the 消費税 and
/// equal to the 小計 above it plus that tax: the 合計.
fn unlabelled_total(table: &Table, row: u32, amount: Option<Yen>) -> Option<TotalRow> {
    let amount = amount?;
    let tax = table
        .totals
        .last()
        .filter(|t| matches!(t.kind, TotalKind::Tax { included: false }) && t.row.checked_add(1) == Some(row))?;
    let subtotal = table.totals.iter().rev().find(|t| t.kind == TotalKind::Subtotal && t.row < tax.row)?;
    (subtotal.amount + tax.amount == amount).then(|| TotalRow {
        row,
        kind: TotalKind::Total,
        amount,
        lines_above: table.lines.len(),
        included_at: None,
        text: amount.amount().normalize().to_string(),
    })
}

/// In a scan, a 小計 whose label OCR could not read (「人靖語還語 … 2,867,000」 over 消費税) comes
/// out as the last line. It is the 小計 when it stands right above the foot's 消費税 or 合計 with
/// no 小計 of its own, holds an amount only, OCR was unsure of its label, and the amount is at
/// least the sum of the lines above it (a line left out by OCR makes it more, never less). The
/// preview marks it, as it marks every cell OCR was unsure of.
fn unreadable_subtotal(table: &mut Table, sheet: &Sheet, cols: &Columns) {
    let n = table.lines.len();
    let Some(line) = table.lines.last() else { return };
    let row = line.row.saturating_sub(1);
    let mut below = table.totals.iter().filter(|t| t.lines_above == n);
    let Some(next) = below.next() else { return };
    let foot_follows = matches!(next.kind, TotalKind::Tax { .. } | TotalKind::Total) && next.row == row + 1;
    let label_unsure = sheet.doubts.iter().any(|(r, c, _)| *r == row && cols.description.contains(c));
    let above = sum_of(&table.lines[..n - 1]);
    let (Some(amount), Some(above)) = (line.amount, above) else { return };
    let amount_only = line.quantity.is_none() && line.unit_price.is_none() && line.list_price.is_none();
    if !foot_follows || !label_unsure || !amount_only || line.kind != LineKind::Item || amount < above {
        return;
    }
    let text = format!("{} {}", line.description, amount.amount().normalize());
    table.lines.pop();
    let at = table.totals.iter().position(|t| t.row > row).unwrap_or(table.totals.len());
    table
        .totals
        .insert(at, TotalRow { row, kind: TotalKind::Subtotal, amount, lines_above: n - 1, included_at: None, text });
    table.last_line_row = table.lines.last().map(|l| l.row.saturating_sub(1));
}

/// The first cell of a row that is text but not a number, from the left: a label.
fn first_label(cells: &[(u32, Value)]) -> Option<(u32, String)> {
    cells.iter().find_map(|(c, v)| {
        let t = v.text()?;
        (!looks_numeric(t) && !compact(t).is_empty()).then(|| (*c, clean(t)))
    })
}

/// The amount of a total row: in the amount column, else the rightmost amount in the row.
fn total_amount(place: &Place<'_>, row: u32, cells: &[(u32, Value)], cols: &Columns) -> Result<Option<Yen>, ReadError> {
    if let Some(col) = cols.amount
        && let Some(value) = get_in_row(cells, col)
        && let Some(y) = place.money(row, col, value)?
    {
        return Ok(Some(y));
    }
    for (col, value) in cells.iter().rev() {
        let numeric = match value {
            Value::Number(_) => true,
            Value::Text(t) => looks_numeric(t),
            _ => false,
        };
        if numeric {
            return place.money(row, *col, value);
        }
    }
    Ok(None)
}

/// Money in a column of a row.
fn money_at(place: &Place<'_>, row: u32, cells: &[(u32, Value)], col: Option<u32>) -> Result<Option<Yen>, ReadError> {
    let Some(col) = col else {
        return Ok(None);
    };
    match get_in_row(cells, col) {
        Some(value) => place.money(row, col, value),
        None => Ok(None),
    }
}

/// A discount's amounts are negative whatever sign was written.
fn negative(y: Option<Yen>) -> Option<Yen> {
    y.map(|y| if y.is_negative() { y } else { -y })
}

/// Keeps a row of text (a heading or a note) to sort out once the table's end is known.
fn push_text_row(table: &mut Table, row: u32, cells: &[(u32, Value)]) {
    let text = cells.iter().filter_map(|(_, v)| v.text().map(clean)).filter(|t| !t.is_empty());
    let text = text.collect::<Vec<_>>().join(" ");
    if !text.is_empty() {
        let col = cells.first().map_or(0, |(c, _)| *c);
        table.text_rows.push((row, col, text));
    }
}

fn read_table(place: &Place<'_>, sheet: &Sheet, header: &Header) -> Result<Table, ReadError> {
    let cols = &header.columns;
    let mut table = Table::default();
    let mut ended = false; // 以下余白 seen: no more items, totals and notes still read
    // A 大項目 merged down over its 小項目 holds its text in its first row only.
    let mut carried: Option<String> = None;
    let first = header.last_row.saturating_add(1);
    for (row, cells) in sheet.rows_from(first) {
        let error = cells.iter().find_map(|(c, v)| match v {
            Value::Error(e) => Some((*c, e.clone())),
            _ => None,
        });
        let raise_error = |(col, value): (u32, String)| place.error(row, Some(col), ReadErrorKind::ErrorCell { value });

        if is_end_marker(cells) {
            ended = true;
            table.read_as(row, cells, "以下余白（ここで明細が終わります）");
            table.table_rows.push(row);
            continue;
        }
        if is_header_like(cells) {
            table.read_as(row, cells, "見出しの繰り返し");
            continue;
        }
        let description = joined_text(cells, &cols.description);
        // The 大項目 this row's 小項目 falls under, when its own cell is empty.
        let mut heading_above = None;
        if let [head, rest @ ..] = cols.description.as_slice()
            && !rest.is_empty()
        {
            match get_in_row(cells, *head).and_then(cell_text) {
                Some(text) => carried = Some(text),
                None => heading_above.clone_from(&carried),
            }
        }
        let label = if description.is_empty() { first_label(cells).map(|(_, l)| l) } else { Some(description.clone()) };
        // In a scan, a foot row's label OCR garbled: one figure outside the description, and a
        // foot's word among the specks.
        let kind = label.as_deref().and_then(total_kind).or_else(|| {
            let figure = |v: &Value| match v {
                Value::Number(_) => true,
                other => other.text().is_some_and(|t| t.chars().any(|c| c.is_ascii_digit())),
            };
            let figures = cells.iter().filter(|(c, v)| !cols.description.contains(c) && figure(v)).count();
            if !place.scan || figures != 1 {
                return None;
            }
            let label = label.as_deref()?;
            garbled_total_kind(label)
                .or_else(|| is_garbled_tax_label(label).then_some(TotalKind::Tax { included: false }))
        });
        if let Some(kind) = kind {
            if let Some(e) = error {
                return Err(raise_error(e));
            }
            let Some(amount) = total_amount(place, row, cells, cols)? else {
                // A label with nothing written (an uncached formula): nothing to record.
                table.read_as(row, cells, TOTAL_WITHOUT_AMOUNT);
                continue;
            };
            let included_at = matches!(kind, TotalKind::Tax { included: true }).then(|| {
                let at = cells
                    .iter()
                    .find(|(_, v)| v.text().is_some_and(|t| total_kind(t).is_some()))
                    .map_or(0, |(c, _)| *c);
                (row, at, compact(label.as_deref().unwrap_or_default()))
            });
            let text = row_text(cells);
            table.totals.push(TotalRow { row, kind, amount, lines_above: table.lines.len(), included_at, text });
            carried = None;
            table.table_rows.push(row);
            continue;
        }
        // A discount under 以下余白 or the 小計 (出精値引き in the foot) is still a line of the quote.
        if ended && !label.as_deref().is_some_and(is_discount) {
            // Under 以下余白 only notes remain; their figures are not amounts to check.
            push_text_row(&mut table, row, cells);
            continue;
        }
        if let Some(e) = error {
            return Err(raise_error(e));
        }
        let (mut q, qty_unit) = match cols.quantity.and_then(|c| get_in_row(cells, c).map(|v| (c, v))) {
            Some((col, value)) => match quantity(value) {
                Err(_) if place.scan => (None, None),
                other => other.map_err(|p| place.number_problem(row, col, p))?,
            },
            None => (None, None),
        };
        let written_unit = cols.unit.and_then(|c| get_in_row(cells, c)).and_then(unit);
        if written_unit == Some(Unit::LumpSum) && q.is_none() {
            q = Some(Decimal::ONE); // 「一式」 alone means one
        }
        let line_unit = written_unit.or(qty_unit);
        let mut unit_price = money_at(place, row, cells, cols.unit_price)?;
        let mut list_price = money_at(place, row, cells, cols.list_price)?;
        let mut amount = money_at(place, row, cells, cols.amount)?;
        let has_numbers = q.is_some() || unit_price.is_some() || list_price.is_some() || amount.is_some();
        // 「電子カルテ改修 … 別途」: a line of the quote without a figure, kept with what it says.
        let amount_text = [cols.amount, cols.unit_price]
            .into_iter()
            .flatten()
            .filter_map(|c| get_in_row(cells, c))
            .find_map(amount_word)
            .filter(|_| amount.is_none_or(|a| a == Yen::ZERO));

        // In a scan, specks and rules OCR made letters of fill empty cells (「コ」 under 単位,
        // 「ビー」 under 金額 on a section's heading row): a line there needs a figure, or a word a
        // quote writes for a price (別途, 込み, 無償), and a description longer than one character.
        let scan_noise = place.scan
            && ((!has_numbers && !amount_text.as_deref().is_some_and(is_price_word))
                || (description.chars().count() < 2 && amount.is_none() && unit_price.is_none()));
        if scan_noise || (!has_numbers && line_unit.is_none() && amount_text.is_none()) {
            let wrapped = table.last_line_row.is_some_and(|last| last.checked_add(1) == Some(row));
            if wrapped
                && continues_line(cells, cols)
                && let Some(line) = table.lines.last_mut()
            {
                let text = joined_text(cells, &cols.description);
                if text.is_empty() {
                    let spec = cols.spec.and_then(|c| get_in_row(cells, c)).and_then(cell_text).unwrap_or_default();
                    join_wrapped(line.spec.get_or_insert_with(String::new), &spec);
                } else {
                    join_wrapped(&mut line.description, &text);
                }
                table.last_line_row = Some(row);
                table.read_as(row, cells, CONTINUATION);
                table.table_rows.push(row);
                continue;
            }
            if is_section_heading(&description) || is_section_heading(label.as_deref().unwrap_or_default()) {
                carried = None;
            }
            push_text_row(&mut table, row, cells);
            continue;
        }
        let description = if description.is_empty() {
            match cols.spec.and_then(|c| get_in_row(cells, c)).and_then(cell_text) {
                Some(spec) => spec,
                None => {
                    if place.scan
                        && let Some(total) = unlabelled_total(&table, row, amount)
                    {
                        table.totals.push(total);
                        table.table_rows.push(row);
                        continue;
                    }
                    table.read_as(row, cells, FIGURES_WITHOUT_DESCRIPTION);
                    continue;
                }
            }
        } else {
            description
        };
        // A 合計 whose label OCR garbled (「ニー lu … 335500」 under 消費税) reads as a line of an
        // amount alone: the arithmetic tells it.
        if place.scan
            && q.is_none()
            && unit_price.is_none()
            && list_price.is_none()
            && let Some(total) = unlabelled_total(&table, row, amount)
        {
            table.totals.push(total);
            table.table_rows.push(row);
            continue;
        }
        let kind = if is_discount(&description) { LineKind::Discount } else { LineKind::Item };
        let description = match heading_above {
            Some(heading) if kind == LineKind::Item => format!("{heading} {description}"),
            _ => description,
        };
        if kind == LineKind::Discount {
            unit_price = negative(unit_price);
            list_price = negative(list_price);
            amount = negative(amount);
        }
        let spec = cols.spec.and_then(|c| get_in_row(cells, c)).and_then(cell_text);
        let note = cols.note.and_then(|c| get_in_row(cells, c)).and_then(cell_text);
        table.lines.push(QuoteLine {
            row: row_number(row),
            spec: spec.filter(|s| *s != description),
            description,
            quantity: q,
            unit: line_unit,
            unit_price,
            list_price,
            amount,
            note,
            kind,
            amount_text,
            sheet: None,
        });
        table.last_line_row = Some(row);
        table.table_rows.push(row);
    }
    if place.scan {
        unreadable_subtotal(&mut table, sheet, cols);
    }
    settle_totals(&mut table);

    // Text under the last item or total is a note; text among the items only when marked ※.
    let last_table_row = table.table_rows.iter().max().copied();
    for (row, _, text) in &table.text_rows {
        let folded = compact(text);
        let heading = NOTE_HEADINGS.contains(&folded.trim_end_matches([':', '：']));
        let marked = ["※", "*", "＊", "注"].iter().any(|m| folded.starts_with(m));
        let below = last_table_row.is_none_or(|last| *row > last);
        let taken_as = if !heading && (below || marked) {
            table.notes.push(text.clone());
            "備考・注記"
        } else if heading {
            "備考の見出し"
        } else if is_section_heading(text) {
            "区分の見出し"
        } else {
            TEXT_NOT_READ
        };
        let shown = shortened(text.clone());
        table.rows_read.push(RowReading { row: row_number(*row), text: shown, taken_as: taken_as.to_owned() });
    }
    blank_and_hidden_rows(&mut table, sheet, first, last_table_row);
    table.rows_read.sort_by_key(|r| r.row);
    Ok(table)
}

/// The rows between the header and the table's last row that hold nothing (blank) or were
/// hidden, each run of them said once: 「12〜14行目」「空白の行」.
fn blank_and_hidden_rows(table: &mut Table, sheet: &Sheet, first: u32, last: Option<u32>) {
    let Some(last) = last else {
        return;
    };
    let mut row = first;
    while row < last {
        if !sheet.row(row).is_empty() {
            row += 1;
            continue;
        }
        let hidden = sheet.left_out.rows.contains(&row);
        let start = row;
        while row < last && sheet.row(row).is_empty() && sheet.left_out.rows.contains(&row) == hidden {
            row += 1;
        }
        let text = if row - start > 1 {
            format!("{}〜{}行目", row_number(start), row_number(row - 1))
        } else {
            String::new()
        };
        let taken_as = if hidden { "非表示の行（読んでいません）" } else { "空白の行" };
        table.rows_read.push(RowReading { row: row_number(start), text, taken_as: taken_as.to_owned() });
    }
}

/// Whether a text says prices include tax (and is not just the label of a tax-included total).
fn says_tax_included(text: &str) -> bool {
    let folded = compact(text);
    // 「初期費用（税込）」: the label of an amount that includes tax, as a cover's summary writes it.
    let bare = compact_unbracketed(text);
    let bracketed_label = (2..=12).contains(&bare.chars().count()) && !bare.contains("税込");
    !bracketed_label
        && folded.contains("税込")
        && !folded.contains("税抜")
        && !["合計", "総額", "見積金額", "御見積", "お見積", "請求"].iter().any(|w| folded.contains(w))
}

/// The sum of the lines' effective amounts, `None` if a line has none or the sum overflows.
///
/// Not `QuoteLine::effective_amount`: its multiplication panics on overflow,
/// and this must not panic on any input.
fn lines_sum(lines: &[QuoteLine]) -> Option<Decimal> {
    lines.iter().try_fold(Decimal::ZERO, |sum, line| {
        let amount = match line.amount {
            Some(a) => a.amount(),
            None => line.unit_price?.amount().checked_mul(line.quantity.unwrap_or(Decimal::ONE))?,
        };
        sum.checked_add(amount)
    })
}

/// Whether prices include tax, and the evidence, in order of strength:
/// a 税込 header, a 内消費税 line, a 税込 note, totals equal to the lines
/// without any tax line.
fn tax_inclusive(sheets: &[Sheet], header: &Header, table: &Table) -> (bool, Option<String>) {
    let mut exclusive_header = false;
    for (col, cell) in &header.cells {
        let folded = compact(&cell.text);
        if folded.contains("税込") {
            return (true, Some(format!("{}セル「{}」", cell_name(cell.row, *col), folded)));
        }
        exclusive_header |= folded.contains("税抜");
    }
    if let Some((row, col, label)) = &table.included_tax_at {
        // 内消費税 under lines written without tax: the total is the lines plus the tax, so the
        // lines are 税抜 and only the total includes it.
        let lines_then_tax = match (lines_sum(&table.lines), table.written.tax, table.written.total) {
            (Some(sum), Some(tax), Some(total)) => {
                tax.amount > Yen::ZERO && sum + tax.amount.amount() == total.amount.amount()
            }
            _ => false,
        };
        if lines_then_tax {
            return (false, None);
        }
        return (true, Some(format!("{}セル「{}」", cell_name(*row, *col), label)));
    }
    // Notes: under or among the table, above it, and on the other sheets' first rows.
    let mut texts: Vec<(Option<&str>, u32, u32, String)> =
        table.text_rows.iter().map(|(r, c, t)| (None, *r, *c, t.clone())).collect();
    for (index, sheet) in sheets.iter().enumerate() {
        let limit = if index == header.sheet { header.first_row } else { HEADER_SEARCH_ROWS };
        let name = (index != header.sheet).then_some(sheet.name.as_str());
        for (row, cells) in sheet.rows().take_while(|(r, _)| *r < limit) {
            texts.extend(cells.iter().filter_map(|(c, v)| Some((name, row, *c, v.text()?.to_owned()))));
        }
    }
    if let Some((sheet, row, col, text)) = texts.iter().find(|(_, _, _, t)| says_tax_included(t)) {
        let place = sheet.map(|s| format!("シート「{s}」の")).unwrap_or_default();
        return (true, Some(format!("{place}{}セル「{}」", cell_name(*row, *col), clean(text))));
    }
    if !exclusive_header
        && table.written.tax.is_none()
        && let Some(total) = table.written.total
        && !table.lines.is_empty()
        && lines_sum(&table.lines) == Some(total.amount.amount())
    {
        return (true, Some(format!("合計（{}行目）が明細の金額の合計と同じで、消費税の行がありません", total.row)));
    }
    (false, None)
}

/// The written totals of item tables on several sheets: each figure added up when every
/// sheet wrote it, else left out (a sheet without its 小計 leaves no 小計 to check).
fn combined(tables: &[(&Header, Table)]) -> WrittenTotals {
    let sum = |pick: fn(&WrittenTotals) -> Option<WrittenAmount>| {
        tables.iter().map(|(_, t)| pick(&t.written)).try_fold(None::<WrittenAmount>, |acc, w| {
            let w = w?;
            Some(Some(match acc {
                None => w,
                Some(a) => WrittenAmount { amount: a.amount + w.amount, row: a.row },
            }))
        })?
    };
    let included = tables.first().is_some_and(|(_, t)| t.written.tax_included_in_total);
    let same_tax = tables.iter().all(|(_, t)| t.written.tax_included_in_total == included);
    WrittenTotals {
        subtotal: sum(|w| w.subtotal),
        tax: sum(|w| w.tax).filter(|_| same_tax),
        tax_included_in_total: included && same_tax,
        total: sum(|w| w.total),
    }
}

/// Rows as a person numbers them, joined: 「12・13行目」.
fn row_list(rows: impl Iterator<Item = u32>) -> String {
    rows.map(|r| row_number(r).to_string()).collect::<Vec<_>>().join("・")
}

/// What the file holds that is not part of the quote as printed, said in Japanese.
fn left_out(loaded: &Loaded) -> Vec<String> {
    let mut said: Vec<String> =
        loaded.hidden_sheets.iter().map(|s| format!("非表示のシート「{s}」は読んでいません。")).collect();
    for sheet in &loaded.sheets {
        let hidden = &sheet.left_out;
        if !hidden.rows.is_empty() {
            let rows = row_list(hidden.rows.iter().copied());
            said.push(format!("シート「{}」の非表示の行（{rows}行目）は読んでいません。", sheet.name));
        }
        if !hidden.cols.is_empty() {
            let cols = hidden.cols.iter().map(|c| column_name(*c)).collect::<Vec<_>>().join("・");
            said.push(format!("シート「{}」の非表示の列（{cols}列）は読んでいません。", sheet.name));
        }
    }
    said
}

/// Reads the quote from loaded sheets: every sheet that holds an item table, in workbook order.
pub(crate) fn analyse(file: &str, loaded: &Loaded) -> Result<Quote, ReadError> {
    let Some((mut best, headers)) = item_tables(&loaded.sheets) else {
        return Err(ReadError::file(file, ReadErrorKind::NoItemTable));
    };
    let mut tables: Vec<(&Header, Table)> = Vec::with_capacity(headers.len());
    let mut copies = Vec::new();
    for header in &headers {
        let Some(sheet) = loaded.sheets.get(header.sheet) else {
            return Err(ReadError::file(file, ReadErrorKind::NoItemTable));
        };
        let place = Place {
            file,
            sheet: loaded.origin.has_sheet_names().then_some(sheet.name.as_str()),
            pages: &sheet.page_starts,
            scan: loaded.ocr.is_some(),
        };
        let table = read_table(&place, sheet, header)?;
        if header.sheet == best && table.lines.is_empty() {
            return Err(place.error(header.first_row, None, ReadErrorKind::NoItemLines));
        }
        if table.lines.is_empty() {
            continue;
        }
        // 「御見積書（控）」: the same items again on a sheet of its own are a copy, not more items.
        let same = |t: &Table| {
            t.lines.len() == table.lines.len()
                && t.lines
                    .iter()
                    .zip(&table.lines)
                    .all(|(a, b)| (&a.description, a.effective_amount()) == (&b.description, b.effective_amount()))
        };
        if let Some((original, _)) = tables.iter().find(|(_, t)| same(t)) {
            if header.sheet == best {
                best = original.sheet; // the copy ranked first: its original stands for it
            }
            let name = |h: &Header| loaded.sheets.get(h.sheet).map(|s| s.name.clone()).unwrap_or_default();
            copies.push(format!(
                "シート「{}」は、シート「{}」と同じ明細の写しのため読んでいません。",
                name(header),
                name(original)
            ));
            continue;
        }
        tables.push((header, table));
    }
    let Some(main) = tables.iter().position(|(h, _)| h.sheet == best) else {
        return Err(ReadError::file(file, ReadErrorKind::NoItemTable));
    };
    let header = tables[main].0;
    let (tax_inclusive, tax_inclusive_evidence) = tax_inclusive(&loaded.sheets, header, &tables[main].1);
    let facts = facts(&loaded.sheets, header.sheet, header.first_row);
    let written = if tables.len() == 1 { tables[main].1.written.clone() } else { combined(&tables) };
    let several = tables.len() > 1;
    let mut lines = Vec::new();
    let mut notes = Vec::new();
    let mut reading = Vec::new();
    for (h, mut table) in tables {
        let name = loaded.sheets.get(h.sheet).map(|s| s.name.clone());
        reading.push(TableReading {
            sheet: if loaded.origin.has_sheet_names() { name.clone().unwrap_or_default() } else { String::new() },
            header_rows: (row_number(h.first_row), row_number(h.last_row)),
            columns: h
                .cells
                .iter()
                .map(|(col, cell)| ColumnReading {
                    column: column_name(*col),
                    heading: clean(&cell.text),
                    taken_as: h.columns.use_of(*col).to_owned(),
                })
                .collect(),
            rows: std::mem::take(&mut table.rows_read),
        });
        lines.extend(table.lines.into_iter().map(|mut l| {
            if several {
                l.sheet.clone_from(&name);
            }
            l
        }));
        notes.extend(table.notes);
    }
    let sheet = loaded.sheets.get(header.sheet).map(|s| s.name.clone()).unwrap_or_default();
    let summary = summary_amounts(&loaded.sheets, &headers, loaded.origin);
    Ok(Quote {
        lines,
        written,
        tax_inclusive,
        tax_inclusive_evidence,
        quote_date: facts.quote_date,
        addressee: facts.addressee,
        vendor: facts.vendor,
        notes,
        source: QuoteSource {
            file_name: file.to_owned(),
            sheet: if loaded.origin.has_sheet_names() { sheet } else { String::new() },
            header_row: row_number(header.first_row),
        },
        left_out: left_out(loaded).into_iter().chain(copies).collect(),
        reading,
        summary,
        scan: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn total_rows_are_told_apart_from_items() {
        let cases = [
            ("小　計", Some(TotalKind::Subtotal)),
            ("ハードウェア小計", Some(TotalKind::Subtotal)),
            ("消費税", Some(TotalKind::Tax { included: false })),
            ("消費税(10%)", Some(TotalKind::Tax { included: false })),
            ("消費税等", Some(TotalKind::Tax { included: false })),
            ("内消費税", Some(TotalKind::Tax { included: true })),
            ("（内消費税）", Some(TotalKind::Tax { included: true })),
            ("合　計", Some(TotalKind::Total)),
            ("総合計", Some(TotalKind::Total)),
            ("御見積金額", Some(TotalKind::Total)),
            ("税込合計", Some(TotalKind::Total)),
            ("合計（税込）", Some(TotalKind::Total)),
            ("消費税対応システム改修", None),
            ("ネットワーク機器一式（合計3台）", None),
            ("出精値引", None),
            ("資格確認端末", None),
        ];
        for (label, kind) in cases {
            assert_eq!(total_kind(label), kind, "{label:?}");
        }
    }

    /// A sheet of text cells.
    fn sheet_of(name: &str, rows: &[&[&str]]) -> Sheet {
        let mut sheet = Sheet::new(name);
        for (r, cells) in rows.iter().enumerate() {
            for (c, text) in cells.iter().enumerate() {
                if !text.is_empty() {
                    sheet.push(u32::try_from(r).unwrap(), u32::try_from(c).unwrap(), Value::from_text(text));
                }
            }
        }
        sheet.finish();
        sheet
    }

    /// Reads rows of text cells as a CSV would give them.
    fn read_rows(rows: &[&[&str]]) -> Quote {
        analyse(
            "q.csv",
            &Loaded {
                sheets: vec![sheet_of("", rows)],
                origin: crate::load::Origin::Text,
                hidden_sheets: Vec::new(),
                pictures: Vec::new(),
                ocr: None,
            },
        )
        .unwrap()
    }

    #[test]
    fn a_copy_of_the_items_on_another_sheet_is_read_once_and_said() {
        let rows: &[&[&str]] =
            &[&["品名", "数量", "単価", "金額"], &["端末", "1", "100000", "100000"], &["作業", "2", "5000", "10000"]];
        for names in [["御見積書", "御見積書（控）"], ["控", "御見積書"]] {
            let sheets = names.iter().map(|n| sheet_of(n, rows)).collect();
            let q = analyse(
                "q.xlsx",
                &Loaded {
                    sheets,
                    origin: crate::load::Origin::Workbook,
                    hidden_sheets: Vec::new(),
                    pictures: Vec::new(),
                    ocr: None,
                },
            )
            .unwrap();
            assert_eq!(q.lines.len(), 2, "{names:?}");
            assert!(q.lines.iter().all(|l| l.sheet.is_none()), "one sheet read: {names:?}");
            assert_eq!(
                q.left_out,
                [format!("シート「{}」は、シート「{}」と同じ明細の写しのため読んでいません。", names[1], names[0])]
            );
        }
    }

    fn totals(q: &Quote) -> [Option<i64>; 3] {
        let w = &q.written;
        [w.subtotal, w.tax, w.total].map(|a| a.map(|a| i64::try_from(a.amount.amount().mantissa()).unwrap()))
    }

    #[test]
    fn a_scans_garbled_foot_labels_are_told_but_not_a_discount() {
        assert_eq!(garbled_total_kind("5 人台計税拓"), Some(TotalKind::Total));
        assert_eq!(garbled_total_kind("件喝柄金額 (税込)"), Some(TotalKind::Total));
        assert_eq!(garbled_total_kind("_少計"), Some(TotalKind::Subtotal));
        assert_eq!(garbled_total_kind("値引金額"), None);
        assert_eq!(garbled_total_kind("お値引き後合計 L"), Some(TotalKind::Total));
        assert_eq!(garbled_total_kind("資格確認端末セットアップ"), None);
        assert!(is_garbled_tax_label("泊代WW (109%)"));
        assert!(!is_garbled_tax_label("出精値引き (10%)"));
    }

    #[test]
    fn english_foot_labels_are_totals() {
        assert_eq!(total_kind("Subtotal"), Some(TotalKind::Subtotal));
        assert_eq!(total_kind("Consumption Tax (10%)"), Some(TotalKind::Tax { included: false }));
        assert_eq!(total_kind("Total"), Some(TotalKind::Total));
        assert_eq!(total_kind("Grand Total"), Some(TotalKind::Total));
        assert_eq!(total_kind("Tax included"), Some(TotalKind::Tax { included: true }));
        assert_eq!(total_kind("Total incl. tax"), Some(TotalKind::Total));
        assert_eq!(total_kind("Total:"), Some(TotalKind::Total));
        assert_eq!(total_kind("Consumption Tax（10%）"), Some(TotalKind::Tax { included: false }));
        assert_eq!(total_kind("Taxi fare"), None);
        assert_eq!(total_kind("Total support package"), None);
        assert_eq!(total_kind("Router"), None);
        assert!(is_discount("Special discount"));
    }

    #[test]
    fn section_headings_are_told_by_their_marks() {
        for heading in ["■ハードウェア", "【作業費】", "1. ソフトウェア", "（1）機器", "①機器"]
        {
            assert!(is_section_heading(heading), "{heading}");
        }
        for text in ["23.8型モニター付）", "資格確認端末", "（資格確認結果の取込）"] {
            assert!(!is_section_heading(text), "{text}");
        }
    }

    #[test]
    fn the_last_sections_own_subtotal_is_not_the_quotes() {
        let q = read_rows(&[
            &["品名", "数量", "金額"],
            &["■機器"],
            &["端末", "1", "100000"],
            &["小計", "", "100000"],
            &["■作業"],
            &["設定作業", "1", "20000"],
            &["小計", "", "20000"],
            &["消費税", "", "12000"],
            &["合計", "", "132000"],
        ]);
        assert_eq!(q.lines.len(), 2);
        assert_eq!(totals(&q), [None, Some(12000), Some(132000)]);
    }

    #[test]
    fn a_subtotal_before_a_discount_is_not_the_quotes_subtotal() {
        let q = read_rows(&[
            &["品名", "数量", "金額"],
            &["端末", "1", "100000"],
            &["小計", "", "100000"],
            &["出精値引", "", "-10000"],
            &["消費税", "", "9000"],
            &["合計", "", "99000"],
        ]);
        assert_eq!(q.lines.len(), 2);
        assert_eq!(q.lines[1].kind, LineKind::Discount);
        assert_eq!(totals(&q), [None, Some(9000), Some(99000)]);
    }

    #[test]
    fn a_total_followed_by_a_discount_is_the_amount_before_it() {
        let q = read_rows(&[
            &["品名", "数量", "金額"],
            &["端末", "1", "100000"],
            &["以下余白"],
            &["合計", "", "100000"],
            &["お値引き", "", "-10000"],
            &["お値引き後合計", "", "90000"],
        ]);
        assert_eq!(q.lines.len(), 2, "the discount under 以下余白 is a line");
        assert_eq!(totals(&q), [None, None, Some(90000)]);
    }

    #[test]
    fn a_wrapped_description_joins_its_line_and_a_note_or_heading_does_not() {
        let q = read_rows(&[
            &["品名", "数量", "金額"],
            &["資格確認端末（Windows 11 Pro、", "1", "150000"],
            &["23.8型モニター付）"],
            &["■作業"],
            &["設定作業", "1", "20000"],
            &["※設定は休診日に行います"],
        ]);
        let descriptions: Vec<&str> = q.lines.iter().map(|l| l.description.as_str()).collect();
        assert_eq!(descriptions, ["資格確認端末（Windows 11 Pro、23.8型モニター付）", "設定作業"]);
        assert_eq!(q.notes, ["※設定は休診日に行います"]);
    }

    #[test]
    fn discounts_are_recognised_by_their_words() {
        assert!(is_discount("出精値引"));
        assert!(is_discount("キャンペーン値引き"));
        assert!(is_discount("端数割引"));
        assert!(!is_discount("LAN工事"));
    }

    #[test]
    fn a_tax_included_total_label_is_not_a_tax_inclusive_note() {
        assert!(says_tax_included("※価格は全て税込です"));
        assert!(says_tax_included("表示価格は税込"));
        assert!(!says_tax_included("御見積金額（税込）"));
        assert!(!says_tax_included("税込合計"));
        assert!(!says_tax_included("初期費用（税込）"), "a cover's label of an amount");
        assert!(says_tax_included("※（表示価格は税込です）"));
        assert!(!says_tax_included("※金額は税抜表示です（税込価格は別紙）"));
    }

    #[test]
    fn the_lines_sum_refuses_to_overflow() {
        let big = QuoteLine {
            row: 1,
            description: "x".into(),
            spec: None,
            quantity: Some(Decimal::MAX),
            unit: None,
            unit_price: Some(Yen::new(Decimal::MAX)),
            list_price: None,
            amount: None,
            note: None,
            kind: LineKind::Item,
            amount_text: None,
            sheet: None,
        };
        assert_eq!(lines_sum(&[big]), None);
    }
}
