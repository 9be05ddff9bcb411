//! A vendor's quote (御見積書) as read from its file: lines, written totals, header facts.
//!
//! The reader (server side) produces these; the classifier and the audit
//! consume them. Nothing here knows about file formats.

use crate::Yen;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The unit of a quantity as written on quotes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// 台 (devices).
    Device,
    /// 式 (a set).
    Set,
    /// 一式 (a lump sum).
    LumpSum,
    /// 時間 (hours).
    Hour,
    /// 人日 (person-days).
    PersonDay,
    /// 月 / ヶ月 (months: running costs).
    Month,
    /// 回 (times, visits).
    Time,
    /// Anything else, as written (個, 本, 枚, ライセンス…).
    Other(String),
}

impl Unit {
    /// Reads a unit as written: 台, 式, 一式, 時間 (h, hr), 人日, 月 (ヶ月, か月, カ月), 回; anything
    /// else non-empty is kept as [`Unit::Other`].
    pub fn parse(s: &str) -> Option<Unit> {
        let t = s.trim();
        Some(match t {
            "" => return None,
            "台" => Unit::Device,
            "式" => Unit::Set,
            "一式" | "1式" => Unit::LumpSum,
            "時間" | "h" | "H" | "hr" | "Hr" | "ｈ" => Unit::Hour,
            "人日" | "人/日" => Unit::PersonDay,
            "月" | "ヶ月" | "か月" | "カ月" | "ケ月" | "ヵ月" | "箇月" | "月額" => Unit::Month,
            "回" => Unit::Time,
            other => Unit::Other(other.to_owned()),
        })
    }

    /// The unit as Japanese quotes write it.
    pub fn label_ja(&self) -> &str {
        match self {
            Unit::Device => "台",
            Unit::Set => "式",
            Unit::LumpSum => "一式",
            Unit::Hour => "時間",
            Unit::PersonDay => "人日",
            Unit::Month => "月",
            Unit::Time => "回",
            Unit::Other(s) => s,
        }
    }

    /// Hours one unit of labour stands for (時間 = 1, 人日 = 8), if it is a labour unit.
    pub fn hours(&self) -> Option<Decimal> {
        match self {
            Unit::Hour => Some(Decimal::ONE),
            // One person-day is taken as 8 hours (労働基準法 第32条: 1日8時間).
            Unit::PersonDay => Some(Decimal::from(8)),
            _ => None,
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_ja())
    }
}

/// What a row of the item table is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// A priced item (goods, work, fees).
    Item,
    /// 値引 / 出精値引: a reduction, its amount negative.
    Discount,
}

/// One line of a quote's item table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteLine {
    /// 1-based row number in the sheet (or CSV line number).
    pub row: u32,
    /// 品名・項目・内容.
    pub description: String,
    /// 仕様 / 型番, if a separate column holds it.
    pub spec: Option<String>,
    /// 数量.
    pub quantity: Option<Decimal>,
    /// 単位.
    pub unit: Option<Unit>,
    /// The unit price actually charged (提供単価 wins over 標準単価).
    pub unit_price: Option<Yen>,
    /// A list price (標準単価) when the quote shows one beside the charged price.
    pub list_price: Option<Yen>,
    /// 金額.
    pub amount: Option<Yen>,
    /// 備考.
    pub note: Option<String>,
    /// Item or discount.
    pub kind: LineKind,
    /// What the quote wrote where a price would be, when it wrote no figure: 別途, サービス, 無償, 込み.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_text: Option<String>,
    /// The sheet the line was read from, when the quote's lines come from more than one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
}

impl QuoteLine {
    /// The amount the line contributes: 金額, else quantity × unit price
    /// (None when that product does not fit a decimal).
    pub fn effective_amount(&self) -> Option<Yen> {
        self.amount.or_else(|| {
            let q = self.quantity.unwrap_or(Decimal::ONE);
            self.unit_price.and_then(|p| p.amount().checked_mul(q)).map(Yen::new)
        })
    }

