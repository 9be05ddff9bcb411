//! `quotes.csv` (one row per quote) and `quote_lines.csv` (one row per line, with the audit's flags).
//!
//! # Quote lines with flags, one quote in memory
//! The lines arrive in one query ordered by quote and position, each with its
//! quote's facility, totals and the facility's facts. They are gathered until
//! the quote changes; that quote is then audited as its page audits it
//! (`rules::audit::audit_classified` on the stored, corrected categories, the
//! stored benchmarks, the facility's own facts: reader application, contract,
//! milestones) and its lines are written with their flag codes. Memory is
//! bounded by the largest quote, whatever the number of quotes.
//!
//! # What the export's audit leaves out
//! The peer comparison (Tukey's fence over the confirmed lines of every other
//! quote of the same facility type, one of the two sources of
//! `above_benchmark`) is not run: it would need every peer price in memory and
//! a sort per line, and it changes whenever another quote is confirmed. The
//! benchmark ranges, free items, arithmetic, labour hours, lump sums,
//! duplicates, tax and the subsidy cap are checked as on the page, so a line
//! can show one `above_benchmark` fewer here than on its page, never more.

use super::{
    ExportError, Filter, Stop, Writer, facility_type_label, one_zero, plain_yen, prefecture_label, text, yen_number,
};
use crate::ssr::db::provisioning::FactsRow;
use crate::ssr::db::quotes::{StoredLine, Written};
use futures_util::TryStreamExt;
use rules::access::Scope;
use rules::audit::{AuditContext, AuditReport, Benchmarks, Peers, audit_classified};
use sqlx::{QueryBuilder, SqlitePool};

/// The columns of `quotes.csv`. Totals are as the quote writes them (記載), plain yen.
pub const QUOTES_HEADER: &[&str] = &[
    "見積書ID",
    "施設ID",
    "医療機関コード",
    "医療機関名",
    "施設区分コード",
    "施設区分",
    "都道府県コード",
    "都道府県",
    "ベンダーコード",
    "ベンダー名",
    "ファイル名",
    "見積日",
    "税込表示",
    "状態コード",
    "状態",
    "明細行数",
    "小計（記載）",
    "消費税（記載）",
    "合計（記載）",
    "支払日",
    "登録日時",
    "ファイルSHA-256",
];

/// The columns of `quote_lines.csv`. 金額 is the signed amount the audit sums
/// (a discount is negative), or quantity × unit price when the line gives none.
/// 指摘コード are the line's flag codes, space-separated; 見積書全体の指摘コード
/// those of its quote (totals, tax, subsidy cap), repeated on each of its lines.
pub const LINES_HEADER: &[&str] = &[
    "見積書ID",
    "施設ID",
    "医療機関コード",
    "医療機関名",
    "施設区分コード",
    "都道府県コード",
    "ベンダー名",
    "ファイル名",
    "見積書の状態コード",
    "明細番号",
    "シート行",
    "種別コード",
    "品名",
    "仕様",
    "費目コード",
    "費目",
    "補助区分コード",
    "補助区分",
    "数量",
    "単位",
    "単価",
    "金額",
    "指摘コード",
    "指摘",
    "見積書全体の指摘コード",
    "備考",
];

const QUOTE_COLUMNS: usize = QUOTES_HEADER.len();
const LINE_COLUMNS: usize = LINES_HEADER.len();

/// `confirmed` → (code, label), as the facility page names them.
fn state(confirmed: bool) -> (&'static str, &'static str) {
    if confirmed { ("confirmed", "確定") } else { ("draft", "下書き") }
}

#[derive(sqlx::FromRow)]
struct QuoteRow {
    id: i64,
    facility_id: i64,
    facility_code: String,
    facility_name: String,
    facility_type: String,
    prefecture: String,
    vendor_code: Option<String>,
    vendor_name: Option<String>,
    file_name: String,
    quote_date: Option<String>,
    tax_inclusive: bool,
    confirmed: bool,
    lines: i64,
    written_subtotal: Option<String>,
    written_tax: Option<String>,
    written_total: Option<String>,
    paid_on: Option<String>,
    created_at: String,
    file_sha256: Option<String>,
}

const QUOTES_SELECT: &str = "SELECT q.id, f.id AS facility_id, f.facility_code, f.name AS facility_name,
        f.facility_type, f.prefecture, v.code AS vendor_code, v.name AS vendor_name, q.file_name, q.quote_date,
        q.tax_inclusive, q.confirmed, (SELECT count(*) FROM quote_lines l WHERE l.quote_id = q.id) AS lines,
        q.written_subtotal, q.written_tax, q.written_total, q.paid_on, q.created_at, q.file_sha256
 FROM quotes q JOIN facilities f ON f.id = q.facility_id LEFT JOIN vendors v ON v.id = q.vendor_id
 WHERE 1 = 1";

