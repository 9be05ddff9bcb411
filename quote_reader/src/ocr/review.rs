//! What a person should check in a quote read from a scan: every cell OCR was unsure of or a
//! rule changed, every description joined from two rows, and — because one misread digit breaks
//! the quote's own arithmetic — every figure the arithmetic does not confirm.

use super::Doubt;
use crate::analyse::{CONTINUATION, FIGURES_WITHOUT_DESCRIPTION, TEXT_NOT_READ, TOTAL_WITHOUT_AMOUNT};
use crate::header::{Columns, Role, item_tables};
use crate::load::Loaded;
use rules::Yen;
use rules::quote::{CellCheck, CheckedCell, Quote, ScanReading};
use rust_decimal::Decimal;

/// The cell of a line that a column holds.
fn line_cell(columns: &Columns, col: u32) -> Option<CheckedCell> {
    Some(match columns.role_of(col)? {
        Role::Description | Role::Spec => CheckedCell::Description,
        Role::Quantity => CheckedCell::Quantity,
        Role::Unit => CheckedCell::Unit,
        Role::UnitPrice => CheckedCell::UnitPrice,
        Role::ListPrice => CheckedCell::ListPrice,
        Role::Amount => CheckedCell::Amount,
        Role::Note => CheckedCell::Note,
    })
}

fn why(doubt: &Doubt) -> String {
    match doubt {
        Doubt::Unsure { confidence } => format!("文字認識の確からしさが低い（{confidence}%）"),
        Doubt::Repaired { read } => format!("「{read}」と読み取った数字を直しました"),
    }
}

/// The figure a line shows for `cell`, as text.
fn shown(quote: &Quote, row: u32, cell: CheckedCell) -> String {
    let yen = |y: Option<Yen>| y.map(|y| y.to_string()).unwrap_or_default();
    if let Some(line) = quote.lines.iter().find(|l| l.row == row) {
        return match cell {
            CheckedCell::Description => line.description.clone(),
            CheckedCell::Quantity => line.quantity.map(|q| q.normalize().to_string()).unwrap_or_default(),
            CheckedCell::Unit => line.unit.as_ref().map(|u| u.to_string()).unwrap_or_default(),
            CheckedCell::UnitPrice => yen(line.unit_price),
            CheckedCell::ListPrice => yen(line.list_price),
            CheckedCell::Amount => yen(line.amount),
            CheckedCell::Note => line.note.clone().unwrap_or_default(),
            _ => String::new(),
        };
    }
    if cell == CheckedCell::Row {
        return quote
            .reading
            .iter()
            .flat_map(|t| &t.rows)
            .find(|r| r.row == row)
            .map(|r| r.text.clone())
            .unwrap_or_default();
    }
    let w = &quote.written;
    match cell {
        CheckedCell::Subtotal => yen(w.subtotal.map(|a| a.amount)),
        CheckedCell::Tax => yen(w.tax.map(|a| a.amount)),
        CheckedCell::Total => yen(w.total.map(|a| a.amount)),
        _ => String::new(),
    }
}

struct Checks<'a> {
    quote: &'a Quote,
    out: Vec<CellCheck>,
}

impl Checks<'_> {
    fn add(&mut self, row: u32, cell: CheckedCell, why: String) {
        if row == 0 {
            return;
        }
        match self.out.iter_mut().find(|c| c.row == row && c.cell == cell) {
            Some(existing) if !existing.why.contains(&why) => {
                existing.why.push('。');
                existing.why.push_str(&why);
            }
            Some(_) => {}
            None => self.out.push(CellCheck { row, cell, read: shown(self.quote, row, cell), why }),
        }
    }
}

/// Whether the written figure of a line agrees with its quantity × unit price.
fn line_agrees(quote: &Quote, row: u32) -> Option<bool> {
    let line = quote.lines.iter().find(|l| l.row == row)?;
    let (q, p, a) = (line.quantity?, line.unit_price?, line.amount?);
    Some((p.amount() * q - a.amount()).abs() < Decimal::ONE)
}

