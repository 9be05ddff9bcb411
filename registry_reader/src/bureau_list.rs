//! A 厚生局 list as published: title rows naming the prefecture, the date and the kind; a
//! header row; then one block of several rows per facility, each opening with its code
//! written 「02,7075,1」 (郡市区番号, 機関番号, 検証番号). Bureaus differ in columns, block
//! heights and merged cells, so blocks are found by their structure — a row with a code opens
//! one, the next such row (or a repeated page header) closes it — and fields by the header's
//! words and by what the text looks like (〒, a telephone number, 「病院」「休止」).

use crate::grid::Grid;
use crate::text::{narrow, phone, squeezed, words};
use crate::{ListRead, ReadList, Refused};
use chrono::NaiveDate;
use rules::registry::{ListKind, ListedStatus, RegistryEntry, list_title, normal_postal_code};
use rules::{FacilityCode, Prefecture};

/// What a header cell names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Heading {
    Number,
    Code,
    Name,
    Address,
    Phone,
    Founder,
    Manager,
    Designated,
    Beds,
    Remarks,
}

impl Heading {
    fn of(cell: &str) -> Option<Heading> {
        let c = squeezed(&narrow(cell));
        if c.is_empty() || c.chars().count() > 24 {
            return None;
        }
        let has = |w: &str| c.contains(w);
        Some(if has("項番") || c == "No" || c == "No." || c == "番号" {
            Heading::Number
        } else if has("電話") {
            Heading::Phone
        } else if has("医療機関番号")
            || has("医療機関コード")
            || has("薬局番号")
            || has("薬局コード")
            || has("機関番号")
            || has("コード")
        {
            Heading::Code
        } else if has("名称") || has("医療機関名") || has("薬局名") || has("施設名") {
            Heading::Name
        } else if has("所在地") || has("住所") {
            Heading::Address
        } else if has("開設者") {
            Heading::Founder
        } else if has("管理者") {
            Heading::Manager
        } else if has("指定年月日") || has("登録理由") || has("指定期間") {
            Heading::Designated
        } else if has("病床") || has("診療科") || has("科名") {
            Heading::Beds
        } else if has("備考") {
            Heading::Remarks
        } else {
            return None;
        })
    }
}

/// The headings of a row, with their columns.
fn headings(row: &[String]) -> Vec<(usize, Heading)> {
    row.iter().enumerate().filter_map(|(i, c)| Heading::of(c).map(|h| (i, h))).collect()
}

/// A header row names at least three different things, one of them the code or the name.
fn is_header(row: &[String]) -> bool {
    let found = headings(row);
    let mut kinds: Vec<Heading> = found.iter().map(|(_, h)| *h).collect();
    kinds.dedup();
    kinds.len() >= 3 && kinds.iter().any(|h| matches!(h, Heading::Code | Heading::Name))
}

/// A title row: 「コード内容別医療機関一覧表」 or 「[令和7年8月1日現在　医科　現存/休止]」.
fn is_title(row: &[String]) -> bool {
    row.iter().any(|c| c.contains("コード内容別") || (c.contains("現在") && (c.contains('[') || c.contains('［'))))
}

/// Where each kind of field sits.
#[derive(Debug, Default)]
struct Columns {
    code: Option<usize>,
    name: Option<usize>,
    address: Option<usize>,
    phone: Option<usize>,
}

impl Columns {
    fn from_header(rows: &[&[String]]) -> Columns {
        let mut cols = Columns::default();
        for row in rows {
            for (i, h) in headings(row) {
                let slot = match h {
                    Heading::Code => &mut cols.code,
                    Heading::Name => &mut cols.name,
                    Heading::Address => &mut cols.address,
                    Heading::Phone => &mut cols.phone,
                    _ => continue,
                };
                slot.get_or_insert(i);
            }
        }
        cols
    }
}

/// The seven digits (郡市区番号, 機関番号, 検証番号) or the whole ten of a code cell.
/// `in_code_column`: bare digits count too (a bureau that writes 「0270751」, or a number cell).
fn code_digits(cell: &str, in_code_column: bool) -> Option<String> {
    let t = squeezed(&narrow(cell));
    if t.is_empty() {
        return None;
    }
    let parts: Vec<&str> = t.split([',', '.', '-', '、', '，']).collect();
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if parts.iter().all(|p| all_digits(p)) {
        let lengths: Vec<usize> = parts.iter().map(|p| p.len()).collect();
        let joined: String = parts.concat();
        match lengths.as_slice() {
            [2, 4, 1] => return Some(joined),
            [_, ..] if parts.len() > 1 && joined.len() == 10 => return Some(joined),
            [7] | [10] if in_code_column => return Some(joined),
            _ => {}
        }
    }
    None
}