    /// [`Self::effective_amount`] with a discount always negative, whichever sign the quote wrote.
    pub fn signed_amount(&self) -> Option<Yen> {
        self.effective_amount().map(|a| if self.kind == LineKind::Discount && !a.is_negative() { -a } else { a })
    }

    /// All text of the line, for classification: description, spec and note.
    pub fn text(&self) -> String {
        [Some(self.description.as_str()), self.spec.as_deref(), self.note.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A written total with the row it was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrittenAmount {
    /// The amount.
    pub amount: Yen,
    /// 1-based row; 0 when not known (a stored quote keeps the amounts, not their rows).
    pub row: u32,
}

/// The totals a quote writes (小計, 消費税, 合計).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrittenTotals {
    /// 小計 (before tax). The last one when there are several.
    pub subtotal: Option<WrittenAmount>,
    /// 消費税 (added), or 内消費税 (included) — see `tax_included_in_total`.
    pub tax: Option<WrittenAmount>,
    /// True when the tax line is 内消費税 (already part of the total).
    pub tax_included_in_total: bool,
    /// 合計 / 総合計 / 御見積金額.
    pub total: Option<WrittenAmount>,
}

/// Where the quote was read from, for messages and evidence.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteSource {
    /// File name as uploaded.
    pub file_name: String,
    /// Sheet holding the item table (empty for CSV).
    pub sheet: String,
    /// 1-based row of the table header.
    pub header_row: u32,
}

/// A quote as read from its file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    /// Item and discount lines, in the order of the quote.
    pub lines: Vec<QuoteLine>,
    /// Written totals.
    pub written: WrittenTotals,
    /// Prices include consumption tax (a 税込 note, or totals without a tax line).
    pub tax_inclusive: bool,
    /// Why the reader thinks so (e.g. 「税込」 in a cell), for the evidence.
    pub tax_inclusive_evidence: Option<String>,
    /// 見積日.
    pub quote_date: Option<NaiveDate>,
    /// 宛先 (e.g. 「○○クリニック 御中」).
    pub addressee: Option<String>,
    /// The vendor issuing the quote.
    pub vendor: Option<String>,
    /// Notes found under the table (備考欄, 注記).
    pub notes: Vec<String>,
    /// Where it came from.
    pub source: QuoteSource,
    /// What the reader left out of the file and why (hidden sheets, rows and columns), in Japanese
    /// for the preview.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub left_out: Vec<String>,
    /// How each item table was understood, for the preview.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reading: Vec<TableReading>,
    /// Amounts written outside the item tables that sum them (a cover sheet's 御見積金額 or
    /// 初期費用, the 御見積金額 above the table), checked against the lines by the audit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub summary: Vec<SummaryAmount>,
    /// For a scan or a photo read by OCR and not yet checked by a person: what to check. The
    /// audit holds back what a misread figure could cause (see `audit::reading_checks`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan: Option<ScanReading>,
}

/// How a scan or a photo of a quote was read, for the person who checks it before anything is
/// stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanReading {
    /// The OCR engine (「Tesseract 5.3.0（日本語）」).
    pub engine: String,
    /// The cells to check, in the order of the quote.
    pub checks: Vec<CellCheck>,
}

impl ScanReading {
    /// Whether a cell of `row` is to be checked (any cell when `cells` is empty).
    pub fn doubts(&self, row: u32, cells: &[CheckedCell]) -> bool {
        self.checks.iter().any(|c| c.row == row && (cells.is_empty() || cells.contains(&c.cell)))
    }
}

/// A cell of a scanned quote a person should check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellCheck {
    /// 1-based row, as [`QuoteLine::row`] and [`WrittenAmount::row`].
    pub row: u32,
    /// Which cell of the row.
    pub cell: CheckedCell,
    /// What was read there.
    pub read: String,
    /// Why to check it, in Japanese: 「文字認識の確からしさが低い（62%）」.
    pub why: String,
}