/// The checks of a quote read from a scan.
pub(crate) fn reading(loaded: &Loaded, quote: &Quote, engine: &str) -> ScanReading {
    let mut checks = Checks { quote, out: Vec::new() };
    let headers = item_tables(&loaded.sheets).map(|(_, h)| h).unwrap_or_default();
    let w = &quote.written;
    let written_rows = [
        (w.subtotal.map(|a| a.row), CheckedCell::Subtotal),
        (w.tax.map(|a| a.row), CheckedCell::Tax),
        (w.total.map(|a| a.row), CheckedCell::Total),
    ];
    // Cells OCR was unsure of or a rule changed.
    for (sheet_index, sheet) in loaded.sheets.iter().enumerate() {
        let Some(header) = headers.iter().find(|h| h.sheet == sheet_index) else { continue };
        for (r, c, doubt) in &sheet.doubts {
            let row = r + 1;
            if quote.lines.iter().any(|l| l.row == row) {
                if let Some(cell) = line_cell(&header.columns, *c) {
                    checks.add(row, cell, why(doubt));
                }
            } else if let Some((_, cell)) = written_rows.iter().find(|(r, _)| *r == Some(row)) {
                checks.add(row, *cell, why(doubt));
            }
        }
    }
    // Descriptions joined from the row under them.
    for table in &quote.reading {
        for joined in table.rows.iter().filter(|r| r.taken_as == CONTINUATION) {
            if let Some(line) = quote.lines.iter().filter(|l| l.row < joined.row).max_by_key(|l| l.row) {
                checks.add(
                    line.row,
                    CheckedCell::Description,
                    format!("{}行目の文字を品名の続きとしてつなぎました", joined.row),
                );
            }
        }
    }
    // Rows with a figure read as neither a line nor a total: a label OCR garbled.
    for table in &quote.reading {
        for row in &table.rows {
            let unread =
                [FIGURES_WITHOUT_DESCRIPTION, TEXT_NOT_READ, TOTAL_WITHOUT_AMOUNT].contains(&row.taken_as.as_str());
            if unread && row.text.chars().any(|c| c.is_ascii_digit()) {
                checks.add(row.row, CheckedCell::Row, "数字がありますが、明細にも合計にも読めませんでした".to_owned());
            }
        }
    }
    // Lines without an amount: OCR may have garbled it, or put it on the row beside (a unit
    // price read without its amount is as likely a shifted column as a line without one).
    for line in &quote.lines {
        match (&line.amount, &line.amount_text) {
            (None, None) => checks.add(line.row, CheckedCell::Amount, "金額を読み取れませんでした".to_owned()),
            // 「無償」「サービス」 are read from a scan as they are from a file, and so are digits
            // OCR turned into letters: the picture tells.
            (None, Some(words)) => {
                checks.add(line.row, CheckedCell::Amount, format!("金額の欄を数字でなく「{words}」と読みました"))
            }
            _ => {}
        }
    }
    // Foot figures one would expect beside those read, not read: said at the first one read
    // (a quote may have no such row; the person looking at the picture tells).
    let foot = [w.subtotal, w.tax, w.total].iter().flatten().map(|a| a.row).min();
    if let (None, Some(last)) = (foot, quote.lines.iter().map(|l| l.row).max()) {
        checks.add(
            last,
            CheckedCell::Row,
            "小計・消費税・合計をどれも読み取れませんでした。画像で確かめてください".to_owned(),
        );
    }
    if let Some(row) = foot {
        let missing = [
            (w.subtotal.is_none() && (w.tax.is_some() || w.total.is_some()), "小計"),
            (
                w.tax.is_none()
                    && !w.tax_included_in_total
                    && w.subtotal.zip(w.total).is_some_and(|(s, t)| s.amount != t.amount),
                "消費税",
            ),
            (w.total.is_none() && (w.subtotal.is_some() || w.tax.is_some()), "合計"),
        ];
        for (_, label) in missing.into_iter().filter(|(is_missing, _)| *is_missing) {
            checks.add(
                row,
                CheckedCell::Row,
                format!(
                    "{label}を読み取れませんでした。画像で確かめてください（{label}の行がない見積書なら問題ありません）"
                ),
            );
        }
    }
    // Lines whose quantity × unit price is not their amount: one of the three is misread, or
    // the vendor's arithmetic is wrong — a person tells which.
    for line in &quote.lines {
        if line_agrees(quote, line.row) == Some(false) {
            for cell in [CheckedCell::Quantity, CheckedCell::UnitPrice, CheckedCell::Amount] {
                checks.add(line.row, cell, "数量×単価が金額と合いません".to_owned());
            }
        }
    }
    // Written totals the lines do not add up to: every figure the line arithmetic did not
    // confirm could be the misread one.
    let sum = quote.lines.iter().filter_map(|l| l.signed_amount()).fold(Yen::ZERO, |a, b| a + b);
    let adds_up = match (w.subtotal, w.total) {
        (Some(s), _) => s.amount == sum,
        (None, Some(t)) => t.amount == sum || w.tax.is_some_and(|x| t.amount == sum + x.amount),
        (None, None) => true,
    };
    if !adds_up {
        let row_of_sum =
            w.subtotal.map_or(w.total.map(|t| (t.row, CheckedCell::Total)), |s| Some((s.row, CheckedCell::Subtotal)));
        if let Some((row, cell)) = row_of_sum {
            checks.add(row, cell, "明細の金額の合計と合いません".to_owned());
        }
        for line in &quote.lines {
            if line_agrees(quote, line.row) != Some(true) {
                checks.add(line.row, CheckedCell::Amount, "明細の合計が小計・合計と合いません".to_owned());
            }
        }
    }
    // No 小計 or 合計 read: no sum confirms any amount, so each one its own line's arithmetic does
    // not confirm is for the person to check (a total row read as a line is among them).
    if w.subtotal.is_none() && w.total.is_none() {
        for line in &quote.lines {
            if line_agrees(quote, line.row) != Some(true) {
                checks.add(
                    line.row,
                    CheckedCell::Amount,
                    "小計・合計を読み取れず、金額を計算で確かめられませんでした".to_owned(),
                );
            }
        }
    }
    if let (Some(s), Some(t), Some(total)) = (w.subtotal, w.tax, w.total)
        && !w.tax_included_in_total
        && s.amount + t.amount != total.amount
    {
        for (row, cell) in [(t.row, CheckedCell::Tax), (total.row, CheckedCell::Total), (s.row, CheckedCell::Subtotal)]
        {
            checks.add(row, cell, "小計＋消費税が合計と合いません".to_owned());
        }
    }
    let mut out = checks.out;
    out.sort_by_key(|c| (c.row, c.cell as u8));
    ScanReading { engine: engine.to_owned(), checks: out }
}