/// The code opening a block in this row, and its column; the code column first, then the
/// columns left of the name.
fn code_in_row(row: &[String], cols: &Columns) -> Option<(usize, String)> {
    if let Some(c) = cols.code {
        for col in [c, c + 1] {
            if let Some(d) = row.get(col).and_then(|cell| code_digits(cell, true)) {
                return Some((col, d));
            }
        }
    }
    let end = cols.name.unwrap_or(4).min(row.len());
    row[..end].iter().enumerate().find_map(|(i, cell)| code_digits(cell, false).map(|d| (i, d)))
}

/// Prefecture, kind and date of a list, from its title rows (then its sheet's and file's names).
struct Title {
    prefecture: Option<Prefecture>,
    kind: Option<ListKind>,
    as_of: Option<NaiveDate>,
}

fn title(rows: &[Vec<String>], sheet: &str, file: &str) -> Title {
    let cells: Vec<&str> = rows.iter().flatten().map(String::as_str).filter(|c| !c.is_empty()).collect();
    let prefecture = cells
        .iter()
        .find_map(|c| prefecture_in_title(c))
        .or_else(|| prefecture_named(sheet))
        .or_else(|| prefecture_named(file.rsplit('/').next().unwrap_or(file)));
    let kind = cells
        .iter()
        .filter(|c| c.contains("現在") || c.contains('[') || c.contains('［') || c.contains("一覧"))
        .find_map(|c| ListKind::named_in(c))
        .or_else(|| ListKind::named_in(sheet))
        .or_else(|| ListKind::named_in(file.rsplit('/').next().unwrap_or(file)));
    let as_of = cells.iter().filter(|c| c.contains("現在")).find_map(|c| date_before_genzai(c));
    Title { prefecture, kind, as_of }
}

/// 「[東京都]」, 「［北海道］」 or a cell that is just the name.
fn prefecture_in_title(cell: &str) -> Option<Prefecture> {
    let t = squeezed(&narrow(cell));
    let inner = t.trim_matches(['[', ']', '【', '】', '〔', '〕', '(', ')', '（', '）']);
    if let Ok(p) = inner.parse::<Prefecture>() {
        return Some(p);
    }
    Prefecture::all().find(|p| t.contains(&format!("[{}]", p.name_ja())))
}

/// A prefecture's name anywhere in a sheet or file name (「13東京都_医科」, 「東京都.xlsx」).
fn prefecture_named(text: &str) -> Option<Prefecture> {
    Prefecture::all().find(|p| text.contains(p.name_ja()))
}

/// The date before 「現在」: 「[令和 7年 8月 1日現在　医科　現存/休止]」 → 2025-08-01.
fn date_before_genzai(cell: &str) -> Option<NaiveDate> {
    let t = squeezed(&narrow(cell));
    let before = &t[..t.find("現在")?];
    let start = ["令和", "平成", "R", "H"]
        .iter()
        .filter_map(|era| before.rfind(era))
        .max()
        .or_else(|| before.char_indices().find(|(_, c)| c.is_ascii_digit()).map(|(i, _)| i))?;
    rules::wareki::parse_date(&before[start..]).ok()
}

