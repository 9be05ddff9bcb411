//! The words and figures of a 交付申請 package as people read them: the same values fill
//! the page, the PDF (through `templates/subsidy_application.layout.json`) and the CSV.

use rules::application::{Package, ReceiptBreakdown, Refusal, payment_first_note};
use rules::{Yen, format_wareki};
use std::collections::BTreeMap;

/// Placeholder → text.
pub type Fields = BTreeMap<String, String>;
/// Table name → rows of column field → text.
pub type Tables = BTreeMap<String, Vec<Fields>>;

/// A date as the documents print it: 和暦 with the western date written out, so that nobody
/// has to convert and nothing reads as a code: 令和5年3月31日（2023年3月31日）.
pub fn document_date(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}（{}年{}月{}日）", format_wareki(d), d.year(), d.month(), d.day())
}

fn date_or_dash(d: Option<chrono::NaiveDate>) -> String {
    d.map_or_else(|| "—".to_owned(), document_date)
}

fn or_dash(text: &str) -> String {
    if text.trim().is_empty() { "—".to_owned() } else { text.to_owned() }
}

/// What a weak source rests on, said in place of the old 「出典の確認が不十分です」.
const WEAK_SOURCE: &str =
    "の条件は、公表資料で確認できた範囲に基づいて計算しています（細部は資料で確認できていません）";

/// A 備考 line as people read it: its 出典 named by the public document
/// ([`crate::public_source::public_source`]), never a file of the repository; the payment rule in
/// its current words; a weak source said as what it rests on.
pub fn public_note(note: &str) -> String {
    if note.starts_with("補助金は工事完了・支払の後に申請します") {
        return payment_first_note();
    }
    let note = note.replace("は出典の確認が不十分です", WEAK_SOURCE);
    let Some(at) = note.find("（出典: ") else { return note };
    let (text, rest) = note.split_at(at);
    let source = rest.trim_start_matches("（出典: ");
    let source = source.strip_suffix('）').unwrap_or(source);
    match crate::public_source::public_source(source) {
        Some(public) => format!("{text}（出典: {public}）"),
        None => text.to_owned(),
    }
}

