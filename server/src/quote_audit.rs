//! The quote audit shared by `onshi audit` and `POST /api/audit`: read the
//! file, classify and audit the lines, compute the subsidy.

use app::api::settlement_view::{ALTERNATIVES_TITLE, SettlementView, TITLE};
use chrono::NaiveDate;
use quote_reader::{Limits, ReadError, Stop, read_quote_with_stop};
use rules::audit::{AuditContext, AuditReport, BenchmarkRowData, Benchmarks, Peers, audit};
use rules::classify::Classifier;
use rules::scheme::Catalog;
use rules::{FacilityType, format_wareki_with_western};
use serde::Serialize;

/// The benchmark tables shipped in `seed/`, for the command line (the server
/// reads the same tables from its database, where admins can change them).
const SEED_BENCHMARKS: &str = include_str!("../../seed/benchmarks.json");

/// Facts about the quote itself, beside the audit.
#[derive(Debug, Clone, Serialize)]
pub struct QuoteFacts {
    /// File name as given.
    pub file: String,
    /// Sheet of the item table (empty for CSV).
    pub sheet: String,
    /// Row of the table header.
    pub header_row: u32,
    /// 見積日.
    pub quote_date: Option<NaiveDate>,
    /// 宛先.
    pub addressee: Option<String>,
    /// The issuing vendor.
    pub vendor: Option<String>,
    /// Notes under the table.
    pub notes: Vec<String>,
}

/// The audit as printed with `--json` and returned by `POST /api/audit`.
#[derive(Debug, Clone, Serialize)]
pub struct AuditDocument {
    /// Lines, flags, totals, subsidy.
    #[serde(flatten)]
    pub report: AuditReport,
    /// The quote's own facts.
    pub quote: QuoteFacts,
}

/// Benchmarks from the seed file embedded in the binary.
pub fn seed_benchmarks() -> Benchmarks {
    // The embedded file is validated at every server start and by the tests.
    let rows = BenchmarkRowData::from_seed_json(SEED_BENCHMARKS).unwrap_or_default();
    Benchmarks::from_rows(&rows)
}

/// Reads and audits one file.
pub fn audit_file(
    file_name: &str,
    bytes: &[u8],
    ctx: &AuditContext,
    benchmarks: &Benchmarks,
    peers: &Peers,
) -> Result<AuditDocument, ReadError> {
    audit_file_until(file_name, bytes, ctx, benchmarks, peers, &Stop::new())
}

/// [`audit_file`], its reading abandoned when `stop` is raised (the server's time limit).
pub fn audit_file_until(
    file_name: &str,
    bytes: &[u8],
    ctx: &AuditContext,
    benchmarks: &Benchmarks,
    peers: &Peers,
    stop: &Stop,
) -> Result<AuditDocument, ReadError> {
    let quote = read_quote_with_stop(file_name, bytes, &Limits::default(), stop)?;
    let report = audit(&quote, ctx, benchmarks, peers, Classifier::builtin(), Catalog::builtin());
    Ok(AuditDocument {
        report,
        quote: QuoteFacts {
            file: file_name.to_owned(),
            sheet: quote.source.sheet.clone(),
            header_row: quote.source.header_row,
            quote_date: quote.quote_date,
            addressee: quote.addressee.clone(),
            vendor: quote.vendor.clone(),
            notes: quote.notes.clone(),
        },
    })
}

/// The settlement as the quote page shows it, as lines of text: the same view, figures and
/// words ([`SettlementView::figures`]).
fn settlement_text(s: &SettlementView) -> Vec<String> {
    let mut out = vec![format!("{TITLE}:")];
    out.extend(s.assumptions.iter().map(|a| format!("  前提: {a}")));
    out.push(format!("  適用する制度: {}", s.scheme_label()));
    out.extend(s.route.iter().map(|r| format!("  適用の条件: {r}")));
    for c in &s.conditions {
        let source = c.source.as_deref().map(|src| format!("（出典: {src}）")).unwrap_or_default();
        out.push(format!("    [{}] {}{source}", c.state_ja(), c.text));
    }
    for f in s.figures() {
        out.push(format!("{}{}: {}", "  ".repeat(usize::from(f.depth) + 1), f.label, f.value));
    }
    if !s.eligible_for_subsidy {
        out.push("  この日付では補助の対象外です。".to_owned());
    }
    if !s.alternatives.is_empty() {
        out.push(format!("  {ALTERNATIVES_TITLE}:"));
        out.extend(s.alternatives.iter().map(|a| format!("    - {a}")));
    }
    out.extend(s.warnings.iter().map(|w| format!("  注意: {w}")));
    out
}