/// Reads one sheet; `Err` with the reason when it is not a list.
pub(crate) fn read(file: &str, grid: &Grid) -> Result<ReadList, String> {
    let Some(header) = grid.rows.iter().position(|r| is_header(r)) else {
        return Err("「医療機関番号」「名称」「所在地」などの見出しの行がありません。地方厚生局の「コード内容別医療機関一覧表」をそのまま指定してください".to_owned());
    };
    let mut header_rows: Vec<&[String]> = vec![&grid.rows[header]];
    if let Some(next) = grid.rows.get(header + 1)
        && !headings(next).is_empty()
        && code_in_row(next, &Columns::from_header(&header_rows)).is_none()
    {
        header_rows.push(next);
    }
    let cols = Columns::from_header(&header_rows);
    let found = title(&grid.rows[..header], &grid.name, file);
    let kind = found.kind.or_else(|| {
        header_rows
            .iter()
            .flat_map(|r| r.iter())
            .find_map(|c| if c.contains("薬局") { Some(ListKind::Pharmacy) } else { None })
    });

    // Blocks: from a row with a code to the row before the next code, header or title.
    let body_start = header + header_rows.len();
    let mut starts: Vec<(usize, usize, String)> = Vec::new();
    let mut ends_at: Vec<usize> = Vec::new();
    for (i, row) in grid.rows.iter().enumerate().skip(body_start) {
        if is_header(row) || is_title(row) {
            ends_at.push(i);
        } else if let Some((col, digits)) = code_in_row(row, &cols) {
            starts.push((i, col, digits));
        }
    }
    if starts.is_empty() {
        return Err("見出しの下に「02,7075,1」のような医療機関番号の行がありません".to_owned());
    }
    let prefecture = found.prefecture;
    let mut read = ReadList::default();
    let title_text = match (prefecture, kind) {
        (Some(p), Some(k)) => list_title(p, k, found.as_of),
        _ => file.to_owned(),
    };
    for (n, (start, code_col, digits)) in starts.iter().enumerate() {
        let next_start = starts.get(n + 1).map_or(grid.rows.len(), |s| s.0);
        let end = ends_at.iter().copied().find(|e| e > start && *e < next_start).unwrap_or(next_start);
        let block = Block { grid, start: *start, end, code_col: *code_col, cols: &cols };
        let refuse = |reason: String| Refused {
            file: file.to_owned(),
            sheet: grid.name.clone(),
            row: grid.row_number(*start),
            code: grid.cell(*start, *code_col).to_owned(),
            reason,
        };
        match block.entry(digits, prefecture, kind, found.as_of, &title_text) {
            Ok(entry) => read.entries.push(entry),
            Err(reason) => read.refused.push(refuse(reason)),
        }
    }
    read.lists.push(ListRead {
        file: file.to_owned(),
        sheet: grid.name.clone(),
        title: title_text,
        facilities: read.entries.len(),
    });
    Ok(read)
}

/// The rows of one facility.
struct Block<'g> {
    grid: &'g Grid,
    start: usize,
    end: usize,
    code_col: usize,
    cols: &'g Columns,
}

