//! Amounts written outside the item tables that sum them: 「御見積金額　￥346,500-」 above the
//! table, 「初期費用（税込）」 and 「月額費用（税込）」 on a cover sheet. The audit checks them
//! against the lines (rules::audit); this module only finds them.

use crate::grid::{Sheet, Value, cell_name, row_number};
use crate::header::{HEADER_SEARCH_ROWS, Header};
use crate::load::Origin;
use crate::text::{clean, money};
use rules::Yen;
use rules::quote::{SummaryAmount, SummaryKind};

/// Most amounts taken from one file: a cover sums a quote in a few figures.
const MOST: usize = 12;

/// The label and the amount of a cell that holds both: 「御見積金額　￥346,500-（税込）」.
fn label_and_amount(text: &str) -> Option<(String, Yen)> {
    let at = text
        .find(['￥', '¥', '\\'])
        .or_else(|| text.find(|c: char| c.is_ascii_digit() || ('０'..='９').contains(&c)))?;
    let (label, rest) = text.split_at(at);
    let label = clean(label).trim_end_matches([':', '：']).trim().to_owned();
    SummaryKind::of(&label)?;
    // 「￥346,500-（税込）」: the remark after the figure is the label's business.
    let figure = rest.split(['（', '(']).next().unwrap_or(rest);
    let amount = money(&Value::from_text(figure)).ok()??;
    Some((label, amount))
}

/// The amount for a label cell at (row, col): the first money cell right of it before the
/// next label, else the cell under it.
fn amount_for(sheet: &Sheet, row: u32, col: u32) -> Option<Yen> {
    for (_, value) in sheet.row(row).iter().filter(|(c, _)| *c > col) {
        if value.text().is_some_and(|t| SummaryKind::of(&clean(t)).is_some()) {
            break;
        }
        if let Ok(Some(amount)) = money(value) {
            return Some(amount);
        }
    }
    // 「初期費用 | 月額費用」 over their amounts: a row of labels, each amount under its own.
    let labels_in_row =
        sheet.row(row).iter().filter(|(_, v)| v.text().is_some_and(|t| SummaryKind::of(&clean(t)).is_some())).count();
    if labels_in_row < 2 {
        return None;
    }
    let under = sheet.row(row.checked_add(1)?).iter().find(|(c, _)| *c == col)?;
    money(&under.1).ok().flatten()
}

/// The summary amounts of the workbook: above each item table on its sheet, and in the first
/// rows of sheets without one (cover sheets), in workbook order. Zero and negative amounts
/// are not sums of a quote and are left alone.
pub(crate) fn summary_amounts(sheets: &[Sheet], headers: &[Header], origin: Origin) -> Vec<SummaryAmount> {
    let mut out = Vec::new();
    for (index, sheet) in sheets.iter().enumerate() {
        let limit =
            headers.iter().filter(|h| h.sheet == index).map(|h| h.first_row).min().unwrap_or(HEADER_SEARCH_ROWS);
        for (row, cells) in sheet.rows().take_while(|(r, _)| *r < limit) {
            for (col, value) in cells {
                let Some(text) = value.text() else {
                    continue;
                };
                let label = clean(text);
                let found = if label.chars().any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c)) {
                    label_and_amount(text)
                } else if SummaryKind::of(&label).is_some() {
                    amount_for(sheet, row, *col).map(|a| (label, a))
                } else {
                    None
                };
                let Some((label, amount)) = found.filter(|(_, a)| *a > Yen::ZERO) else {
                    continue;
                };
                // A copy of the quote (「控」) writes the same sums again.
                if out.iter().any(|s: &SummaryAmount| s.label == label && s.amount == amount) {
                    continue;
                }
                let place = match origin {
                    Origin::Workbook => format!("シート「{}」の{}セル", sheet.name, cell_name(row, *col)),
                    Origin::Text => format!("{}セル", cell_name(row, *col)),
                    Origin::Pdf => format!("PDFの{}行目", row_number(row)),
                };
                out.push(SummaryAmount { label, amount, place });
                if out.len() == MOST {
                    return out;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_and_its_amount_in_one_cell_are_split() {
        let (label, amount) = label_and_amount("御見積金額　￥346,500-（税込）").unwrap();
        assert_eq!((label.as_str(), amount), ("御見積金額", Yen::from_i64(346_500)));
        let (label, amount) = label_and_amount("合計金額：1,320,000円").unwrap();
        assert_eq!((label.as_str(), amount), ("合計金額", Yen::from_i64(1_320_000)));
        assert_eq!(label_and_amount("有効期限 2022年12月31日"), None);
        assert_eq!(label_and_amount("TEL 03-1234-5678"), None);
    }
}
