//! Finding the item table: which row of which sheet is its header, and which column holds what.

use crate::grid::{Sheet, Value};
use crate::header_band::{band_at, starts_band};
use crate::text::{compact_unbracketed, looks_numeric, money};
use std::collections::BTreeMap;

/// Only the first rows of a sheet are searched for the header (a quote's table starts near the top).
pub(crate) const HEADER_SEARCH_ROWS: u32 = 50;

/// Rows under a candidate header looked at to rank candidates.
const RANKING_ROWS: usize = 200;

/// What a column of the item table holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Role {
    /// 品名・項目・内容・摘要・名称・品目.
    Description,
    /// 仕様・型番・規格.
    Spec,
    /// 数量・数.
    Quantity,
    /// 単位.
    Unit,
    /// The price charged: 単価・提供単価・販売単価.
    UnitPrice,
    /// A list price: 標準単価・定価.
    ListPrice,
    /// 金額・価格・小計.
    Amount,
    /// 備考.
    Note,
}

impl Role {
    /// What a column of this role is taken for, as the preview says it.
    pub(crate) fn label_ja(self) -> &'static str {
        match self {
            Role::Description => "品名",
            Role::Spec => "仕様・型番",
            Role::Quantity => "数量",
            Role::Unit => "単位",
            Role::UnitPrice => "単価（請求される価格）",
            Role::ListPrice => "定価・標準価格（参考として記録）",
            Role::Amount => "金額",
            Role::Note => "備考",
        }
    }
}

/// Header words per role, most specific role first: 「標準単価」 must be a list
/// price before 「単価」 can make it a unit price.
const SYNONYMS: [(Role, &[&str]); 8] = [
    (Role::ListPrice, &["標準単価", "定価", "標準価格", "希望小売価格", "参考単価", "通常単価", "通常価格"]),
    (Role::UnitPrice, &["提供単価", "販売単価", "見積単価", "特別単価", "値引後単価", "単価"]),
    (Role::Amount, &["金額", "見積金額", "合計金額", "価格", "小計", "販売価格", "提供価格", "見積価格"]),
    (Role::Quantity, &["数量", "台数", "個数", "員数", "回数", "数"]),
    (Role::Unit, &["単位"]),
    (Role::Description, &["品名", "項目", "内容", "摘要", "名称", "品目", "商品名", "作業内容"]),
    (Role::Spec, &["仕様", "型番", "規格", "型式", "品番"]),
    (Role::Note, &["備考"]),
];

/// English headings (quotes from foreign-owned vendors and templates), lower case without spaces.
const ENGLISH: [(Role, &[&str]); 8] = [
    (Role::ListPrice, &["listprice", "msrp", "standardprice", "regularprice", "catalogprice", "retailprice"]),
    (
        Role::UnitPrice,
        &["unitprice", "price", "unitcost", "rate", "price/unit", "priceperunit", "netprice", "offerprice"],
    ),
    (Role::Amount, &["amount", "total", "linetotal", "extendedprice", "extension", "totalprice", "lineamount", "sum"]),
    (Role::Quantity, &["qty", "qty.", "quantity", "q'ty", "qnty", "pcs", "no.ofunits"]),
    (Role::Unit, &["unit", "units", "uom"]),
    (
        Role::Description,
        &[
            "item",
            "items",
            "description",
            "itemdescription",
            "product",
            "productname",
            "itemname",
            "particulars",
            "details",
            "service",
            "services",
        ],
    ),
    (
        Role::Spec,
        &[
            "model",
            "modelno",
            "modelno.",
            "spec",
            "specs",
            "specification",
            "specifications",
            "partno",
            "partno.",
            "partnumber",
        ],
    ),
    (Role::Note, &["remarks", "remark", "note", "notes", "memo", "comment", "comments"]),
];