impl Block<'_> {
    fn cells(&self) -> impl Iterator<Item = (usize, usize, &str)> {
        (self.start..self.end).flat_map(move |r| {
            self.grid.rows[r].iter().enumerate().filter(|(_, c)| !c.is_empty()).map(move |(c, t)| (r, c, t.as_str()))
        })
    }

    fn column(&self, col: usize) -> impl Iterator<Item = (usize, &str)> {
        (self.start..self.end).map(move |r| (r, self.grid.cell(r, col))).filter(|(_, t)| !t.is_empty())
    }

    fn entry(
        &self,
        digits: &str,
        prefecture: Option<Prefecture>,
        kind: Option<ListKind>,
        as_of: Option<NaiveDate>,
        source: &str,
    ) -> Result<RegistryEntry, String> {
        let full = if digits.len() == 10 {
            digits.to_owned()
        } else {
            let p = prefecture
                .ok_or("都道府県が判りません。タイトル行の「[東京都]」のような都道府県名を消さずに指定してください")?;
            let k = kind
                .ok_or("医科・歯科・薬局のどの一覧か判りません。タイトル行の「医科」などを消さずに指定してください")?;
            format!("{}{}{digits}", p.code(), k.fee_schedule_digit())
        };
        let code = FacilityCode::parse(&full).map_err(|e| e.to_string())?;
        if let Some(p) = prefecture
            && p != code.prefecture()
        {
            return Err(format!(
                "医療機関コード {full} は{}のコードですが、一覧は{}のものです",
                code.prefecture().name_ja(),
                p.name_ja()
            ));
        }
        let kind = ListKind::of_digit(code.fee_schedule_digit()).ok_or("点数表番号が読めません")?;
        let name = self.name().ok_or("名称がありません")?;
        let (postal_code, address) = self.address();
        let phone = self.phone().unwrap_or_default();
        let tokens: Vec<String> = self
            .cells()
            .flat_map(|(_, _, t)| {
                words(t).map(|w| w.trim_matches(['(', ')', '（', '）', '[', ']']).to_owned()).collect::<Vec<_>>()
            })
            .collect();
        let hospital = tokens.iter().any(|w| w == "病院");
        let status = if tokens.iter().any(|w| w == "休止") { ListedStatus::Suspended } else { ListedStatus::Active };
        Ok(RegistryEntry {
            code,
            name,
            facility_type: kind.facility_type(hospital),
            postal_code,
            address,
            phone,
            status,
            as_of,
            source: source.to_owned(),
        })
    }

    /// 名称: the name column's first text in the block, else the first text right of the code.
    fn name(&self) -> Option<String> {
        let from_column = self.cols.name.and_then(|c| {
            self.column(c).map(|(_, t)| t).find(|t| code_digits(t, false).is_none() && phone(t).is_none())
        });
        let from_row = || {
            self.grid.rows[self.start]
                .iter()
                .skip(self.code_col + 1)
                .find(|t| !t.is_empty() && code_digits(t, true).is_none() && Heading::of(t).is_none())
                .map(String::as_str)
        };
        from_column
            .or_else(from_row)
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|t| !t.is_empty())
    }

    /// 郵便番号 and 所在地: the cell with 「〒」 (the address column first) and the address after
    /// it, continued on the next rows of that column until a telephone number or a count.
    fn address(&self) -> (String, String) {
        let in_address_col =
            self.cols.address.and_then(|c| self.column(c).find(|(_, t)| t.contains('〒')).map(|(r, t)| (r, c, t)));
        let Some((row, col, cell)) = in_address_col.or_else(|| self.cells().find(|(_, _, t)| t.contains('〒'))) else {
            // No 〒: the address column's first line, if there is one.
            let address = self.cols.address.and_then(|c| self.column(c).map(|(_, t)| t).find(|t| phone(t).is_none()));
            return (String::new(), address.map(tidy).unwrap_or_default());
        };
        let cell = narrow(cell);
        let after_mark = &cell[cell.find('〒').map_or(0, |i| i + '〒'.len_utf8())..];
        let postal_len: usize = after_mark
            .char_indices()
            .take_while(|(_, c)| c.is_ascii_digit() || matches!(c, '-' | ' '))
            .map(|(i, c)| i + c.len_utf8())
            .last()
            .unwrap_or(0);
        let postal = normal_postal_code(&after_mark[..postal_len]).unwrap_or_default();
        // The address's lines: the rest of this cell, then the column's next rows, up to a
        // telephone number, a count of staff or an empty cell.
        let rest = after_mark[postal_len..].lines().map(str::to_owned);
        let below = (row + 1..self.end).flat_map(|r| {
            let cell = self.grid.cell(r, col);
            if cell.is_empty() { vec![String::new()] } else { cell.lines().map(str::to_owned).collect() }
        });
        let mut address = String::new();
        for line in rest.chain(below) {
            let ends = phone(&line).is_some()
                || line.contains("常勤")
                || line.trim_start().starts_with(['(', '（'])
                || line.contains(':')
                || line.contains('：');
            if ends || (line.trim().is_empty() && !address.is_empty()) {
                break;
            }
            address.push_str(&tidy(&line));
        }
        (postal, address)
    }

    /// 電話番号: the phone column's, else the first number below the address, else anywhere.
    fn phone(&self) -> Option<String> {
        let cols = [self.cols.phone, self.cols.address].into_iter().flatten();
        cols.into_iter()
            .find_map(|c| self.column(c).find_map(|(_, t)| t.lines().find_map(phone)))
            .or_else(|| self.cells().find_map(|(_, _, t)| t.lines().find_map(phone)))
    }
}