/// Writes the quotes of the scope, oldest first.
pub async fn write_quotes(pool: &SqlitePool, scope: &Scope, filter: &Filter, w: &mut Writer) -> Result<(), Stop> {
    let mut qb = QueryBuilder::new(QUOTES_SELECT);
    filter.push(&mut qb, Some("q.id"));
    crate::ssr::db::scope::push_scope(&mut qb, scope, "f");
    qb.push(" ORDER BY q.id");
    let mut rows = qb.build_query_as::<QuoteRow>().fetch(pool);
    while let Some(q) = rows.try_next().await? {
        let (state_code, state_label) = state(q.confirmed);
        let (id, facility_id, lines) = (q.id.to_string(), q.facility_id.to_string(), q.lines.to_string());
        let (subtotal, tax, total) = (
            plain_yen(q.written_subtotal.as_deref()),
            plain_yen(q.written_tax.as_deref()),
            plain_yen(q.written_total.as_deref()),
        );
        let fields: [&str; QUOTE_COLUMNS] = [
            &id,
            &facility_id,
            &q.facility_code,
            &q.facility_name,
            &q.facility_type,
            facility_type_label(&q.facility_type),
            &q.prefecture,
            prefecture_label(&q.prefecture),
            text(&q.vendor_code),
            text(&q.vendor_name),
            &q.file_name,
            text(&q.quote_date),
            one_zero(q.tax_inclusive),
            state_code,
            state_label,
            &lines,
            &subtotal,
            &tax,
            &total,
            text(&q.paid_on),
            &q.created_at,
            text(&q.file_sha256),
        ];
        w.record(fields).await?;
    }
    Ok(())
}

/// A line with what its quote's audit needs.
#[derive(sqlx::FromRow)]
struct LineRow {
    quote_id: i64,
    facility_id: i64,
    facility_code: String,
    facility_name: String,
    prefecture: String,
    vendor_name: Option<String>,
    file_name: String,
    confirmed: bool,
    tax_inclusive: bool,
    written_subtotal: Option<String>,
    written_tax: Option<String>,
    written_tax_included: bool,
    written_total: Option<String>,
    written_summary: Option<String>,
    /// The facility's facts, the same on every line of its quotes; read once per quote.
    #[sqlx(flatten)]
    facts: FactsRow,
    sheet_row: Option<i64>,
    kind: String,
    description: String,
    spec: Option<String>,
    category: String,
    quantity: Option<String>,
    unit: Option<String>,
    unit_price: Option<String>,
    amount: Option<String>,
    note: Option<String>,
    amount_text: Option<String>,
    sheet: Option<String>,
}

/// The lines with their quote and facility, the facility's facts ([`FactsRow`]) joined in.
fn lines_select() -> String {
    use crate::ssr::db::provisioning::{FACTS_COLUMNS, FACTS_JOINS};
    format!(
        "SELECT q.id AS quote_id, f.id AS facility_id, f.facility_code, f.name AS facility_name,
        f.prefecture, v.name AS vendor_name, q.file_name, q.confirmed, q.tax_inclusive,
        q.written_subtotal, q.written_tax, q.written_tax_included, q.written_total, q.written_summary, {FACTS_COLUMNS},
        l.sheet_row, l.kind, l.description, l.spec, l.category, l.quantity, l.unit, l.unit_price, l.amount, l.note,
        l.amount_text, l.sheet
 FROM quote_lines l
 JOIN quotes q ON q.id = l.quote_id
 JOIN facilities f ON f.id = q.facility_id
 LEFT JOIN vendors v ON v.id = q.vendor_id
 {FACTS_JOINS}
 WHERE 1 = 1"
    )
}

impl LineRow {
    fn stored(&self) -> StoredLine {
        StoredLine {
            sheet_row: self.sheet_row,
            kind: self.kind.clone(),
            description: self.description.clone(),
            spec: self.spec.clone(),
            category: self.category.clone(),
            quantity: self.quantity.clone(),
            unit: self.unit.clone(),
            unit_price: self.unit_price.clone(),
            amount: self.amount.clone(),
            note: self.note.clone(),
            amount_text: self.amount_text.clone(),
            sheet: self.sheet.clone(),
        }
    }
}

/// The audit of one quote's lines (all of the same quote, in order), as the
/// quote page runs it but without peers (see the module documentation).
fn audit(lines: &[LineRow], bench: &Benchmarks) -> Result<AuditReport, ExportError> {
    let Some(head) = lines.first() else {
        return Err(ExportError::Data("a quote without lines".into()));
    };
    let stored: Vec<StoredLine> = lines.iter().map(LineRow::stored).collect();
    let written = Written {
        subtotal: head.written_subtotal.clone(),
        tax: head.written_tax.clone(),
        tax_included: head.written_tax_included,
        total: head.written_total.clone(),
        summary: head.written_summary.clone(),
    };
    let (quote, classified) = crate::ssr::db::quotes::audit_input(&stored, &written, head.tax_inclusive);
    // A stored type the code does not know is bad data, not a facility to audit as a clinic.
    head.facts
        .facility_type
        .parse::<rules::FacilityType>()
        .map_err(|e| ExportError::Data(format!("quote {}: {e}", head.quote_id)))?;
    let ctx = AuditContext::of_facility(&head.facts.facts());
    Ok(audit_classified(&quote, &classified, &ctx, bench, &Peers::default(), rules::scheme::Catalog::builtin()))
}