/// The role of a header cell's text, if it is a header word.
pub(crate) fn header_role(text: &str) -> Option<Role> {
    let t = compact_unbracketed(text);
    let len = t.chars().count();
    if len == 0 || len > 24 {
        return None;
    }
    if t.is_ascii() {
        let lower = t.to_ascii_lowercase();
        return ENGLISH.iter().find(|(_, words)| words.contains(&lower.as_str())).map(|(role, _)| *role);
    }
    if len > 12 {
        return None;
    }
    for (role, words) in SYNONYMS {
        if words.contains(&t.as_str()) {
            return Some(role);
        }
    }
    // 「品名・規格」「見積金額」「御提供単価」: a header word with a short prefix or suffix.
    for (role, words) in SYNONYMS {
        for word in words {
            let wlen = word.chars().count();
            let close = len <= wlen + 4;
            if wlen >= 2 && close && (t.starts_with(word) || t.ends_with(word)) {
                return Some(role);
            }
        }
    }
    // 「台数」-like words not listed: a short word ending in 数.
    if len <= 3 && t.ends_with('数') {
        return Some(Role::Quantity);
    }
    None
}

/// Where each role's column is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Columns {
    /// Every description column, left to right (their texts are joined).
    pub(crate) description: Vec<u32>,
    pub(crate) spec: Option<u32>,
    pub(crate) quantity: Option<u32>,
    pub(crate) unit: Option<u32>,
    pub(crate) unit_price: Option<u32>,
    pub(crate) list_price: Option<u32>,
    pub(crate) amount: Option<u32>,
    pub(crate) note: Option<u32>,
}

impl Columns {
    /// What the reader uses a header column for, as the preview says it: the role of the slot
    /// that holds the column, or that it is not used (a second column of one role).
    pub(crate) fn use_of(&self, col: u32) -> &'static str {
        self.role_of(col).map_or("使っていません（同じ見出しの列がほかにあります）", Role::label_ja)
    }

    /// The role of the slot that holds the column (None: a second column of one role).
    pub(crate) fn role_of(&self, col: u32) -> Option<Role> {
        let slots = [
            (self.spec, Role::Spec),
            (self.quantity, Role::Quantity),
            (self.unit, Role::Unit),
            (self.unit_price, Role::UnitPrice),
            (self.list_price, Role::ListPrice),
            (self.amount, Role::Amount),
            (self.note, Role::Note),
        ];
        if self.description.contains(&col) {
            return Some(Role::Description);
        }
        slots.iter().find(|(slot, _)| *slot == Some(col)).map(|(_, role)| *role)
    }

    fn from_roles(roles: &BTreeMap<u32, HeaderCell>) -> Self {
        let mut c = Columns::default();
        for (&col, cell) in roles {
            let slot = match cell.role {
                Role::Description => {
                    c.description.push(col);
                    continue;
                }
                Role::Spec => &mut c.spec,
                Role::Quantity => &mut c.quantity,
                Role::Unit => &mut c.unit,
                Role::UnitPrice => &mut c.unit_price,
                Role::ListPrice => &mut c.list_price,
                Role::Amount => &mut c.amount,
                Role::Note => &mut c.note,
            };
            // The leftmost column of a role wins (a merged header repeats to the right).
            slot.get_or_insert(col);
        }
        // A list price alone is the only price shown: it is what is charged.
        if c.unit_price.is_none() {
            c.unit_price = c.list_price.take();
        }
        c
    }
}

/// A header cell: its role, text and row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HeaderCell {
    pub(crate) role: Role,
    pub(crate) text: String,
    pub(crate) row: u32,
}

/// The item table's header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Header {
    /// Index of the sheet.
    pub(crate) sheet: usize,
    /// First header row (0-based).
    pub(crate) first_row: u32,
    /// Last header row (0-based): the first row itself, or the one under it for a two-level header.
    pub(crate) last_row: u32,
    /// The header cells by column.
    pub(crate) cells: BTreeMap<u32, HeaderCell>,
    /// Where each role is.
    pub(crate) columns: Columns,
}

/// Header rows hold words only.
pub(crate) fn has_numbers(cells: &[(u32, Value)]) -> bool {
    cells.iter().any(|(_, v)| match v {
        Value::Number(_) | Value::Date(_) => true,
        Value::Text(t) => looks_numeric(t),
        Value::Bool(_) | Value::Error(_) => false,
    })
}