/// The scheme's 出典 as people read it; when its note names no public document, what it rests on.
pub fn public_scheme_source(source: &str) -> String {
    crate::public_source::public_source(source)
        .unwrap_or_else(|| "公表資料で確認できていません（補助制度の案内に基づく）".to_owned())
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
    let receipt = ReceiptBreakdown::of(&p.lines, p.tax_inclusive);
    let representative = format!("{} {}", a.representative_title, a.representative_name);
    let pairs: [(&str, String); 42] = [
        ("applied_on", document_date(p.applied_on)),
        ("facility_name", a.name.clone()),
        ("facility_code", a.facility_code.clone()),
        ("facility_type", a.facility_type.label_ja().to_owned()),
        ("prefecture", a.prefecture.clone()),
        ("address", or_dash(&a.address)),
        ("founder", a.founder.clone()),
        ("representative", or_dash(representative.trim())),
        ("phone", or_dash(&a.phone)),
        ("contact_person", or_dash(&a.contact_person)),
        ("scheme_name", p.scheme_name.clone()),
        ("scheme_source", public_scheme_source(&p.scheme_source)),
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
        ("receipt_total", receipt.total.to_string()),
        ("receipt_eligible", receipt.eligible.to_string()),
        ("receipt_not_eligible", receipt.not_eligible.to_string()),
        (
            "tax_basis",
            if p.tax_inclusive {
                "税込（領収書のとおり）"
            } else {
                "税込（消費税を各行に按分）"
            }
            .to_owned(),
        ),
        ("reader_applied_on", date_or_dash(p.reader_applied_on)),
        ("vendor_contract_on", date_or_dash(p.vendor_contract_on)),
        ("completed_on", document_date(p.completed_on)),
        ("operation_started_on", document_date(p.operation_started_on)),
        ("paid_on", document_date(p.paid_on)),
        ("grace", p.grace.map_or_else(|| "なし".to_owned(), |g| format!("{g}（受理済み）"))),
        ("complete_by", date_or_dash(p.complete_by)),
        ("complete_met", met(p.completed_on, p.complete_by)),
        ("apply_by", date_or_dash(p.apply_by)),
        ("apply_met", met(p.applied_on, p.apply_by)),
        ("vendor", p.payee.clone().unwrap_or_else(|| "—".to_owned())),
        ("installed", installed(p)),
        ("receipt_lines", receipt.lines.len().to_string()),
    ];
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// What was installed, for the 事業完了報告書: the eligible lines' 品名 (the first few, then
/// how many more).
fn installed(p: &Package) -> String {
    const SHOWN: usize = 6;
    let items: Vec<&str> =
        p.lines.iter().filter(|l| l.eligible && !l.amount.is_negative()).map(|l| l.description.as_str()).collect();
    let mut text = items.iter().take(SHOWN).copied().collect::<Vec<_>>().join("、");
    if items.len() > SHOWN {
        text.push_str(&format!(" ほか{}件", items.len() - SHOWN));
    }
    if text.is_empty() { "—".to_owned() } else { text }
}

/// The 備考 as printed: every note in public words with its 出典 as a number (「［出典1］」),
/// then how the receipt's tax was apportioned; and the sources, each once (「出典1: …」). The
/// list of categories left out is not repeated: the 内訳書 marks each line with its reason.
pub fn remarks(p: &Package) -> (Vec<String>, Vec<String>) {
    let mut sources: Vec<String> = Vec::new();
    let mut notes: Vec<String> = p
        .notes
        .iter()
        .filter(|n| !n.starts_with(LEFT_OUT_NOTE))
        .map(|n| {
            let note = public_note(n);
            let Some(at) = note.find("（出典: ") else { return note };
            let source = note[at..].trim_start_matches("（出典: ");
            let source = source.strip_suffix('）').unwrap_or(source).to_owned();
            let number = match sources.iter().position(|s| *s == source) {
                Some(i) => i + 1,
                None => {
                    sources.push(source);
                    sources.len()
                }
            };
            format!("{}［出典{number}］", &note[..at])
        })
        .collect();
    notes.extend(ReceiptBreakdown::of(&p.lines, p.tax_inclusive).tax_note);
    let sources = sources.iter().enumerate().map(|(i, s)| format!("出典{}: {s}", i + 1)).collect();
    (notes, sources)
}

/// The 備考 and their sources in one list, as the page shows them.
pub fn notes(p: &Package) -> Vec<String> {
    let (mut notes, sources) = remarks(p);
    notes.extend(sources);
    notes
}

/// How the rules begin the note listing the categories left out of the eligible cost.
const LEFT_OUT_NOTE: &str = "補助対象外として除いた費目";

fn row<const N: usize>(pairs: [(&str, String); N]) -> Fields {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// The row lists: `breakdown` (by category), `lines` (the 領収書内訳書), `notes` (備考) and
/// `sources` (the public documents the 備考 cite).
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
    let lines = ReceiptBreakdown::of(&p.lines, p.tax_inclusive)
        .lines
        .into_iter()
        .map(|l| {
            row([
                ("no", l.no.to_string()),
                ("category", l.category.label_ja().to_owned()),
                ("description", l.description),
                (
                    "eligible",
                    if l.eligible {
                        "補助対象".to_owned()
                    } else {
                        format!("対象外：{}", l.reason.unwrap_or_default())
                    },
                ),
                ("amount", l.amount.to_string()),
            ])
        })
        .collect();
    let (notes, sources) = remarks(p);
    let notes = notes.into_iter().map(|n| row([("text", n)])).collect();
    let sources = sources.into_iter().map(|n| row([("text", n)])).collect();
    [("breakdown", breakdown), ("lines", lines), ("notes", notes), ("sources", sources)]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
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
/// The amount as the receipt states it (税抜 or 税込) comes first, then the amount tax
/// included as the 領収書内訳書 prints it, and why a line is not covered.
pub const LINES_HEADER: [&str; 8] =
    ["No.", "費目コード", "費目", "品名・内容", "金額", "補助対象", "金額（税込）", "対象外の理由"];

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
        ("代表者の役職", a.representative_title.clone()),
        ("代表者の氏名", a.representative_name.clone()),
        ("電話番号", a.phone.clone()),
        ("ご担当者", a.contact_person.clone()),
        ("制度コード", p.scheme_id.clone()),
        ("適用する補助制度", p.scheme_name.clone()),
        ("制度の出典", public_scheme_source(&p.scheme_source)),
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
    let receipt = ReceiptBreakdown::of(&p.lines, p.tax_inclusive);
    for (l, r) in p.lines.iter().zip(&receipt.lines) {
        let no = r.no.to_string();
        let (amount, with_tax) = (plain(l.amount), plain(r.amount));
        let eligible = if l.eligible { "1" } else { "0" };
        crate::csv::push_record(
            &mut out,
            [
                no.as_str(),
                l.category.code(),
                l.category.label_ja(),
                &l.description,
                &amount,
                eligible,
                &with_tax,
                r.reason.as_deref().unwrap_or(""),
            ],
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
    /// The scanned 領収書(写) attached to its application: (file name in the bundle, bytes as uploaded).
    pub scans: Vec<(String, Vec<u8>)>,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_date_is_written_out_in_both_calendars() {
        let day = chrono::NaiveDate::from_ymd_opt(2023, 3, 31).expect("a day");
        assert_eq!(document_date(day), "令和5年3月31日（2023年3月31日）");
    }

    #[test]
    fn notes_name_public_documents_never_a_file_or_a_doubt_without_its_ground() {
        let stored = [
            "補助金は工事完了・支払の後に申請します（出典: domain.md（The real subsidy application: 精算払い; ポータルサイトFAQ））",
            "補助率: 3/4（出典: seeds/003_bb373fb805f0f64e.txt（補助内容の表））",
            "「令和4年度の補助の見直し」は出典の確認が不十分です: 薬局の条件は未確認",
        ];
        let shown: Vec<String> = stored.iter().map(|n| public_note(n)).collect();
        for n in &shown {
            for leak in ["domain.md", "seeds/", ".txt", "出典の確認が不十分", "The real"] {
                assert!(!n.contains(leak), "{n}");
            }
        }
        assert!(shown[0].contains("医療機関等向け総合ポータルサイト FAQ"), "{}", shown[0]);
        assert!(shown[1].contains("厚生労働省保険局「オンライン資格確認導入の手引き」"), "{}", shown[1]);
        assert!(shown[2].contains("公表資料で確認できた範囲に基づいて計算"), "{}", shown[2]);
    }

    #[test]
    fn applicant_details_are_checked_all_at_once_and_a_phone_is_ten_or_eleven_digits() {
        use crate::api::applications::ApplicantDetails;
        let ok = ["医療法人社団 オンシ会", "理事長", "山田 太郎", "福岡県福岡市", "０９２－１２３－４５６７", "佐藤"];
        assert_eq!(ApplicantDetails::parse(ok).map(|d| d.phone), Ok("０９２－１２３－４５６７".to_owned()));
        let bad = ["", "理事長", "山田 太郎", "福岡県福岡市", "092-123", "佐藤\n花子"];
        let fields: Vec<String> =
            ApplicantDetails::parse(bad).expect_err("refused").into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["founder", "phone", "contact_person"]);
        let emoji = ["医療法人社団 オンシ会", "理事長", "山田 太郎😀", "福岡県福岡市", "092-123-4567", "佐藤"];
        let refused = ApplicantDetails::parse(emoji).expect_err("an emoji cannot print");
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0].0, "representative_name");
        assert!(refused[0].1.contains("『😀』（6文字目）"), "{}", refused[0].1);
    }
}
