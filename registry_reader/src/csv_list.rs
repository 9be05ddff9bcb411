//! A registry as CSV: a header naming 医療機関コード, 名称, 郵便番号, 所在地, 電話番号, 施設区分
//! (病院 / 医科診療所 / 歯科診療所 / 薬局) and 状態 (現存 / 休止), in any order, other columns
//! passed over; UTF-8 or CP932 (decoded and split by quote_reader before this).

use crate::grid::Grid;
use crate::text::{narrow, squeezed};
use crate::{ListRead, Listed, ReadList, Refused, RegistryError};
use rules::registry::{ListKind, ListedStatus, RegistryEntry, normal_postal_code};
use rules::{FacilityCode, FacilityType, Prefecture};

/// The columns a registry CSV names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Code,
    Name,
    PostalCode,
    Address,
    Phone,
    Kind,
    Status,
    Prefecture,
    AsOf,
}

impl Column {
    /// The column a heading names: the names first, then the variants people write.
    fn of(heading: &str) -> Option<Column> {
        let h = squeezed(&narrow(heading));
        let h = h.trim_start_matches('\u{FEFF}');
        Some(match h {
            "医療機関コード" | "医療機関番号" | "薬局コード" | "コード" | "医療機関コード(10桁)" | "機関コード" => {
                Column::Code
            }
            "名称" | "医療機関名称" | "医療機関名" | "薬局名称" | "施設名" | "施設名称" | "正式名称" => {
                Column::Name
            }
            "郵便番号" | "〒" => Column::PostalCode,
            "所在地" | "住所" | "医療機関所在地" | "所在地住所" => Column::Address,
            "電話番号" | "電話" | "TEL" => Column::Phone,
            "施設区分" | "区分" | "種別" | "施設種別" | "医療機関区分" => Column::Kind,
            "状態" | "現存/休止" | "状況" | "現存休止" => Column::Status,
            "都道府県" | "都道府県名" => Column::Prefecture,
            "時点" | "現在" | "基準日" | "作成日" | "公表日" => Column::AsOf,
            _ => return None,
        })
    }
}

/// Reads a registry CSV; a file whose first lines name no code and name columns is refused.
pub(crate) fn read(file: &str, grid: &Grid) -> Result<ReadList, RegistryError> {
    let header = grid.rows.iter().take(20).position(|row| {
        let cols: Vec<Column> = row.iter().filter_map(|c| Column::of(c)).collect();
        cols.contains(&Column::Code) && cols.contains(&Column::Name)
    });
    let Some(header) = header else {
        return Err(RegistryError::NotARegistry {
            file: file.to_owned(),
            what: "CSV の見出しに「医療機関コード」と「名称」の列がありません（所在地・郵便番号・電話番号・施設区分・状態も名付けてください。順序は問いません）".to_owned(),
        });
    };
    let mut columns: Vec<(Column, usize)> = Vec::new();
    for (i, cell) in grid.rows[header].iter().enumerate() {
        if let Some(c) = Column::of(cell)
            && !columns.iter().any(|(k, _)| *k == c)
        {
            columns.push((c, i));
        }
    }
    // A list giving both the ten-digit 医療機関コード and the bureaus' seven-digit 医療機関番号
    // is read by the ten digits, whichever comes first.
    if let Some(ten) =
        grid.rows[header].iter().position(|c| squeezed(&narrow(c)).trim_start_matches('\u{FEFF}') == "医療機関コード")
        && let Some(slot) = columns.iter_mut().find(|(k, _)| *k == Column::Code)
    {
        slot.1 = ten;
    }
    let col = |c: Column| columns.iter().find(|(k, _)| *k == c).map(|(_, i)| *i);
    let mut read = ReadList::default();
    for (r, row) in grid.rows.iter().enumerate().skip(header + 1) {
        if row.iter().all(String::is_empty) {
            continue;
        }
        let cell = |c: Column| col(c).and_then(|i| row.get(i)).map_or("", String::as_str);
        match entry(&cell, file) {
            Ok(entry) => read.entries.push(Listed {
                entry,
                file: file.to_owned(),
                sheet: String::new(),
                row: grid.row_number(r),
            }),
            Err(reason) => read.refused.push(Refused {
                file: file.to_owned(),
                sheet: String::new(),
                row: grid.row_number(r),
                code: cell(Column::Code).to_owned(),
                reason,
            }),
        }
    }
    if read.entries.is_empty() && read.refused.is_empty() {
        return Err(RegistryError::NotARegistry {
            file: file.to_owned(),
            what: "見出しの下に行がありません".to_owned(),
        });
    }
    read.lists.push(ListRead {
        file: file.to_owned(),
        sheet: String::new(),
        title: file.to_owned(),
        facilities: read.entries.len(),
    });
    Ok(read)
}

