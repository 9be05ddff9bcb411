//! The words and figures of a 交付申請 package as people read them: the same values fill
//! the page, the PDF (through `templates/subsidy_application.layout.json`) and the CSV.

use rules::application::{Package, Refusal};
use rules::{Yen, format_wareki_with_western};
use std::collections::BTreeMap;

/// Placeholder → text.
pub type Fields = BTreeMap<String, String>;
/// Table name → rows of column field → text.
pub type Tables = BTreeMap<String, Vec<Fields>>;

fn date_or_dash(d: Option<chrono::NaiveDate>) -> String {
    d.map_or_else(|| "—".to_owned(), format_wareki_with_western)
}

fn met(done: chrono::NaiveDate, due: Option<chrono::NaiveDate>) -> String {
    match due {
        Some(due) if done <= due => "期限内".to_owned(),
        Some(_) => "期限超過".to_owned(),
        None => "期限なし".to_owned(),
    }
}

/// Every scalar placeholder of the application documents.
pub fn fields(p: &Package) -> Fields {
    let a = &p.applicant;
    let parts = p.burden_parts();
    let pairs: [(&str, String); 33] = [
        ("applied_on", format_wareki_with_western(p.applied_on)),
        ("facility_name", a.name.clone()),
        ("facility_code", a.facility_code.clone()),
        ("facility_type", a.facility_type.label_ja().to_owned()),
        ("prefecture", a.prefecture.clone()),
        ("address", if a.address.is_empty() { "—".to_owned() } else { a.address.clone() }),
        ("founder", a.founder.clone()),
        ("scheme_name", p.scheme_name.clone()),
        ("scheme_source", p.scheme_source.clone()),
        ("route", p.route.clone()),
        ("rate", p.rate.label_ja()),
        ("cap", p.cap.to_string()),
        ("readers", format!("{}台", p.readers)),
        ("total_cost", p.total_cost.to_string()),
        ("eligible_cost", p.eligible_cost.to_string()),
        ("subsidy", p.subsidy.to_string()),
        ("self_burden", p.self_burden.to_string()),
        ("not_covered", parts.not_covered.to_string()),
        ("above_cap", parts.above_cap.to_string()),
        ("rate_share", parts.rate_share.to_string()),
        ("subtotal", p.subtotal.to_string()),
        ("tax", if p.tax_inclusive { format!("{}（内税）", p.tax) } else { p.tax.to_string() }),
        ("reader_applied_on", date_or_dash(p.reader_applied_on)),
        ("vendor_contract_on", date_or_dash(p.vendor_contract_on)),
        ("completed_on", format_wareki_with_western(p.completed_on)),
        ("operation_started_on", format_wareki_with_western(p.operation_started_on)),
        ("paid_on", format_wareki_with_western(p.paid_on)),
        ("grace", p.grace.map_or_else(|| "なし".to_owned(), |g| format!("{g}（受理済み）"))),
        ("complete_by", date_or_dash(p.complete_by)),
        ("complete_met", met(p.completed_on, p.complete_by)),
        ("apply_by", date_or_dash(p.apply_by)),
        ("apply_met", met(p.applied_on, p.apply_by)),
        ("vendor", p.payee.clone().unwrap_or_else(|| "—".to_owned())),
    ];
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

fn row<const N: usize>(pairs: [(&str, String); N]) -> Fields {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// The row lists: `breakdown` (by category), `lines` (the 領収書内訳書), `notes`.
pub fn tables(p: &Package) -> Tables {
    let breakdown = p
        .breakdown
        .iter()
        .map(|b| {
            row([
                ("category", b.category.label_ja().to_owned()),
                ("eligibility", b.eligibility.label_ja().to_owned()),
                ("amount", b.amount.to_string()),
            ])
        })
        .collect();
    let lines = p
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            row([
                ("no", (i + 1).to_string()),
                ("category", l.category.label_ja().to_owned()),
                ("description", l.description.clone()),
                ("eligible", if l.eligible { "対象" } else { "対象外" }.to_owned()),
                ("amount", l.amount.to_string()),
            ])
        })
        .collect();
    let notes = p.notes.iter().map(|n| row([("text", n.clone())])).collect();
    [("breakdown", breakdown), ("lines", lines), ("notes", notes)].into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// Whole yen without separators, for spreadsheets.
fn plain(y: Yen) -> String {
    y.format_plain().replace(',', "")
}

/// The parts of the 自己負担額 as the CSVs name them, (a), (b), (c) in order.
pub const BURDEN_PART_LABELS: [&str; 3] = [
    "自己負担額のうち補助対象外の費用",
    "自己負担額のうち上限を超える補助対象経費",
    "自己負担額のうち補助率により残る額",
];

/// The parts of a package's 自己負担 as plain integers, in the order of [`BURDEN_PART_LABELS`].
fn plain_parts(p: &Package) -> [String; 3] {
    let parts = p.burden_parts();
    [parts.not_covered, parts.above_cap, parts.rate_share].map(plain)
}

/// Column headers of the package CSV's summary part.
pub const SUMMARY_HEADER: [&str; 2] = ["項目", "値"];
/// Column headers of the package CSV's lines part.
pub const LINES_HEADER: [&str; 6] = ["No.", "費目コード", "費目", "品名・内容", "金額", "補助対象"];

/// The package as CSV (UTF-8 with BOM, CRLF): the summary as 項目,値 rows (amounts as plain
/// integers, dates ISO, codes stable), a blank line, then the 領収書内訳書 one line per row.
pub fn package_csv(p: &Package) -> String {
    let a = &p.applicant;
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let [not_covered, above_cap, rate_share] = plain_parts(p);
    let [not_covered_label, above_cap_label, rate_share_label] = BURDEN_PART_LABELS;
    let summary: Vec<(&str, String)> = vec![
        ("申請日", p.applied_on.to_string()),
        ("医療機関名", a.name.clone()),
        ("医療機関コード", a.facility_code.clone()),
        ("施設区分コード", a.facility_type.code().to_owned()),
        ("施設区分", a.facility_type.label_ja().to_owned()),
        ("都道府県", a.prefecture.clone()),
        ("所在地", a.address.clone()),
        ("開設者", a.founder.clone()),
        ("制度コード", p.scheme_id.clone()),
        ("適用する補助制度", p.scheme_name.clone()),
        ("制度の出典", p.scheme_source.clone()),
        ("補助率", p.rate.to_string()),
        ("基準とする事業額", plain(p.cap)),
        ("カードリーダー台数", p.readers.to_string()),
        ("税込", if p.tax_inclusive { "1" } else { "0" }.to_owned()),
        ("小計", plain(p.subtotal)),
        ("消費税", plain(p.tax)),
        ("総事業費", plain(p.total_cost)),
        ("補助対象経費", plain(p.eligible_cost)),
        ("補助金申請額", plain(p.subsidy)),
        ("自己負担額", plain(p.self_burden)),
        (not_covered_label, not_covered),
        (above_cap_label, above_cap),
        (rate_share_label, rate_share),
        ("支払先", p.payee.clone().unwrap_or_default()),
        ("カードリーダー申込日", date(p.reader_applied_on)),
        ("ベンダー契約日", date(p.vendor_contract_on)),
        ("導入完了日", p.completed_on.to_string()),
        ("運用開始日", p.operation_started_on.to_string()),
        ("支払日", p.paid_on.to_string()),
        ("猶予届出", p.grace.map(|g| g.number().to_string()).unwrap_or_default()),
        ("導入完了期限", date(p.complete_by)),
        ("交付申請期限", date(p.apply_by)),
    ];
    let mut out = String::from(crate::csv::BOM);
    crate::csv::push_record(&mut out, SUMMARY_HEADER);
    for (label, value) in summary {
        crate::csv::push_record(&mut out, [label, value.as_str()]);
    }
    out.push_str("\r\n");
    crate::csv::push_record(&mut out, LINES_HEADER);
    for (i, l) in p.lines.iter().enumerate() {
        let no = (i + 1).to_string();
        let amount = plain(l.amount);
        let eligible = if l.eligible { "1" } else { "0" };
        crate::csv::push_record(
            &mut out,
            [no.as_str(), l.category.code(), l.category.label_ja(), &l.description, &amount, eligible],
        );
    }
    out
}

/// Column headers of the 一括申請 summary CSV; the parts of the 自己負担額 come last, so that
/// the columns before keep their places.
pub const BULK_HEADER: [&str; 15] = [
    "医療機関コード",
    "医療機関名",
    "施設区分",
    "都道府県",
    "申請可否",
    "制度コード",
    "総事業費",
    "補助対象経費",
    "補助金申請額",
    "自己負担額",
    "申請できない理由コード",
    "申請できない理由と対応",
    BURDEN_PART_LABELS[0],
    BURDEN_PART_LABELS[1],
    BURDEN_PART_LABELS[2],
];

/// One facility of a 一括申請: its package, or why it cannot apply.
#[derive(Debug, Clone)]
pub struct BulkEntry {
    /// 医療機関コード.
    pub facility_code: String,
    /// 医療機関名.
    pub facility_name: String,
    /// 施設区分, in Japanese.
    pub facility_type: String,
    /// 都道府県, in Japanese.
    pub prefecture: String,
    /// The package, or the refusals.
    pub outcome: Result<Package, Vec<Refusal>>,
}

/// The 一括申請 summary: one row per facility, eligible or not, with the reasons.
pub fn bulk_csv(entries: &[BulkEntry]) -> String {
    let mut out = String::from(crate::csv::BOM);
    crate::csv::push_record(&mut out, BULK_HEADER);
    for e in entries {
        let head = [e.facility_code.clone(), e.facility_name.clone(), e.facility_type.clone(), e.prefecture.clone()];
        let (tail, parts): ([String; 8], [String; 3]) = match &e.outcome {
            Ok(p) => (
                [
                    "申請可".to_owned(),
                    p.scheme_id.clone(),
                    plain(p.total_cost),
                    plain(p.eligible_cost),
                    plain(p.subsidy),
                    plain(p.self_burden),
                    String::new(),
                    String::new(),
                ],
                plain_parts(p),
            ),
            Err(refusals) => (
                [
                    "申請不可".to_owned(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    refusals.iter().map(|r| r.code.code()).collect::<Vec<_>>().join(" "),
                    refusals.iter().map(|r| format!("{} → {}", r.reason, r.remedy)).collect::<Vec<_>>().join("／"),
                ],
                Default::default(),
            ),
        };
        crate::csv::push_record(&mut out, head.iter().chain(tail.iter()).chain(parts.iter()));
    }
    out
}