/// The cells of a line or of the foot a scan's check can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckedCell {
    /// 品名.
    Description,
    /// 数量.
    Quantity,
    /// 単位.
    Unit,
    /// 単価.
    UnitPrice,
    /// 標準単価.
    ListPrice,
    /// 金額.
    Amount,
    /// 備考.
    Note,
    /// 小計.
    Subtotal,
    /// 消費税.
    Tax,
    /// 合計.
    Total,
    /// A row with a figure that was read as neither a line nor a total.
    Row,
}

impl CheckedCell {
    /// The cell's name as the preview shows it.
    pub fn label_ja(self) -> &'static str {
        match self {
            CheckedCell::Description => "品名",
            CheckedCell::Quantity => "数量",
            CheckedCell::Unit => "単位",
            CheckedCell::UnitPrice => "単価",
            CheckedCell::ListPrice => "標準単価",
            CheckedCell::Amount => "金額",
            CheckedCell::Note => "備考",
            CheckedCell::Subtotal => "小計",
            CheckedCell::Tax => "消費税",
            CheckedCell::Total => "合計",
            CheckedCell::Row => "行",
        }
    }
}

/// An amount a quote writes outside its item tables as the sum of some of them: 「御見積金額
/// ￥346,500-」 above the table, 「初期費用（税込）」 and 「月額費用（税込）」 on a cover sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryAmount {
    /// The label as written (「御見積金額（税込）」).
    pub label: String,
    /// The amount.
    pub amount: Yen,
    /// Where it is written, as a person finds it: 「シート「表紙」のB9セル」.
    pub place: String,
}

/// What a summary amount sums, told by its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SummaryKind {
    /// The whole quote: 御見積金額, 合計金額, 総額, Total.
    Whole,
    /// The installation without running costs: 初期費用, 導入費用, イニシャルコスト.
    Initial,
    /// Running costs: 月額費用, ランニングコスト.
    Running,
}

impl SummaryKind {
    /// Words of a label that make it something else than a sum of the quote: the subsidy
    /// or the facility's share, a unit price, dates and terms, a tax or a discount alone,
    /// a sum over years (「5年間総額」), which the quote's lines do not add up to.
    const NOT_A_SUMMARY: [&'static str; 15] = [
        "補助", "助成", "負担", "単価", "期限", "有効", "支払", "振込", "納期", "日", "年", "回", "率", "内訳", "税額",
    ];

    /// The kind of a label, or `None` when the label is not one of a quote's sums.
    /// Labels are short: a sentence that mentions 合計 is not one.
    pub fn of(label: &str) -> Option<SummaryKind> {
        // 「初期費用（税込）」 → 「初期費用」: the remark in brackets says nothing of what is summed.
        let bare = crate::label::compact_unbracketed(label);
        if bare.chars().count() > 14 || Self::NOT_A_SUMMARY.iter().any(|w| bare.contains(w)) {
            return None;
        }
        let lower = bare.to_ascii_lowercase();
        let tax_alone = bare.contains("消費税") && !bare.contains('込');
        let discount_alone = bare.contains("値引") && !bare.contains("後") && !bare.contains("前");
        if tax_alone || discount_alone {
            return None;
        }
        // 「初期費用」「導入費用合計」, not the subject 「オンライン資格確認導入」.
        let of_money = ["費", "額", "計", "金", "コスト"].iter().any(|w| bare.contains(w)) || lower.contains("cost");
        if (["月額", "ランニング", "月々", "毎月"].iter().any(|w| bare.contains(w)) || lower.contains("monthly"))
            && of_money
        {
            return Some(SummaryKind::Running);
        }
        if (["初期", "導入", "イニシャル", "初回"].iter().any(|w| bare.contains(w)) || lower.contains("initial"))
            && of_money
        {
            return Some(SummaryKind::Initial);
        }
        let whole = ["見積金額", "見積合計", "見積総額", "合計金額", "総合計", "総額", "合計", "請求金額"];
        if whole.iter().any(|w| bare.contains(w)) || lower.contains("total") {
            return Some(SummaryKind::Whole);
        }
        None
    }
}