/// One row; `Err` with what to fix.
fn entry<'r>(cell: &dyn Fn(Column) -> &'r str, file: &str) -> Result<RegistryEntry, String> {
    let code = code(cell(Column::Code), cell(Column::Prefecture), cell(Column::Kind))?;
    same_prefecture(&code, cell(Column::Prefecture), cell(Column::Address))?;
    let name = cell(Column::Name).trim().to_owned();
    if name.is_empty() {
        return Err("名称が空です".to_owned());
    }
    let facility_type = facility_type(cell(Column::Kind), &code)?;
    let status = ListedStatus::from_list_word(cell(Column::Status))
        .ok_or_else(|| format!("状態「{}」は「現存」か「休止」にしてください", cell(Column::Status)))?;
    let written_postal = cell(Column::PostalCode);
    let postal_code = match normal_postal_code(written_postal) {
        Some(p) => p,
        None if written_postal.trim().is_empty() => String::new(),
        None => return Err(format!("郵便番号「{written_postal}」は「104-8560」のように7桁で書いてください")),
    };
    let as_of = rules::wareki::parse_date(cell(Column::AsOf)).ok();
    Ok(RegistryEntry {
        code,
        name,
        facility_type,
        postal_code,
        address: cell(Column::Address).lines().map(str::trim).collect(),
        phone: crate::text::phone_with_digits(cell(Column::Phone), 6)
            .unwrap_or_else(|| squeezed(&narrow(cell(Column::Phone)))),
        status,
        as_of,
        source: file.rsplit('/').next().unwrap_or(file).to_owned(),
    })
}

/// The 10-digit code: as written; nine digits whose leading zero a spreadsheet dropped
/// (北海道〜茨城, 01–09) get it back; the seven digits of a list with the prefecture and the
/// kind beside them are completed.
fn code(written: &str, prefecture: &str, kind: &str) -> Result<FacilityCode, String> {
    let digits: String = narrow(written).chars().filter(|c| !matches!(c, ' ' | '-' | ',' | '.' | '\'')).collect();
    if digits.is_empty() {
        return Err("医療機関コードが空です".to_owned());
    }
    let full = match digits.len() {
        9 if digits.bytes().all(|b| b.is_ascii_digit()) => format!("0{digits}"),
        7 if digits.bytes().all(|b| b.is_ascii_digit()) => {
            let p: Prefecture = prefecture
                .parse()
                .map_err(|_| "医療機関コードが7桁です。10桁で書くか、都道府県の列を加えてください".to_owned())?;
            let k = kind_of_words(kind).ok_or("医療機関コードが7桁です。10桁で書くか、施設区分を書いてください")?;
            format!("{}{}{digits}", p.code(), k.fee_schedule_digit())
        }
        _ => digits,
    };
    FacilityCode::parse(&full).map_err(|e| e.to_string())
}

/// The code's prefecture (its first two digits, which the check digit of 埼玉・千葉・東京・神奈川
/// does not cover) against the row's 都道府県 column and the prefecture its address starts with.
fn same_prefecture(code: &FacilityCode, prefecture: &str, address: &str) -> Result<(), String> {
    let named = prefecture
        .trim()
        .parse::<Prefecture>()
        .ok()
        .or_else(|| Prefecture::all().find(|p| address.trim_start().starts_with(p.name_ja())));
    match named {
        Some(p) if p != code.prefecture() => Err(format!(
            "医療機関コードの先頭2桁（都道府県番号 {}: {}）が、この行の都道府県（{}）と合いません。コードを確かめてください",
            code.prefecture().code(),
            code.prefecture().name_ja(),
            p.name_ja()
        )),
        _ => Ok(()),
    }
}

fn kind_of_words(kind: &str) -> Option<ListKind> {
    let k = squeezed(kind);
    match k.as_str() {
        "病院" | "医科診療所" | "診療所" | "医科" => Some(ListKind::Medical),
        _ => ListKind::named_in(&k),
    }
}