fn roles_of_row(cells: &[(u32, Value)], row: u32) -> BTreeMap<u32, HeaderCell> {
    cells
        .iter()
        .filter_map(|(col, v)| {
            let text = v.text()?;
            let role = header_role(text)?;
            Some((*col, HeaderCell { role, text: text.to_owned(), row }))
        })
        .collect()
}

fn distinct_roles(roles: &BTreeMap<u32, HeaderCell>) -> usize {
    let mut seen: Vec<Role> = roles.values().map(|c| c.role).collect();
    seen.sort();
    seen.dedup();
    seen.len()
}

/// A header needs a description and a price or amount column.
fn is_table_header(roles: &BTreeMap<u32, HeaderCell>) -> bool {
    let has = |r: Role| roles.values().any(|c| c.role == r);
    has(Role::Description) && (has(Role::Amount) || has(Role::UnitPrice) || has(Role::ListPrice))
}

/// Whether a row repeats the header (long quotes print it on every page).
pub(crate) fn is_header_like(cells: &[(u32, Value)]) -> bool {
    !has_numbers(cells) && is_table_header(&roles_of_row(cells, 0)) && distinct_roles(&roles_of_row(cells, 0)) >= 3
}

/// Rows under the header that look like items: a description and a price or amount.
fn item_like_rows(sheet: &Sheet, after: u32, columns: &Columns) -> usize {
    let Some(first) = after.checked_add(1) else {
        return 0;
    };
    let price_cols: Vec<u32> = [columns.amount, columns.unit_price].into_iter().flatten().collect();
    sheet
        .rows_from(first)
        .take(RANKING_ROWS)
        .filter(|(_, cells)| {
            let described = cells.iter().any(|(c, v)| columns.description.contains(c) && v.text().is_some());
            let priced = cells.iter().any(|(c, v)| price_cols.contains(c) && matches!(money(v), Ok(Some(_))));
            described && priced
        })
        .count()
}

/// The best header over all sheets: most roles, then most item-like rows under
/// it, then the first in workbook order.
#[cfg(test)]
fn find_header(sheets: &[Sheet]) -> Option<Header> {
    best_of(&find_headers(sheets)).cloned()
}

/// Fewest roles of a further item sheet: 項目 and 金額 alone make a cover's summary, not items.
const FURTHER_SHEET_ROLES: usize = 3;

/// The item tables of a workbook in workbook order: the best header, and every other sheet whose
/// header names at least three roles and has item rows under it (初期費用 and 月額費用 on two sheets).
/// The best one's sheet comes with them.
pub(crate) fn item_tables(sheets: &[Sheet]) -> Option<(usize, Vec<Header>)> {
    let all = find_headers(sheets);
    let best = best_of(&all)?.sheet;
    let chosen = all
        .into_iter()
        .filter(|((roles, items), h)| h.sheet == best || (*roles >= FURTHER_SHEET_ROLES && *items > 0))
        .map(|(_, h)| h)
        .collect();
    Some((best, chosen))
}

/// The header with the highest rank, the first in workbook order among equals.
fn best_of(found: &[((usize, usize), Header)]) -> Option<&Header> {
    found.iter().max_by(|a, b| a.0.cmp(&b.0).then(b.1.sheet.cmp(&a.1.sheet))).map(|(_, h)| h)
}

