//! Queries on `quotes` and `quote_lines`, limited to the user's scope.

use super::scope::push_scope;
use crate::api::facilities::QuoteDetail;
use rules::access::Scope;
use sqlx::{QueryBuilder, SqlitePool};

/// One quote, if the scope reaches its facility: the access check of everything about a quote.
pub async fn detail(pool: &SqlitePool, scope: &Scope, id: i64) -> sqlx::Result<Option<QuoteDetail>> {
    let mut qb = QueryBuilder::new(
        "SELECT q.id, q.facility_id, f.name AS facility_name, q.file_name, v.name AS vendor, q.quote_date,
                q.tax_inclusive, q.confirmed, EXISTS (SELECT 1 FROM quote_files qf WHERE qf.quote_id = q.id) AS has_file
         FROM quotes q JOIN facilities f ON f.id = q.facility_id LEFT JOIN vendors v ON v.id = q.vendor_id
         WHERE q.id = ",
    );
    qb.push_bind(id);
    push_scope(&mut qb, scope, "f");
    qb.build_query_as().fetch_optional(pool).await
}

/// A stored line with what the audit needs: from a row, or from a JSON array of its columns
/// in this order (the vendor records, which read a quote's lines as one value).
#[derive(Debug, Clone, sqlx::FromRow, serde::Deserialize)]
pub struct StoredLine {
    /// Sheet row.
    pub sheet_row: Option<i64>,
    /// item or discount.
    pub kind: String,
    /// 品名.
    pub description: String,
    /// 仕様.
    pub spec: Option<String>,
    /// Category code (after the facility's corrections).
    pub category: String,
    /// 数量.
    pub quantity: Option<String>,
    /// 単位.
    pub unit: Option<String>,
    /// 単価.
    pub unit_price: Option<String>,
    /// 金額.
    pub amount: Option<String>,
    /// 備考.
    pub note: Option<String>,
    /// What the quote wrote instead of a figure (別途, サービス); not in the vendor records' arrays.
    #[serde(default)]
    #[sqlx(default)]
    pub amount_text: Option<String>,
    /// The sheet the line came from, for a quote read from several.
    #[serde(default)]
    #[sqlx(default)]
    pub sheet: Option<String>,
}

impl StoredLine {
    /// The line as the rules read it.
    pub fn to_quote_line(&self) -> rules::quote::QuoteLine {
        use rules::quote::{LineKind, QuoteLine, Unit};
        let yen = |s: &Option<String>| s.as_deref().and_then(|t| rules::Yen::parse(t).ok());
        QuoteLine {
            row: u32::try_from(self.sheet_row.unwrap_or(0)).unwrap_or(0),
            description: self.description.clone(),
            spec: self.spec.clone(),
            quantity: self.quantity.as_deref().and_then(|q| q.parse().ok()),
            unit: self.unit.as_deref().and_then(Unit::parse),
            unit_price: yen(&self.unit_price),
            list_price: None,
            amount: yen(&self.amount),
            note: self.note.clone(),
            kind: if self.kind == "discount" { LineKind::Discount } else { LineKind::Item },
            amount_text: self.amount_text.clone(),
            sheet: self.sheet.clone(),
        }
    }
}

/// The lines of a quote in order (call only after the scoped `detail`).
pub async fn lines_for_audit(pool: &SqlitePool, quote_id: i64) -> sqlx::Result<Vec<StoredLine>> {
    sqlx::query_as(
        "SELECT sheet_row, kind, description, spec, category, quantity, unit, unit_price, amount, note, amount_text, sheet
         FROM quote_lines WHERE quote_id = ? ORDER BY position",
    )
    .bind(quote_id)
    .fetch_all(pool)
    .await
}

/// The totals a quote wrote.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct Written {
    /// 小計.
    pub subtotal: Option<String>,
    /// 消費税.
    pub tax: Option<String>,
    /// 内消費税.
    pub tax_included: bool,
    /// 合計.
    pub total: Option<String>,
    /// The amounts written outside the item tables (表紙の御見積金額), JSON; `None` for none.
    pub summary: Option<String>,
}