/// Address text: full-width digits and hyphens as the lists mix them, made ASCII; spaces dropped.
fn tidy(text: &str) -> String {
    squeezed(&narrow(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(rows: &[&[&str]]) -> Grid {
        Grid {
            name: "Sheet1".into(),
            rows: rows.iter().map(|r| r.iter().map(|c| (*c).to_owned()).collect()).collect(),
            first_row: 1,
        }
    }

    #[test]
    fn a_kanto_block_gives_code_name_address_phone_type_and_status() {
        let g = grid(&[
            &["", "コード内容別医療機関一覧表"],
            &["[東京都]", "", "", "[令和 7年 8月 1日現在　医科　現存/休止]"],
            &[
                "項番",
                "医療機関番号",
                "医療機関名称",
                "医療機関所在地\n電話番号",
                "開設者名",
                "管理者名",
                "指定年月日\n登録理由\n指定期間始",
                "病床数",
                "備考",
            ],
            &[
                "1",
                "02,7075,1",
                "聖路加国際病院",
                "〒104－8560\n東京都中央区明石町９－１",
                "学校法人聖路加国際大学",
                "石松　伸一",
                "令 2. 4. 1",
                "一般 520",
                "病院",
            ],
            &["", "", "", "03-3541-5151", "", "", "新規", "", "現存"],
            &["", "", "", "(常　勤:  600)", "", "", "令 2. 4. 1", "", ""],
            &["2", "02,0001,4", "明石町クリニック", "〒104－0044", "", "", "", "", "診療所"],
            &["", "", "", "東京都中央区明石町１－１", "", "", "", "", "休止"],
            &["", "", "", "０３－１１１１－２２２２", "", "", "", "", ""],
            &["3", "02,7075,2", "検証番号ちがい医院", "〒104－0044 東京都中央区明石町１－２", "", "", "", "", "診療所"],
        ]);
        let list = read("tokyo.xlsx", &g).expect("a list");
        assert_eq!(list.lists[0].title, "関東信越厚生局 コード内容別医療機関一覧表（東京都・医科、令和7年8月1日現在）");
        let e = &list.entries[0];
        assert_eq!(e.code.as_str(), "1310270751");
        assert_eq!(e.name, "聖路加国際病院");
        assert_eq!(e.postal_code, "104-8560");
        assert_eq!(e.address, "東京都中央区明石町9-1");
        assert_eq!(e.phone, "03-3541-5151");
        assert_eq!(e.facility_type, rules::FacilityType::Hospital);
        assert_eq!(e.status, ListedStatus::Active);
        assert_eq!(e.as_of, NaiveDate::from_ymd_opt(2025, 8, 1));
        let clinic = &list.entries[1];
        assert_eq!(clinic.code.as_str(), "1310200014");
        assert_eq!((clinic.postal_code.as_str(), clinic.address.as_str()), ("104-0044", "東京都中央区明石町1-1"));
        assert_eq!(clinic.phone, "03-1111-2222");
        assert_eq!(clinic.facility_type, rules::FacilityType::MedicalClinic);
        assert_eq!(clinic.status, ListedStatus::Suspended);
        // The third code fails its check digit: refused alone, with the row it is on.
        assert_eq!(list.entries.len(), 2, "{:?}", list.refused);
        assert_eq!(list.refused[0].row, 10);
        assert_eq!(list.refused[0].code, "02,7075,2");
        assert!(list.refused[0].reason.contains("検証番号"), "{}", list.refused[0].reason);
    }

    #[test]
    fn dates_of_titles_in_either_calendar_are_read() {
        assert_eq!(date_before_genzai("[令和 7年 8月 1日現在　医科　現存/休止]"), NaiveDate::from_ymd_opt(2025, 8, 1));
        assert_eq!(date_before_genzai("2025年8月1日現在"), NaiveDate::from_ymd_opt(2025, 8, 1));
        assert_eq!(date_before_genzai("現在"), None);
    }

    #[test]
    fn codes_are_recognised_as_the_lists_write_them() {
        assert_eq!(code_digits("02,7075,1", false).as_deref(), Some("0270751"));
        assert_eq!(code_digits("０２，７０７５，１", false).as_deref(), Some("0270751"));
        assert_eq!(code_digits("0270751", false), None);
        assert_eq!(code_digits("0270751", true).as_deref(), Some("0270751"));
        assert_eq!(code_digits("12", true), None);
        assert_eq!(code_digits("13,1,02,7075,1", false).as_deref(), Some("1310270751"));
    }

    #[test]
    fn a_sheet_without_a_header_is_not_a_list() {
        let g = grid(&[&["品名", "数量", "単価", "金額"], &["顔認証付きカードリーダー", "1", "0", "0"]]);
        assert!(read("quote.xlsx", &g).is_err());
    }
}