/// Each sheet's best header with its rank (roles, item-like rows under it), in workbook order.
fn find_headers(sheets: &[Sheet]) -> Vec<((usize, usize), Header)> {
    let mut found = Vec::new();
    for (index, sheet) in sheets.iter().enumerate() {
        let mut best: Option<((usize, usize), Header)> = None;
        for (row, cells) in sheet.rows() {
            if row >= HEADER_SEARCH_ROWS {
                break;
            }
            if !starts_band(cells) {
                continue;
            }
            let Some((last_row, roles)) = band_at(sheet, row) else { continue };
            if !is_table_header(&roles) {
                continue;
            }
            let columns = Columns::from_roles(&roles);
            let rank = (distinct_roles(&roles), item_like_rows(sheet, last_row, &columns));
            if best.as_ref().is_none_or(|(best_rank, _)| rank > *best_rank) {
                best = Some((rank, Header { sheet: index, first_row: row, last_row, cells: roles, columns }));
            }
        }
        found.extend(best);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_words_are_recognised_with_spaces_brackets_and_affixes() {
        let cases = [
            ("品　名", Some(Role::Description)),
            ("品名・規格", Some(Role::Description)),
            ("摘要", Some(Role::Description)),
            ("数", Some(Role::Quantity)),
            ("数　量", Some(Role::Quantity)),
            ("台数", Some(Role::Quantity)),
            ("単位", Some(Role::Unit)),
            ("単　価", Some(Role::UnitPrice)),
            ("提供単価", Some(Role::UnitPrice)),
            ("御提供単価", Some(Role::UnitPrice)),
            ("標準単価", Some(Role::ListPrice)),
            ("定価", Some(Role::ListPrice)),
            ("金 額\n(税込)", Some(Role::Amount)),
            ("見積金額", Some(Role::Amount)),
            ("価格", Some(Role::Amount)),
            ("小計", Some(Role::Amount)),
            ("備　考", Some(Role::Note)),
            ("型番", Some(Role::Spec)),
            ("No.", None),
            ("下記の通り御見積申し上げます。", None),
            ("", None),
        ];
        for (text, role) in cases {
            assert_eq!(header_role(text), role, "{text:?}");
        }
    }

    fn sheet(rows: &[(u32, &[&str])]) -> Sheet {
        let mut s = Sheet::new("s");
        for (r, cells) in rows {
            for (c, text) in cells.iter().enumerate() {
                if !text.is_empty() {
                    s.push(*r, u32::try_from(c).unwrap(), Value::Text((*text).to_owned()));
                }
            }
        }
        s.finish();
        s
    }

    #[test]
    fn the_header_with_more_roles_wins_over_a_cover_summary() {
        let cover = sheet(&[(0, &["項目", "金額"]), (1, &["初期費用", "100"])]);
        let detail = sheet(&[(2, &["品名", "数量", "単位", "単価", "金額"]), (3, &["端末", "1", "台", "100", "100"])]);
        let header = find_header(&[cover, detail]).unwrap();
        assert_eq!((header.sheet, header.first_row), (1, 2));
        assert_eq!(header.columns.amount, Some(4));
    }

    #[test]
    fn a_two_level_header_takes_the_lower_words() {
        let s = sheet(&[(0, &["品名", "数量", "価格", ""]), (1, &["", "", "単価", "金額"])]);
        let header = find_header(&[s]).unwrap();
        assert_eq!((header.first_row, header.last_row), (0, 1));
        assert_eq!(header.columns.unit_price, Some(2));
        assert_eq!(header.columns.amount, Some(3));
    }

    #[test]
    fn a_list_price_alone_is_the_charged_price_and_beside_a_charged_price_it_is_the_list_price() {
        let alone = find_header(&[sheet(&[(0, &["品名", "標準単価", "金額"])])]).unwrap();
        assert_eq!((alone.columns.unit_price, alone.columns.list_price), (Some(1), None));
        let both = find_header(&[sheet(&[(0, &["品名", "標準単価", "提供単価", "金額"])])]).unwrap();
        assert_eq!((both.columns.unit_price, both.columns.list_price), (Some(2), Some(1)));
    }

    #[test]
    fn a_header_below_row_50_is_not_searched() {
        assert!(find_header(&[sheet(&[(50, &["品名", "金額"])])]).is_none());
        assert!(find_header(&[sheet(&[(49, &["品名", "金額"])])]).is_some());
    }

    #[test]
    fn a_row_without_a_description_or_price_is_no_header() {
        assert!(find_header(&[sheet(&[(0, &["数量", "金額"])])]).is_none());
        assert!(find_header(&[sheet(&[(0, &["品名", "数量", "備考"])])]).is_none());
    }
}