/// How the reader understood one item table: its header, what it took each column for, and every
/// row that is not a line and why. The manager checks it in the preview before anything is stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableReading {
    /// Sheet (empty for CSV).
    pub sheet: String,
    /// First and last row of the header (1-based).
    pub header_rows: (u32, u32),
    /// The columns the header names, left to right.
    pub columns: Vec<ColumnReading>,
    /// Rows under the header that are not lines of the quote, in order.
    pub rows: Vec<RowReading>,
}

/// A column of an item table as read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnReading {
    /// Column letter: 「B」.
    pub column: String,
    /// The heading as written (the words of every header row over it).
    pub heading: String,
    /// What it was taken for, in Japanese: 「品名」, 「単価（請求額）」.
    pub taken_as: String,
}

/// A row of an item table that is not a line, and why.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowReading {
    /// Row (1-based).
    pub row: u32,
    /// Its text, shortened.
    pub text: String,
    /// What it was taken for, in Japanese: 「区分の小計」, 「消費税」, 「以下余白（明細の終わり）」.
    pub taken_as: String,
}

/// An item line with a description, unit and note, for the tests of the classifier and the audit.
#[cfg(test)]
pub(crate) fn test_line(description: &str, unit: Option<Unit>, note: Option<&str>) -> QuoteLine {
    QuoteLine {
        row: 1,
        description: description.into(),
        spec: None,
        quantity: None,
        unit,
        unit_price: None,
        list_price: None,
        amount: Some(Yen::from_i64(1000)),
        note: note.map(str::to_owned),
        kind: LineKind::Item,
        amount_text: None,
        sheet: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_of_sums_are_told_from_other_labels() {
        for (label, kind) in [
            ("御見積金額", Some(SummaryKind::Whole)),
            ("御 見 積 金 額（税込）", Some(SummaryKind::Whole)),
            ("合計", Some(SummaryKind::Whole)),
            ("Total", Some(SummaryKind::Whole)),
            ("値引後合計", Some(SummaryKind::Whole)),
            ("初期費用（税込）", Some(SummaryKind::Initial)),
            ("導入費用合計", Some(SummaryKind::Initial)),
            ("月額費用（税込）", Some(SummaryKind::Running)),
            ("補助金額", None),
            ("自己負担額", None),
            ("消費税", None),
            ("出精値引", None),
            ("5年間総額", None),
            ("見積有効期限", None),
            ("見積日", None),
            ("上記の合計には電子カルテ改修の費用を含みません", None),
            ("金額", None),
        ] {
            assert_eq!(SummaryKind::of(label), kind, "{label}");
        }
    }

    #[test]
    fn units_are_read_as_written_on_quotes() {
        for (s, u) in [
            ("台", Unit::Device),
            ("一式", Unit::LumpSum),
            ("式", Unit::Set),
            ("時間", Unit::Hour),
            ("人日", Unit::PersonDay),
            ("ヶ月", Unit::Month),
            ("回", Unit::Time),
        ] {
            assert_eq!(Unit::parse(s), Some(u), "{s}");
        }
        assert_eq!(Unit::parse("本"), Some(Unit::Other("本".into())));
        assert_eq!(Unit::parse("  "), None);
    }

    #[test]
    fn a_person_day_is_eight_hours() {
        assert_eq!(Unit::PersonDay.hours(), Some(Decimal::from(8)));
        assert_eq!(Unit::Device.hours(), None);
    }

    #[test]
    fn the_effective_amount_falls_back_to_quantity_times_price() {
        let line = QuoteLine {
            row: 5,
            description: "LAN工事".into(),
            spec: None,
            quantity: Some(Decimal::from(3)),
            unit: Some(Unit::Hour),
            unit_price: Some(Yen::from_i64(8_000)),
            list_price: None,
            amount: None,
            note: None,
            kind: LineKind::Item,
            amount_text: None,
            sheet: None,
        };
        assert_eq!(line.effective_amount(), Some(Yen::from_i64(24_000)));
    }
}