/// Flag codes, each once, in the order the audit raised them, space-separated.
fn codes<'a>(flags: impl IntoIterator<Item = &'a rules::audit::Flag>) -> (String, String) {
    let mut seen: Vec<rules::audit::FlagCode> = Vec::new();
    for f in flags {
        if !seen.contains(&f.code) {
            seen.push(f.code);
        }
    }
    let codes = seen.iter().map(|c| c.code()).collect::<Vec<_>>().join(" ");
    let labels = seen.iter().map(|c| c.label_ja()).collect::<Vec<_>>().join("、");
    (codes, labels)
}

/// Audits one quote's gathered lines and writes them.
async fn flush_quote(lines: &mut Vec<LineRow>, bench: &Benchmarks, w: &mut Writer) -> Result<(), Stop> {
    if lines.is_empty() {
        return Ok(());
    }
    let report = audit(lines, bench)?;
    let (quote_codes, _) = codes(&report.flags);
    for (i, (l, a)) in lines.iter().zip(&report.lines).enumerate() {
        let (line_codes, line_labels) = codes(&a.flags);
        let (quote_id, facility_id, position) =
            (l.quote_id.to_string(), l.facility_id.to_string(), (i + 1).to_string());
        let sheet_row = l.sheet_row.map(|r| r.to_string()).unwrap_or_default();
        let quantity = a.quantity.map(|q| q.normalize().to_string()).unwrap_or_default();
        let unit_price = a.unit_price.map(yen_number).unwrap_or_default();
        let amount = a.amount.map(yen_number).unwrap_or_default();
        let fields: [&str; LINE_COLUMNS] = [
            &quote_id,
            &facility_id,
            &l.facility_code,
            &l.facility_name,
            &l.facts.facility_type,
            &l.prefecture,
            text(&l.vendor_name),
            &l.file_name,
            state(l.confirmed).0,
            &position,
            &sheet_row,
            &l.kind,
            &l.description,
            text(&l.spec),
            a.category.code(),
            a.category.label_ja(),
            a.eligibility.code(),
            a.eligibility.label_ja(),
            &quantity,
            text(&l.unit),
            &unit_price,
            &amount,
            &line_codes,
            &line_labels,
            &quote_codes,
            text(&l.note),
        ];
        w.record(fields).await?;
    }
    lines.clear();
    Ok(())
}

/// Writes the lines of the scope's quotes, quote by quote, each with its flags.
pub async fn write_lines(pool: &SqlitePool, scope: &Scope, filter: &Filter, w: &mut Writer) -> Result<(), Stop> {
    let bench = crate::ssr::db::benchmarks::stored(pool).await?;
    let mut qb = QueryBuilder::new(lines_select());
    filter.push(&mut qb, Some("q.id"));
    crate::ssr::db::scope::push_scope(&mut qb, scope, "f");
    qb.push(" ORDER BY q.id, l.position");
    let mut rows = qb.build_query_as::<LineRow>().fetch(pool);
    let mut quote: Vec<LineRow> = Vec::new();
    while let Some(line) = rows.try_next().await? {
        if quote.first().is_some_and(|first| first.quote_id != line.quote_id) {
            flush_quote(&mut quote, &bench, w).await?;
        }
        quote.push(line);
    }
    flush_quote(&mut quote, &bench, w).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(category: &str, amount: &str) -> LineRow {
        LineRow {
            quote_id: 1,
            facility_id: 1,
            facility_code: "0110113719".into(),
            facility_name: "テスト医院".into(),
            prefecture: "40".into(),
            vendor_name: None,
            file_name: "q.xlsx".into(),
            confirmed: true,
            tax_inclusive: false,
            written_subtotal: None,
            written_tax: None,
            written_tax_included: false,
            written_total: None,
            written_summary: None,
            facts: FactsRow {
                facility_type: "medical_clinic".into(),
                online_billing: true,
                readers: Some(1),
                ..FactsRow::default()
            },
            sheet_row: Some(5),
            kind: "item".into(),
            description: format!("{category} の行"),
            spec: None,
            category: category.into(),
            quantity: Some("1".into()),
            unit: None,
            unit_price: Some(amount.into()),
            amount: Some(amount.into()),
            note: None,
            amount_text: None,
            sheet: None,
        }
    }

    #[test]
    fn a_charged_card_reader_carries_the_free_item_flag_and_a_terminal_none() {
        let lines = [line("card_reader", "50000"), line("terminal", "100000")];
        let r = audit(&lines, &Benchmarks::from_rows(&[])).expect("audit");
        assert_eq!(codes(&r.lines[0].flags).0, "free_item_charged");
        assert_eq!(codes(&r.lines[1].flags).0, "");
    }

    #[test]
    fn each_flag_code_appears_once_with_its_label() {
        let lines = [line("card_reader", "50000"), line("card_reader", "50000")];
        let r = audit(&lines, &Benchmarks::from_rows(&[])).expect("audit");
        let (c, l) = codes(&r.lines[1].flags);
        assert_eq!(c, "free_item_charged duplicate_line");
        assert_eq!(l, "無償品への請求、重複した行");
    }
}
