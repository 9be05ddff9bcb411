//! Facts written above the item table or on a cover sheet: the quote date, the addressee (宛先) and the vendor.

use crate::grid::{Sheet, Value};
use crate::header::HEADER_SEARCH_ROWS;
use crate::text::{clean, compact};
use chrono::NaiveDate;

/// Labels of the quote date.
const DATE_LABELS: [&str; 9] =
    ["見積年月日", "発行年月日", "作成年月日", "見積日", "発行日", "作成日", "提出日", "日付", "見積書作成日"];

/// Words beside a date that make it some other date (validity, delivery, payment).
const OTHER_DATE_WORDS: [&str; 8] = ["期限", "納期", "有効", "納入", "期日", "支払", "締切", "契約"];

/// Marks of a company name in Japanese business documents (after full-width folding).
const COMPANY_MARKS: [&str; 11] =
    ["株式会社", "有限会社", "合同会社", "合資会社", "合名会社", "(株)", "(有)", "㈱", "㈲", "Co.,Ltd", "Inc."];

/// Words of bank details, whose lines name companies too.
const BANK_WORDS: [&str; 3] = ["振込", "銀行", "口座"];

/// The facts found; each may be missing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Facts {
    pub(crate) quote_date: Option<NaiveDate>,
    pub(crate) addressee: Option<String>,
    pub(crate) vendor: Option<String>,
}

/// A cell of the area searched.
struct Spot<'a> {
    sheet: usize,
    row: u32,
    col: u32,
    value: &'a Value,
}

/// The area above the table on its sheet, then the first rows of the other sheets (cover sheets), in that order.
fn spots(sheets: &[Sheet], table_sheet: usize, header_row: u32) -> Vec<Spot<'_>> {
    let mut out = Vec::new();
    let order = std::iter::once(table_sheet).chain((0..sheets.len()).filter(|&i| i != table_sheet));
    for index in order {
        let Some(sheet) = sheets.get(index) else {
            continue;
        };
        let limit = if index == table_sheet { header_row } else { HEADER_SEARCH_ROWS };
        for (row, cells) in sheet.rows() {
            if row >= limit {
                break;
            }
            out.extend(cells.iter().map(|(col, value)| Spot { sheet: index, row, col: *col, value }));
        }
    }
    out
}

/// The nearest non-empty cell right of `col` in a row.
fn right_of(sheet: &Sheet, row: u32, col: u32) -> Option<&Value> {
    sheet.row(row).iter().find(|(c, _)| *c > col).map(|(_, v)| v)
}

/// The nearest text cell left of `col` in a row.
fn left_text(sheet: &Sheet, row: u32, col: u32) -> Option<String> {
    sheet.row(row).iter().rev().find(|(c, v)| *c < col && v.text().is_some()).and_then(|(_, v)| v.text().map(clean))
}

fn date_of(value: &Value) -> Option<NaiveDate> {
    match value {
        Value::Date(d) => Some(*d),
        Value::Text(t) => rules::parse_date(&clean(t)).ok(),
        _ => None,
    }
}

/// 「発行日：2022年10月5日」 → the date after the label in the same cell.
fn date_after_label(text: &str, label: &str) -> Option<NaiveDate> {
    let (_, rest) = text.split_once(label)?;
    let rest = rest.trim_start_matches(|c: char| c == ':' || c == '：' || c.is_whitespace());
    rules::parse_date(rest).ok()
}

fn quote_date(sheets: &[Sheet], spots: &[Spot<'_>]) -> Option<NaiveDate> {
    // A labelled date first: in the label's cell, right of it, or under it.
    for spot in spots {
        let Some(text) = spot.value.text() else {
            continue;
        };
        let folded = compact(text);
        let Some(label) = DATE_LABELS.iter().find(|l| folded.contains(**l)) else {
            continue;
        };
        let sheet = sheets.get(spot.sheet)?;
        let found = date_after_label(&folded, label)
            .or_else(|| right_of(sheet, spot.row, spot.col).and_then(date_of))
            .or_else(|| spot.row.checked_add(1).and_then(|r| sheet.get(r, spot.col)).and_then(date_of));
        if found.is_some() {
            return found;
        }
    }
    // Else a lone date that is not a validity or delivery date.
    spots.iter().find_map(|spot| {
        let date = date_of(spot.value)?;
        let sheet = sheets.get(spot.sheet)?;
        let left = left_text(sheet, spot.row, spot.col).unwrap_or_default();
        let own = spot.value.text().unwrap_or_default();
        let other = OTHER_DATE_WORDS.iter().any(|w| left.contains(w) || own.contains(w));
        (!other).then_some(date)
    })
}

/// 「さくら内科クリニック　御中」 → 「さくら内科クリニック」.
fn strip_honorific<'a>(text: &'a str, suffix: &str) -> Option<&'a str> {
    text.strip_suffix(suffix).map(|s| s.trim_end_matches(|c: char| c.is_whitespace()))
}

