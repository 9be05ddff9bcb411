//! The quote a facility's settlement reads, with its lines: the paid receipts (the confirmed
//! quote marked paid), else the newest confirmed quote, else the newest quote stored.

use super::quotes::StoredLine;

/// Which costs a settlement was computed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CostBasis {
    /// The confirmed quote marked paid: what the facility paid, as its 領収書 say.
    PaidReceipts,
    /// A confirmed quote, not paid yet.
    ConfirmedQuote,
    /// A quote stored without being confirmed.
    LatestQuote,
}

impl CostBasis {
    /// Japanese label.
    pub fn label_ja(self) -> &'static str {
        match self {
            CostBasis::PaidReceipts => "支払済みの領収書",
            CostBasis::ConfirmedQuote => "確定した見積",
            CostBasis::LatestQuote => "最新の見積",
        }
    }
}

/// A facility's chosen quote and its lines, in the quote's order.
#[derive(Debug, Clone)]
pub struct ChosenQuote {
    /// Its facility.
    pub facility_id: i64,
    /// The quote.
    pub quote_id: i64,
    /// Why this one.
    pub basis: CostBasis,
    /// Its prices include tax.
    pub tax_inclusive: bool,
    /// Its lines, with the categories stored for them (as the quote page audits them).
    pub lines: Vec<StoredLine>,
}

/// A chosen quote with one of its lines (none for a quote without lines).
#[derive(sqlx::FromRow)]
struct Row {
    facility_id: i64,
    quote_id: i64,
    tax_inclusive: bool,
    confirmed: bool,
    paid_on: Option<String>,
    sheet_row: Option<i64>,
    kind: Option<String>,
    description: Option<String>,
    spec: Option<String>,
    category: Option<String>,
    quantity: Option<String>,
    unit: Option<String>,
    unit_price: Option<String>,
    amount: Option<String>,
    note: Option<String>,
}

/// The chosen quote of each of these facilities that has one (call after a scoped check of
/// every id): one statement for a facility page or a whole corporation.
pub async fn chosen(db: impl sqlx::SqliteExecutor<'_>, facility_ids: &[i64]) -> sqlx::Result<Vec<ChosenQuote>> {
    if facility_ids.is_empty() {
        return Ok(Vec::new());
    }
    // The order of `latest_paid_quote` (newest payment first) for the paid ones.
    let mut qb = sqlx::QueryBuilder::new(
        "WITH chosen AS (
             SELECT facility_id, id, tax_inclusive, confirmed, paid_on FROM (
                 SELECT q.facility_id, q.id, q.tax_inclusive, q.confirmed, q.paid_on,
                        row_number() OVER (PARTITION BY q.facility_id
                            ORDER BY (q.confirmed = 1 AND q.paid_on IS NOT NULL) DESC, q.confirmed DESC,
                                     q.paid_on DESC, q.id DESC) AS n
                 FROM quotes q WHERE q.facility_id IN (",
    );
    let mut ids = qb.separated(", ");
    for id in facility_ids {
        ids.push_bind(*id);
    }
    qb.push(
        ")) WHERE n = 1)
         SELECT c.facility_id, c.id AS quote_id, c.tax_inclusive, c.confirmed, c.paid_on,
                l.sheet_row, l.kind, l.description, l.spec, l.category, l.quantity, l.unit, l.unit_price, l.amount, l.note
         FROM chosen c LEFT JOIN quote_lines l ON l.quote_id = c.id
         ORDER BY c.facility_id, l.position",
    );
    let rows: Vec<Row> = qb.build_query_as().fetch_all(db).await?;
    let mut out: Vec<ChosenQuote> = Vec::new();
    for r in rows {
        if out.last().is_none_or(|c| c.quote_id != r.quote_id) {
            let basis = match (r.confirmed, r.paid_on.is_some()) {
                (true, true) => CostBasis::PaidReceipts,
                (true, false) => CostBasis::ConfirmedQuote,
                (false, _) => CostBasis::LatestQuote,
            };
            out.push(ChosenQuote {
                facility_id: r.facility_id,
                quote_id: r.quote_id,
                basis,
                tax_inclusive: r.tax_inclusive,
                lines: Vec::new(),
            });
        }
        let (Some(kind), Some(description), Some(category), Some(chosen)) =
            (r.kind, r.description, r.category, out.last_mut())
        else {
            continue;
        };
        chosen.lines.push(StoredLine {
            sheet_row: r.sheet_row,
            kind,
            description,
            spec: r.spec,
            category,
            quantity: r.quantity,
            unit: r.unit,
            unit_price: r.unit_price,
            amount: r.amount,
            note: r.note,
            amount_text: None,
            sheet: None,
        });
    }
    Ok(out)
}