/// 施設区分 as written, checked against the code's 点数表番号.
fn facility_type(written: &str, code: &FacilityCode) -> Result<FacilityType, String> {
    let w = squeezed(&narrow(written));
    let digit_kind = ListKind::of_digit(code.fee_schedule_digit());
    let t = match w.as_str() {
        "病院" => FacilityType::Hospital,
        "医科診療所" | "医科" => FacilityType::MedicalClinic,
        "歯科診療所" | "歯科" => FacilityType::DentalClinic,
        "薬局" | "保険薬局" | "調剤" => FacilityType::Pharmacy,
        // 「診療所」 alone, or nothing: the code's 点数表番号 says which.
        "診療所" | "" => match digit_kind {
            Some(k) => k.facility_type(false),
            None => return Err("施設区分が判りません".to_owned()),
        },
        _ => return Err(format!("施設区分「{written}」は 病院・医科診療所・歯科診療所・薬局 のどれかにしてください")),
    };
    let fits = t.fee_schedule_digit() == code.fee_schedule_digit()
        || (t == FacilityType::Hospital && code.fee_schedule_digit() == ListKind::Dental.fee_schedule_digit());
    if !fits {
        return Err(format!(
            "施設区分「{}」と医療機関コードの3桁目（点数表番号 {}）が合いません",
            t.label_ja(),
            code.fee_schedule_digit()
        ));
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A CSV text read as an uploaded file is.
    fn read(file: &str, text: &str) -> Result<ReadList, RegistryError> {
        crate::read_file(file, text.as_bytes(), &crate::Limits::default())
    }

    #[test]
    fn columns_in_any_order_and_extra_ones_are_read() {
        let text = "状態,電話番号,都道府県,名称,医療機関コード,施設区分,所在地,郵便番号\n\
                    現存,03-3541-5151,東京都,聖路加国際病院,1310270751,病院,東京都中央区明石町9-1,104-8560\n\
                    休止,011-000-0000,北海道,愛全病院,110112489,病院,札幌市南区,\n\
                    現存,,大阪府,医院,2710503688,医科診療所,,\n\
                    現存,,大阪府,医院,2710503687,美容室,,\n";
        let list = read("list.csv", text).expect("a registry");
        assert_eq!(list.entries.len(), 2);
        let tokyo = &list.entries[0].entry;
        assert_eq!(
            (tokyo.code.as_str(), tokyo.name.as_str(), tokyo.postal_code.as_str()),
            ("1310270751", "聖路加国際病院", "104-8560")
        );
        assert_eq!(tokyo.facility_type, FacilityType::Hospital);
        let hokkaido = &list.entries[1].entry;
        assert_eq!(hokkaido.code.as_str(), "0110112489", "the dropped leading zero is back");
        assert_eq!(hokkaido.status, ListedStatus::Suspended);
        assert_eq!(list.refused.len(), 2);
        assert_eq!(list.refused[0].row, 4);
        assert!(list.refused[0].reason.contains("検証番号"));
        assert!(list.refused[1].reason.contains("美容室"));
    }

    #[test]
    fn a_code_whose_prefecture_digits_disagree_with_the_row_is_refused() {
        // 聖路加国際病院's code with 13 (東京) turned into 14 (神奈川): both check only the last
        // seven digits, so the check digit cannot tell; the address and the column can.
        let text = "医療機関コード,名称,所在地,都道府県\n\
                    1410270751,聖路加国際病院,東京都中央区明石町9-1,\n\
                    1410270751,聖路加国際病院,中央区明石町9-1,東京都\n\
                    1310270751,聖路加国際病院,東京都中央区明石町9-1,東京都\n";
        let list = read("list.csv", text).expect("a registry");
        assert_eq!(list.entries.len(), 1);
        assert_eq!(list.refused.len(), 2);
        assert!(list.refused.iter().all(|r| r.reason.contains("都道府県番号 14")), "{:?}", list.refused);
    }

    #[test]
    fn the_ten_digit_code_is_read_when_a_list_gives_the_seven_digits_too() {
        let text = "医療機関番号,医療機関コード,名称,施設区分\n02,7075,1,1310270751,聖路加国際病院,病院\n";
        let text = text.replace("02,7075,1", "\"02,7075,1\"");
        let list = read("list.csv", &text).expect("a registry");
        assert_eq!(list.entries.len(), 1, "{:?}", list.refused);
        assert_eq!(list.entries[0].entry.code.as_str(), "1310270751");
    }

    #[test]
    fn a_csv_without_code_and_name_columns_is_not_a_registry() {
        assert!(matches!(read("q.csv", "品名,金額\n機器,100\n"), Err(RegistryError::NotARegistry { .. })));
        assert!(matches!(read("e.csv", "医療機関コード,名称\n"), Err(RegistryError::NotARegistry { .. })));
    }
}
