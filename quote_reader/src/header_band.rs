//! A header of one to three rows, as vendors lay them out: 品目 over 大項目 / 小項目, 単価 over
//! 標準 / 提供, 価格 over 単価 / 金額, 金額 over (税抜). A heading merged over several columns holds
//! its text in its first cell only; it covers the columns to its right that have words under it
//! and no heading of their own.

use crate::grid::{Sheet, Value};
use crate::header::{HeaderCell, Role, has_numbers, header_role};
use crate::text::compact_unbracketed;
use std::collections::BTreeMap;

/// Most rows a header band spans.
const MAX_BAND_ROWS: u32 = 3;

/// Words under a price heading that say which price the column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Qualifier {
    /// The price charged: 提供, 御提供, 値引後, 特価.
    Charged,
    /// A list price kept beside it: 標準, 定価, 参考.
    List,
}

const CHARGED_WORDS: [&str; 20] = [
    "提供",
    "御提供",
    "ご提供",
    "値引後",
    "値引き後",
    "割引後",
    "特価",
    "特別",
    "販売",
    "見積",
    "御見積",
    "お見積",
    "今回",
    "貴院",
    "貴社",
    "net",
    "offer",
    "special",
    "discounted",
    "yourprice",
];

const LIST_WORDS: [&str; 12] = [
    "標準",
    "定価",
    "参考",
    "通常",
    "希望小売",
    "メーカー希望小売",
    "list",
    "regular",
    "standard",
    "msrp",
    "catalog",
    "retail",
];

/// Words a lower header row may hold besides header words: sub-headings of a description and
/// notes on the unit of the figures.
const SUB_LABELS: [&str; 22] = [
    "大項目",
    "中項目",
    "小項目",
    "大分類",
    "中分類",
    "小分類",
    "区分",
    "分類",
    "内訳",
    "詳細",
    "細目",
    "税抜",
    "税込",
    "税抜き",
    "税込み",
    "円",
    "単位円",
    "no",
    "no.",
    "№",
    "番号",
    "項番",
];

fn folded(text: &str) -> String {
    compact_unbracketed(text).to_lowercase()
}

fn qualifier(text: &str) -> Option<Qualifier> {
    let t = folded(text);
    let t = t.as_str();
    if CHARGED_WORDS.contains(&t) {
        Some(Qualifier::Charged)
    } else if LIST_WORDS.contains(&t) {
        Some(Qualifier::List)
    } else {
        None
    }
}

/// Whether a cell of a row under the top one belongs to the header band.
fn is_band_text(text: &str) -> bool {
    let t = folded(text);
    t.is_empty() || header_role(text).is_some() || qualifier(text).is_some() || SUB_LABELS.contains(&t.as_str())
}

/// The role of a column from its words top to bottom (each band row's own or covering text).
fn resolve(stack: &[&str]) -> Option<Role> {
    let (bottom, uppers) = stack.split_last()?;
    let upper_roles: Vec<Role> = uppers.iter().filter_map(|t| header_role(t)).collect();
    let upper_price = upper_roles.iter().rev().find(|r| matches!(r, Role::UnitPrice | Role::ListPrice | Role::Amount));
    if let (Some(q), Some(price)) = (qualifier(bottom), upper_price) {
        return match (q, price) {
            (Qualifier::List, Role::Amount) => None, // a list amount: nothing the audit uses
            (Qualifier::List, _) => Some(Role::ListPrice),
            (Qualifier::Charged, Role::Amount) => Some(Role::Amount),
            (Qualifier::Charged, _) => Some(Role::UnitPrice),
        };
    }
    if let Some(role) = header_role(bottom) {
        // 標準価格 over 単価 / 金額: the list price and the list amount.
        return match (upper_price, role) {
            (Some(Role::ListPrice), Role::UnitPrice) => Some(Role::ListPrice),
            (Some(Role::ListPrice), Role::Amount) => None,
            _ => Some(role),
        };
    }
    if let Some(role) = header_role(&stack.concat()) {
        return Some(role);
    }
    upper_roles.last().copied()
}

/// Rows of the band that starts at `top`: the top row, then each next row of header words only.
fn band_rows(sheet: &Sheet, top: u32) -> Vec<u32> {
    let mut rows = vec![top];
    for k in 1..MAX_BAND_ROWS {
        let Some(row) = top.checked_add(k) else { break };
        let cells = sheet.row(row);
        let texts = || cells.iter().filter_map(|(_, v)| v.text());
        if cells.is_empty() || has_numbers(cells) || texts().next().is_none() || !texts().all(is_band_text) {
            break;
        }
        rows.push(row);
    }
    rows
}