/// The audit as a readable table for the terminal; the alternatives' deadlines are told
/// against `today`.
pub fn render_text(doc: &AuditDocument, kind: FacilityType, today: NaiveDate) -> String {
    let r = &doc.report;
    let q = &doc.quote;
    let mut out = Vec::new();
    out.push(format!(
        "見積書: {}{}（表の見出し {}行目）",
        q.file,
        if q.sheet.is_empty() { String::new() } else { format!(" シート「{}」", q.sheet) },
        q.header_row
    ));
    if let Some(v) = &q.vendor {
        out.push(format!("発行元: {v}"));
    }
    if let Some(a) = &q.addressee {
        out.push(format!("宛先: {a}"));
    }
    if let Some(d) = q.quote_date {
        out.push(format!("見積日: {}", format_wareki_with_western(d)));
    }
    out.push(format!("施設区分: {}{}", kind.label_ja(), if r.tax_inclusive { "　（税込表示の見積）" } else { "" }));
    out.push(String::new());
    out.push("行 | 品名 | 費目 | 数量 | 単価 | 金額 | 補助 | 指摘".to_owned());
    out.push("---|---|---|---|---|---|---|---".to_owned());
    for l in &r.lines {
        out.push(format!(
            "{} | {} | {} | {}{} | {} | {} | {} | {}",
            l.row,
            l.description,
            l.category.label_ja(),
            l.quantity.map(|q| q.normalize().to_string()).unwrap_or_default(),
            l.unit.clone().unwrap_or_default(),
            l.unit_price.map(|p| p.to_string()).unwrap_or_default(),
            l.amount.map(|a| a.to_string()).unwrap_or_default(),
            l.eligibility.label_ja(),
            l.flags.iter().map(|f| f.code.code()).collect::<Vec<_>>().join(", ")
        ));
    }
    out.push(String::new());
    let opt = |y: Option<rules::Yen>| y.map_or_else(|| "—".to_owned(), |y| y.to_string());
    out.push(format!(
        "記載: 小計 {} / 消費税 {} / 合計 {}",
        opt(r.written.subtotal),
        opt(r.written.tax),
        opt(r.written.total)
    ));
    out.push(format!(
        "計算: 小計 {} / 消費税 {} / 合計 {} / 補助対象経費（税込） {}",
        r.computed.subtotal, r.computed.tax, r.computed.total, r.computed.eligible_total
    ));
    match &r.settlement {
        Some(s) => out.extend(settlement_text(&SettlementView::of(s, today))),
        None => out.push(format!("補助金: 該当なし / 自己負担 {}", r.subsidy.self_burden)),
    }
    let line_flags = r.lines.iter().flat_map(|l| l.flags.iter().map(move |f| (Some(l.row), f)));
    let all: Vec<_> = line_flags.chain(r.flags.iter().map(|f| (None, f))).collect();
    if !all.is_empty() {
        out.push(String::new());
        out.push(format!("指摘 {}件:", all.len()));
        for (row, f) in all {
            let at = row.map_or_else(|| "見積全体".to_owned(), |r| format!("{r}行目"));
            let source = f.evidence.source.as_deref().map(|s| format!("（出典: {s}）")).unwrap_or_default();
            let assumed = if f.evidence.assumption { "［想定値］" } else { "" };
            out.push(format!(
                "  - [{}・{}] {}: {}{}{}",
                f.code.code(),
                f.severity.label_ja(),
                at,
                f.message,
                assumed,
                source
            ));
        }
    } else {
        out.push(String::new());
        out.push("指摘はありません。".to_owned());
    }
    // A scan not yet checked by a person: what a misread figure could cause, held back.
    if !r.reading_checks.is_empty() {
        out.push(String::new());
        out.push(format!(
            "読み取りの確認 {}件（画像から文字認識で読んだため、指摘にする前に画像と見比べてください）:",
            r.reading_checks.len()
        ));
        for c in &r.reading_checks {
            let at = if c.row == 0 { "見積全体".to_owned() } else { format!("{}行目", c.row) };
            out.push(format!("  - [{}] {at}: {}", c.held.code(), c.message));
        }
    }
    for n in app::api::quote_audit::notes_besides_assumptions(r) {
        out.push(format!("注: {n}"));
    }
    out.join("\n")
}
