//! A quote's lines as the audit reads them, packed by SQLite into one JSON value per quote.
//! sqlx-sqlite hands every row and value across from its connection thread on its own: the
//! 15,000 lines of one quote took a fifth of a second of its page that way, twice (its lines,
//! then its prices to leave out of its peers), and the vendor league's 2.3 million lines most of
//! its time (BENCHMARKS.md).

use super::quotes::StoredLine;
use rules::Yen;
use rules::category::Category;

/// The lines of the quote `q` (an alias the query gives `quotes`), in their order, as one JSON
/// array of `[[the stored line's columns in order], comparable price]`.
pub const PACKED_LINES: &str = "(SELECT json_group_array(json_array(json_array(l.sheet_row, l.kind, l.description,
            l.spec, l.category, l.quantity, l.unit, l.unit_price, l.amount, l.note, l.amount_text), l.comparable_price)
            ORDER BY l.position)
     FROM quote_lines l WHERE l.quote_id = q.id)";

/// A quote's lines, packed (none for a quote that does not exist).
pub async fn packed(pool: &sqlx::SqlitePool, quote_id: i64) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(&format!("SELECT {PACKED_LINES} FROM quotes q WHERE q.id = ?"))
        .bind(quote_id)
        .fetch_optional(pool)
        .await
}

/// The (category, comparable price) of a quote's priced lines.
pub type PricedLines = Vec<(Category, Yen)>;

/// The lines of [`PACKED_LINES`], and the (category, comparable price) of those that have one:
/// what the quote leaves out of its peer group when it is one of its peers.
pub fn unpack(packed: &str) -> serde_json::Result<(Vec<StoredLine>, PricedLines)> {
    let lines: Vec<(StoredLine, Option<String>)> = serde_json::from_str(packed)?;
    let priced =
        lines.iter().filter_map(|(l, p)| Some((l.category.parse().ok()?, Yen::parse(p.as_deref()?).ok()?))).collect();
    Ok((lines.into_iter().map(|(l, _)| l).collect(), priced))
}