/// The summary amounts as stored: JSON, or `None` when the quote wrote none.
pub fn summary_json(summary: &[rules::quote::SummaryAmount]) -> Option<String> {
    if summary.is_empty() { None } else { serde_json::to_string(summary).ok() }
}

/// The written totals of a quote.
pub async fn written(pool: &SqlitePool, quote_id: i64) -> sqlx::Result<Written> {
    sqlx::query_as(
        "SELECT written_subtotal AS subtotal, written_tax AS tax, written_tax_included AS tax_included, written_total AS total,
                written_summary AS summary
         FROM quotes WHERE id = ?",
    )
    .bind(quote_id)
    .fetch_one(pool)
    .await
}

/// A stored quote as the audit reads it: its lines, the categories the facility confirmed
/// (certain, so confidence 100) and the totals it wrote.
pub fn audit_input(
    stored: &[StoredLine],
    written: &Written,
    tax_inclusive: bool,
) -> (rules::quote::Quote, Vec<rules::classify::Classification>) {
    use rules::quote::{Quote, WrittenAmount, WrittenTotals};
    let amount = |s: &Option<String>| {
        s.as_deref().and_then(|t| rules::Yen::parse(t).ok()).map(|amount| WrittenAmount { amount, row: 0 })
    };
    let quote = Quote {
        lines: stored.iter().map(StoredLine::to_quote_line).collect(),
        written: WrittenTotals {
            subtotal: amount(&written.subtotal),
            tax: amount(&written.tax),
            tax_included_in_total: written.tax_included,
            total: amount(&written.total),
        },
        tax_inclusive,
        // Written by Onshi itself; a value it cannot read back is no summary rather than an error.
        summary: written.summary.as_deref().and_then(|s| serde_json::from_str(s).ok()).unwrap_or_default(),
        ..Quote::default()
    };
    let classified = stored
        .iter()
        .map(|l| rules::classify::Classification {
            category: l.category.parse().unwrap_or(rules::category::Category::Other),
            confidence: 100,
            matched: None,
        })
        .collect();
    (quote, classified)
}

/// The other confirmed quotes of the facility: (id, file name).
pub async fn siblings(pool: &SqlitePool, facility_id: i64, quote_id: i64) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as(
        "SELECT id, file_name FROM quotes WHERE facility_id = ? AND id != ? AND confirmed = 1 ORDER BY id DESC",
    )
    .bind(facility_id)
    .bind(quote_id)
    .fetch_all(pool)
    .await
}

/// How long an unconfirmed upload is kept: long enough to confirm it the next working day
/// after a weekend, short enough that abandoned uploads do not pile up (Onshi's own choice).
pub const DRAFT_LIFETIME_DAYS: i64 = 3;

/// Most drafts one user keeps at once; a new upload beyond it replaces the oldest
/// (Onshi's own choice: a manager uploads the quotes of a few vendors for a few facilities
/// before confirming them; the bound keeps one user's drafts under 200 MB).
pub const DRAFTS_PER_USER: i64 = 10;

/// Deletes drafts past their lifetime and, for `user_id`, all but the newest
/// `DRAFTS_PER_USER - 1`, making room for one more. Returns how many were deleted.
pub async fn prune_drafts(pool: &SqlitePool, user_id: Option<i64>) -> sqlx::Result<u64> {
    let mut tx = pool.begin().await?;
    let mut deleted =
        sqlx::query("DELETE FROM quote_drafts WHERE created_at < strftime('%Y-%m-%dT%H:%M:%SZ', 'now', ?)")
            .bind(format!("-{DRAFT_LIFETIME_DAYS} days"))
            .execute(&mut *tx)
            .await?
            .rows_affected();
    if let Some(user_id) = user_id {
        deleted += sqlx::query(
            "DELETE FROM quote_drafts WHERE user_id = ?1 AND token NOT IN
               (SELECT token FROM quote_drafts WHERE user_id = ?1 ORDER BY created_at DESC, rowid DESC LIMIT ?2)",
        )
        .bind(user_id)
        .bind(DRAFTS_PER_USER - 1)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    tx.commit().await?;
    Ok(deleted)
}