/// The addressee and where it was (sheet, row, col).
fn addressee(sheets: &[Sheet], spots: &[Spot<'_>]) -> Option<(String, (usize, u32, u32))> {
    // 御中 (an organisation) before 様・殿 (a person).
    for suffixes in [&["御中"][..], &["様", "殿"][..]] {
        for spot in spots {
            let Some(text) = spot.value.text() else {
                continue;
            };
            let cleaned = clean(text);
            if cleaned.chars().count() > 60 || cleaned.contains("各位") {
                continue;
            }
            let Some(name) = suffixes.iter().find_map(|s| strip_honorific(&cleaned, s)) else {
                continue;
            };
            let name = if name.is_empty() {
                // 「御中」 in a cell of its own, the name to its left.
                match sheets.get(spot.sheet).and_then(|s| left_text(s, spot.row, spot.col)) {
                    Some(left) => left,
                    None => continue,
                }
            } else {
                name.to_owned()
            };
            if !name.is_empty() {
                return Some((name, (spot.sheet, spot.row, spot.col)));
            }
        }
    }
    None
}

/// A company name in a cell, without a leading label (「発行元：株式会社…」).
fn company(text: &str) -> Option<String> {
    let cleaned = clean(text);
    let folded = compact(&cleaned);
    if cleaned.chars().count() > 40
        || !COMPANY_MARKS.iter().any(|m| folded.contains(m))
        || BANK_WORDS.iter().any(|w| folded.contains(w))
        || ["御中", "様", "殿"].iter().any(|h| cleaned.ends_with(h))
    {
        return None;
    }
    let name = match cleaned.split_once(['：', ':']) {
        Some((_, after)) if COMPANY_MARKS.iter().any(|m| compact(after).contains(m)) => after.trim().to_owned(),
        _ => cleaned,
    };
    Some(name)
}

/// The vendor: a company name that is not the addressee, preferably right of
/// the addressee (Japanese quotes put the issuer at the top right).
fn vendor(spots: &[Spot<'_>], addressee_at: Option<(usize, u32, u32)>) -> Option<String> {
    let candidates: Vec<(&Spot<'_>, String)> = spots
        .iter()
        .filter(|s| addressee_at != Some((s.sheet, s.row, s.col)))
        .filter_map(|s| Some((s, company(s.value.text()?)?)))
        .collect();
    let right_side = addressee_at.and_then(|(sheet, _, col)| {
        candidates.iter().find(|(s, _)| s.sheet == sheet && s.col > col).map(|(_, name)| name.clone())
    });
    right_side.or_else(|| candidates.first().map(|(_, name)| name.clone()))
}

/// Reads the facts around the table whose header starts at `header_row` on sheet `table_sheet`.
pub(crate) fn facts(sheets: &[Sheet], table_sheet: usize, header_row: u32) -> Facts {
    let spots = spots(sheets, table_sheet, header_row);
    let addressee = addressee(sheets, &spots);
    let vendor = vendor(&spots, addressee.as_ref().map(|(_, at)| *at));
    Facts { quote_date: quote_date(sheets, &spots), addressee: addressee.map(|(name, _)| name), vendor }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(cells: &[(u32, u32, Value)]) -> Sheet {
        let mut s = Sheet::new("s");
        for (r, c, v) in cells {
            s.push(*r, *c, v.clone());
        }
        s.finish();
        s
    }

    fn t(s: &str) -> Value {
        Value::Text(s.to_owned())
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_labelled_date_wins_over_a_validity_date() {
        let s =
            sheet(&[(0, 4, t("有効期限")), (0, 5, Value::Date(date(2022, 11, 4))), (1, 4, t("発行日：2022年10月5日"))]);
        assert_eq!(facts(&[s], 0, 10).quote_date, Some(date(2022, 10, 5)));
    }

    #[test]
    fn a_lone_date_is_the_quote_date_unless_labelled_as_another_date() {
        let s = sheet(&[(0, 1, t("納期")), (0, 2, t("2022/12/1")), (1, 5, t("令和4年9月1日"))]);
        assert_eq!(facts(&[s], 0, 10).quote_date, Some(date(2022, 9, 1)));
    }

    #[test]
    fn the_addressee_loses_its_honorific_and_the_vendor_is_another_company() {
        let s = sheet(&[
            (0, 0, t("株式会社ひかり薬局ホールディングス 御中")),
            (2, 3, t("ABCメディカル(株)")),
            (3, 3, t("振込先：○○銀行 株式会社ABCメディカル")),
        ]);
        let f = facts(&[s], 0, 10);
        assert_eq!(f.addressee.as_deref(), Some("株式会社ひかり薬局ホールディングス"));
        assert_eq!(f.vendor.as_deref(), Some("ABCメディカル(株)"));
    }

    #[test]
    fn an_honorific_in_its_own_cell_names_the_cell_to_its_left() {
        let s = sheet(&[(0, 0, t("さくら内科クリニック")), (0, 3, t("御中")), (1, 4, t("発行元：株式会社メディ"))]);
        let f = facts(&[s], 0, 10);
        assert_eq!(f.addressee.as_deref(), Some("さくら内科クリニック"));
        assert_eq!(f.vendor.as_deref(), Some("株式会社メディ"));
    }

    #[test]
    fn a_person_is_the_addressee_only_without_an_organisation() {
        let s = sheet(&[(0, 0, t("院長 佐藤 様")), (1, 0, t("ひまわり歯科医院　御中"))]);
        assert_eq!(facts(&[s], 0, 10).addressee.as_deref(), Some("ひまわり歯科医院"));
    }

    #[test]
    fn nothing_below_the_header_is_a_header_fact() {
        let s = sheet(&[(5, 0, t("さくら内科クリニック 御中"))]);
        assert_eq!(facts(&[s], 0, 3), Facts::default());
    }
}