/// The header cells of the band starting at `top`, by column, and its last row; None when the
/// band names no column.
pub(crate) fn band_at(sheet: &Sheet, top: u32) -> Option<(u32, BTreeMap<u32, HeaderCell>)> {
    let rows = band_rows(sheet, top);
    let last = *rows.last()?;
    // Each column's words top to bottom, with the row of the lowest.
    let mut stacks: BTreeMap<u32, (Vec<&str>, u32)> = BTreeMap::new();
    let lower_cols = |from: usize| -> Vec<u32> {
        let mut cols: Vec<u32> = rows[from..]
            .iter()
            .flat_map(|r| sheet.row(*r).iter().filter(|(_, v)| v.text().is_some()).map(|(c, _)| *c))
            .collect();
        cols.sort_unstable();
        cols.dedup();
        cols
    };
    for (i, row) in rows.iter().enumerate() {
        let texts: Vec<(u32, &str)> = sheet.row(*row).iter().filter_map(|(c, v)| Some((*c, v.text()?))).collect();
        let under = lower_cols(i + 1);
        for (k, (col, text)) in texts.iter().enumerate() {
            let next = texts.get(k + 1).map_or(u32::MAX, |(c, _)| *c);
            let covered = std::iter::once(*col).chain(under.iter().copied().filter(|c| c > col && *c < next));
            for c in covered {
                let entry = stacks.entry(c).or_insert_with(|| (Vec::new(), *row));
                entry.0.push(text);
                entry.1 = *row;
            }
        }
    }
    let cells: BTreeMap<u32, HeaderCell> = stacks
        .into_iter()
        .filter_map(|(col, (stack, row))| {
            let role = resolve(&stack)?;
            Some((col, HeaderCell { role, text: stack.join(" "), row }))
        })
        .collect();
    (!cells.is_empty()).then_some((last, cells))
}

/// Whether the text of a cell is a heading word a band's top row can hold.
pub(crate) fn starts_band(cells: &[(u32, Value)]) -> bool {
    !has_numbers(cells) && cells.iter().any(|(_, v)| v.text().is_some_and(|t| header_role(t).is_some()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(rows: &[&[&str]]) -> Sheet {
        let mut s = Sheet::new("s");
        for (r, cells) in rows.iter().enumerate() {
            for (c, text) in cells.iter().enumerate() {
                if !text.is_empty() {
                    s.push(u32::try_from(r).unwrap(), u32::try_from(c).unwrap(), Value::Text((*text).to_owned()));
                }
            }
        }
        s.finish();
        s
    }

    fn roles(s: &Sheet) -> (u32, Vec<(u32, Role)>) {
        let (last, cells) = band_at(s, 0).unwrap();
        (last, cells.into_iter().map(|(c, h)| (c, h.role)).collect())
    }

    #[test]
    fn merged_headings_spread_over_the_sub_headings_under_them() {
        let s = sheet(&[
            &["品目", "", "数量", "単位", "単価", "", "金額", "備考"],
            &["大項目", "小項目", "", "", "標準", "提供", "", ""],
            &["ハードウェア", "資格確認端末", "1", "台", "300000", "250000", "250000", ""],
        ]);
        let (last, got) = roles(&s);
        assert_eq!(last, 1);
        use Role::*;
        assert_eq!(
            got,
            [
                (0, Description),
                (1, Description),
                (2, Quantity),
                (3, Unit),
                (4, ListPrice),
                (5, UnitPrice),
                (6, Amount),
                (7, Note)
            ]
        );
    }

    #[test]
    fn a_price_heading_over_unit_price_and_amount_and_a_list_price_heading_over_both() {
        let s = sheet(&[&["品名", "数量", "価格", ""], &["", "", "単価", "金額"]]);
        assert_eq!(roles(&s).1, [(0, Role::Description), (1, Role::Quantity), (2, Role::UnitPrice), (3, Role::Amount)]);
        let s = sheet(&[&["品名", "標準価格", "", "御提供価格", ""], &["", "単価", "金額", "単価", "金額"]]);
        assert_eq!(
            roles(&s).1,
            [(0, Role::Description), (1, Role::ListPrice), (3, Role::UnitPrice), (4, Role::Amount)]
        );
    }

    #[test]
    fn a_tax_note_under_the_amount_and_english_headings() {
        let s = sheet(&[&["摘　要", "数　量", "金額"], &["", "", "(税抜)"]]);
        let (last, got) = roles(&s);
        assert_eq!((last, got), (1, vec![(0, Role::Description), (1, Role::Quantity), (2, Role::Amount)]));
        let s = sheet(&[&["Item", "Qty", "Unit", "Unit Price", "Amount", "Remarks"]]);
        use Role::*;
        assert_eq!(roles(&s).1, [(0, Description), (1, Quantity), (2, Unit), (3, UnitPrice), (4, Amount), (5, Note)]);
    }

    #[test]
    fn a_row_of_items_or_a_section_heading_ends_the_band() {
        let s = sheet(&[&["品名", "数量", "金額"], &["■ハードウェア"], &["端末", "1", "100"]]);
        assert_eq!(roles(&s).0, 0);
        let s = sheet(&[&["品名", "数量", "金額"], &["端末", "1", "100"]]);
        assert_eq!(roles(&s).0, 0);
    }
}
