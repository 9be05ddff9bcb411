//! A 厚生局 list as published: title rows naming the prefecture, the date and the kind; a
//! header row; then one block of several rows per facility, each opening with its code
//! written 「02,7075,1」 (郡市区番号, 機関番号, 検証番号). Bureaus differ in columns, block
//! heights and merged cells, so blocks are found by their structure — a row with a code opens
//! one, the next such row (or a repeated page header) closes it — and fields by the header's
//! words and by what the text looks like (〒, a telephone number, 「病院」「休止」).

use crate::grid::Grid;
use crate::text::{narrow, phone, squeezed, words};
use crate::{ListRead, Listed, ReadList, Refused};
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
        } else if has("備考") || has("種別") {
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
    let mut kinds: Vec<Heading> = Vec::new();
    for (_, h) in headings(row) {
        if !kinds.contains(&h) {
            kinds.push(h);
        }
    }
    kinds.len() >= 3 && kinds.iter().any(|h| matches!(h, Heading::Code | Heading::Name))
}

/// A title row: 「コード内容別医療機関一覧表」 or 「[令和7年8月1日現在　医科　現存/休止]」.
fn is_title(row: &[String]) -> bool {
    row.iter().any(|c| c.contains("コード内容別") || (c.contains("現在") && (c.contains('[') || c.contains('［'))))
}

/// Where each kind of field sits.
#[derive(Debug, Default)]
struct Columns {
    number: Option<usize>,
    code: Option<usize>,
    name: Option<usize>,
    address: Option<usize>,
    phone: Option<usize>,
    /// 病院 / 診療所 / 薬局 over 現存 / 休止: the 備考 column, else the header's last.
    kind: Option<usize>,
}

impl Columns {
    fn from_header(rows: &[&[String]]) -> Columns {
        let mut cols = Columns::default();
        for row in rows {
            for (i, h) in headings(row) {
                let slot = match h {
                    Heading::Number => &mut cols.number,
                    Heading::Remarks => &mut cols.kind,
                    Heading::Code => &mut cols.code,
                    Heading::Name => &mut cols.name,
                    Heading::Address => &mut cols.address,
                    Heading::Phone => &mut cols.phone,
                    _ => continue,
                };
                slot.get_or_insert(i);
            }
        }
        if cols.kind.is_none() {
            cols.kind = rows.iter().filter_map(|r| r.iter().rposition(|c| !c.is_empty())).max();
        }
        cols
    }

    /// The columns every bureau uses today (A–J: 項番, 番号, 名称, 〒所在地, 電話, 開設者, 管理者,
    /// 指定年月日, 病床・診療科, 種別), for a sheet whose header row is missing.
    fn standard() -> Columns {
        Columns { number: Some(0), code: Some(1), name: Some(2), address: Some(3), phone: Some(4), kind: Some(9) }
    }
}

/// The seven digits (郡市区番号, 機関番号, 検証番号) or the whole ten of a code cell: the
/// bureaus write 「01,1248,9」 (北海道, 関東信越), 「01-40055 」 (近畿), 「01.1857.5」, with full-width
/// digits or a second line; without its separators every one is seven digits. `in_code_column`:
/// bare digits count too. An old code in parentheses on a block's later row is not a code.
fn code_digits(cell: &str, in_code_column: bool) -> Option<String> {
    let first_line = narrow(cell.lines().find(|l| !l.trim().is_empty())?);
    let t = first_line.trim();
    if t.starts_with(['(', '[']) {
        return None;
    }
    let separated = t.contains([',', '.', '-', '、', '，', '・', ' ']);
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    let only_code_signs =
        t.chars().all(|c| c.is_ascii_digit() || matches!(c, ',' | '.' | '-' | '、' | '，' | '・' | ' '));
    if !only_code_signs || !matches!(digits.len(), 7 | 10) {
        return None;
    }
    (in_code_column || separated).then_some(digits)
}

/// The code opening a block in this row, and its column; the code column first, then the
/// columns left of the name.
fn code_in_row(row: &[String], cols: &Columns) -> Option<(usize, String)> {
    if let Some(n) = cols.number.filter(|n| Some(*n) != cols.code) {
        let number = squeezed(&narrow(row.get(n).map_or("", String::as_str)));
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
    }
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
        .or_else(|| prefecture_named(file.rsplit(['/', '\\']).next().unwrap_or(file)));
    let kind = cells
        .iter()
        .filter(|c| c.contains("現在") || c.contains('[') || c.contains('［') || c.contains("一覧"))
        .find_map(|c| ListKind::named_in(c))
        .or_else(|| kind_named(sheet))
        .or_else(|| kind_named(file.rsplit(['/', '\\']).next().unwrap_or(file)));
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

/// A prefecture named in a sheet or file name: 「東京都.xlsx」, 「111コード内容別一覧表（医科）埼玉r0809」
/// (without 県), 「2026.9_kikanzentai_hyogo_ika」, 「r8_09_ika_fukuoka_02」 (romanised).
fn prefecture_named(text: &str) -> Option<Prefecture> {
    if let Some(p) = Prefecture::all().find(|p| text.contains(p.name_ja())) {
        return Some(p);
    }
    let short = |p: &Prefecture| {
        let name = p.name_ja();
        if name == "北海道" { name } else { name.trim_end_matches(['都', '府', '県']) }
    };
    let by_short = Prefecture::all().find(|p| {
        let s = short(p);
        text.match_indices(s).any(|(i, _)| !(s == "京都" && text[..i].ends_with('東')))
    });
    if by_short.is_some() {
        return by_short;
    }
    let lower = text.to_ascii_lowercase();
    lower
        .split(|c: char| !c.is_ascii_alphabetic())
        .find_map(|word| ROMANISED.iter().position(|names| names.split('|').any(|n| n == word)))
        .and_then(|i| u8::try_from(i + 1).ok())
        .and_then(|n| Prefecture::from_number(n).ok())
}

/// The prefectures' names in Latin letters as the bureaus' file names write them, in JIS order.
const ROMANISED: [&str; 47] = [
    "hokkaido|hokkaidou",
    "aomori",
    "iwate",
    "miyagi",
    "akita",
    "yamagata",
    "fukushima",
    "ibaraki",
    "tochigi",
    "gunma|gunnma",
    "saitama",
    "chiba",
    "tokyo|toukyou",
    "kanagawa",
    "niigata",
    "toyama",
    "ishikawa",
    "fukui",
    "yamanashi",
    "nagano",
    "gifu",
    "shizuoka|sizuoka",
    "aichi",
    "mie",
    "shiga|siga",
    "kyoto|kyouto",
    "osaka|oosaka",
    "hyogo|hyougo",
    "nara",
    "wakayama",
    "tottori",
    "shimane|simane",
    "okayama",
    "hiroshima|hirosima",
    "yamaguchi",
    "tokushima|tokusima",
    "kagawa",
    "ehime",
    "kochi|kouchi",
    "fukuoka",
    "saga",
    "nagasaki",
    "kumamoto",
    "oita|ooita",
    "miyazaki",
    "kagoshima|kagosima",
    "okinawa",
];

/// The kind named in a file name: Japanese (「（医科）」) or romanised (「_shika」, 「_yakkyoku」).
fn kind_named(text: &str) -> Option<ListKind> {
    ListKind::named_in(text).or_else(|| {
        let lower = text.to_ascii_lowercase();
        lower.split(|c: char| !c.is_ascii_alphabetic()).find_map(|word| match word {
            "shika" | "sika" | "shikaheisetu" | "shikaheisetsu" => Some(ListKind::Dental),
            "yakkyoku" | "yakkyoku_" | "yakyoku" | "chouzai" | "tyouzai" => Some(ListKind::Pharmacy),
            "ika" | "ikaheisetu" | "ikaheisetsu" => Some(ListKind::Medical),
            _ => None,
        })
    })
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
    let (header, header_rows, cols) = match grid.rows.iter().position(|r| is_header(r)) {
        Some(header) => {
            // A header may stack its words over a few rows (指定年月日 / 登録理由 / 指定期間始).
            let mut header_rows: Vec<&[String]> = vec![&grid.rows[header]];
            for next in grid.rows.iter().skip(header + 1).take(3) {
                if headings(next).is_empty() || code_in_row(next, &Columns::from_header(&header_rows)).is_some() {
                    break;
                }
                header_rows.push(next);
            }
            let cols = Columns::from_header(&header_rows);
            (header, header_rows, cols)
        }
        None => {
            // No header row: the columns every bureau uses, if a block of them is there.
            let cols = Columns::standard();
            let Some(first) = grid.rows.iter().position(|r| code_in_row(r, &cols).is_some()) else {
                return Err("「医療機関番号」「名称」「所在地」などの見出しの行も、「01,1248,9」のような医療機関番号の行もありません。地方厚生局の「コード内容別医療機関一覧表」をそのまま指定してください".to_owned());
            };
            (first, Vec::new(), cols)
        }
    };
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
            Ok(entry) => read.entries.push(Listed {
                entry,
                file: file.to_owned(),
                sheet: grid.name.clone(),
                row: grid.row_number(*start),
            }),
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
        let tokens: Vec<(usize, String)> = self
            .cells()
            .flat_map(|(_, c, t)| {
                words(t).map(|w| (c, w.trim_matches(['(', ')', '（', '）', '[', ']']).to_owned())).collect::<Vec<_>>()
            })
            .collect();
        // 「病院」, or in the kind column 「総合病院」 (東北) or 「歯科病院」; a name ending in 病院
        // elsewhere in the block says nothing.
        let hospital = tokens.iter().any(|(c, w)| w == "病院" || (Some(*c) == self.cols.kind && w.ends_with("病院")));
        let status =
            if tokens.iter().any(|(_, w)| w == "休止") { ListedStatus::Suspended } else { ListedStatus::Active };
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

    /// 名称 as the list writes it (full-width spaces kept): the name column's first text in the
    /// block, else the first text right of the code.
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
        from_column.or_else(from_row).map(|t| t.lines().map(str::trim).collect::<String>()).filter(|t| !t.is_empty())
    }

    /// 郵便番号 and 所在地: the cell with 「〒」 (the address column first) and the address after
    /// it, continued on the next rows of that column until a telephone number or a count.
    fn address(&self) -> (String, String) {
        let in_address_col =
            self.cols.address.and_then(|c| self.column(c).find(|(_, t)| t.contains('〒')).map(|(r, t)| (r, c, t)));
        let Some((row, col, cell)) = in_address_col.or_else(|| self.cells().find(|(_, _, t)| t.contains('〒'))) else {
            // No 〒: the address column's first line, if there is one.
            let address = self.cols.address.and_then(|c| self.column(c).map(|(_, t)| t).find(|t| phone(t).is_none()));
            return (String::new(), address.map(|a| a.lines().map(tidy).collect()).unwrap_or_default());
        };
        // 「〒005－0813札幌市南区…」: seven digits with their hyphen, then the address as written.
        let after_mark: String = cell.chars().skip_while(|c| *c != '〒').skip(1).collect();
        let mut digits = 0;
        let postal_chars: String = after_mark
            .chars()
            .take_while(|c| {
                let d = crate::text::narrow(&c.to_string()).starts_with(|n: char| n.is_ascii_digit());
                let fits = digits < 7 && (d || matches!(c, '-' | '－' | 'ー' | '‐' | '−' | '―' | ' ' | '　'));
                if d && fits {
                    digits += 1;
                }
                fits
            })
            .collect();
        let postal = normal_postal_code(&postal_chars).unwrap_or_default();
        // The address's lines: the rest of this cell, then the column's next rows, up to a
        // telephone number, a count of staff or an empty cell.
        let rest: Vec<String> = after_mark
            .chars()
            .skip(postal_chars.chars().count())
            .collect::<String>()
            .lines()
            .map(str::to_owned)
            .collect();
        let below = (row + 1..self.end).flat_map(|r| {
            let cell = self.grid.cell(r, col);
            if cell.is_empty() { vec![String::new()] } else { cell.lines().map(str::to_owned).collect() }
        });
        let mut address = String::new();
        for line in rest.into_iter().chain(below) {
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

    /// 電話番号: the phone column's (on the block's first row a number without its area code
    /// counts too), else the first number below the address, else anywhere.
    fn phone(&self) -> Option<String> {
        let first_row = self.cols.phone.and_then(|c| crate::text::phone_with_digits(self.grid.cell(self.start, c), 6));
        let cols = [self.cols.phone, self.cols.address].into_iter().flatten();
        first_row.or_else(|| {
            cols.into_iter()
                .find_map(|c| self.column(c).find_map(|(_, t)| t.lines().find_map(phone)))
                .or_else(|| self.cells().find_map(|(_, _, t)| t.lines().find_map(phone)))
        })
    }
}

/// A line of an address as the list writes it (full-width digits kept), without the spaces
/// around it.
fn tidy(text: &str) -> String {
    text.trim().to_owned()
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
        let e = &list.entries[0].entry;
        assert_eq!(e.code.as_str(), "1310270751");
        assert_eq!(e.name, "聖路加国際病院");
        assert_eq!(e.postal_code, "104-8560");
        assert_eq!(e.address, "東京都中央区明石町９－１");
        assert_eq!(e.phone, "03-3541-5151");
        assert_eq!(e.facility_type, rules::FacilityType::Hospital);
        assert_eq!(e.status, ListedStatus::Active);
        assert_eq!(e.as_of, NaiveDate::from_ymd_opt(2025, 8, 1));
        let clinic = &list.entries[1].entry;
        assert_eq!(clinic.code.as_str(), "1310200014");
        assert_eq!((clinic.postal_code.as_str(), clinic.address.as_str()), ("104-0044", "東京都中央区明石町１－１"));
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
